import ServiceLifecycle

/// Owns a ``NATSConnection`` inside a `ServiceGroup`: it waits for the group's graceful shutdown (or cancellation)
/// and then closes the connection. Put it before the services that use the connection, so the group, which shuts
/// services down in reverse order, closes it only after they have finished.
public struct NATSConnectionService: Service {
    public let connection: NATSConnection

    public init(connection: NATSConnection) {
        self.connection = connection
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await connection.close()
    }
}
