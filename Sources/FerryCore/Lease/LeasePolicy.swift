/// The rules of one NetSuite account's concurrency lease, shared by every Ferry process.
///
/// Every key, with its default:
/// - `slots`: 8 (of the 10 a Standard-tier account with one SuiteCloud Plus licence… has 15; the sandbox has 10).
///   The most requests Ferry has in flight at once, all processes together. See ``slots(available:reserve:)``
///   to size it from `governanceLimits`.
/// - `shares`: half of the slots (at least 1) reserved for ``LeasePriority/live``; nothing for the others.
/// - `ttl`: 30 s. A slot whose holder stops heartbeating is free again this long after its last heartbeat,
///   measured by the database server's clock.
/// - `heartbeatInterval`: `ttl / 3`.
/// - `waiterTTL`: 5 s. A queued waiter that stops re-checking loses its place after this long.
/// - `recheckInterval`: 1 s. Waiters re-check this often even without a wake-up (with ±20 % jitter), which
///   also refreshes their place in the queue.
/// - `decreaseFactor` 0.75, `increaseAfter` 25: the AIMD controller (``AdaptiveLimit``).
/// - `concurrencyRetryDelay`: 250 ms. Base delay before retrying a request NetSuite refused with 429
///   (jittered between half and one and a half times it).
/// - `maxConcurrencyRetries`: 40. After that many 429s in a row the request fails with the 429.
public struct LeasePolicy: Sendable, Hashable {
    public var slots: Int
    public var shares: LeaseShares
    public var ttl: Duration
    public var heartbeatInterval: Duration
    public var waiterTTL: Duration
    public var recheckInterval: Duration
    public var decreaseFactor: Double
    public var increaseAfter: Int
    public var concurrencyRetryDelay: Duration
    public var maxConcurrencyRetries: Int

    public init(
        slots: Int = 8,
        shares: LeaseShares? = nil,
        ttl: Duration = .seconds(30),
        heartbeatInterval: Duration? = nil,
        waiterTTL: Duration = .seconds(5),
        recheckInterval: Duration = .seconds(1),
        decreaseFactor: Double = 0.75,
        increaseAfter: Int = 25,
        concurrencyRetryDelay: Duration = .milliseconds(250),
        maxConcurrencyRetries: Int = 40
    ) {
        let slots = max(1, slots)
        self.slots = slots
        self.shares = shares ?? LeaseShares(reservations: [.live: max(1, slots / 2)])
        self.ttl = max(ttl, .milliseconds(100))
        self.heartbeatInterval = min(heartbeatInterval ?? self.ttl / 3, self.ttl / 2)
        self.recheckInterval = max(recheckInterval, .milliseconds(10))
        self.waiterTTL = max(waiterTTL, self.recheckInterval * 3)
        self.decreaseFactor = decreaseFactor > 0 && decreaseFactor < 1 ? decreaseFactor : 0.75
        self.increaseAfter = max(1, increaseAfter)
        self.concurrencyRetryDelay = max(.zero, concurrencyRetryDelay)
        self.maxConcurrencyRetries = max(0, maxConcurrencyRetries)
    }

    /// Slots sized from `GET /system/v1/governanceLimits`: what this integration may use (its reserved limit, or
    /// else the unallocated pool, or else the account limit) minus `reserve` left to others, at least 1.
    /// `nil` when NetSuite did not say (then use the configured slots).
    public static func slots(available: Int?, reserve: Int) -> Int? {
        guard let available, available > 0 else { return nil }
        return max(1, available - max(0, reserve))
    }

    /// A new AIMD controller for these rules, starting at the full slot count.
    public func makeAdaptiveLimit() -> AdaptiveLimit {
        AdaptiveLimit(ceiling: slots, decreaseFactor: decreaseFactor, increaseAfter: increaseAfter)
    }

    /// The delay before retrying after a 429: `concurrencyRetryDelay` × a factor in [0.5, 1.5] from `unitRandom`
    /// (a value in [0, 1]), so processes refused together do not come back together.
    public func concurrencyRetryDelay(unitRandom: Double) -> Duration {
        let factor = 0.5 + min(max(unitRandom, 0), 1)
        return concurrencyRetryDelay * factor
    }

    /// The time to wait before the next re-check: `recheckInterval` × a factor in [0.8, 1.2] from `unitRandom`.
    public func recheckDelay(unitRandom: Double) -> Duration {
        recheckInterval * (0.8 + 0.4 * min(max(unitRandom, 0), 1))
    }
}

/// When the holder of one slot heartbeats, and when it must consider the slot lost.
///
/// Times are the holder's own clock; the server decides expiry with its clock, so the holder counts from the moment
/// it *sent* the request that set the expiry (the server's `now()` is later than that), which errs on the safe side.
public struct LeaseHeartbeat: Sendable, Hashable {
    public enum Action: Sendable, Hashable {
        /// Nothing to do until then.
        case sleep(until: ContinuousClock.Instant)
        /// Send a heartbeat now.
        case heartbeat
        /// The slot has expired (or is about to) without a confirmed heartbeat: treat it as lost.
        case lost
    }

    public let ttl: Duration
    public let interval: Duration
    /// When the last confirmed acquire or heartbeat was sent.
    public private(set) var confirmedSentAt: ContinuousClock.Instant
    public private(set) var isLost = false

    public init(ttl: Duration, interval: Duration, acquiredSentAt: ContinuousClock.Instant) {
        self.ttl = ttl
        self.interval = min(interval, ttl / 2)
        self.confirmedSentAt = acquiredSentAt
    }

    public init(policy: LeasePolicy, acquiredSentAt: ContinuousClock.Instant) {
        self.init(ttl: policy.ttl, interval: policy.heartbeatInterval, acquiredSentAt: acquiredSentAt)
    }

    /// The latest moment the slot is surely still ours.
    public var presumedExpiry: ContinuousClock.Instant { confirmedSentAt + ttl }

    public func nextAction(now: ContinuousClock.Instant) -> Action {
        if isLost || now >= presumedExpiry { return .lost }
        let due = confirmedSentAt + interval
        return now >= due ? .heartbeat : .sleep(until: due)
    }

    /// Records the answer to a heartbeat sent at `sentAt`: `extended` false means the server said the slot is no
    /// longer ours (expired or fenced).
    public mutating func recordHeartbeat(sentAt: ContinuousClock.Instant, extended: Bool) {
        if extended {
            confirmedSentAt = max(confirmedSentAt, sentAt)
        } else {
            isLost = true
        }
    }
}
