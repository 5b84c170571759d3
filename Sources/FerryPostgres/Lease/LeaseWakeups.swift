import FerryCore
import Synchronization

/// This process's waiters for a lease slot. A release names the tickets that may go now (in its NOTIFY and in its
/// answer), so only their owners wake; without names (the listener reconnected) waiters wake in
/// ``LeaseWaitQueue`` order. Each waiter also wakes on its own re-check timer. A wake-up that arrives while a
/// waiter is busy (querying), or for a ticket whose acquire answer has not arrived yet, is kept for its next wait.
final class LeaseWakeups: Sendable {
    private struct Entry {
        var continuation: CheckedContinuation<Void, Never>?
        var signalled = false
    }

    private struct State {
        var queue = LeaseWaitQueue<UInt64>()
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        var byTicket: [Int64: UInt64] = [:]
        var ticketOf: [UInt64: Int64] = [:]
        /// Tickets named before their waiter knew them (or of other processes); bounded.
        var early: Set<Int64> = []
    }

    private let state = Mutex(State())

    /// Number of waiters registered now.
    var count: Int { state.withLock { $0.entries.count } }

    func register(priority: LeasePriority) -> UInt64 {
        state.withLock { state in
            state.nextID += 1
            state.queue.enqueue(state.nextID, priority: priority)
            state.entries[state.nextID] = Entry()
            return state.nextID
        }
    }

    /// Removes a waiter (only the waiter itself does, never while it waits, so no continuation is left behind).
    func unregister(_ id: UInt64) {
        state.withLock { state in
            state.queue.remove(id, granted: false)
            state.entries[id] = nil
            if let ticket = state.ticketOf.removeValue(forKey: id) { state.byTicket[ticket] = nil }
        }
    }

    /// Records the ticket a waiter got; a wake-up already sent for it is delivered.
    func setTicket(_ id: UInt64, ticket: Int64) {
        state.withLock { state in
            if let old = state.ticketOf[id], old != ticket { state.byTicket[old] = nil }
            state.ticketOf[id] = ticket
            state.byTicket[ticket] = id
            if state.early.remove(ticket) != nil { _ = Self.signal(id, in: &state) }
        }
    }

    /// Wakes the owners of `tickets` in this process.
    func wake(tickets: [Int64]) {
        guard !tickets.isEmpty else { return }
        let continuations = state.withLock { state in
            if state.early.count > 4096 { state.early.removeAll() }
            return tickets.compactMap { ticket -> CheckedContinuation<Void, Never>? in
                guard let id = state.byTicket[ticket] else {
                    state.early.insert(ticket)
                    return nil
                }
                return Self.signal(id, in: &state)
            }
        }
        for continuation in continuations { continuation.resume() }
    }

    /// Wakes every waiter (after the listener reconnected: notifications may have been missed).
    func wakeAll() {
        let continuations = state.withLock { state in
            state.queue.all.compactMap { Self.signal($0, in: &state) }
        }
        for continuation in continuations { continuation.resume() }
    }

    private static func signal(_ id: UInt64, in state: inout State) -> CheckedContinuation<Void, Never>? {
        guard var entry = state.entries[id] else { return nil }
        if let continuation = entry.continuation {
            entry.continuation = nil
            entry.signalled = false
            state.entries[id] = entry
            return continuation
        }
        entry.signalled = true
        state.entries[id] = entry
        return nil
    }

    /// Waits until woken, `timeout` passes or the task is cancelled.
    func wait(_ id: UInt64, timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForSignal(id) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal(_ id: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    guard var entry = state.entries[id], !entry.signalled, !Task.isCancelled else {
                        state.entries[id]?.signalled = false
                        return true
                    }
                    entry.continuation = continuation
                    state.entries[id] = entry
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                let continuation = state.entries[id]?.continuation
                state.entries[id]?.continuation = nil
                return continuation
            }
            continuation?.resume()
        }
    }
}
