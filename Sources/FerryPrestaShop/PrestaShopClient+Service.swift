import ServiceLifecycle

/// Owns a ``PrestaShopClient`` inside a `ServiceGroup`: it waits for the group's graceful shutdown (or
/// cancellation) and then shuts the client's HTTP connections down. Put it before the services that use the client.
public struct PrestaShopClientService: Service {
    public let client: PrestaShopClient

    public init(client: PrestaShopClient) {
        self.client = client
    }

    public func run() async throws {
        try? await gracefulShutdown()
        // A failed shutdown leaves nothing to do: the process is stopping.
        try? await client.shutdown()
    }
}
