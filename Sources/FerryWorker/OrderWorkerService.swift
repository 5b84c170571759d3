import FerryCore
import FerryNATS
import FerryPostgres
import FerryPrestaShop
import Foundation
import Logging
import Metrics
import ServiceLifecycle

/// Pulls orders from the shared durable consumer and runs each through the ``OrderPipeline``.
///
/// - Fetches only as many messages as it has free in-flight places and the shared NetSuite lease has headroom for
///   (``FetchBudget``), so nothing waits in this process for a slot while another process could work on it.
/// - Marks each message in progress while it is worked on; retries are scheduled with `NakWithDelay`,
///   never with consumer BackOff (whose first delay would replace the ack deadline).
/// - Order-specific failures spend an attempt (counted in PostgreSQL, not from redeliveries) and follow the
///   retry schedule; after the last one the dead letter is written and acknowledged *before* the original
///   is terminated. NetSuite-wide failures spend nothing: fetching pauses and a probe runs until NetSuite answers.
/// - On graceful shutdown it stops fetching and finishes what it holds.
public final class OrderWorkerService: Service {
    let configuration: WorkerConfiguration
    let jetStream: JetStream
    let pipeline: OrderPipeline
    let deadLetters: DeadLetterQueue
    let probe: @Sendable () async throws -> Void
    let leaseHeadroom: (@Sendable (LeasePriority) async -> Int?)?
    let logger: Logger
    let state: WorkerState

    /// - Parameters:
    ///   - probe: a cheap NetSuite call that succeeds when NetSuite answers normally.
    ///   - leaseHeadroom: how many NetSuite requests of a priority the shared lease could start now (`nil` when it
    ///     cannot tell); each lane fetches no more than that. Without it only the local in-flight limit applies.
    public init(
        configuration: WorkerConfiguration,
        jetStream: JetStream,
        pipeline: OrderPipeline,
        probe: @escaping @Sendable () async throws -> Void,
        leaseHeadroom: (@Sendable (LeasePriority) async -> Int?)? = nil,
        logger: Logger
    ) {
        self.configuration = configuration
        self.jetStream = jetStream
        self.pipeline = pipeline
        self.deadLetters = DeadLetterQueue(jetStream: jetStream, queue: configuration.queue)
        self.probe = probe
        self.leaseHeadroom = leaseHeadroom
        var logger = logger
        logger[metadataKey: "worker"] = "\(configuration.workerID)"
        self.logger = logger
        self.state = WorkerState(
            disposition: MessageDisposition(
                retryPolicy: configuration.retryPolicy,
                concurrencyRetryDelay: configuration.concurrencyRetryDelay,
                writeBackRetryDelay: configuration.writeBackRetryDelay,
                detector: OutageDetector(
                    threshold: configuration.outageThreshold,
                    initialProbeInterval: configuration.outageProbeInterval,
                    maxProbeInterval: configuration.outageMaxProbeInterval
                )
            )
        )
    }

    /// Whether fetching is currently paused for a NetSuite outage.
    public var isPaused: Bool { get async { await !state.fetchAllowed } }

    public func run() async throws {
        let queue = configuration.queue
        try await queue.ensure(on: jetStream)
        let live = try await jetStream.pullSubscribe(stream: queue.ordersStream, consumer: queue.consumer)
        let replay = try await jetStream.pullSubscribe(stream: queue.replayStream, consumer: queue.replayConsumer)
        logger.info(
            "worker started",
            metadata: [
                "worker.max_in_flight": "\(configuration.maxInFlight)",
                "worker.replay_max_in_flight": "\(configuration.replayMaxInFlight)",
            ]
        )
        // Two lanes: live orders, and dead letters an operator resubmitted. Each has its own consumer and in-flight
        // limit, and the replay lane takes NetSuite slots at replay priority, so replays never delay live orders.
        // While the lanes run, a watchdog waits for a graceful shutdown during which PostgreSQL does not answer: then
        // nothing in flight can finish, so it is cancelled and handed back instead of holding up the shutdown.
        await withTaskGroup(of: LaneEvent.self) { group in
            group.addTask {
                await withDiscardingTaskGroup { lanes in
                    lanes.addTask {
                        await self.fetchLoop(live, lane: .live, maxInFlight: self.configuration.maxInFlight)
                    }
                    lanes.addTask {
                        await self.fetchLoop(replay, lane: .replay, maxInFlight: self.configuration.replayMaxInFlight)
                    }
                }
                return .lanesFinished
            }
            group.addTask { await self.databaseGoneDuringShutdown() ? .databaseGone : .watchdogStopped }
            while let event = await group.next() {
                switch event {
                case .lanesFinished:
                    group.cancelAll()
                case .databaseGone:
                    let inFlight = await state.inFlight
                    logger.warning(
                        "PostgreSQL unreachable during shutdown: handing back in-flight orders",
                        metadata: ["worker.in_flight": "\(inFlight)"]
                    )
                    group.cancelAll()
                case .watchdogStopped:
                    continue
                }
            }
        }
        logger.info("worker stopped")
    }

