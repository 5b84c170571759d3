import CNATS

/// The one error type of FerryNATS.
///
/// It carries a ``Code`` (what went wrong, stable and safe as a metric label through ``shortForm``), the libnats status
/// text, the JetStream error code when the server sent one, the operation that failed and the library's message
/// (read with `nats_GetLastError` on the thread that made the failing call).
/// It never contains message payloads or headers.
public struct NATSError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, as an opaque, extensible code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case timeout
            case noResponders = "no_responders"
            case jetStreamNotEnabled = "jetstream_not_enabled"
            case notConnected = "not_connected"
            case connectionClosed = "connection_closed"
            case streamNotFound = "stream_not_found"
            case consumerNotFound = "consumer_not_found"
            case messageNotFound = "message_not_found"
            case wrongLastSequence = "wrong_last_sequence"
            case wrongLastMessageID = "wrong_last_message_id"
            case streamMismatch = "stream_mismatch"
            case streamNameInUse = "stream_name_in_use"
            case consumerNameInUse = "consumer_name_in_use"
            case invalidArgument = "invalid_argument"
            case invalidSubscription = "invalid_subscription"
            case other
        }

        private let base: Base

        private init(_ base: Base) {
            self.base = base
        }

        /// The server or client did not answer in time (for a publish: no PubAck within the wait).
        public static let timeout = Code(.timeout)
        /// Nobody listens on the subject: no stream captures it, or JetStream is not running.
        public static let noResponders = Code(.noResponders)
        /// The server answered that JetStream is not enabled (for the account).
        public static let jetStreamNotEnabled = Code(.jetStreamNotEnabled)
        /// The connection is currently disconnected (reconnecting) or could not be established.
        public static let notConnected = Code(.notConnected)
        /// The connection was closed; it will not reconnect.
        public static let connectionClosed = Code(.connectionClosed)
        /// The stream does not exist (JetStream error 10059).
        public static let streamNotFound = Code(.streamNotFound)
        /// The consumer does not exist (JetStream error 10014).
        public static let consumerNotFound = Code(.consumerNotFound)
        /// No message at that sequence (JetStream error 10037).
        public static let messageNotFound = Code(.messageNotFound)
        /// The `Nats-Expected-Last-Sequence` check failed (JetStream error 10071).
        public static let wrongLastSequence = Code(.wrongLastSequence)
        /// The `Nats-Expected-Last-Msg-Id` check failed (JetStream error 10070).
        public static let wrongLastMessageID = Code(.wrongLastMessageID)
        /// The `Nats-Expected-Stream` check failed (JetStream error 10060).
        public static let streamMismatch = Code(.streamMismatch)
        /// A stream with that name exists with another configuration (JetStream error 10058).
        public static let streamNameInUse = Code(.streamNameInUse)
        /// A consumer with that name exists with another configuration.
        public static let consumerNameInUse = Code(.consumerNameInUse)
        /// An argument was rejected by the client library or the server (bad name, bad subject, bad config).
        public static let invalidArgument = Code(.invalidArgument)
        /// The subscription was unsubscribed or closed.
        public static let invalidSubscription = Code(.invalidSubscription)
        /// Anything else; see ``NATSError/status`` and ``NATSError/message``.
        public static let other = Code(.other)

        /// A short snake_case name, safe as a metric label.
        public var description: String { base.rawValue }
    }

    /// What went wrong.
    public let code: Code
    /// The libnats status text (`natsStatus_GetText`), for example `"Timeout"`.
    public let status: String
    /// The JetStream API error code (`jsErrCode`, for example 10059), when the server sent one.
    public let jetStreamErrorCode: Int?
    /// The operation that failed, for example `"publish"` or `"fetch"`.
    public let operation: String
    /// The library's message for the failure. Never contains payloads.
    public let message: String

    /// Creates an error.
    public init(code: Code, status: String, jetStreamErrorCode: Int? = nil, operation: String, message: String) {
        self.code = code
        self.status = status
        self.jetStreamErrorCode = jetStreamErrorCode
        self.operation = operation
        self.message = message
    }

    /// A short form safe as a metric label (`"timeout"`, `"stream_not_found"`, …).
    public var shortForm: String { code.description }

    /// True when the failure means "JetStream cannot take or serve this right now" (not connected, closed, timeout,
    /// no responders, JetStream disabled): a gateway answers 503 and a worker backs off.
    public var isUnavailable: Bool {
        switch code {
        case .timeout, .noResponders, .jetStreamNotEnabled, .notConnected, .connectionClosed: true
        default: false
        }
    }

    public var description: String {
        var text = "NATSError(\(code), operation: \(operation), status: \(status)"
        if let jetStreamErrorCode {
            text += ", jsErrCode: \(jetStreamErrorCode)"
        }
        text += ", message: \(message))"
        return text
    }
}

