import Foundation

/// Every failure of ``PrestaShopClient``: an error answer of the webservice, a transport failure, or an answer
/// Ferry cannot read.
///
/// The description never contains the webservice key or request URLs; server messages are included, cut
/// short, with the key removed should the shop echo it. ``shortForm`` is a fixed string per kind,
/// safe as a metric label.
public struct PrestaShopError: Error, Sendable, CustomStringConvertible {
    /// The class of failure.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Base: String, Sendable, Hashable {
            case authentication, forbidden, notFound, methodNotAllowed, validation, rateLimited, server
            case unexpectedStatus, invalidResponse, timeout, connection, cancelled, invalidConfiguration
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// 401: key missing, wrong format, inactive, or without permission for the resource (codes 16–21, 26).
        public static let authentication = Kind(.authentication)
        /// 403: no permission for the shop (code 132), or a WAF/hosting block page.
        public static let forbidden = Kind(.forbidden)
        /// 404: unknown id (code 87) or invalid id (code 92).
        public static let notFound = Kind(.notFound)
        /// 405: method not allowed for the resource or key (codes 23, 25, 101), e.g. PATCH on 1.7.
        public static let methodNotAllowed = Kind(.methodNotAllowed)
        /// 400: bad request: filter, display, sort, limit, missing or invalid field (codes 27–41, 84–93).
        public static let validation = Kind(.validation)
        /// 429: throttled by the hosting (PrestaShop itself has no rate limit).
        public static let rateLimited = Kind(.rateLimited)
        /// 5xx, including PHP fatal error pages and empty bodies, and 503 code 22 (webservice disabled).
        public static let server = Kind(.server)
        /// A status this client does not expect (e.g. 3xx, 409).
        public static let unexpectedStatus = Kind(.unexpectedStatus)
        /// A success answer whose body cannot be read (see ``PrestaShopError/payloadError``).
        public static let invalidResponse = Kind(.invalidResponse)
        /// No answer within the request timeout (connect, read or overall deadline).
        public static let timeout = Kind(.timeout)
        /// The connection failed or broke (refused, reset, closed early, TLS).
        public static let connection = Kind(.connection)
        /// The calling task was cancelled.
        public static let cancelled = Kind(.cancelled)
        /// The client was configured with an unusable base URL or key.
        public static let invalidConfiguration = Kind(.invalidConfiguration)

        public var description: String { base.rawValue }
    }

    /// One entry of the webservice's `errors` list.
    public struct WebserviceError: Sendable, Hashable {
        /// The webservice error code (e.g. 87 "Id(s) not exists"); 0 when the shop gave none.
        public let code: Int
        /// The message as the shop wrote it.
        public let message: String

        /// Creates an entry.
        public init(code: Int, message: String) {
            self.code = code
            self.message = message
        }
    }

    /// The class of failure.
    public let kind: Kind
    /// The HTTP status, when the shop answered.
    public let status: Int?
    /// The webservice errors parsed from a JSON `{"errors":[…]}` or XML `<errors>` body; empty otherwise.
    public let errors: [WebserviceError]
    /// What was being done, e.g. `GET orders`: method and resource, never ids or URLs.
    public let operation: String
    /// For ``Kind/invalidResponse``: the field that could not be read.
    public let payloadError: PrestaShopPayloadError?
    /// The transport error, for ``Kind/timeout``, ``Kind/connection`` and ``Kind/cancelled``.
    public let underlying: (any Error)?

    /// The webservice error codes, in the order the shop listed them.
    public var codes: [Int] { errors.map(\.code) }

    /// Whether retrying the same call later can succeed: timeouts, connection failures, 5xx and 429.
    public var isRetryable: Bool {
        kind == .server || kind == .timeout || kind == .connection || kind == .rateLimited
    }

    /// A fixed string per kind (`not_found`, `server`, …) for metric labels.
    public var shortForm: String {
        switch kind {
        case .authentication: "authentication"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .validation: "validation"
        case .rateLimited: "rate_limited"
        case .server: "server"
        case .unexpectedStatus: "unexpected_status"
        case .invalidResponse: "invalid_response"
        case .timeout: "timeout"
        case .connection: "connection"
        case .cancelled: "cancelled"
        default: "invalid_configuration"
        }
    }

    /// The key to scrub from descriptions; never part of the description itself.
    private let redactedSecret: String?

    init(
        kind: Kind,
        status: Int? = nil,
        errors: [WebserviceError] = [],
        operation: String,
        payloadError: PrestaShopPayloadError? = nil,
        underlying: (any Error)? = nil,
        redacting secret: String? = nil
    ) {
        self.kind = kind
        self.status = status
        self.errors = errors
        self.operation = operation
        self.payloadError = payloadError
        self.underlying = underlying
        self.redactedSecret = secret
    }

    public var description: String {
        var parts = ["kind: \(kind)", "operation: \(operation)"]
        if let status { parts.append("status: \(status)") }
        for error in errors {
            let message = error.message.count > 200 ? String(error.message.prefix(200)) + "…" : error.message
            parts.append("code \(error.code): \(message)")
        }
        if let payloadError { parts.append("field: \(payloadError)") }
        if let underlying { parts.append("underlying: \(underlying)") }
        var text = "PrestaShopError(" + parts.joined(separator: ", ") + ")"
        if let redactedSecret, !redactedSecret.isEmpty {
            text = text.replacingOccurrences(of: redactedSecret, with: "<redacted>")
        }
        return text
    }
}

extension PrestaShopError {
    /// The kind for an HTTP error status.
    static func kind(forStatus status: Int) -> Kind {
        switch status {
        case 400, 422: .validation
        case 401: .authentication
        case 403: .forbidden
        case 404: .notFound
        case 405, 501: .methodNotAllowed
        case 429: .rateLimited
        case 500...599: .server
        default: .unexpectedStatus
        }
    }

    /// Reads `{"errors":[{"code":…,"message":"…"}]}` or `<prestashop><errors><error>…`; empty for anything
    /// else (HTML error pages, empty bodies).
    static func parseWebserviceErrors(_ body: some DataProtocol) -> [WebserviceError] {
        let bytes = Data(body)
        guard let first = bytes.first(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            return []
        }
        if first == UInt8(ascii: "{") {
            guard let document = try? PrestaShopJSON.parse(bytes),
                let root = try? document.root.object(),
                let list = try? root.field("errors").list()
            else { return [] }
            return list.compactMap { entry in
                guard let object = try? entry.object() else { return nil }
                return WebserviceError(
                    code: (try? object.int("code")) ?? 0,
                    message: (try? object.string("message")) ?? ""
                )
            }
        }
        if first == UInt8(ascii: "<"), let root = PrestaShopXMLElement.parse(bytes), root.name == "prestashop",
            let errors = root.child("errors")
        {
            return errors.children.filter { $0.name == "error" }.map { error in
                let code = error.child("code")?.text.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                let message = error.child("message")?.text ?? ""
                return WebserviceError(code: Int(code) ?? 0, message: message)
            }
        }
        return []
    }
}
