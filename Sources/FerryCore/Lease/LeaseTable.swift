/// The lease of one NetSuite account as a pure state machine: the reference model of the shared table that the
/// PostgreSQL adapter keeps (`netsuite_lease_slots`, `netsuite_lease_waiters`), with the same answers.
///
/// - A slot is held by one holder with a **fencing token** (strictly increasing) until it is released or its
///   `expiresAt` passes; heartbeats move `expiresAt`. Only the current token can release or extend a slot, and
///   an expired slot cannot be extended, so a holder that lost its lease can never free or keep someone else's.
/// - Admission follows ``LeaseShares`` against the effective limit of the ``AdaptiveLimit`` controller.
/// - Requests that cannot go now queue with a ticket and are served in ticket order (``LeaseShares/grants``),
///   so nobody starves; a ticket not refreshed within `waiterTTL` is dropped.
///
/// The caller passes the time in (the database uses its own `now()`).
public struct LeaseTable: Sendable {
    public typealias Instant = ContinuousClock.Instant

    public struct Slot: Sendable, Hashable {
        public var number: Int
        public var holder: String?
        public var priority: LeasePriority?
        public var token: Int64?
        public var expiresAt: Instant?

        func isHeld(at now: Instant) -> Bool {
            guard token != nil, let expiresAt else { return false }
            return expiresAt > now
        }
    }

    public struct Waiter: Sendable, Hashable {
        public var ticket: Int64
        public var holder: String
        public var priority: LeasePriority
        public var expiresAt: Instant
    }

    /// A slot handed out.
    public struct Grant: Sendable, Hashable {
        public var slot: Int
        public var token: Int64
        public var expiresAt: Instant
    }

    public enum AcquireResult: Sendable, Hashable {
        case granted(Grant)
        /// Not now: come back with this ticket (it keeps the place in the queue).
        case waiting(ticket: Int64)
    }

    public struct ReleaseResult: Sendable, Hashable {
        /// True when the token still held the slot (it is free now).
        public var released: Bool
        public var limitChange: LeaseLimitChange?
    }

    public private(set) var policy: LeasePolicy
    public private(set) var slots: [Slot]
    public private(set) var waiters: [Waiter] = []
    public private(set) var adaptive: AdaptiveLimit
    public private(set) var lastToken: Int64 = 0
    public private(set) var lastTicket: Int64 = 0

    public init(policy: LeasePolicy) {
        self.policy = policy
        self.slots = (1...policy.slots).map { Slot(number: $0) }
        self.adaptive = policy.makeAdaptiveLimit()
    }

    /// The effective slot count now.
    public var effectiveLimit: Int { adaptive.limit }

    /// Slots held per class at `now` (expired ones are free).
    public func holdings(at now: Instant) -> [LeasePriority: Int] {
        var result: [LeasePriority: Int] = [:]
        for slot in slots where slot.isHeld(at: now) {
            if let priority = slot.priority { result[priority, default: 0] += 1 }
        }
        return result
    }

    /// Waiters whose ticket is still valid at `now`, oldest first.
    public func queue(at now: Instant) -> [Waiter] {
        waiters.filter { $0.expiresAt > now }
    }

    /// Asks for a slot. Without a ticket the request joins the end of the queue; with one it keeps its place
    /// (a ticket that has expired is replaced by a new one at the end).
    public mutating func acquire(
        holder: String,
        priority: LeasePriority,
        ticket: Int64?,
        now: Instant
    ) -> AcquireResult {
        waiters.removeAll { $0.expiresAt <= now }
        let holdings = holdings(at: now)
        var queue = waiters.map { (id: $0.ticket, priority: $0.priority) }
        let known = ticket.flatMap { ticket in waiters.firstIndex { $0.ticket == ticket } }
        let me: Int64
        if let known {
            me = waiters[known].ticket
        } else {
            me = -1
            queue.append((id: me, priority: priority))
        }
        if let position = queue.firstIndex(where: { $0.id == me }) {
            queue = Array(queue[...position])
        }
        let granted = policy.shares.grants(queue: queue, holdings: holdings, limit: adaptive.limit).contains(me)
        guard granted, let free = slots.firstIndex(where: { !$0.isHeld(at: now) }) else {
            if let known {
                waiters[known].expiresAt = now + policy.waiterTTL
                return .waiting(ticket: waiters[known].ticket)
            }
            lastTicket += 1
            waiters.append(
                Waiter(ticket: lastTicket, holder: holder, priority: priority, expiresAt: now + policy.waiterTTL)
            )
            return .waiting(ticket: lastTicket)
        }
        if let known { waiters.remove(at: known) }
        lastToken += 1
        let expiresAt = now + policy.ttl
        slots[free] = Slot(
            number: slots[free].number,
            holder: holder,
            priority: priority,
            token: lastToken,
            expiresAt: expiresAt
        )
        return .granted(Grant(slot: slots[free].number, token: lastToken, expiresAt: expiresAt))
    }

    /// Gives a slot back and feeds the request's outcome to the AIMD controller. Frees the slot only if `token`
    /// still holds it (a late release after expiry and re-grant does nothing to the new holder).
    public mutating func release(slot number: Int, token: Int64, feedback: LeaseFeedback, now: Instant) -> ReleaseResult
    {
        var released = false
        if let index = slots.firstIndex(where: { $0.number == number }), slots[index].token == token {
            released = slots[index].isHeld(at: now)
            slots[index] = Slot(number: number)
        }
        let change = adaptive.record(feedback, token: token, highestIssuedToken: lastToken)
        return ReleaseResult(released: released, limitChange: change)
    }

    /// Extends a slot to `now + ttl` if `token` holds it and it has not expired; returns the new expiry, or `nil`
    /// when the slot is no longer this holder's.
    public mutating func heartbeat(slot number: Int, token: Int64, now: Instant) -> Instant? {
        guard let index = slots.firstIndex(where: { $0.number == number }), slots[index].token == token,
            slots[index].isHeld(at: now)
        else { return nil }
        let expiresAt = now + policy.ttl
        slots[index].expiresAt = expiresAt
        return expiresAt
    }

    /// Gives up a place in the queue (the waiter was cancelled).
    public mutating func leave(ticket: Int64) {
        waiters.removeAll { $0.ticket == ticket }
    }

    /// How many more `priority` requests could start now, counting the valid waiters ahead: the number a worker
    /// may fetch from the queue and expect slots for.
    public func headroom(for priority: LeasePriority, at now: Instant) -> Int {
        policy.shares.headroom(
            for: priority,
            holdings: holdings(at: now),
            queue: queue(at: now).map(\.priority),
            limit: adaptive.limit
        )
    }
}
