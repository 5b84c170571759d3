import FerryMetricCatalogue
import FerryNATS
import FerryPostgres
import Logging
import Metrics
import ServiceLifecycle

/// What one collection of ``QueueMetricsService`` read; `nil` where the read failed.
public struct QueueMetricsSnapshot: Sendable, Equatable {
    /// Orders stream messages not yet delivered to the consumer (the backlog).
    public var pending: UInt64?
    /// Delivered, not yet acknowledged: in flight or parked by a delayed nak.
    public var ackPending: UInt64?
    /// Unacknowledged messages delivered more than once.
    public var redelivered: UInt64?
    /// Pull requests waiting on the consumer.
    public var waitingPulls: UInt64?
    /// Messages in the dead-letter stream.
    public var deadLetters: UInt64?
    /// Orders waiting for a retry after a counted failed attempt; `nil` also when no source is configured.
    public var retryWaiting: Int?

    public init(
        pending: UInt64? = nil,
        ackPending: UInt64? = nil,
        redelivered: UInt64? = nil,
        waitingPulls: UInt64? = nil,
        deadLetters: UInt64? = nil,
        retryWaiting: Int? = nil
    ) {
        self.pending = pending
        self.ackPending = ackPending
        self.redelivered = redelivered
        self.waitingPulls = waitingPulls
        self.deadLetters = deadLetters
        self.retryWaiting = retryWaiting
    }
}

/// Publishes the queue's state as gauges every `interval`: JetStream consumer info of the worker consumer
/// (`ferry_queue_pending_messages`, `…_ack_pending_messages`, `…_redelivered_messages`,
/// `…_waiting_pull_requests`, labelled `stream` and `consumer`), the dead-letter stream's message count
/// (`ferry_dlq_depth_messages{stream}`) and, when a source is given, the orders waiting for a retry
/// (`ferry_queue_retry_waiting_messages`).
///
/// Orders parked in a retry delay sit in JetStream's ack-pending set (a delayed nak), indistinguishable there from
/// orders being worked on. Two views are offered: the exact count of orders with a counted failed attempt that are
/// neither in NetSuite nor dead-lettered, from PostgreSQL (`order_sync`), and — in PromQL, over all workers —
/// `ferry_queue_ack_pending_messages - sum(ferry_worker_in_flight)`, which also counts orders held for a NetSuite
/// outage (they spend no attempt). The alert rules record the latter as `ferry:queue_delayed_messages`.
///
/// A failed read increments `ferry_queue_metrics_errors_total{source}` and leaves the previous values. Every worker
/// may run one: the values are global, so dashboards and alerts aggregate them with `max`.
public final class QueueMetricsService: Service {
    /// The default collection interval.
    public static let defaultInterval: Duration = .seconds(15)

    let jetStream: JetStream
    let queue: OrderQueueConfiguration
    let interval: Duration
    let retryWaiting: (@Sendable (Logger) async throws -> Int)?
    let factory: any MetricsFactory
    let logger: Logger

    /// - Parameters:
    ///   - retryWaiting: counts the orders waiting for a retry; `nil` leaves that gauge out.
    ///   - factory: where the gauges go; the bootstrapped swift-metrics factory unless a test passes its own.
    public init(
        jetStream: JetStream,
        queue: OrderQueueConfiguration,
        interval: Duration = QueueMetricsService.defaultInterval,
        retryWaiting: (@Sendable (Logger) async throws -> Int)? = nil,
        factory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger
    ) {
        self.jetStream = jetStream
        self.queue = queue
        self.interval = max(interval, .milliseconds(100))
        self.retryWaiting = retryWaiting
        self.factory = factory
        self.logger = logger
    }

    /// Counts orders waiting for a retry from PostgreSQL (``OrderSyncStore/summary(logger:)``'s `retrying`).
    public convenience init(
        jetStream: JetStream,
        queue: OrderQueueConfiguration,
        interval: Duration = QueueMetricsService.defaultInterval,
        sync: OrderSyncStore,
        factory: any MetricsFactory = MetricsSystem.factory,
        logger: Logger
    ) {
        self.init(
            jetStream: jetStream,
            queue: queue,
            interval: interval,
            retryWaiting: { logger in try await sync.summary(logger: logger).retrying },
            factory: factory,
            logger: logger
        )
    }

    public func run() async throws {
        let (seconds, attoseconds) = interval.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        logger.info("queue metrics started", metadata: ["metrics.interval_ms": "\(milliseconds)"])
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            _ = await collect()
            let interval = self.interval
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                break
            }
        }
        logger.info("queue metrics stopped")
    }

    /// Reads the queue once and publishes what it read. Returns the snapshot (for tests and one-shot callers).
    @discardableResult
    public func collect() async -> QueueMetricsSnapshot {
        var snapshot = QueueMetricsSnapshot()
        let consumerDimensions = [("stream", queue.ordersStream), ("consumer", queue.consumer)]
        do {
            let info = try await jetStream.consumerInfo(stream: queue.ordersStream, consumer: queue.consumer)
            snapshot.pending = info.numPending
            snapshot.ackPending = UInt64(max(0, info.numAckPending))
            snapshot.redelivered = UInt64(max(0, info.numRedelivered))
            snapshot.waitingPulls = UInt64(max(0, info.numWaiting))
            gauge(.queuePending, consumerDimensions).record(Double(info.numPending))
            gauge(.queueAckPending, consumerDimensions).record(Double(info.numAckPending))
            gauge(.queueRedelivered, consumerDimensions).record(Double(info.numRedelivered))
            gauge(.queueWaitingPulls, consumerDimensions).record(Double(info.numWaiting))
        } catch {
            failed("nats", error, read: "consumer_info")
        }
        do {
            let messages = try await jetStream.streamInfo(queue.deadLetterStream).messages
            snapshot.deadLetters = messages
            gauge(.dlqDepth, [("stream", queue.deadLetterStream)]).record(Double(messages))
        } catch {
            failed("nats", error, read: "dead_letter_stream_info")
        }
        if let retryWaiting {
            do {
                let count = try await retryWaiting(logger)
                snapshot.retryWaiting = count
                gauge(.queueRetryWaiting, []).record(count)
            } catch {
                failed("postgres", error, read: "retry_waiting")
            }
        }
        return snapshot
    }

    private func gauge(_ metric: FerryMetric, _ dimensions: [(String, String)]) -> Gauge {
        Gauge(label: metric.name, dimensions: dimensions, factory: factory)
    }

    private func failed(_ source: String, _ error: any Error, read: String) {
        Counter(label: FerryMetric.queueMetricsErrors.name, dimensions: [("source", source)], factory: factory)
            .increment()
        let type = (error as? NATSError)?.shortForm ?? "\(type(of: error))"
        logger.warning("queue metrics read failed", metadata: ["metrics.read": "\(read)", "error.type": "\(type)"])
    }
}
