import ArgumentParser
import Configuration
import FerryConfiguration
import FerryGateway
import FerryObservability
import Logging
import ServiceLifecycle

struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Receive signed PrestaShop webhooks and queue them in JetStream."
    )

    func run() async throws {
        let reader = ConfigReader.ferryEnvironment()
        bootstrapLogging(reader)
        FerryMetrics.shared.bootstrap()
        let logger = Logger(label: "ferry.gateway")
        let tracing = try bootstrapTracing(reader, serviceName: "ferry-gateway", logger: logger)
        let gateway = try await buildGatewayServices(
            configuration: try GatewayServicesConfiguration(reader: reader),
            metrics: FerryMetrics.shared,
            onServerRunning: { port in logger.info("gateway listening", metadata: ["port": "\(port)"]) },
            logger: logger
        )
        try await gateway.serviceGroup(before: tracing.map { [$0] } ?? [], logger: logger).run()
    }
}
