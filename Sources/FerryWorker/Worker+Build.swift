import FerryCore
import FerryNATS
import FerryNetSuite
import FerryObservability
import FerryPostgres
import FerryPrestaShop
import Hummingbird
import Logging
import Metrics
import PostgresNIO
import ServiceLifecycle
import UnixSignals

/// Everything one worker process needs: where NATS, PostgreSQL, NetSuite and PrestaShop are, and how it works.
public struct WorkerServicesConfiguration: Sendable {
    public var nats: NATSConnectionOptions
    public var database: DatabaseConfiguration
    public var netSuite: NetSuiteConfiguration
    public var prestaShop: PrestaShopClientConfiguration
    public var worker: WorkerConfiguration
    public var lease: WorkerLeaseConfiguration
    /// PrestaShop state written back when an order is in NetSuite; `nil` turns write-back off.
    public var writeBackStateID: Int?
    /// How often queue and dead-letter depth are read.
    public var queueMetricsInterval: Duration
    /// Where `/healthz` and `/metrics` are served; `nil` serves neither.
    public var metricsAddress: (host: String, port: Int)?

    public init(
        nats: NATSConnectionOptions,
        database: DatabaseConfiguration,
        netSuite: NetSuiteConfiguration,
        prestaShop: PrestaShopClientConfiguration,
        worker: WorkerConfiguration,
        lease: WorkerLeaseConfiguration = WorkerLeaseConfiguration(),
        writeBackStateID: Int? = 14,
        queueMetricsInterval: Duration = QueueMetricsService.defaultInterval,
        metricsAddress: (host: String, port: Int)? = nil
    ) {
        self.nats = nats
        self.database = database
        self.netSuite = netSuite
        self.prestaShop = prestaShop
        self.worker = worker
        self.lease = lease
        self.writeBackStateID = writeBackStateID
        self.queueMetricsInterval = queueMetricsInterval
        self.metricsAddress = metricsAddress
    }
}

/// A worker's services, in the order they start: the clients first (NATS, NetSuite, PrestaShop, PostgreSQL),
/// then the lease listener, the metrics services and the order worker, then the metrics endpoint. A
/// `ServiceGroup` shuts them down in reverse order, so the worker finishes (and acks) what it holds before the
/// clients it uses close.
public struct WorkerServices: Sendable {
    public let services: [any Service]

    /// A group that runs ``services`` and shuts every one of them down in order, however the group ends: a
    /// signal, one service returning, or one service failing (the group then rethrows that service's error).
    public func serviceGroup(
        before: [any Service] = [],
        gracefulShutdownSignals: [UnixSignal] = [.sigterm, .sigint],
        logger: Logger
    ) -> ServiceGroup {
        ServiceGroup(
            configuration: .init(
                services: (before + services).map {
                    .init(
                        service: $0,
                        successTerminationBehavior: .gracefullyShutdownGroup,
                        failureTerminationBehavior: .gracefullyShutdownGroup
                    )
                },
                gracefulShutdownSignals: gracefulShutdownSignals,
                logger: logger
            )
        )
    }
}

/// Builds the worker: connects to NATS, sizes the NetSuite lease and assembles the clients and services of
/// ``WorkerServices``. Nothing runs until the services do. When building fails, what was already made is shut down
/// before the error is thrown.
public func buildWorkerServices(
    configuration: WorkerServicesConfiguration,
    logger: Logger
) async throws -> WorkerServices {
    let connection = try await NATSConnection.connect(configuration.nats, logger: logger)
    var shutdowns: [@Sendable () async -> Void] = [{ await connection.close() }]
    do {
        return try await buildWorkerServices(
            configuration: configuration,
            connection: connection,
            shutdowns: &shutdowns,
            logger: logger
        )
    } catch {
        for shutdown in shutdowns.reversed() { await shutdown() }
        throw error
    }
}

/// The part of ``buildWorkerServices(configuration:logger:)`` after NATS is connected; every client it makes adds
/// its shutdown to `shutdowns`.
private func buildWorkerServices(
    configuration: WorkerServicesConfiguration,
    connection: NATSConnection,
    shutdowns: inout [@Sendable () async -> Void],
    logger: Logger
) async throws -> WorkerServices {
    let jetStream = try connection.jetStream()
    let prestaShop = try PrestaShopClient(configuration: configuration.prestaShop, backgroundLogger: logger)
    shutdowns.append { try? await prestaShop.shutdown() }
    let database = PostgresClient(configuration: configuration.database.clientConfiguration, backgroundLogger: logger)

    // Every NetSuite request, from every worker process, holds one slot of the account's lease in PostgreSQL.
    let slots = try await leaseSlots(configuration.lease.slots, netSuite: configuration.netSuite, logger: logger)
    let policy = configuration.lease.policy(slots: slots)
    let lease = PostgresLease(
        client: database,
        configuration: PostgresLeaseConfiguration(
            account: configuration.netSuite.accountID,
            policy: policy,
            holder: configuration.worker.workerID
        ),
        logger: logger,
        // The lease logs each change itself, once, with this worker's name.
        onLimitChange: { change in Gauge(label: "ferry_lease_effective_limit").record(change.to) }
    )
    let netSuite = try NetSuiteClient(
        configuration: configuration.netSuite,
        requestGate: NetSuiteRequestGate(lease: lease, policy: policy)
    )
    shutdowns.append { try? await netSuite.shutdown() }
    let pipeline = OrderPipeline(
        netSuite: netSuite,
        prestaShop: prestaShop,
        mappings: MappingStore(client: database),
        sync: OrderSyncStore(client: database),
        writeBackStateID: configuration.writeBackStateID
    )
    let worker = OrderWorkerService(
        configuration: configuration.worker,
        jetStream: jetStream,
        pipeline: pipeline,
        probe: { try await NetSuiteOrderSubmitter(client: netSuite).probe(logger: logger) },
        leaseHeadroom: { priority in try? await lease.headroom(for: priority) },
        logger: logger
    )

    var services: [any Service] = [
        NATSConnectionService(connection: connection), NetSuiteClientService(client: netSuite),
        PrestaShopClientService(client: prestaShop), database,
        LeaseListenerService(lease: lease, limit: slots), LeaseMetricsService(lease: lease, logger: logger), worker,
        QueueMetricsService(
            jetStream: jetStream,
            queue: configuration.worker.queue,
            interval: configuration.queueMetricsInterval,
            sync: OrderSyncStore(client: database),
            logger: logger
        ),
    ]
    if let address = configuration.metricsAddress {
        let router = Router()
        router.get("/healthz") { _, _ in "ok" }
        router.get("/metrics") { _, _ in FerryMetrics.shared.renderWithHelp() }
        services.append(
            Application(
                router: router,
                configuration: .init(address: .hostname(address.host, port: address.port)),
                logger: logger
            )
        )
    }
    return WorkerServices(services: services)
}
