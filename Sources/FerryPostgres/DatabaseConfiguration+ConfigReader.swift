import Configuration
import FerryConfiguration

extension DatabaseConfiguration {
    /// Reads where PostgreSQL is.
    ///
    /// - Configuration keys:
    ///   - `FERRY_DATABASE_URL` (string, required, secret):
    ///     `postgres://user:password@host:5432/db?sslmode=disable|prefer|require`
    ///   - `FERRY_DATABASE_MAX_CONNECTIONS` (int, default: `10`): the connection pool's size
    ///
    /// - Parameter reader: Ferry's configuration (``ConfigReader/ferryEnvironment(_:)``).
    /// - Throws: ``ConfigurationError`` when the URL is missing or the pool size is not an integer; ``DatabaseError``
    ///   for a malformed URL (it never contains the password).
    public init(reader: ConfigReader) throws {
        try self.init(url: try reader.requiredString("FERRY_DATABASE_URL", isSecret: true))
        maximumConnections = try reader.int("FERRY_DATABASE_MAX_CONNECTIONS", default: 10)
    }
}
