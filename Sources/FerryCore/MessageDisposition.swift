/// What the worker does with a queued order after an attempt: acknowledge it, retry it (after which delay),
/// hold it without spending an attempt, dead-letter it, and whether NetSuite's circuit opens or closes.
///
/// A pure state machine in the style of AsyncHTTPClient's and PostgresNIO's: the worker service feeds it what
/// happened and executes the action it returns; it holds the ``OutageDetector`` and no I/O. Counting an attempt needs
/// the database, so a failure that spends one is decided in two steps: ``attemptFinished(_:at:)`` answers
/// ``Action/countAttempt``, and ``attemptCounted(_:failure:)`` decides with the count the database returned.
public struct MessageDisposition: Sendable {
    /// How an attempt ended.
    public enum AttemptResult: Sendable, Equatable {
        /// NetSuite holds the order and PrestaShop was written back. `newlyRecorded` is false for a duplicate.
        case completed(newlyRecorded: Bool)
        /// NetSuite holds the order; the PrestaShop write-back failed.
        case writeBackPending
        case failed(Failure)
    }

    /// A failed attempt, as much as the decision needs of it.
    public struct Failure: Sendable, Equatable {
        public var failureClass: FailureClass
        /// For systemic failures caused by NetSuite: which kind (the outage detector counts them).
        public var netSuiteTrouble: SystemicFailure?
        /// NetSuite answered with an error about the request (it is up, whatever the order's problem).
        public var netSuiteAnswered: Bool

        public init(
            _ failureClass: FailureClass,
            netSuiteTrouble: SystemicFailure? = nil,
            netSuiteAnswered: Bool = false
        ) {
            self.failureClass = failureClass
            self.netSuiteTrouble = netSuiteTrouble
            self.netSuiteAnswered = netSuiteAnswered
        }
    }

    /// The result label of `ferry_worker_orders_total`.
    public enum OrderResult: String, Sendable, Equatable, CaseIterable {
        case submitted, duplicate, held, retry
        case writeBackRetry = "write_back_retry"
        case deadLettered = "dead_lettered"
    }

    /// Why a message is held without spending an attempt; decides the delay.
    public enum HoldReason: String, Sendable, Equatable {
        /// NetSuite's concurrency pool is full (429): a short jittered delay.
        case concurrencyLimit = "concurrency_limit"
        /// NetSuite, PrestaShop or PostgreSQL is unavailable: the outage hold delay.
        case unavailable
    }

    public enum Action: Sendable, Equatable {
        /// Acknowledge: the order is done.
        case ack(OrderResult)
        /// Redeliver after `delay` to retry the write-back only.
        case retryWriteBack(after: Duration)
        /// Redeliver after `delay` (the executor adds jitter); record the error without counting an attempt.
        case hold(after: Duration, reason: HoldReason)
        /// Record the failure as a counted attempt, then call ``attemptCounted(_:failure:)``.
        case countAttempt
    }

    public enum CountedAction: Sendable, Equatable {
        case retry(after: Duration, attempt: Int)
        /// Write the dead letter with every attempt's error, then terminate the message.
        case deadLetter(reason: DeadLetterReason, attempts: Int)
        /// The attempt could not be counted (the database is away): redeliver later and decide then.
        case hold(after: Duration)
    }

    public enum DeadLetterReason: String, Sendable, Equatable {
        case permanentFailure = "permanent_failure"
        case attemptsExhausted = "attempts_exhausted"
    }

    /// NetSuite's circuit: open while the worker has stopped fetching because NetSuite is unavailable.
    public enum CircuitChange: Sendable, Equatable {
        case opened, closed
    }

    public struct Decision: Sendable, Equatable {
        public var action: Action
        public var circuit: CircuitChange?

        public init(_ action: Action, circuit: CircuitChange? = nil) {
            self.action = action
            self.circuit = circuit
        }
    }

    public let retryPolicy: RetryPolicy
    public let concurrencyRetryDelay: Duration
    public let writeBackRetryDelay: Duration
    public private(set) var detector: OutageDetector

    public init(
        retryPolicy: RetryPolicy,
        concurrencyRetryDelay: Duration,
        writeBackRetryDelay: Duration,
        detector: OutageDetector
    ) {
        self.retryPolicy = retryPolicy
        self.concurrencyRetryDelay = concurrencyRetryDelay
        self.writeBackRetryDelay = writeBackRetryDelay
        self.detector = detector
    }

    /// Whether the worker may fetch new messages (NetSuite's circuit is closed).
    public var isFetchingAllowed: Bool { detector.isFetchingAllowed }

    public mutating func attemptFinished(_ result: AttemptResult, at now: ContinuousClock.Instant) -> Decision {
        switch result {
        case .completed(let newlyRecorded):
            return Decision(.ack(newlyRecorded ? .submitted : .duplicate), circuit: success(at: now))
        case .writeBackPending:
            return Decision(.retryWriteBack(after: writeBackRetryDelay), circuit: success(at: now))
        case .failed(let failure):
            switch failure.failureClass {
            case .systemic:
                var circuit: CircuitChange?
                if let trouble = failure.netSuiteTrouble, detector.recordFailure(trouble, at: now) == .pauseFetching {
                    circuit = .opened
                }
                let reason: HoldReason = failure.netSuiteTrouble == .concurrencyLimit ? .concurrencyLimit : .unavailable
                let delay = reason == .concurrencyLimit ? concurrencyRetryDelay : retryPolicy.outageHoldDelay
                return Decision(.hold(after: delay, reason: reason), circuit: circuit)
            case .orderSpecific, .permanent:
                // NetSuite answered about this order: it is up.
                return Decision(.countAttempt, circuit: failure.netSuiteAnswered ? success(at: now) : nil)
            }
        }
    }

    /// Decides a counted failure once the database has counted it (`attempt`, from 1), or could not (`nil`).
    public func attemptCounted(_ attempt: Int?, failure: FailureClass) -> CountedAction {
        guard let attempt else { return .hold(after: retryPolicy.outageHoldDelay) }
        switch retryPolicy.decision(afterFailedAttempt: attempt, failure: failure) {
        case .retry(let delay, let attempt):
            return .retry(after: delay, attempt: attempt)
        case .deadLetter(let attempts):
            return .deadLetter(
                reason: failure == .permanent ? .permanentFailure : .attemptsExhausted,
                attempts: attempts
            )
        case .holdForOutage(let delay):
            return .hold(after: delay)
        }
    }

    /// A probe of NetSuite (while fetching is paused) is due now; the caller runs it and reports with
    /// ``probeFinished(_:at:)``.
    public mutating func startProbeIfDue(at now: ContinuousClock.Instant) -> Bool {
        detector.startProbeIfDue(at: now)
    }

    /// `trouble` nil: the probe succeeded.
    public mutating func probeFinished(_ trouble: SystemicFailure?, at now: ContinuousClock.Instant) -> CircuitChange? {
        guard let trouble else { return success(at: now) }
        return detector.recordFailure(trouble, at: now) == .pauseFetching ? .opened : nil
    }

    private mutating func success(at now: ContinuousClock.Instant) -> CircuitChange? {
        detector.recordSuccess(at: now) == .resumeFetching ? .closed : nil
    }
}
