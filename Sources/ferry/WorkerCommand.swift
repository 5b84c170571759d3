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
        let tracing = try env.bootstrapTracing(serviceName: "ferry-worker", logger: logger)
        let queue = try env.queue()
        let configuration = try env.worker(queue: queue)
        let netSuiteConfiguration = try env.netSuite()
        let prestaShop = try PrestaShopClient(configuration: try env.prestaShop(), backgroundLogger: logger)
        let database = PostgresClient(configuration: try env.database().clientConfiguration, backgroundLogger: logger)

        // Every NetSuite request, from every worker process, holds one slot of the account's lease in PostgreSQL.
        let slots = try await leaseSlots(env, netSuite: netSuiteConfiguration, logger: logger)
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
            },
            leaseHeadroom: { priority in try? await lease.headroom(for: priority) },
            logger: logger)

        // Tracing first: it stops last, after the worker has finished (and traced) what it holds.
        var services: [any Service] = tracing.map { [$0] } ?? []
        services += [
            database, LeaseListenerService(lease: lease, limit: slots), LeaseMetricsService(lease: lease, logger: logger), worker,
        ]
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
        let outcome: Result<Void, any Error>
        do {
            try await group.run()
            outcome = .success(())
        } catch {
            logger.critical("worker failed", metadata: ["error.message": "\(error)"])
            outcome = .failure(error)
        }
        // The clients are shut down on every path, so a failed start exits with its error instead of a crash.
        await connection.close()
        try? await netSuite.shutdown()
        try? await prestaShop.shutdown()
        try outcome.get()
    }
}

/// The lease's slot count: `FERRY_LEASE_SLOTS` (default 8), or with `FERRY_LEASE_SLOTS=auto` what NetSuite's
/// `governanceLimits` says this integration may use minus `FERRY_LEASE_RESERVE` (default 2) left to other
/// integrations. The governance call needs an administrator role; when it fails or says nothing, 8 is used.
/// It is made once at startup outside the lease (one request).
func leaseSlots(_ env: FerryEnvironment, netSuite configuration: NetSuiteConfiguration, logger: Logger) async throws -> Int {
    let fallback = 8
    guard env.string("FERRY_LEASE_SLOTS") == "auto" else { return try env.int("FERRY_LEASE_SLOTS", default: fallback) }
    let reserve = try env.int("FERRY_LEASE_RESERVE", default: 2)
    let client = try NetSuiteClient(configuration: configuration)
    let answer: Result<NetSuiteGovernanceLimits, any Error>
    do {
        answer = .success(try await client.governanceLimits(logger: logger))
    } catch {
        answer = .failure(error)
    }
    try? await client.shutdown()
    do {
        let limits = try answer.get()
        if let slots = LeasePolicy.slots(available: limits.availableConcurrency, reserve: reserve) {
            logger.notice(
                "NetSuite lease sized from governance limits",
                metadata: [
                    "lease.slots": "\(slots)", "lease.reserve": "\(reserve)",
                    "netsuite.available_concurrency": "\(limits.availableConcurrency ?? 0)",
                    "netsuite.limit_type": "\(limits.integrationLimitType ?? "unknown")",
                ])
            return slots
        }
        logger.warning("NetSuite governance limits name no concurrency limit: using the default slots", metadata: ["lease.slots": "\(fallback)"])
    } catch {
        logger.warning(
            "NetSuite governance limits unavailable: using the default slots",
            metadata: ["lease.slots": "\(fallback)", "error.type": "\((error as? NetSuiteError)?.shortForm ?? "\(type(of: error))")"])
    }
    return fallback
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
