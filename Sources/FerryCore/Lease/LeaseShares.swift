/// Priority shares of the lease: a reserved minimum per class, and borrowing of whatever is not reserved.
///
/// The rule, with `limit` the effective slot count and `held[c]` the slots class `c` holds now:
/// - reservations are served in priority order (``LeasePriority/live`` first) and never exceed `limit` together;
/// - class `p` may take one more slot when, after taking it, the free slots still cover every *other* class's
///   unmet reservation (`reserved[c] - held[c]`).
///
/// So dead-letter replays and reconciliation can never occupy the slots reserved for live orders, while any
/// slot nobody has reserved (or a class's own unused reservation) can be used by whoever asks.
public struct LeaseShares: Sendable, Hashable {
    /// Minimum slots kept for each class; a class not named has none.
    public var reservations: [LeasePriority: Int]

    /// - Parameter reservations: reserved minimum per class (negative values count as 0).
    public init(reservations: [LeasePriority: Int] = [.live: 4]) {
        self.reservations = reservations.mapValues { max(0, $0) }
    }

    /// The reservations that fit into `limit`, served in priority order.
    public func effectiveReservations(limit: Int) -> [LeasePriority: Int] {
        var left = max(0, limit)
        var result: [LeasePriority: Int] = [:]
        for priority in LeasePriority.allCases {
            let share = min(reservations[priority] ?? 0, left)
            result[priority] = share
            left -= share
        }
        return result
    }

    /// How many more slots `priority` may take now.
    public func headroom(for priority: LeasePriority, holdings: [LeasePriority: Int], limit: Int) -> Int {
        let held = holdings.values.reduce(0, +)
        let reserved = effectiveReservations(limit: limit)
        var othersUnmet = 0
        for other in LeasePriority.allCases where other != priority {
            othersUnmet += max(0, (reserved[other] ?? 0) - (holdings[other] ?? 0))
        }
        return max(0, limit - held - othersUnmet)
    }

    /// Whether `priority` may take one more slot now.
    public func admits(_ priority: LeasePriority, holdings: [LeasePriority: Int], limit: Int) -> Bool {
        headroom(for: priority, holdings: holdings, limit: limit) > 0
    }

    /// Fair FIFO: walks `queue` (oldest first) and returns the ids that get a slot now. A waiter whose class is out
    /// of share is skipped without blocking those behind it; everyone else is served strictly in arrival order,
    /// so a later arrival can never overtake an earlier one of the same class.
    public func grants<ID: Hashable>(
        queue: [(id: ID, priority: LeasePriority)],
        holdings: [LeasePriority: Int],
        limit: Int
    ) -> [ID] {
        var holdings = holdings
        var granted: [ID] = []
        var held = holdings.values.reduce(0, +)
        for waiter in queue {
            guard held < limit else { break }
            if admits(waiter.priority, holdings: holdings, limit: limit) {
                holdings[waiter.priority, default: 0] += 1
                held += 1
                granted.append(waiter.id)
            }
        }
        return granted
    }

    /// How many more `priority` requests could start now once the waiters ahead (`queue`, oldest first) that can
    /// be served have been: what a worker may fetch and expect slots for.
    public func headroom(
        for priority: LeasePriority,
        holdings: [LeasePriority: Int],
        queue: [LeasePriority],
        limit: Int
    ) -> Int {
        var holdings = holdings
        let indexed = queue.enumerated().map { (id: $0.offset, priority: $0.element) }
        for index in grants(queue: indexed, holdings: holdings, limit: limit) {
            holdings[queue[index], default: 0] += 1
        }
        return headroom(for: priority, holdings: holdings, limit: limit)
    }
}
