/// The order in which one process wakes its own waiters when it cannot tell which of them may go (for instance
/// after its NOTIFY listener reconnected, when notifications naming tickets may have been missed).
///
/// Each class is a FIFO. ``heads`` are the oldest waiter of each class (a waiter out of share, say a replay, must
/// not hold up a live waiter behind it); ``remove(_:granted:)`` names the next one to wake after a grant, since
/// another slot may be free too; ``all`` is everyone, live first.
public struct LeaseWaitQueue<ID: Hashable & Sendable>: Sendable {
    private var queues: [LeasePriority: [ID]] = [:]
    private var priorities: [ID: LeasePriority] = [:]

    public init() {}

    public var count: Int { priorities.count }
    public var isEmpty: Bool { priorities.isEmpty }

    public func contains(_ id: ID) -> Bool { priorities[id] != nil }

    /// Adds a waiter at the end of its class.
    public mutating func enqueue(_ id: ID, priority: LeasePriority) {
        guard priorities[id] == nil else { return }
        priorities[id] = priority
        queues[priority, default: []].append(id)
    }

    /// Removes a waiter (granted, cancelled or failed). Returns the waiter to wake next when `granted`: the oldest
    /// remaining one of the same class, since another slot may be free too.
    @discardableResult
    public mutating func remove(_ id: ID, granted: Bool) -> ID? {
        guard let priority = priorities.removeValue(forKey: id) else { return nil }
        var queue = queues[priority] ?? []
        queue.removeAll { $0 == id }
        queues[priority] = queue.isEmpty ? nil : queue
        return granted ? queue.first : nil
    }

    /// The waiters to wake when a slot may have freed: the oldest of each class, live first.
    public var heads: [ID] {
        LeasePriority.allCases.compactMap { queues[$0]?.first }
    }

    /// Every waiter, each class oldest first, live first.
    public var all: [ID] {
        LeasePriority.allCases.flatMap { queues[$0] ?? [] }
    }
}
