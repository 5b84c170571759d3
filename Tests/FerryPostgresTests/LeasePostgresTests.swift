import FerryCore
import FerryTestSupport
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import FerryPostgres

@Suite struct LeasePostgresTests {
    let logger = LeaseTesting.logger

    func lease(
        _ client: PostgresClient,
        _ policy: LeasePolicy,
        account: String = "TEST_ACCOUNT",
        holder: String? = nil,
        acquireTimeout: Duration? = .seconds(60),
        onLimitChange: (@Sendable (LeaseLimitChange) -> Void)? = nil
    ) -> PostgresLease {
        PostgresLease(
            client: client,
            configuration: PostgresLeaseConfiguration(
                account: account,
                policy: policy,
                holder: holder,
                acquireTimeout: acquireTimeout
            ),
            logger: logger,
            onLimitChange: onLimitChange
        )
    }

    /// The SQL functions give the same answers as the pure `LeaseTable` on random operation sequences.
    @Test(arguments: [1, 2, 3])
    func theDatabaseFollowsTheCoreRules(seed: UInt64) async throws {
        try await TestDatabase.with { client, _ in
            var random = SplitMix(seed: seed)
            let policy = LeasePolicy(
                slots: 4,
                shares: LeaseShares(reservations: [.live: 2, .reconciliation: 1]),
                ttl: .seconds(3600),
                waiterTTL: .seconds(3600),
                increaseAfter: 3
            )
            let lease = lease(client, policy)
            try await lease.configure()
            var model = LeaseTable(policy: policy)
            let now = ContinuousClock.now
            var held: [LeaseGrant] = []
            var tickets: [(ticket: Int64, priority: LeasePriority)] = []
            var stale: [LeaseGrant] = []
            for step in 0..<150 {
                let choice = random.next() % 10
                if choice < 4 || (held.isEmpty && tickets.isEmpty) {
                    let priority = LeasePriority.allCases[Int(random.next() % 3)]
                    let expected = model.acquire(holder: "h", priority: priority, ticket: nil, now: now)
                    let actual = try await lease.tryAcquire(priority: priority, ticket: nil)
                    try record(expected, actual, priority: priority, held: &held, tickets: &tickets, step: step)
                } else if choice < 6, !tickets.isEmpty {
                    let index = Int(random.next() % UInt64(tickets.count))
                    let (ticket, priority) = tickets[index]
                    let expected = model.acquire(holder: "h", priority: priority, ticket: ticket, now: now)
                    let actual = try await lease.tryAcquire(priority: priority, ticket: ticket)
                    if case .granted = expected { tickets.remove(at: index) }
                    var ignored: [(ticket: Int64, priority: LeasePriority)] = []
                    try record(expected, actual, priority: priority, held: &held, tickets: &ignored, step: step)
                } else if choice < 9, !held.isEmpty {
                    let grant = held.remove(at: Int(random.next() % UInt64(held.count)))
                    let feedback = LeaseFeedback.allCases[Int(random.next() % 3)]
                    let expected = model.release(slot: grant.slot, token: grant.token, feedback: feedback, now: now)
                    let released = try await lease.release(grant, feedback: feedback)
                    #expect(released == expected.released, "step \(step)")
                    #expect(try await lease.status().effectiveLimit == model.effectiveLimit, "step \(step)")
                    stale.append(grant)
                } else if !stale.isEmpty {
                    // A late release of a slot given back before: nothing happens to whoever holds it now.
                    let grant = stale[Int(random.next() % UInt64(stale.count))]
                    let expected = model.release(slot: grant.slot, token: grant.token, feedback: .neutral, now: now)
                    #expect(try await lease.release(grant, feedback: .neutral) == expected.released)
                    #expect(try await lease.heartbeat(grant) == false)
                } else if !tickets.isEmpty {
                    let (ticket, _) = tickets.removeFirst()
                    model.leave(ticket: ticket)
                    try await client.query("SELECT ferry_lease_leave('TEST_ACCOUNT', \(ticket))", logger: logger)
                }
                let status = try await lease.status()
                #expect(status.holdings == model.holdings(at: now).filter { $0.value > 0 }, "step \(step)")
                #expect(status.queue == model.queue(at: now).map(\.priority), "step \(step)")
                #expect(status.held <= policy.slots)
            }
        }
    }

    private func record(
        _ expected: LeaseTable.AcquireResult,
        _ actual: PostgresLease.AcquireAnswer,
        priority: LeasePriority,
        held: inout [LeaseGrant],
        tickets: inout [(ticket: Int64, priority: LeasePriority)],
        step: Int
    ) throws {
        switch (expected, actual) {
        case (.granted(let grant), .granted(let slot, let token)):
            #expect(grant.slot == slot && grant.token == token, "step \(step)")
            held.append(LeaseGrant(slot: slot, token: token, priority: priority, acquiredSentAt: .now))
        case (.waiting(let expectedTicket), .waiting(let ticket)):
            #expect(expectedTicket == ticket, "step \(step)")
            if !tickets.contains(where: { $0.ticket == ticket }) { tickets.append((ticket, priority)) }
        default:
            Issue.record("step \(step): model \(expected), database \(actual)")
            throw TestSetupError("diverged")
        }
    }

