import ArgumentParser
import FerryNetSuite
import FerryObservability
import FerryPostgres
import FerryPrestaShop
import FerryWorker
import Hummingbird
import Logging
import PostgresNIO
import ServiceLifecycle

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker", abstract: "Take queued orders and put them into NetSuite, exactly once.")

    func run() async throws {
        let env = FerryEnvironment()
        env.bootstrapLogging()
        FerryMetrics.shared.bootstrap()
        let logger = Logger(label: "ferry.worker")
        let queue = try env.queue()
        let configuration = try env.worker(queue: queue)
        let netSuite = try NetSuiteClient(configuration: try env.netSuite())
        let prestaShop = try PrestaShopClient(configuration: try env.prestaShop(), backgroundLogger: logger)
        let database = PostgresClient(configuration: try env.database().clientConfiguration, backgroundLogger: logger)
        let (connection, jetStream) = try await connectNATS(env, name: "ferry-worker", logger: logger)
        let pipeline = OrderPipeline(
            netSuite: netSuite, prestaShop: prestaShop, mappings: MappingStore(client: database),
            sync: OrderSyncStore(client: database), writeBackStateID: try env.writeBackStateID())
        let worker = OrderWorkerService(
            configuration: configuration, jetStream: jetStream, pipeline: pipeline,
            probe: {
                _ = try await netSuite.suiteQL(
                    "SELECT id FROM transaction WHERE externalid = 'ferry-probe'", limit: 1, logger: logger)
            }, logger: logger)

        var services: [any Service] = [database, worker]
        services.append(QueueMetricsService(
            jetStream: jetStream, queue: queue,
            interval: try env.duration("FERRY_QUEUE_METRICS_INTERVAL", default: QueueMetricsService.defaultInterval),
            sync: OrderSyncStore(client: database), logger: logger))
        let metricsPort = try env.int("FERRY_WORKER_METRICS_PORT", default: 0)
        if metricsPort > 0 {
            let router = Router()
            router.get("/healthz") { _, _ in "ok" }
            router.get("/metrics") { _, _ in FerryMetrics.shared.renderWithHelp() }
            services.append(Application(
                router: router, configuration: .init(address: .hostname(env.string("FERRY_WORKER_METRICS_HOST", default: "127.0.0.1")!, port: metricsPort)),
                logger: logger))
        }
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0, successTerminationBehavior: .gracefullyShutdownGroup) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await connection.close()
        try? await netSuite.shutdown()
        try? await prestaShop.shutdown()
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Create or update Ferry's PostgreSQL schema.")

    func run() async throws {
        let env = FerryEnvironment()
        env.bootstrapLogging()
        let logger = Logger(label: "ferry.migrate")
        let applied = try await withDatabase(env, logger: logger) { client in try await Migrations.migrate(client, logger: logger) }
        writeLine(applied.isEmpty ? "schema up to date" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
    }
}
