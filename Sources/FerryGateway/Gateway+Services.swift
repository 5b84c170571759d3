import FerryNATS
import FerryObservability
import Logging
import ServiceLifecycle
import UnixSignals

/// Everything one gateway process needs: where NATS is, the queue's names, and the gateway's own settings.
public struct GatewayServicesConfiguration: Sendable {
    public var nats: NATSConnectionOptions
    public var queue: OrderQueueConfiguration
    public var gateway: GatewayConfiguration

    public init(nats: NATSConnectionOptions, queue: OrderQueueConfiguration, gateway: GatewayConfiguration) {
        self.nats = nats
        self.queue = queue
        self.gateway = gateway
    }
}

/// A gateway's services, in the order they start: the NATS connection, the HTTP application, then the drain. A
/// `ServiceGroup` shuts them down in reverse order: first not ready (while still serving), then the server stops
/// accepting and finishes the requests in flight, and only then the connection closes.
public struct GatewayServices: Sendable {
    public let services: [any Service]

    /// A group that runs ``services``: a signal shuts them down in order; a service that returns or fails
    /// cancels the others at once (the connection is closed then too), so a server that cannot start exits without
    /// waiting out the drain delay.
    public func serviceGroup(
        before: [any Service] = [],
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        logger: Logger
    ) -> ServiceGroup {
        ServiceGroup(
            configuration: .init(
                services: before + services,
                gracefulShutdownSignals: gracefulShutdownSignals,
                logger: logger
            )
        )
    }
}

/// Builds the gateway: connects to NATS, makes sure the order stream exists (best effort: a gateway may start
/// before JetStream is ready; `/readyz` tells when it can take orders) and assembles ``GatewayServices`` around
/// ``buildGatewayApplication(configuration:publisher:metrics:drain:now:onServerRunning:logger:)``.
public func buildGatewayServices(
    configuration: GatewayServicesConfiguration,
    metrics: FerryMetrics? = nil,
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
    logger: Logger
) async throws -> GatewayServices {
    let connection = try await NATSConnection.connect(configuration.nats, logger: logger)
    let jetStream: JetStream
    do {
        jetStream = try connection.jetStream()
    } catch {
        await connection.close()
        throw error
    }
    do {
        try await configuration.queue.ensure(on: jetStream)
    } catch {
        logger.warning("order stream not ready yet", metadata: ["error.type": "\(error)"])
    }
    let publisher = JetStreamOrderPublisher(
        connection: connection,
        jetStream: jetStream,
        queue: configuration.queue,
        timeout: configuration.gateway.publishTimeout
    )
    let drain = GatewayDrain()
    let app = buildGatewayApplication(
        configuration: configuration.gateway,
        publisher: publisher,
        metrics: metrics,
        drain: drain,
        onServerRunning: onServerRunning,
        logger: logger
    )
    let drainService = GatewayDrainService(drain: drain, delay: configuration.gateway.drainDelay, logger: logger)
    return GatewayServices(services: [NATSConnectionService(connection: connection), app, drainService])
}
