import Configuration
import FerryConfiguration
import FerryCore
import FerryNATS
import FerryNetSuite
import FerryPostgres
import FerryPrestaShop
import Foundation

extension WorkerConfiguration {
    /// Reads how one worker process works on orders.
    ///
    /// - Configuration keys:
    ///   - `FERRY_WORKER_ID` (string, default: `<host name>-<pid>`): shown in logs and dead letters
    ///   - `FERRY_WORKER_MAX_IN_FLIGHT` (int, default: `8`): ``maxInFlight``
    ///   - `FERRY_WORKER_REPLAY_IN_FLIGHT` (int, default: `2`): ``replayMaxInFlight``
    ///   - `FERRY_WORKER_LEASE_PREFETCH` (int, default: `2`): ``leasePrefetch``
    ///   - `FERRY_RETRY_SCHEDULE` (comma-separated durations, default: `5s,30s,2m,10m`): delays between attempts
    ///   - `FERRY_MAX_ATTEMPTS` (int, default: delays + 1): attempts before the dead-letter subject
    ///   - `FERRY_OUTAGE_HOLD` (duration, default: `5s`): redelivery delay of orders held during an outage
    ///   - `FERRY_OUTAGE_THRESHOLD` (int, default: `3`), `FERRY_OUTAGE_PROBE` (duration, default: `1s`),
    ///     `FERRY_OUTAGE_PROBE_MAX` (duration, default: `30s`): outage detection and probe interval
    ///   - `FERRY_WRITEBACK_RETRY` (duration, default: `10s`): ``writeBackRetryDelay``
    ///   - `FERRY_LEASE_CHECK_INTERVAL` (duration, default: `100ms`): ``leaseCheckInterval``
    ///   - `FERRY_WORKER_SHUTDOWN_DATABASE_TIMEOUT` (duration, default: `5s`): ``shutdownDatabaseTimeout``
    ///
    /// - Parameters:
    ///   - reader: Ferry's configuration (``ConfigReader/ferryEnvironment(_:)``).
    ///   - queue: the queue's names and limits (``OrderQueueConfiguration/init(reader:)``).
    /// - Throws: ``ConfigurationError`` naming the key of a value that is not an integer, a duration or a schedule.
    public init(reader: ConfigReader, queue: OrderQueueConfiguration) throws {
        let schedule = reader.string("FERRY_RETRY_SCHEDULE", default: "5s,30s,2m,10m")
        guard var policy = RetryPolicy(schedule: schedule) else {
            throw ConfigurationError(
                "FERRY_RETRY_SCHEDULE must be a list of durations like 5s,30s,2m,10m, found '\(schedule)'"
            )
        }
        policy.maxAttempts = try reader.int("FERRY_MAX_ATTEMPTS", default: policy.maxAttempts)
        policy.outageHoldDelay = try reader.duration("FERRY_OUTAGE_HOLD", default: policy.outageHoldDelay)
        self.init(
            queue: queue,
            workerID: reader.string("FERRY_WORKER_ID", default: ProcessInfo.processInfo.hostName + "-\(getpid())"),
            maxInFlight: try reader.int("FERRY_WORKER_MAX_IN_FLIGHT", default: 8),
            retryPolicy: policy,
            writeBackRetryDelay: try reader.duration("FERRY_WRITEBACK_RETRY", default: .seconds(10)),
            outageThreshold: try reader.int("FERRY_OUTAGE_THRESHOLD", default: 3),
            outageProbeInterval: try reader.duration("FERRY_OUTAGE_PROBE", default: .seconds(1)),
            outageMaxProbeInterval: try reader.duration("FERRY_OUTAGE_PROBE_MAX", default: .seconds(30)),
            leaseCheckInterval: try reader.duration("FERRY_LEASE_CHECK_INTERVAL", default: .milliseconds(100)),
            replayMaxInFlight: try reader.int("FERRY_WORKER_REPLAY_IN_FLIGHT", default: 2),
            leasePrefetch: try reader.int("FERRY_WORKER_LEASE_PREFETCH", default: 2)
        )
        shutdownDatabaseTimeout = try reader.duration("FERRY_WORKER_SHUTDOWN_DATABASE_TIMEOUT", default: .seconds(5))
    }
}

