import ServiceLifecycle

/// Owns a ``NetSuiteClient`` inside a `ServiceGroup`: it waits for the group's graceful shutdown (or cancellation)
/// and then shuts the client's HTTP connections down. Put it before the services that use the client.
public struct NetSuiteClientService: Service {
    public let client: NetSuiteClient

    public init(client: NetSuiteClient) {
        self.client = client
    }

    public func run() async throws {
        try? await gracefulShutdown()
        // A failed shutdown leaves nothing to do: the process is stopping.
        try? await client.shutdown()
    }
}
