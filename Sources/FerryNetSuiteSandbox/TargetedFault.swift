import Foundation

/// A fault aimed at exactly one request: the `nth` request (1-based, counted from when the rule was set) that
/// matches `method` and `target`. Deterministic, so a test can walk every call position of an order's NetSuite
/// traffic and inject every fault kind at each (`PUT /_sandbox/faults` with `"targeted": […]`, or
/// `POST /_sandbox/faults/targeted` with one rule).
///
/// Every request to a NetSuite path is counted against every rule it matches; the rule fires once, on its `nth`
/// match, and stays in the list with `fired: true` (so a test can wait for it and see it was used).
///
/// JSON form: `{"method": "POST", "target": "customerDeposit", "nth": 1, "kind": "rejectInvalid"}`.
public struct TargetedFault: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        /// `500 UNEXPECTED_ERROR` (JSON), nothing saved.
        case serverError
        /// `429 CONCURRENCY_LIMIT_EXCEEDED`, nothing saved.
        case concurrencyLimit
        /// `503` with the HTML maintenance page, nothing saved.
        case maintenance
        /// `400` with `errorCode` (default `USER_ERROR`) and `detail`, nothing saved: NetSuite refuses this request.
        case rejectInvalid
        /// Saved (the route runs), then the connection is closed with no answer.
        case dropAfterCommit
        /// Saved, then `502` with an HTML gateway page.
        case badGatewayAfterCommit
        /// Saved, then the answer comes only after `delaySeconds` (default 30): past the client's timeout.
        case timeoutAfterCommit
        /// The request waits `delaySeconds` (default 30) before it is processed at all: a caller killed meanwhile
        /// never learns anything, and the request is then handled as usual.
        case holdBeforeProcessing

        /// Whether the route runs (a write is saved) before the fault.
        public var afterCommit: Bool {
            switch self {
            case .dropAfterCommit, .badGatewayAfterCommit, .timeoutAfterCommit: true
            case .serverError, .concurrencyLimit, .maintenance, .rejectInvalid, .holdBeforeProcessing: false
            }
        }
    }

    /// `GET`, `POST`, `PUT`, `PATCH`, `DELETE`, or `*`.
    public var method: String
    /// A record type (`salesOrder`, `customerDeposit`, `customer`; case-insensitive), `suiteql`, or `*`.
    public var target: String
    /// Which matching request fails, from 1.
    public var nth: Int
    public var kind: Kind
    public var delaySeconds: Double?
    /// For ``Kind/rejectInvalid``.
    public var status: Int?
    public var errorCode: String?
    public var detail: String?
    /// Matching requests seen so far.
    public var seen: Int
    /// Whether it has fired.
    public var fired: Bool
    /// The request it fired on, `METHOD target` (`POST customerDeposit`): what a `*` rule hit.
    public var firedOn: String?

    public init(
        method: String,
        target: String,
        nth: Int = 1,
        kind: Kind,
        delaySeconds: Double? = nil,
        status: Int? = nil,
        errorCode: String? = nil,
        detail: String? = nil
    ) {
        self.method = method
        self.target = target
        self.nth = max(1, nth)
        self.kind = kind
        self.delaySeconds = delaySeconds
        self.status = status
        self.errorCode = errorCode
        self.detail = detail
        self.seen = 0
        self.fired = false
        self.firedOn = nil
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            method: try container.decodeIfPresent(String.self, forKey: .method) ?? "*",
            target: try container.decodeIfPresent(String.self, forKey: .target) ?? "*",
            nth: try container.decodeIfPresent(Int.self, forKey: .nth) ?? 1,
            kind: try container.decode(Kind.self, forKey: .kind),
            delaySeconds: try container.decodeIfPresent(Double.self, forKey: .delaySeconds),
            status: try container.decodeIfPresent(Int.self, forKey: .status),
            errorCode: try container.decodeIfPresent(String.self, forKey: .errorCode),
            detail: try container.decodeIfPresent(String.self, forKey: .detail)
        )
        seen = try container.decodeIfPresent(Int.self, forKey: .seen) ?? 0
        fired = try container.decodeIfPresent(Bool.self, forKey: .fired) ?? false
        firedOn = try container.decodeIfPresent(String.self, forKey: .firedOn)
    }

    func matches(method: String, target: String) -> Bool {
        (self.method == "*" || self.method.uppercased() == method.uppercased())
            && (self.target == "*" || self.target.lowercased() == target.lowercased())
    }

    /// The request a NetSuite path names: its HTTP method and the record type or `suiteql`; nil for paths that are
    /// neither (token, governance, async jobs), which no targeted fault matches.
    static func requestTarget(path: String) -> String? {
        let parts = path.split(separator: "/").map(String.init)
        if let record = parts.firstIndex(of: "record"), parts.count > record + 2, parts[record + 1] == "v1" {
            let segment = parts[record + 2]
            return RecordType(pathSegment: segment)?.rawValue ?? segment
        }
        if parts.last?.lowercased() == "suiteql" { return "suiteql" }
        return nil
    }
}
