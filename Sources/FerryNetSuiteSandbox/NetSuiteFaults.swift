import Foundation

/// Faults the sandbox injects into NetSuite paths (A13.14–16). Set at start through
/// ``NetSuiteSandboxConfiguration/faults``, replaced at runtime with `PUT /_sandbox/faults`.
///
/// JSON form (every key optional; dates ISO 8601):
/// ```json
/// {"serverErrorRate": 0.05,
///  "commitThenFail": [{"method": "POST", "recordType": "salesOrder", "failure": "dropConnection", "count": 2}],
///  "rejections": [{"method": "POST", "recordType": "customerDeposit", "status": 400, "errorCode": "USER_ERROR",
///                  "detail": "…", "rate": 0.5}],
///  "maintenance": {"until": "2026-01-01T10:00:00Z"},
///  "overload": {"fraction": 1, "delaySeconds": 3},
///  "otherIntegrationSlots": 4,
///  "targeted": [{"method": "DELETE", "target": "salesOrder", "nth": 1, "kind": "dropAfterCommit"}]}
/// ```
public struct NetSuiteFaults: Sendable, Equatable, Codable {
    /// Fraction (0…1) of NetSuite requests answered with an HTML gateway page, 502 or 503, without being processed.
    public var serverErrorRate: Double
    /// Writes that are saved and then fail, consumed in order of the list.
    public var commitThenFail: [CommitThenFailRule]
    /// Requests refused with a NetSuite error before anything is saved.
    public var rejections: [RejectionRule]
    /// While set, every NetSuite path answers 503 with the HTML maintenance page.
    public var maintenance: Maintenance?
    /// While set, a fraction of requests hang and then fail with 401 INVALID_LOGIN, as NetSuite does when overloaded.
    public var overload: Overload?
    /// Concurrency slots held by another integration on the same account (SOAP jobs, SDF deploys, …).
    public var otherIntegrationSlots: Int
    /// Faults aimed at the N-th matching request (``TargetedFault``).
    public var targeted: [TargetedFault]