extension NATSError {
    /// Builds an error from a failing libnats call. Must run on the thread that made the call, right after it,
    /// because `nats_GetLastError` is thread-local.
    static func fromLastCall(_ status: natsStatus, jsErr: jsErrCode = jsErrCode(0), operation: String) -> NATSError {
        let statusText = natsStatus_GetText(status).map { String(cString: $0) } ?? "Unknown Status"
        var lastStatus = NATS_OK
        var message = ""
        if let text = nats_GetLastError(&lastStatus), lastStatus == status {
            message = Self.withoutSourceLocation(String(cString: text))
        }
        let jsCode = Int(jsErr.rawValue)
        let code = Code(status: status, jsErrorCode: jsCode)
        if message.isEmpty {
            message =
                code == .noResponders
                ? "no responders: no stream captures the subject, or JetStream is not available" : statusText
        }
        return NATSError(
            code: code,
            status: statusText,
            jetStreamErrorCode: jsCode == 0 || code == .noResponders ? nil : jsCode,
            operation: operation,
            message: message
        )
    }

    /// libnats prefixes messages with the C source location, as in `(jsm.c:1328): no message found`; drop it.
    private static func withoutSourceLocation(_ text: String) -> String {
        guard text.hasPrefix("("), let end = text.range(of: "): "),
            text.distance(from: text.startIndex, to: end.lowerBound) < 40
        else { return text }
        return String(text[end.upperBound...])
    }

    /// The same error with another code (for calls where a generic server error has a known meaning).
    func with(code: Code) -> NATSError {
        NATSError(
            code: code,
            status: status,
            jetStreamErrorCode: jetStreamErrorCode,
            operation: operation,
            message: message
        )
    }

    /// The error thrown when a call is refused because the connection is not currently connected.
    static func notConnected(operation: String, closed: Bool) -> NATSError {
        NATSError(
            code: closed ? .connectionClosed : .notConnected,
            status: closed ? "Connection Closed" : "Connection Disconnected",
            operation: operation,
            message: closed ? "the connection is closed" : "not connected to a NATS server (reconnecting)"
        )
    }
}

extension NATSError.Code {
    init(status: natsStatus, jsErrorCode: Int) {
        // libnats reports "no responders" on a JetStream request with jsErrCode 10076 (JetStream not enabled) although
        // the server said nothing: the status is the truth (no stream captures the subject, or JetStream is down).
        if status == NATS_NO_RESPONDERS {
            self = .noResponders
            return
        }
        switch jsErrorCode {
        case Int(JSStreamNotFoundErr.rawValue): self = .streamNotFound
        case Int(JSConsumerNotFoundErr.rawValue): self = .consumerNotFound
        case Int(JSNoMessageFoundErr.rawValue), Int(JSSequenceNotFoundErr.rawValue): self = .messageNotFound
        case Int(JSStreamWrongLastSequenceErr.rawValue): self = .wrongLastSequence
        case Int(JSStreamWrongLastMsgIDErr.rawValue): self = .wrongLastMessageID
        case Int(JSStreamNotMatchErr.rawValue): self = .streamMismatch
        case Int(JSStreamNameExistErr.rawValue): self = .streamNameInUse
        case Int(JSConsumerNameExistErr.rawValue), Int(JSConsumerExistingActiveErr.rawValue),
            Int(JSConsumerReplacementWithDifferentNameErr.rawValue):
            self = .consumerNameInUse
        case Int(JSNotEnabledErr.rawValue), Int(JSNotEnabledForAccountErr.rawValue): self = .jetStreamNotEnabled
        case Int(JSClusterNotAvailErr.rawValue): self = .noResponders
        default:
            self = Self(status: status)
        }
    }

    private init(status: natsStatus) {
        switch status {
        case NATS_TIMEOUT: self = .timeout
        case NATS_NO_RESPONDERS: self = .noResponders
        case NATS_CONNECTION_CLOSED: self = .connectionClosed
        case NATS_CONNECTION_DISCONNECTED, NATS_NOT_YET_CONNECTED, NATS_NO_SERVER, NATS_STALE_CONNECTION,
            NATS_IO_ERROR:
            self = .notConnected
        case NATS_INVALID_ARG, NATS_INVALID_SUBJECT, NATS_INVALID_TIMEOUT, NATS_ADDRESS_MISSING:
            self = .invalidArgument
        case NATS_INVALID_SUBSCRIPTION: self = .invalidSubscription
        default: self = .other
        }
    }
}
