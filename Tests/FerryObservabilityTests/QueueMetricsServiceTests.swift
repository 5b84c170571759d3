import FerryCore
import FerryNATS
import FerryObservability
import FerryPostgres
import FerryTestSupport
import FerryWorker
import Foundation
import Logging
import Synchronization
import Testing

@Suite("Queue metrics service")
struct QueueMetricsServiceTests {
    private func labels(_ queue: OrderQueueConfiguration) -> String {
        "{stream=\"\(queue.ordersStream)\",consumer=\"\(queue.consumer)\"}"
    }

    private func publishOrders(
        _ jetStream: JetStream,
        _ queue: OrderQueueConfiguration,
        _ ids: ClosedRange<Int>
    )
        async throws
    {
        for id in ids {
            _ = try await jetStream.publish(
                subject: queue.ordersSubject(shopID: 1),
                payload: Array("order-\(id)".utf8),
                msgID: "ps-1-order-\(id)"
            )
        }
    }

    @Test func publishesConsumerAndDeadLetterCountsAsLabelledGauges() async throws {
        try await withJetStream { _, jetStream in
            let queue = OrderQueueConfiguration.isolated(uniqueSuffix())
            try await queue.ensure(on: jetStream)
            try await publishOrders(jetStream, queue, 1...5)
            let metrics = TestMetrics()
            let service = QueueMetricsService(
                jetStream: jetStream,
                queue: queue,
                factory: metrics.factory,
                logger: quietLogger
            )

            let first = await service.collect()
            let expected = QueueMetricsSnapshot(
                pending: 5,
                ackPending: 0,
                redelivered: 0,
                waitingPulls: 0,
                deadLetters: 0
            )
            #expect(first == expected)
            #expect(metrics.value("ferry_queue_pending_messages\(labels(queue))") == 5)
            #expect(metrics.value("ferry_queue_ack_pending_messages\(labels(queue))") == 0)
            #expect(metrics.value("ferry_dlq_depth_messages{stream=\"\(queue.deadLetterStream)\"}") == 0)
            #expect(metrics.text.contains("# TYPE ferry_queue_pending_messages gauge"))

            // Two taken: one parked by a delayed nak (a retry), one in flight; then one acknowledged.
            let subscription = try await jetStream.pullSubscribe(stream: queue.ordersStream, consumer: queue.consumer)
            let taken = try await subscription.fetch(batch: 3, timeout: .seconds(5))
            #expect(taken.count == 3)
            try await taken[0].nak(delay: .seconds(60))
            try await taken[1].ack()
            _ = try await jetStream.publish(
                subject: queue.deadLetterSubject(shopID: 1),
                payload: Array("dead".utf8),
                msgID: "dead-1"
            )

            let second = await service.collect()
            #expect(second.pending == 2)
            #expect(second.ackPending == 2)
            #expect(second.deadLetters == 1)
            #expect(metrics.value("ferry_queue_pending_messages\(labels(queue))") == 2)
            #expect(metrics.value("ferry_queue_ack_pending_messages\(labels(queue))") == 2)
            #expect(metrics.value("ferry_dlq_depth_messages{stream=\"\(queue.deadLetterStream)\"}") == 1)
            #expect(metrics.value("ferry_queue_metrics_errors_total{source=\"nats\"}") == nil)
            await subscription.unsubscribe()
        }
    }

    @Test func redeliveredMessagesAreCounted() async throws {
        try await withJetStream { _, jetStream in
            let queue = OrderQueueConfiguration.isolated(uniqueSuffix())
            try await queue.ensure(on: jetStream)
            try await publishOrders(jetStream, queue, 1...2)
            let subscription = try await jetStream.pullSubscribe(stream: queue.ordersStream, consumer: queue.consumer)
            for message in try await subscription.fetch(batch: 2, timeout: .seconds(5)) { try await message.nak() }
            // A plain nak is redelivered at once; take them again and keep them unacknowledged.
            var again: [JetStreamMessage] = []
            let deadline = ContinuousClock.now + .seconds(10)
            while again.count < 2, ContinuousClock.now < deadline {
                again += try await subscription.fetch(batch: 2 - again.count, timeout: .seconds(1))
            }
            #expect(again.allSatisfy { $0.metadata.numDelivered == 2 })
            let metrics = TestMetrics()
            let service = QueueMetricsService(
                jetStream: jetStream,
                queue: queue,
                factory: metrics.factory,
                logger: quietLogger
            )
            let snapshot = await service.collect()
            #expect(snapshot.redelivered == 2)
            #expect(metrics.value("ferry_queue_redelivered_messages\(labels(queue))") == 2)
            await subscription.unsubscribe()
        }
    }

