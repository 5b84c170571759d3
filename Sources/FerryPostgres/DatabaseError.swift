/// The one error type of the PostgreSQL adapter. Descriptions never contain query parameters or passwords.
public struct DatabaseError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case configuration
        case migration
        case query
        case notFound = "not_found"
    }

    public var code: Code
    public var message: String
    public var underlying: (any Error)?

    public init(code: Code, message: String, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.underlying = underlying
    }

    public var description: String { "database \(code.rawValue): \(message)" }
    /// Safe as a metric label.
    public var shortForm: String { "db_\(code.rawValue)" }
}