    @Test func holdersInSeveralProcessesNeverExceedTheLimit() async throws {
        try await TestDatabase.with { _, configuration in
            try await LeaseTesting.withClients(4, configuration) { clients in
                let policy = LeaseTesting.policy(slots: 5)
                let leases = clients.map { lease($0, policy) }
                let gauge = InFlightGauge()
                let overLimit = EventLog<Int>()
                try await LeaseTesting.running(leases) {
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for (index, lease) in leases.enumerated() {
                            for caller in 0..<16 {
                                group.addTask {
                                    for round in 0..<4 {
                                        let priority: LeasePriority = (caller + round) % 3 == 0 ? .replay : .live
                                        try await lease.withSlot(priority: priority) { _ in
                                            gauge.enter()
                                            defer { gauge.leave() }
                                            if (caller + index) % 7 == 0 {
                                                // Check the table too, from inside a holder.
                                                let held = try await lease.status().held
                                                if held > 5 { overLimit.append(held) }
                                            }
                                            try await Task.sleep(for: .milliseconds(Int.random(in: 1...6)))
                                        }
                                    }
                                }
                            }
                        }
                        try await group.waitForAll()
                    }
                }
                #expect(gauge.total == 4 * 16 * 4)
                #expect(gauge.maximum <= 5)
                #expect(gauge.maximum >= 2, "the lease let requests run concurrently")
                #expect(overLimit.all.isEmpty)
                let status = try await leases[0].status()
                #expect(status.held == 0 && status.queue.isEmpty)
            }
        }
    }

    @Test func anExpiredHoldersLateReleaseOrHeartbeatDoesNotTouchTheNewHolder() async throws {
        try await TestDatabase.with { client, configuration in
            try await LeaseTesting.withClients(1, configuration) { others in
                // TTLs long enough that the new holder's slot cannot also lapse on a loaded CI machine.
                let policy = LeaseTesting.policy(slots: 1, ttl: .seconds(3))
                let old = lease(client, policy, holder: "old")
                let new = lease(others[0], policy, holder: "new")
                let stale = try await old.acquire(priority: .live)
                try await Task.sleep(for: .milliseconds(3_500))
                let fresh = try await new.acquire(priority: .live)
                #expect(fresh.slot == stale.slot && fresh.token > stale.token)
                #expect(try await old.heartbeat(stale) == false)
                #expect(try await old.release(stale, feedback: .success) == false)
                #expect(try await new.status().held == 1, "the new holder still holds the slot")
                #expect(try await new.heartbeat(fresh))
                #expect(try await new.release(fresh, feedback: .success))
                #expect(try await new.status().held == 0)
            }
        }
    }

    @Test func aKilledHolderLosesItsSlotsWithinTheTTL() async throws {
        try await TestDatabase.with { client, configuration in
            let ttl = Duration.seconds(4)
            let policy = LeaseTesting.policy(slots: 2, ttl: ttl, recheck: .milliseconds(200))
            // A "process" takes both slots and dies: its client goes away with no release.
            try await LeaseTesting.withClients(1, configuration) { doomed in
                let victim = lease(doomed[0], policy, holder: "victim")
                _ = try await victim.acquire(priority: .live)
                _ = try await victim.acquire(priority: .live)
            }
            let survivor = lease(client, policy, holder: "survivor")
            #expect(try await survivor.status().held == 2)
            let start = ContinuousClock.now
            let grants = try await LeaseTesting.running([survivor]) {
                [try await survivor.acquire(priority: .live), try await survivor.acquire(priority: .live)]
            }
            let waited = ContinuousClock.now - start
            #expect(grants.count == 2)
            #expect(waited < .seconds(15), "freed within the TTL plus a re-check")
            #expect(try await survivor.status().holdings == [.live: 2])
        }
    }

    @Test func heartbeatsKeepALongCallsSlot() async throws {
        try await TestDatabase.with { client, configuration in
            try await LeaseTesting.withClients(1, configuration) { others in
                let policy = LeaseTesting.policy(slots: 1, ttl: .milliseconds(1500), recheck: .milliseconds(100))
                let holder = lease(client, policy, holder: "long")
                let other = lease(others[0], policy, holder: "other")
                let lost = try await holder.withSlot(priority: .live) { slot in
                    // Three TTLs long; the other process keeps asking meanwhile.
                    let deadline = ContinuousClock.now + .milliseconds(4500)
                    while ContinuousClock.now < deadline {
                        let answer = try await other.tryAcquire(priority: .live, ticket: nil)
                        if case .granted = answer { Issue.record("the slot was taken while its holder heartbeated") }
                        try await Task.sleep(for: .milliseconds(200))
                    }
                    return slot.isLost
                }
                #expect(!lost)
                #expect(try await holder.status().held == 0, "released afterwards")
            }
        }
    }

    @Test func waitersInAnotherProcessAreWokenByNotifyLongBeforeTheFallbackTimer() async throws {
        try await TestDatabase.with { client, configuration in
            try await LeaseTesting.withClients(1, configuration) { others in
                // Re-checks every ~10 s: a wake-up within 2 s can only come from NOTIFY.
                let policy = LeaseTesting.policy(slots: 1, recheck: .seconds(10))
                let holder = lease(client, policy, holder: "holder")
                let waiter = lease(others[0], policy, holder: "waiter")
                try await LeaseTesting.running([holder, waiter]) {
                    let grant = try await holder.acquire(priority: .live)
                    try await Task.sleep(for: .milliseconds(300))  // let the waiter's listener start
                    let woken = Task { () -> ContinuousClock.Instant in
                        let grant = try await waiter.acquire(priority: .live)
                        let at = ContinuousClock.now
                        try await waiter.release(grant, feedback: .success)
                        return at
                    }
                    #expect(try await LeaseTesting.eventually { try await holder.status().queue.count == 1 })
                    try await Task.sleep(for: .milliseconds(300))  // the waiter is asleep on its timer now
                    let releasedAt = ContinuousClock.now
                    try await holder.release(grant, feedback: .success)
                    let latency = try await woken.value - releasedAt
                    #expect(latency < .seconds(2), "woken by NOTIFY, not the 10 s timer")
                }
            }
        }
    }

    @Test func waitersAreServedInArrivalOrderAcrossProcesses() async throws {
        try await TestDatabase.with { client, configuration in
            try await LeaseTesting.withClients(3, configuration) { clients in
                let policy = LeaseTesting.policy(slots: 1, recheck: .milliseconds(300))
                let leases = clients.map { lease($0, policy) }
                let holder = lease(client, policy, holder: "holder")
                let order = EventLog<Int>()
                try await LeaseTesting.running(leases + [holder]) {
                    let first = try await holder.acquire(priority: .live)
                    var waiters: [Task<Void, any Error>] = []
                    for index in 0..<9 {
                        let lease = leases[index % 3]
                        waiters.append(
                            Task {
                                try await lease.withSlot(priority: .live) { _ in
                                    order.append(index)
                                    try await Task.sleep(for: .milliseconds(20))
                                }
                            }
                        )
                        // Arrival order is ticket order: wait for each ticket before the next caller comes.
                        #expect(
                            try await LeaseTesting.eventually { try await holder.status().queue.count == index + 1 }
                        )
                    }
                    try await holder.release(first, feedback: .success)
                    for waiter in waiters { try await waiter.value }
                }
                #expect(order.all == Array(0..<9))
            }
        }
    }

    @Test func replaysCannotTakeTheLiveReservationAndBorrowingWorks() async throws {
        try await TestDatabase.with { client, configuration in
            try await LeaseTesting.withClients(1, configuration) { others in
                let policy = LeaseTesting.policy(slots: 4, live: 2, recheck: .milliseconds(200))
                let replays = lease(client, policy, holder: "replays")
                let live = lease(others[0], policy, holder: "live")
                try await LeaseTesting.running([replays, live]) {
                    // Four replays ask: two get slots, two queue.
                    let gate = Gate()
                    let replayTasks = (0..<4).map { _ in
                        Task { try await replays.withSlot(priority: .replay) { _ in await gate.wait() } }
                    }
                    #expect(
                        try await LeaseTesting.eventually {
                            let status = try await replays.status()
                            return status.holdings == [.replay: 2] && status.queue == [.replay, .replay]
                        }
                    )
                    // Live orders behind queued replays go at once into the reserved slots.
                    let a = try await live.acquire(priority: .live)
                    let b = try await live.acquire(priority: .live)
                    #expect(try await live.status().holdings == [.replay: 2, .live: 2])
                    #expect(try await live.headroom(for: .replay) == 0)
                    try await live.release(a, feedback: .success)
                    try await live.release(b, feedback: .success)
                    // With live idle, the queued replays still cannot enter the reservation.
                    try await Task.sleep(for: .milliseconds(600))
                    #expect(try await replays.status().holdings == [.replay: 2])
                    await gate.open()
                    for task in replayTasks { try await task.value }
                    // Live borrows every unreserved slot when replays are idle.
                    let grants = try await (0..<4).asyncMap { _ in try await live.acquire(priority: .live) }
                    #expect(Set(grants.map(\.slot)).count == 4)
                    for grant in grants { try await live.release(grant, feedback: .neutral) }
                }
            }
        }
    }

    @Test func rejectionsShrinkTheSharedLimitAndSuccessGrowsItBack() async throws {
        try await TestDatabase.with { client, configuration in
            try await LeaseTesting.withClients(1, configuration) { others in
                let policy = LeaseTesting.policy(slots: 8, increaseAfter: 4)
                let changes = EventLog<LeaseLimitChange>()
                let a = lease(client, policy, onLimitChange: { changes.append($0) })
                let b = lease(others[0], policy)
                try await a.configure()
                let inFlight = [
                    try await a.acquire(priority: .live), try await b.acquire(priority: .live),
                    try await b.acquire(priority: .live),
                ]
                // All three were sent together and all got 429: the limit shrinks once.
                for grant in inFlight { try await a.release(grant, feedback: .overloaded) }
                #expect(try await a.status().effectiveLimit == 6)
                #expect(a.effectiveLimit == 6)
                // Only 6 may hold now.
                let six = try await (0..<6).asyncMap { _ in try await b.acquire(priority: .live) }
                #expect(try await b.tryAcquire(priority: .live, ticket: nil).isWaiting)
                try await b.release(six[0], feedback: .overloaded)  // admitted after the decrease: a new event
                #expect(try await b.status().effectiveLimit == 4)
                for grant in six.dropFirst() { try await b.release(grant, feedback: .success) }
                // Five successes since the decrease (increaseAfter 4): one more slot.
                #expect(try await b.status().effectiveLimit == 5)
                // Back to 6, the level last refused, takes 8 × 4 successes; then 7 and 8 at the usual pace.
                for _ in 0..<30 {  // one success at 5 came from the releases above
                    let grant = try await a.acquire(priority: .live)
                    try await a.release(grant, feedback: .success)
                }
                #expect(try await a.status().effectiveLimit == 5, "slow probe towards the refused level")
                for _ in 0..<10 {
                    let grant = try await a.acquire(priority: .live)
                    try await a.release(grant, feedback: .success)
                }
                #expect(try await a.status().effectiveLimit == 8, "grown back to the configured slots")
                #expect(changes.all.first == LeaseLimitChange(from: 8, to: 6, cause: .overloaded))
                #expect(changes.all.last?.to == 8)
            }
        }
    }

    @Test func cancellingAWaiterGivesUpItsPlaceAndAThrowingBodyReleases() async throws {
        try await TestDatabase.with { client, _ in
            let policy = LeaseTesting.policy(slots: 1, recheck: .milliseconds(200))
            let lease = lease(client, policy)
            try await LeaseTesting.running([lease]) {
                struct Boom: Error {}
                await #expect(throws: Boom.self) {
                    try await lease.withSlot(priority: .live) { _ in throw Boom() }
                }
                #expect(try await lease.status().held == 0)

                let held = try await lease.acquire(priority: .live)
                let waiting = Task { try await lease.acquire(priority: .live) }
                #expect(try await LeaseTesting.eventually { try await lease.status().queue.count == 1 })
                waiting.cancel()
                await #expect(throws: CancellationError.self) { try await waiting.value }
                #expect(try await LeaseTesting.eventually { try await lease.status().queue.isEmpty })
                #expect(lease.localWaiters == 0)

                // A body cancelled while holding still releases its slot.
                try await lease.release(held, feedback: .success)
                let inside = Task {
                    try await lease.withSlot(priority: .live) { _ in try await Task.sleep(for: .seconds(60)) }
                }
                #expect(try await LeaseTesting.eventually { try await lease.status().held == 1 })
                inside.cancel()
                _ = await inside.result
                #expect(try await LeaseTesting.eventually { try await lease.status().held == 0 })
            }
        }
    }

    @Test func acquireGivesUpAfterItsTimeout() async throws {
        try await TestDatabase.with { client, _ in
            let lease = lease(
                client,
                LeaseTesting.policy(slots: 1, recheck: .milliseconds(100)),
                acquireTimeout: .milliseconds(500)
            )
            _ = try await lease.acquire(priority: .live)
            do {
                _ = try await lease.acquire(priority: .live)
                Issue.record("expected a timeout")
            } catch let error as ConcurrencyLeaseError {
                #expect(error.code == .timedOut)
            }
        }
    }
}

extension PostgresLease.AcquireAnswer {
    var isWaiting: Bool {
        if case .waiting = self { return true }
        return false
    }
}

/// Holds tasks until opened.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func isOpenNow() -> Bool { isOpen }

    func open() {
        isOpen = true
        for waiter in waiters { waiter.resume() }
        waiters = []
    }
}

extension Sequence where Element: Sendable {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}

/// A small deterministic random generator for reproducible sequences.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
