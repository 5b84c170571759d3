import Foundation

/// Every failure of a ``NetSuiteClient`` call: an error answer from NetSuite, a transport failure, or a request
/// refused before it was sent.
///
/// ``kind`` is the classification retry logic needs; ``mayHaveCommitted`` says whether a write may have been
/// applied although it failed (timeouts, dropped connections, 5xx after commit), in which case look the record up by
/// external id before retrying. ``description`` never contains request bodies, headers or credentials.
public struct NetSuiteError: Error, Sendable {
    /// What went wrong, in the terms retry logic needs. The raw value is safe as a metric label.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        /// 429 `CONCURRENCY_LIMIT_EXCEEDED`: the account's shared concurrency pool is full. Retry after a delay.
        case concurrencyLimit = "concurrency_limit"
        /// 401 (`INVALID_LOGIN`). Bad credentials, clock skew, an expired token — or an overloaded account, which
        /// NetSuite also answers with slow 401s. Does not by itself mean the credentials were revoked.
        case authentication
        /// 403: the role lacks a permission.
        case forbidden
        /// 400 `INVALID_CONTENT` and other rejected requests (see ``NetSuiteError/errorPath``). Not retryable.
        case validation
        /// 400 `USER_ERROR` "…already exists.": a record with this external id exists.
        case duplicate
        /// 404 `NONEXISTENT_ID` or an unknown record type.
        case notFound = "not_found"
        /// The record has dependent records (e.g. a sales order with a deposit) and cannot be deleted.
        case cannotDelete = "cannot_delete"
        /// 5xx other than 503; the body may be HTML or plain text.
        case serverError = "server_error"
        /// 503: NetSuite is unavailable, usually for maintenance.
        case maintenance
        /// The client gave up waiting. A write may have been committed.
        case timeout
        /// The connection failed or dropped. A write may have been committed (see ``NetSuiteError/mayHaveCommitted``).
        case connection
        /// The calling task was cancelled while the request was in flight. A write may have been committed.
        case cancelled
        /// NetSuite answered something the client cannot use (no `Location` after a create, unparsable JSON, …).
        case unexpectedResponse = "unexpected_response"
        /// The client refused to send the request (an external id unsafe in a URL, a bad argument, bad configuration).
        case invalidRequest = "invalid_request"
    }

    /// One entry of NetSuite's `o:errorDetails`.
    public struct Detail: Sendable, Hashable {
        /// Human-readable text from NetSuite.
        public var detail: String?
        /// `o:errorCode`, e.g. `INVALID_CONTENT`.
        public var errorCode: String?
        /// `o:errorPath`, e.g. `item.items[0].item`.
        public var errorPath: String?

        /// Creates a detail entry.
        public init(detail: String?, errorCode: String?, errorPath: String?) {
            self.detail = detail
            self.errorCode = errorCode
            self.errorPath = errorPath
        }
    }

    /// The classification.
    public var kind: Kind
    /// HTTP status, when NetSuite answered.
    public var status: Int?
    /// The `title` of the problem body.
    public var title: String?
    /// All `o:errorDetails` entries (empty for non-JSON bodies).
    public var details: [Detail]
    /// Whether the request may have been applied by NetSuite despite the failure. Only ever `true` for writes.
    public var mayHaveCommitted: Bool
    /// HTTP method of the failed request.
    public var method: String?
    /// Path of the failed request, without query string.
    public var path: String?
    /// The `Location` header of the error answer (e.g. the earlier job of an `IDEMPOTENCY_ERROR`).
    public var location: String?
    /// A message from the client itself, e.g. for ``Kind-swift.enum/invalidRequest`` and
    /// ``Kind-swift.enum/unexpectedResponse``.
    public var message: String?
    /// The transport error behind ``Kind-swift.enum/timeout``, ``Kind-swift.enum/connection`` and similar.
    public var underlying: (any Error)?

    /// Creates an error. Usually made by the client; public so callers and tests can build expected values.
    public init(
        kind: Kind,
        status: Int? = nil,
        title: String? = nil,
        details: [Detail] = [],
        mayHaveCommitted: Bool = false,
        method: String? = nil,
        path: String? = nil,
        location: String? = nil,
        message: String? = nil,
        underlying: (any Error)? = nil
    ) {
        self.kind = kind
        self.status = status
        self.title = title
        self.details = details
        self.mayHaveCommitted = mayHaveCommitted
        self.method = method
        self.path = path
        self.location = location
        self.message = message
        self.underlying = underlying
    }

    /// `o:errorCode` of the first detail.
    public var errorCode: String? { details.lazy.compactMap(\.errorCode).first }
    /// `detail` of the first detail.
    public var detail: String? { details.lazy.compactMap(\.detail).first }
    /// The first `o:errorPath`, e.g. `item.items[0].item`.
    public var errorPath: String? { details.lazy.compactMap(\.errorPath).first }

    /// A short form safe as a metric label or log value: the kind's raw value (`concurrency_limit`, `timeout`, …).
    public var shortForm: String { kind.rawValue }

    static func invalidConfiguration(_ message: String) -> NetSuiteError {
        NetSuiteError(kind: .invalidRequest, message: "invalid configuration: " + message)
    }

    static func invalidRequest(_ message: String, method: String? = nil, path: String? = nil) -> NetSuiteError {
        NetSuiteError(kind: .invalidRequest, method: method, path: path, message: message)
    }
}

