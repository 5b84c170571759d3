import ArgumentParser
import FerryCore
import FerryNetSuite
import FerryObservability
import FerryPostgres
import FerryPrestaShop
import FerryWorker
import Hummingbird
import Logging
import Metrics
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
        let netSuiteConfiguration = try env.netSuite()
        let prestaShop = try PrestaShopClient(configuration: try env.prestaShop(), backgroundLogger: logger)
        let database = PostgresClient(configuration: try env.database().clientConfiguration, backgroundLogger: logger)

        // Every NetSuite request, from every worker process, holds one slot of the account's lease in PostgreSQL.
        let slots = try env.int("FERRY_LEASE_SLOTS", default: 8)
        let policy = LeasePolicy(
            slots: slots, shares: LeaseShares(reservations: [.live: try env.int("FERRY_LEASE_LIVE_RESERVED", default: max(1, slots / 2))]),
            ttl: try env.duration("FERRY_LEASE_TTL", default: .seconds(30)))
        let lease = PostgresLease(
            client: database,
            configuration: PostgresLeaseConfiguration(account: netSuiteConfiguration.accountID, policy: policy, holder: configuration.workerID),
            logger: logger,
            onLimitChange: { change in
                Gauge(label: "ferry_lease_effective_limit").record(change.to)
                logger.notice("NetSuite lease limit changed", metadata: ["lease.from": "\(change.from)", "lease.to": "\(change.to)"])
            })
        let netSuite = try NetSuiteClient(configuration: netSuiteConfiguration, requestGate: NetSuiteRequestGate(lease: lease, policy: policy))
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

        var services: [any Service] = [database, LeaseListenerService(lease: lease, limit: slots), worker]
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

/// Keeps the lease's LISTEN connection (slot wake-ups) running for the life of the worker.
struct LeaseListenerService: Service {
    let lease: PostgresLease
    let limit: Int

    func run() async throws {
        Gauge(label: "ferry_lease_effective_limit").record(limit)
        try await cancelWhenGracefulShutdown { try await lease.run() }
    }
}
