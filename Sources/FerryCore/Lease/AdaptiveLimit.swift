/// What a request made under a lease slot says about the account's shared pool.
public enum LeaseFeedback: String, Sendable, Hashable, Codable, CaseIterable {
    /// NetSuite answered (any answer other than a concurrency rejection).
    case success
    /// `429 CONCURRENCY_LIMIT_EXCEEDED`: others use the account too; the effective limit shrinks.
    case overloaded
    /// No answer to judge by (a transport error, a cancelled call): the limit is left alone.
    case neutral
}

/// A change of the effective slot count.
public struct LeaseLimitChange: Sendable, Hashable {
    public var from: Int
    public var to: Int
    /// The feedback that caused it.
    public var cause: LeaseFeedback

    public init(from: Int, to: Int, cause: LeaseFeedback) {
        self.from = from
        self.to = to
        self.cause = cause
    }
}

/// AIMD controller of the effective slot count (Netflix concurrency-limits style).
///
/// - A rejection (`429`) multiplies the limit by `decreaseFactor` (rounded down, never below 1) — but only once
///   per congestion event: requests admitted before the last decrease (fencing token at or below
///   ``decreaseFence``) were sent under the old limit, and their 429s say nothing new.
/// - `increaseAfter` successes in a row add one slot, up to ``ceiling`` (the configured slots) — but growing back to
///   the level that was last refused (``overloadedAt``) takes ``probeFactor`` times as many: below it the pool is known
///   to have room, at it the pool was full. Without that memory the limit saw-tooths between the refused level and
///   three quarters of it; with it, it stays one below the refused level most of the time. Growing past that level
///   (it held for `increaseAfter` successes) forgets it.
/// - A probe refused again at the same level (another integration holds the rest of the pool for a long time) makes
///   the next probe take twice as long, up to ``maxProbeDoublings`` doublings (8, 16, 32, 64, 128 × `increaseAfter`
///   successes: at 25 and 10 requests/s, about 20 s, 40 s, 80 s, 160 s and 5 minutes). Each refused probe still cuts
///   the limit to three quarters and it climbs back at the usual pace to one below the refused level, so the limit
///   spends ever more of its time there. A refusal at another level, or growing past the level, resets the back-off.
public struct AdaptiveLimit: Sendable, Hashable {
    /// The configured slot count: the limit never grows past it.
    public private(set) var ceiling: Int
    /// Multiplier applied on a rejection, in (0, 1).
    public let decreaseFactor: Double
    /// Successes in a row needed for one more slot.
    public let increaseAfter: Int

    /// The effective slot count, `1...ceiling`.
    public private(set) var limit: Int
    /// Successes since the last change.
    public private(set) var successStreak = 0
    /// The highest fencing token issued when the limit last shrank.
    public private(set) var decreaseFence: Int64 = 0
    /// The limit at which NetSuite last refused a request; 0 when none is remembered.
    public private(set) var overloadedAt = 0
    /// How many times `increaseAfter` successes it takes to grow back to ``overloadedAt``.
    public static let probeFactor = 8
    /// Refusals in a row at ``overloadedAt`` (probes that failed), each doubling the next probe's wait.
    public private(set) var probeRefusals = 0
    /// The most doublings of the probe's wait.
    public static let maxProbeDoublings = 4

    /// Successes in a row needed before the limit grows from its current value.
    public var successesNeeded: Int {
        guard overloadedAt > 0, limit + 1 == overloadedAt else { return increaseAfter }
        return increaseAfter * Self.probeFactor << min(probeRefusals, Self.maxProbeDoublings)
    }

    /// The smallest limit: one request at a time always goes.
    public static let floor = 1

    public init(ceiling: Int, limit: Int? = nil, decreaseFactor: Double = 0.75, increaseAfter: Int = 25) {
        self.ceiling = max(Self.floor, ceiling)
        self.decreaseFactor = decreaseFactor > 0 && decreaseFactor < 1 ? decreaseFactor : 0.75
        self.increaseAfter = max(1, increaseAfter)
        self.limit = min(max(Self.floor, limit ?? ceiling), max(Self.floor, ceiling))
    }

    /// Records the outcome of a request admitted with fencing token `token`; `highestIssuedToken` is the
    /// newest token handed out so far. Returns the change of limit, if any.
    public mutating func record(
        _ feedback: LeaseFeedback,
        token: Int64,
        highestIssuedToken: Int64
    ) -> LeaseLimitChange? {
        switch feedback {
        case .neutral:
            return nil
        case .success:
            let needed = successesNeeded
            successStreak = min(successStreak + 1, needed)
            guard successStreak >= needed, limit < ceiling else { return nil }
            successStreak = 0
            limit += 1
            if limit > overloadedAt {
                // The refused level held: forget it.
                overloadedAt = 0
                probeRefusals = 0
            }
            return LeaseLimitChange(from: limit - 1, to: limit, cause: .success)
        case .overloaded:
            successStreak = 0
            guard token > decreaseFence else { return nil }
            decreaseFence = max(decreaseFence, highestIssuedToken)
            let old = limit
            probeRefusals = old == overloadedAt ? min(probeRefusals + 1, Self.maxProbeDoublings) : 0
            overloadedAt = old
            limit = max(Self.floor, Int((Double(limit) * decreaseFactor).rounded(.down)))
            if limit == old && limit > Self.floor { limit -= 1 }
            return limit == old ? nil : LeaseLimitChange(from: old, to: limit, cause: .overloaded)
        }
    }

    /// Changes the ceiling (reconfiguration); the limit is capped to it.
    public mutating func setCeiling(_ ceiling: Int) {
        self.ceiling = max(Self.floor, ceiling)
        limit = min(limit, self.ceiling)
    }
}