    private enum LaneEvent: Sendable {
        case lanesFinished, databaseGone, watchdogStopped
    }

    /// Returns true once a graceful shutdown is under way and PostgreSQL has not answered for
    /// ``WorkerConfiguration/shutdownDatabaseTimeout``; false when cancelled first.
    private func databaseGoneDuringShutdown() async -> Bool {
        while !Task.isShuttingDownGracefully {
            do { try await Task.sleep(for: .milliseconds(250)) } catch { return false }
        }
        let timeout = configuration.shutdownDatabaseTimeout
        var unansweredSince: ContinuousClock.Instant?
        while !Task.isCancelled {
            let asked = ContinuousClock.now
            if await pipeline.sync.answers(within: min(timeout, .seconds(1))) {
                unansweredSince = nil
            } else {
                let since = unansweredSince ?? asked
                unansweredSince = since
                if ContinuousClock.now - since >= timeout { return true }
            }
            do { try await Task.sleep(for: .milliseconds(500)) } catch { return false }
        }
        return false
    }

    /// Fetches from one consumer while the lease has headroom and local places are free, until graceful shutdown;
    /// then finishes what it holds.
    private func fetchLoop(_ subscription: PullSubscription, lane: LeasePriority, maxInFlight: Int) async {
        var logger = self.logger
        logger[metadataKey: "worker.lane"] = "\(lane.rawValue)"
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                if await !state.fetchAllowed {
                    await probeIfDue()
                    try? await Task.sleep(for: .milliseconds(100))
                    continue
                }
                let free = await state.freeSlots(of: maxInFlight, lane: lane)
                if free == 0 {
                    await state.waitForFreeSlot()
                    continue
                }
                let inFlight = await state.inFlight(lane: lane)
                let headroom = await leaseHeadroom?(lane)
                let capacity = FetchBudget.messages(
                    freeLocal: free,
                    inFlight: inFlight,
                    leaseHeadroom: headroom,
                    prefetch: configuration.leasePrefetch
                )
                if capacity == 0 {
                    // Every lease slot is taken or promised: fetch again when one of ours finishes or soon after.
                    await state.waitForFreeSlot(atMost: configuration.leaseCheckInterval)
                    continue
                }
                let messages: [JetStreamMessage]
                do {
                    messages = try await subscription.fetch(batch: capacity, timeout: configuration.fetchWait)
                } catch {
                    logger.warning(
                        "fetch failed",
                        metadata: ["error.type": "\((error as? NATSError)?.shortForm ?? "\(type(of: error))")"]
                    )
                    try? await Task.sleep(for: .seconds(1))
                    continue
                }
                for message in messages {
                    await state.started(lane: lane)
                    group.addTask {
                        await self.handle(message, lane: lane)
                        await self.state.finished(lane: lane)
                    }
                }
            }
            let remaining = await state.inFlight(lane: lane)
            if remaining > 0 {
                logger.info(
                    "worker stopping: finishing in-flight orders",
                    metadata: ["worker.in_flight": "\(remaining)"]
                )
            }
        }
        await subscription.unsubscribe()
    }

    private func probeIfDue() async {
        guard await state.startProbeIfDue() else { return }
        do {
            try await probe()
            apply(await state.probeFinished(nil), logger: logger)
        } catch {
            let failure = OrderFailure.classify(error, stage: "probe")
            apply(await state.probeFinished(failure.netSuiteTrouble ?? .connection), logger: logger)
            logger.info("NetSuite probe failed", metadata: ["error.type": "\(failure.errorType)"])
        }
    }

    /// The one place NetSuite's circuit state is logged and published.
    private func apply(_ change: MessageDisposition.CircuitChange?, logger: Logger) {
        switch change {
        case .opened:
            logger.error("NetSuite unavailable: pausing fetch")
            Gauge(label: "ferry_netsuite_circuit_open").record(1)
        case .closed:
            logger.notice("NetSuite answers again: resuming")
            Gauge(label: "ferry_netsuite_circuit_open").record(0)
        case nil:
            break
        }
    }

    private func count(_ result: MessageDisposition.OrderResult) {
        Counter(label: "ferry_worker_orders_total", dimensions: [("result", result.rawValue)]).increment()
        OrderSpan.record(result: result.rawValue)
    }

    // MARK: - One message

    func handleUntraced(_ message: JetStreamMessage, lane: LeasePriority) async {
        let heartbeat = Task { [interval = configuration.inProgressInterval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { break }
                try? await message.inProgress()
            }
        }
        defer { heartbeat.cancel() }

        var logger = self.logger
        logger[metadataKey: "queue.sequence"] = "\(message.metadata.streamSequence)"
        logger[metadataKey: "delivery"] = "\(message.metadata.numDelivered)"

        let order: PrestaShopOrder
        do {
            order = try PrestaShopOrder.validated(from: message.data)
        } catch {
            // The gateway validates, so this is a message from elsewhere: it can never succeed.
            let failure = OrderFailure(
                .permanent,
                stage: "payload",
                message: error.description,
                errorType: "invalid_payload"
            )
            await deadLetter(
                message,
                order: nil,
                failure: failure,
                attempts: [
                    AttemptRecord(
                        attempt: 1,
                        at: Date().timeIntervalSince1970,
                        stage: failure.stage,
                        errorClass: failure.failureClass.rawValue,
                        message: failure.message,
                        netSuiteErrorCode: nil
                    )
                ],
                reason: "unreadable_payload",
                logger: logger
            )
            return
        }
        let key = IdempotencyKey(shopID: order.shopID, orderID: order.id)
        logger[metadataKey: "order.id"] = "\(order.id)"
        logger[metadataKey: "customer.id"] = "\(order.customerID)"
        logger[metadataKey: "idempotency_key"] = "\(key)"
        let receivedAt = message.headers[FerryHeader.receivedAt].flatMap(Double.init).map {
            Date(timeIntervalSince1970: $0 / 1000)
        }

        let result: MessageDisposition.AttemptResult
        var failure: OrderFailure?
        var pendingMessage = ""
        do {
            // Orders an operator resubmitted from the dead-letter stream take NetSuite slots at replay priority, so a
            // burst of replays can never take the share reserved for live orders.
            let outcome = try await LeasePriority.$current.withValue(lane) {
                try await pipeline.process(order, receivedAt: receivedAt, logger: logger)
            }
            switch outcome {
            case .completed(_, let newlyRecorded):
                result = .completed(newlyRecorded: newlyRecorded)
            case .writeBackPending(_, let text):
                result = .writeBackPending
                pendingMessage = text
            }
        } catch {
            let classified = OrderFailure.classify(error, stage: "unknown")
            failure = classified
            result = .failed(classified.disposition)
        }
        let decision = await state.attemptFinished(result)
        apply(decision.circuit, logger: logger)
        await execute(
            decision.action,
            message: message,
            order: order,
            key: key,
            failure: failure,
            writeBackMessage: pendingMessage,
            receivedAt: receivedAt,
            logger: logger
        )
    }

    /// Carries out what ``MessageDisposition`` decided for a message.
    private func execute(
        _ action: MessageDisposition.Action,
        message: JetStreamMessage,
        order: PrestaShopOrder,
        key: IdempotencyKey,
        failure: OrderFailure?,
        writeBackMessage: String,
        receivedAt: Date?,
        logger: Logger
    ) async {
        var logger = logger
        if let failure {
            logger[metadataKey: "stage"] = "\(failure.stage)"
            logger[metadataKey: "error.type"] = "\(failure.errorType)"
            logger[metadataKey: "error.class"] = "\(failure.failureClass.rawValue)"
            Counter(
                label: "ferry_worker_failures_total",
                dimensions: [("error_class", failure.failureClass.rawValue), ("error_type", failure.errorType)]
            ).increment()
            OrderSpan.record(failure: failure)
        }
        let record = failure.map {
            AttemptRecord(
                attempt: 0,
                at: Date().timeIntervalSince1970,
                stage: $0.stage,
                errorClass: $0.failureClass.rawValue,
                message: $0.message,
                netSuiteErrorCode: $0.netSuiteErrorCode
            )
        }
        switch action {
        case .ack(let result):
            await settle(message, logger: logger) { try await message.ack() }
            count(result)
            if result == .submitted, let receivedAt {
                let seconds = max(0, Date().timeIntervalSince(receivedAt))
                Timer(label: "ferry_order_end_to_end_seconds").recordNanoseconds(Int64(seconds * 1e9))
            }
        case .retryWriteBack(let delay):
            logger.warning(
                "order in NetSuite, write-back will be retried",
                metadata: ["stage": "write_back", "error.message": "\(writeBackMessage)"]
            )
            count(.writeBackRetry)
            await settle(message, logger: logger) { try await message.nak(delay: delay) }
        case .hold(let base, _):
            // The last error is for operators only; a worker giving up on a database that is gone (cancelled) does not
            // wait to write it.
            if let record, !Task.isCancelled {
                _ = try? await pipeline.sync.recordFailure(key: key.description, record, counted: false, logger: logger)
            }
            let delay = jittered(base)
            logger.info("order held, no attempt spent", metadata: ["retry.delay_ms": "\(delay.milliseconds)"])
            count(.held)
            await settle(message, logger: logger) { try await message.nak(delay: delay) }
        case .countAttempt:
            guard let failure, let record else { return }
            let attempt = try? await pipeline.sync.recordFailure(
                key: key.description,
                record,
                counted: true,
                logger: logger
            )
            if let attempt {
                logger[metadataKey: "attempt"] = "\(attempt)"
                OrderSpan.record(failure: failure, attempt: attempt)
            }
            switch await state.attemptCounted(attempt, failure: failure.failureClass) {
            case .retry(let delay, _):
                logger.warning(
                    "order attempt failed, retrying",
                    metadata: ["retry.delay_ms": "\(delay.milliseconds)", "error.message": "\(failure.message)"]
                )
                count(.retry)
                await settle(message, logger: logger) { try await message.nak(delay: delay) }
            case .deadLetter(let reason, _):
                let attempts = (try? await pipeline.sync.attempts(key: key.description, logger: logger)) ?? [record]
                await deadLetter(
                    message,
                    order: order,
                    failure: failure,
                    attempts: attempts,
                    reason: reason.rawValue,
                    logger: logger
                )
            case .hold(let delay):
                // Without the attempt count we cannot decide: hold it and decide later.
                OrderSpan.record(result: MessageDisposition.OrderResult.held.rawValue)
                await settle(message, logger: logger) { try await message.nak(delay: delay) }
            }
        }
    }

    private func deadLetter(
        _ message: JetStreamMessage,
        order: PrestaShopOrder?,
        failure: OrderFailure,
        attempts: [AttemptRecord],
        reason: String,
        logger: Logger
    ) async {
        let key = order.map { IdempotencyKey(shopID: $0.shopID, orderID: $0.id).description }
        let entry = DeadLetterEntry(
            idempotencyKey: key,
            shopID: order?.shopID,
            orderID: order?.id,
            reference: order?.reference,
            reason: reason,
            lastError: failure.description,
            deadLetteredAt: Date(),
            worker: configuration.workerID,
            attempts: attempts,
            context: failure.context,
            original: DeadLetterEntry.original(of: message)
        )
        do {
            let sequence = try await deadLetters.write(entry)
            if let key { try? await pipeline.sync.markDeadLettered(key: key, logger: logger) }
            await settle(message, logger: logger) { try await message.term() }
            count(.deadLettered)
            logger.error(
                "order dead-lettered",
                metadata: [
                    "dlq.sequence": "\(sequence)", "attempts": "\(attempts.count)", "dlq.reason": "\(reason)",
                    "error.message": "\(failure.message)",
                ]
            )
        } catch {
            // Never terminate what we could not store: try again shortly.
            logger.error("dead letter not written, will retry", metadata: ["error.type": "\(type(of: error))"])
            await settle(message, logger: logger) { try await message.nak(delay: .seconds(5)) }
        }
    }

    private func settle(_ message: JetStreamMessage, logger: Logger, _ action: @Sendable () async throws -> Void) async
    {
        do {
            try await action()
        } catch {
            // The server will redeliver after the ack deadline; the processed-events table makes that harmless.
            logger.warning(
                "acknowledgement failed",
                metadata: ["error.type": "\((error as? NATSError)?.shortForm ?? "\(type(of: error))")"]
            )
        }
    }
}

