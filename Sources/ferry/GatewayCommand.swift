import ArgumentParser
import FerryGateway
import FerryObservability
import Logging
import ServiceLifecycle

struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway", abstract: "Receive signed PrestaShop webhooks and queue them in JetStream.")

    func run() async throws {
        let env = FerryEnvironment()
        env.bootstrapLogging()
        FerryMetrics.shared.bootstrap()
        let logger = Logger(label: "ferry.gateway")
        let tracing = try env.bootstrapTracing(serviceName: "ferry-gateway", logger: logger)
        let configuration = try env.gateway()
        let queue = try env.queue()
        let (connection, jetStream) = try await connectNATS(env, name: "ferry-gateway", logger: logger)
        // Best effort: a gateway may start before JetStream is ready; /readyz tells when it can take orders.
        do {
            try await queue.ensure(on: jetStream)
        } catch {
            logger.warning("order stream not ready yet", metadata: ["error.type": "\(error)"])
        }
        let publisher = JetStreamOrderPublisher(connection: connection, jetStream: jetStream, queue: queue)
        let drain = GatewayDrain()
        let app = buildGatewayApplication(
            configuration: configuration, publisher: publisher, metrics: FerryMetrics.shared, drain: drain,
            onServerRunning: { port in logger.info("gateway listening", metadata: ["port": "\(port)"]) }, logger: logger)
        // Shut down in reverse order: first not ready (while still serving), then stop accepting and finish in flight.
        let drainService = GatewayDrainService(
            drain: drain, delay: try env.duration("FERRY_GATEWAY_DRAIN_DELAY", default: .seconds(5)), logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: (tracing.map { [$0] } ?? []) + [app, drainService], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        await connection.close()
    }
}