extension WorkerLeaseConfiguration {
    /// Reads how the worker sizes and shares the NetSuite lease.
    ///
    /// - Configuration keys:
    ///   - `FERRY_LEASE_SLOTS` (int or `auto`, default: `8`): NetSuite requests in flight across all Ferry processes;
    ///     `auto` sizes it from NetSuite's `governanceLimits` (``leaseSlots(_:netSuite:logger:)``)
    ///   - `FERRY_LEASE_RESERVE` (int, default: `2`): with `auto`, slots left to other integrations
    ///   - `FERRY_LEASE_LIVE_RESERVED` (int, default: half the slots, at least 1): slots reserved for live orders
    ///   - `FERRY_LEASE_TTL` (duration, default: `30s`): a crashed holder's slots come back after this
    ///
    /// - Parameter reader: Ferry's configuration (``ConfigReader/ferryEnvironment(_:)``).
    /// - Throws: ``ConfigurationError`` naming the key of a value that is not an integer or a duration.
    public init(reader: ConfigReader) throws {
        let slots: Slots =
            reader.string("FERRY_LEASE_SLOTS") == "auto"
            ? .auto(reserve: try reader.int("FERRY_LEASE_RESERVE", default: 2))
            : .fixed(try reader.int("FERRY_LEASE_SLOTS", default: 8))
        let liveReserved: Int? =
            reader.string("FERRY_LEASE_LIVE_RESERVED") == nil
            ? nil : try reader.int("FERRY_LEASE_LIVE_RESERVED", default: 0)
        let ttl = try reader.duration("FERRY_LEASE_TTL", default: .seconds(30))
        self.init(slots: slots, liveReserved: liveReserved, ttl: ttl)
    }
}

extension WorkerServicesConfiguration {
    /// Reads everything `ferry worker` needs: ``NATSConnectionOptions/init(reader:name:)`` (named `ferry-worker`),
    /// ``DatabaseConfiguration/init(reader:)``, ``NetSuiteConfiguration/init(reader:)``,
    /// ``PrestaShopClientConfiguration/init(reader:)``, ``OrderQueueConfiguration/init(reader:)``,
    /// ``WorkerConfiguration/init(reader:queue:)`` and ``WorkerLeaseConfiguration/init(reader:)`` (their doc comments
    /// list their keys), and:
    ///
    /// - Configuration keys:
    ///   - `FERRY_WRITEBACK_STATE_ID` (int or `none`, default: `14`): PrestaShop state set once an order is in
    ///     NetSuite; `none` (or `0`) turns write-back off
    ///   - `FERRY_QUEUE_METRICS_INTERVAL` (duration, default: `15s`): how often queue and dead-letter depth are read
    ///   - `FERRY_WORKER_METRICS_PORT` (int, default: `0`, off): serves `/healthz` and `/metrics`
    ///   - `FERRY_WORKER_METRICS_HOST` (string, default: `127.0.0.1`): the address the metrics port listens on
    ///
    /// - Throws: ``ConfigurationError`` naming the first key whose value Ferry cannot use.
    public init(reader: ConfigReader) throws {
        let queue = try OrderQueueConfiguration(reader: reader)
        let worker = try WorkerConfiguration(reader: reader, queue: queue)
        let netSuite = try NetSuiteConfiguration(reader: reader)
        let prestaShop = try PrestaShopClientConfiguration(reader: reader)
        let database = try DatabaseConfiguration(reader: reader)
        let lease = try WorkerLeaseConfiguration(reader: reader)
        let writeBack = reader.string("FERRY_WRITEBACK_STATE_ID", default: "14")
        let writeBackStateID: Int?
        if writeBack == "none" || writeBack == "0" {
            writeBackStateID = nil
        } else if let id = Int(writeBack), id > 0 {
            writeBackStateID = id
        } else {
            throw ConfigurationError("FERRY_WRITEBACK_STATE_ID must be a state id or none")
        }
        let metricsPort = try reader.int("FERRY_WORKER_METRICS_PORT", default: 0)
        self.init(
            nats: NATSConnectionOptions(reader: reader, name: "ferry-worker"),
            database: database,
            netSuite: netSuite,
            prestaShop: prestaShop,
            worker: worker,
            lease: lease,
            writeBackStateID: writeBackStateID,
            queueMetricsInterval: try reader.duration(
                "FERRY_QUEUE_METRICS_INTERVAL",
                default: QueueMetricsService.defaultInterval
            ),
            metricsAddress: metricsPort > 0
                ? (reader.string("FERRY_WORKER_METRICS_HOST", default: "127.0.0.1"), metricsPort) : nil
        )
    }
}