extension NetSuiteError: CustomStringConvertible {
    /// Kind, status, code, error path, request line (no query) and NetSuite's detail, truncated. No bodies, no secrets.
    public var description: String {
        var parts: [String] = []
        if let status { parts.append("status: \(status)") }
        if let errorCode { parts.append("code: \(errorCode)") }
        if let errorPath { parts.append("errorPath: \(errorPath)") }
        if let method, let path { parts.append("request: \(method) \(path)") }
        if mayHaveCommitted { parts.append("mayHaveCommitted: true") }
        if let message { parts.append("message: \(message)") }
        if let detail { parts.append("detail: \"\(Self.truncated(detail))\"") }
        if let underlying { parts.append("underlying: \(Self.truncated(String(describing: underlying)))") }
        return "NetSuiteError.\(kind)(" + parts.joined(separator: ", ") + ")"
    }

    private static func truncated(_ text: String, limit: Int = 300) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }
}

// MARK: - Classification of HTTP answers

extension NetSuiteError {
    /// Builds the error for a non-success HTTP answer. The body may be NetSuite's problem JSON, an OAuth 2.0 error
    /// object, HTML from a gateway, plain text or empty; only JSON is read.
    static func fromResponse(
        status: Int,
        body: [UInt8],
        location: String? = nil,
        method: String? = nil,
        path: String? = nil,
        isWrite: Bool = false
    ) -> NetSuiteError {
        let problem = ProblemBody(bytes: body)
        let kind = classify(status: status, details: problem.details)
        return NetSuiteError(
            kind: kind,
            status: status,
            title: problem.title,
            details: problem.details,
            mayHaveCommitted: isWrite && (status >= 500 || (200..<300).contains(status)),
            method: method,
            path: path,
            location: location
        )
    }

    /// Maps status and `o:errorCode` (never the `title`, which NetSuite gets wrong) to a kind.
    static func classify(status: Int, details: [Detail]) -> Kind {
        let codes = details.compactMap { $0.errorCode?.uppercased() }
        let texts = details.compactMap { $0.detail?.lowercased() }
        let concurrencyCodes: Set<String> = [
            "CONCURRENCY_LIMIT_EXCEEDED", "SSS_REQUEST_LIMIT_EXCEEDED", "WS_REQUEST_BLOCKED",
        ]
        if status == 429 || codes.contains(where: concurrencyCodes.contains) {
            return .concurrencyLimit
        }
        if status == 401 || codes.contains("INVALID_LOGIN") {
            return .authentication
        }
        if status >= 500 {
            return status == 503 ? .maintenance : .serverError
        }
        if status == 403 {
            return .forbidden
        }
        if status == 404 {
            return .notFound
        }
        if codes.contains(where: { $0.contains("DEPENDENT") || $0.hasPrefix("CANNOT_DELETE") })
            || texts.contains(where: { $0.contains("dependent record") })
        {
            return .cannotDelete
        }
        if codes.contains(where: { $0.hasPrefix("DUP_") })
            || texts.contains(where: { $0.contains("already exists") })
        {
            return .duplicate
        }
        if (400..<500).contains(status) {
            return .validation
        }
        return .unexpectedResponse
    }
}

/// The parts of an error body the client reads: NetSuite problem JSON or an OAuth 2.0 error object.
struct ProblemBody {
    var title: String?
    var details: [NetSuiteError.Detail] = []

    init(bytes: [UInt8]) {
        guard let first = bytes.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }),
            first == UInt8(ascii: "{"),
            let json = try? JSON(data: Data(bytes))
        else { return }
        title = json["title"]?.stringValue
        if let entries = json["o:errorDetails"]?.arrayValue {
            details = entries.map { entry in
                NetSuiteError.Detail(
                    detail: entry["detail"]?.stringValue,
                    errorCode: entry["o:errorCode"]?.stringValue,
                    errorPath: entry["o:errorPath"]?.stringValue
                )
            }
        } else if let code = json["error"]?.stringValue {
            // OAuth 2.0 token endpoint (RFC 6749 §5.2).
            details = [.init(detail: json["error_description"]?.stringValue, errorCode: code, errorPath: nil)]
        }
    }
}