    public init(
        serverErrorRate: Double = 0,
        commitThenFail: [CommitThenFailRule] = [],
        rejections: [RejectionRule] = [],
        maintenance: Maintenance? = nil,
        overload: Overload? = nil,
        otherIntegrationSlots: Int = 0,
        targeted: [TargetedFault] = []
    ) {
        self.serverErrorRate = serverErrorRate
        self.commitThenFail = commitThenFail
        self.rejections = rejections
        self.maintenance = maintenance
        self.overload = overload
        self.otherIntegrationSlots = otherIntegrationSlots
        self.targeted = targeted
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            serverErrorRate: try container.decodeIfPresent(Double.self, forKey: .serverErrorRate) ?? 0,
            commitThenFail: try container.decodeIfPresent([CommitThenFailRule].self, forKey: .commitThenFail) ?? [],
            rejections: try container.decodeIfPresent([RejectionRule].self, forKey: .rejections) ?? [],
            maintenance: try container.decodeIfPresent(Maintenance.self, forKey: .maintenance),
            overload: try container.decodeIfPresent(Overload.self, forKey: .overload),
            otherIntegrationSlots: try container.decodeIfPresent(Int.self, forKey: .otherIntegrationSlots) ?? 0,
            targeted: try container.decodeIfPresent([TargetedFault].self, forKey: .targeted) ?? []
        )
    }

    /// Save the record, then fail: the connection is dropped with no answer, a 502/503 HTML page is returned,
    /// or the normal answer comes only after `delaySeconds` (to outlast the client's timeout).
    ///
    /// How often a rule (this one or a ``RejectionRule``) fires: `count` = the next N matching requests, then
    /// the rule is used up and removed; `rate` = each matching request with that probability (0…1) for as long as
    /// the rule is set; neither = every matching request.
    public struct CommitThenFailRule: Sendable, Equatable, Codable {
        public enum Failure: String, Sendable, Equatable, Codable {
            case dropConnection, badGateway, serviceUnavailable, delay
        }

        /// HTTP method to match (`POST`, `PUT`, `PATCH`, `DELETE`); `*` matches any write.
        public var method: String
        /// Record type to match, case-insensitive (`salesOrder`); `*` matches any.
        public var recordType: String
        public var failure: Failure
        /// For ``Failure/delay``: seconds to wait after saving before answering. Default 30.
        public var delaySeconds: Double?
        public var count: Int?
        public var rate: Double?

        public init(
            method: String = "POST",
            recordType: String,
            failure: Failure,
            delaySeconds: Double? = nil,
            count: Int? = nil,
            rate: Double? = nil
        ) {
            self.method = method
            self.recordType = recordType
            self.failure = failure
            self.delaySeconds = delaySeconds
            self.count = count
            self.rate = rate
        }
    }

    /// Answer a NetSuite error without saving anything, e.g. a business-rule refusal of customer deposits.
    public struct RejectionRule: Sendable, Equatable, Codable {
        /// HTTP method to match; `*` matches any.
        public var method: String
        /// Record type to match, case-insensitive; `*` matches any.
        public var recordType: String
        /// HTTP status. Default 400.
        public var status: Int
        /// `o:errorCode`. Default `USER_ERROR`.
        public var errorCode: String
        /// `detail`.
        public var detail: String
        public var count: Int?
        public var rate: Double?

        public init(
            method: String = "POST",
            recordType: String,
            status: Int = 400,
            errorCode: String = "USER_ERROR",
            detail: String = "Error while accessing a resource. The request was rejected by the sandbox.",
            count: Int? = nil,
            rate: Double? = nil
        ) {
            self.method = method
            self.recordType = recordType
            self.status = status
            self.errorCode = errorCode
            self.detail = detail
            self.count = count
            self.rate = rate
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = RejectionRule(recordType: "*")
            self.init(
                method: try container.decodeIfPresent(String.self, forKey: .method) ?? defaults.method,
                recordType: try container.decode(String.self, forKey: .recordType),
                status: try container.decodeIfPresent(Int.self, forKey: .status) ?? defaults.status,
                errorCode: try container.decodeIfPresent(String.self, forKey: .errorCode) ?? defaults.errorCode,
                detail: try container.decodeIfPresent(String.self, forKey: .detail) ?? defaults.detail,
                count: try container.decodeIfPresent(Int.self, forKey: .count),
                rate: try container.decodeIfPresent(Double.self, forKey: .rate)
            )
        }
    }

    /// A maintenance window. `until` nil means until cleared.
    public struct Maintenance: Sendable, Equatable, Codable {
        public var until: Date?

        public init(until: Date? = nil) {
            self.until = until
        }
    }

    /// Overload behaviour: `fraction` (0…1) of requests wait `delaySeconds` and then get 401 INVALID_LOGIN.
    public struct Overload: Sendable, Equatable, Codable {
        public var fraction: Double
        public var delaySeconds: Double

        public init(fraction: Double = 1, delaySeconds: Double = 3) {
            self.fraction = fraction
            self.delaySeconds = delaySeconds
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(
                fraction: try container.decodeIfPresent(Double.self, forKey: .fraction) ?? 1,
                delaySeconds: try container.decodeIfPresent(Double.self, forKey: .delaySeconds) ?? 3
            )
        }
    }
}

extension NetSuiteFaults.CommitThenFailRule {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            method: try container.decodeIfPresent(String.self, forKey: .method) ?? "POST",
            recordType: try container.decode(String.self, forKey: .recordType),
            failure: try container.decode(Failure.self, forKey: .failure),
            delaySeconds: try container.decodeIfPresent(Double.self, forKey: .delaySeconds),
            count: try container.decodeIfPresent(Int.self, forKey: .count),
            rate: try container.decodeIfPresent(Double.self, forKey: .rate)
        )
    }
}