    @Test func failedReadsCountErrorsAndKeepThePreviousValues() async throws {
        try await withJetStream { _, jetStream in
            let queue = OrderQueueConfiguration.isolated(uniqueSuffix())
            try await queue.ensure(on: jetStream)
            try await publishOrders(jetStream, queue, 1...3)
            let metrics = TestMetrics()
            struct Unavailable: Error {}
            let service = QueueMetricsService(
                jetStream: jetStream,
                queue: queue,
                retryWaiting: { _ in throw Unavailable() },
                factory: metrics.factory,
                logger: quietLogger
            )
            _ = await service.collect()
            #expect(metrics.value("ferry_queue_metrics_errors_total{source=\"postgres\"}") == 1)
            #expect(metrics.value("ferry_queue_retry_waiting_messages") == nil)

            // The consumer and the dead-letter stream disappear: both reads fail, the gauges keep their values.
            try await jetStream.deleteConsumer(stream: queue.ordersStream, consumer: queue.consumer)
            try await jetStream.deleteStream(queue.deadLetterStream)
            try await jetStream.deleteStream(queue.replayStream)
            let snapshot = await service.collect()
            #expect(snapshot.pending == nil)
            #expect(snapshot.deadLetters == nil)
            #expect(metrics.value("ferry_queue_metrics_errors_total{source=\"nats\"}") == 2)
            #expect(metrics.value("ferry_queue_metrics_errors_total{source=\"postgres\"}") == 2)
            #expect(metrics.value("ferry_queue_pending_messages\(labels(queue))") == 3)
        }
    }

    @Test func runCollectsRepeatedlyUntilCancelled() async throws {
        try await withJetStream { _, jetStream in
            let queue = OrderQueueConfiguration.isolated(uniqueSuffix())
            try await queue.ensure(on: jetStream)
            let metrics = TestMetrics()
            let service = QueueMetricsService(
                jetStream: jetStream,
                queue: queue,
                interval: .milliseconds(100),
                retryWaiting: { _ in 7 },
                factory: metrics.factory,
                logger: quietLogger
            )
            let running = Task { try await service.run() }
            let series = "ferry_queue_pending_messages\(labels(queue))"
            #expect(await eventually { metrics.value(series) == 0 })
            try await publishOrders(jetStream, queue, 1...4)
            #expect(await eventually { metrics.value(series) == 4 })
            #expect(metrics.value("ferry_queue_retry_waiting_messages") == 7)
            running.cancel()
            // run() returns promptly once cancelled: the sleep between collections is cancelled too.
            let stopped = Mutex(false)
            Task {
                try? await running.value
                stopped.withLock { $0 = true }
            }
            #expect(await eventually(timeout: .seconds(10)) { stopped.withLock { $0 } })
        }
    }

    @Test(.freshDatabase()) func retryWaitingComesFromOrderSyncRowsWithCountedAttempts() async throws {
        try await withJetStream { _, jetStream in
            let queue = OrderQueueConfiguration.isolated(uniqueSuffix())
            try await queue.ensure(on: jetStream)
            let client = try TestDatabase.current.client
            let sync = OrderSyncStore(client: client)
            for id in 1...4 {
                _ = try await sync.begin(
                    key: "ps-1-order-\(id)",
                    shopID: 1,
                    orderID: id,
                    reference: "REF\(id)",
                    webhookReceivedAt: nil,
                    logger: quietLogger
                )
            }
            let failure = AttemptRecord(
                attempt: 0,
                at: Date().timeIntervalSince1970,
                stage: "transform",
                errorClass: "order_specific",
                message: "missing mapping",
                netSuiteErrorCode: nil
            )
            // Order 1 and 2 wait for a retry; order 3 only met an outage (no attempt spent); order 4 is dead.
            try await sync.recordFailure(key: "ps-1-order-1", failure, counted: true, logger: quietLogger)
            try await sync.recordFailure(key: "ps-1-order-2", failure, counted: true, logger: quietLogger)
            try await sync.recordFailure(key: "ps-1-order-3", failure, counted: false, logger: quietLogger)
            try await sync.recordFailure(key: "ps-1-order-4", failure, counted: true, logger: quietLogger)
            try await sync.markDeadLettered(key: "ps-1-order-4", logger: quietLogger)

            let metrics = TestMetrics()
            let service = QueueMetricsService(
                jetStream: jetStream,
                queue: queue,
                sync: sync,
                factory: metrics.factory,
                logger: quietLogger
            )
            let snapshot = await service.collect()
            #expect(snapshot.retryWaiting == 2)
            #expect(metrics.value("ferry_queue_retry_waiting_messages") == 2)
        }
    }
}