func jittered(_ base: Duration) -> Duration {
    let ms = max(1, base.milliseconds)
    return .milliseconds(ms / 2 + Int64.random(in: 0...ms))
}

extension Duration {
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}

/// The worker's shared state: in-flight count and the message disposition (with its outage detector).
actor WorkerState {
    private var disposition: MessageDisposition
    private var inFlightByLane: [LeasePriority: Int] = [:]
    var inFlight: Int { inFlightByLane.values.reduce(0, +) }
    private var slotWaiters: [CheckedContinuation<Void, Never>] = []
    private var timedWaiters: [UUID: CheckedContinuation<Void, Never>] = [:]

    init(disposition: MessageDisposition) { self.disposition = disposition }

    var fetchAllowed: Bool { disposition.isFetchingAllowed }

    func inFlight(lane: LeasePriority) -> Int { inFlightByLane[lane, default: 0] }

    func freeSlots(of maximum: Int, lane: LeasePriority) -> Int { max(0, maximum - inFlight(lane: lane)) }

    func started(lane: LeasePriority) {
        inFlightByLane[lane, default: 0] += 1
        Gauge(label: "ferry_worker_in_flight").record(inFlight)
    }

    func finished(lane: LeasePriority) {
        inFlightByLane[lane, default: 0] -= 1
        Gauge(label: "ferry_worker_in_flight").record(inFlight)
        let waiters = slotWaiters
        slotWaiters = []
        for waiter in waiters { waiter.resume() }
        let timed = timedWaiters
        timedWaiters = [:]
        for waiter in timed.values { waiter.resume() }
    }

    func waitForFreeSlot() async {
        await withCheckedContinuation { slotWaiters.append($0) }
    }

    /// Waits until a message finishes or `timeout` passes, whichever comes first.
    func waitForFreeSlot(atMost timeout: Duration) async {
        let id = UUID()
        await withCheckedContinuation { continuation in
            timedWaiters[id] = continuation
            Task { [weak self] in
                try? await Task.sleep(for: timeout)
                await self?.resumeTimedWaiter(id)
            }
        }
    }

    private func resumeTimedWaiter(_ id: UUID) {
        timedWaiters.removeValue(forKey: id)?.resume()
    }

    func attemptFinished(_ result: MessageDisposition.AttemptResult) -> MessageDisposition.Decision {
        disposition.attemptFinished(result, at: .now)
    }

    func attemptCounted(_ attempt: Int?, failure: FailureClass) -> MessageDisposition.CountedAction {
        disposition.attemptCounted(attempt, failure: failure)
    }

    func probeFinished(_ trouble: SystemicFailure?) -> MessageDisposition.CircuitChange? {
        disposition.probeFinished(trouble, at: .now)
    }

    func startProbeIfDue() -> Bool { disposition.startProbeIfDue(at: .now) }
}
