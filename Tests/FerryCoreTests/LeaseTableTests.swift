import FerryCore
import Testing

@Suite struct LeaseTableTests {
    let t0 = ContinuousClock.now

    func table(slots: Int = 2, live: Int = 0, ttl: Duration = .seconds(30)) -> LeaseTable {
        LeaseTable(policy: LeasePolicy(slots: slots, shares: LeaseShares(reservations: [.live: live]), ttl: ttl))
    }

    func grant(_ result: LeaseTable.AcquireResult) -> LeaseTable.Grant? {
        if case .granted(let grant) = result { return grant }
        return nil
    }

    func ticket(_ result: LeaseTable.AcquireResult) -> Int64? {
        if case .waiting(let ticket) = result { return ticket }
        return nil
    }

    @Test func grantsUpToTheLimitWithIncreasingTokensThenQueues() throws {
        var lease = table(slots: 2)
        let a = try #require(grant(lease.acquire(holder: "a", priority: .live, ticket: nil, now: t0)))
        let b = try #require(grant(lease.acquire(holder: "b", priority: .live, ticket: nil, now: t0)))
        #expect(a.slot == 1 && b.slot == 2 && b.token > a.token)
        #expect(a.expiresAt == t0 + .seconds(30))
        #expect(ticket(lease.acquire(holder: "c", priority: .live, ticket: nil, now: t0)) == 1)
        #expect(lease.holdings(at: t0) == [.live: 2])
    }

    @Test func aLateReleaseOrHeartbeatAfterExpiryNeverTouchesTheNewHolder() throws {
        var lease = table(slots: 1, ttl: .seconds(30))
        let old = try #require(grant(lease.acquire(holder: "old", priority: .live, ticket: nil, now: t0)))
        // The old holder went quiet: at t0+30s its slot is free again.
        let later = t0 + .seconds(31)
        let new = try #require(grant(lease.acquire(holder: "new", priority: .live, ticket: nil, now: later)))
        #expect(new.slot == old.slot && new.token > old.token)
        #expect(lease.heartbeat(slot: old.slot, token: old.token, now: later) == nil)
        #expect(lease.release(slot: old.slot, token: old.token, feedback: .success, now: later).released == false)
        #expect(lease.slots[0].holder == "new", "the new holder keeps the slot")
        #expect(lease.heartbeat(slot: new.slot, token: new.token, now: later) == later + .seconds(30))
        #expect(lease.release(slot: new.slot, token: new.token, feedback: .success, now: later).released)
    }

    @Test func anExpiredSlotCannotBeExtendedEvenIfNobodyTookIt() throws {
        var lease = table(slots: 1, ttl: .seconds(10))
        let a = try #require(grant(lease.acquire(holder: "a", priority: .live, ticket: nil, now: t0)))
        #expect(lease.heartbeat(slot: a.slot, token: a.token, now: t0 + .seconds(9)) == t0 + .seconds(19))
        #expect(lease.heartbeat(slot: a.slot, token: a.token, now: t0 + .seconds(19)) == nil)
        #expect(lease.holdings(at: t0 + .seconds(19)) == [:])
    }

    @Test func waitersAreServedFirstComeFirstServed() throws {
        var lease = table(slots: 1)
        let holder = try #require(grant(lease.acquire(holder: "h", priority: .live, ticket: nil, now: t0)))
        let first = try #require(ticket(lease.acquire(holder: "w1", priority: .live, ticket: nil, now: t0)))
        let second = try #require(ticket(lease.acquire(holder: "w2", priority: .live, ticket: nil, now: t0)))
        _ = lease.release(slot: holder.slot, token: holder.token, feedback: .success, now: t0)
        // The second waiter asks first, but the slot is the first waiter's.
        #expect(ticket(lease.acquire(holder: "w2", priority: .live, ticket: second, now: t0)) == second)
        #expect(ticket(lease.acquire(holder: "late", priority: .live, ticket: nil, now: t0)) != nil, "no overtaking")
        #expect(grant(lease.acquire(holder: "w1", priority: .live, ticket: first, now: t0)) != nil)
        #expect(lease.queue(at: t0).map(\.ticket).first == second)
    }

    @Test func aWaiterThatStopsAskingLosesItsPlace() throws {
        var lease = table(slots: 1)
        let holder = try #require(grant(lease.acquire(holder: "h", priority: .live, ticket: nil, now: t0)))
        let gone = try #require(ticket(lease.acquire(holder: "gone", priority: .live, ticket: nil, now: t0)))
        let later = t0 + .seconds(6)  // waiterTTL is 5 s
        let next = try #require(ticket(lease.acquire(holder: "next", priority: .live, ticket: nil, now: later)))
        _ = lease.release(slot: holder.slot, token: holder.token, feedback: .success, now: later)
        #expect(grant(lease.acquire(holder: "next", priority: .live, ticket: next, now: later)) != nil)
        // Coming back with an expired ticket queues again at the end.
        let requeued = try #require(ticket(lease.acquire(holder: "gone", priority: .live, ticket: gone, now: later)))
        #expect(requeued > next)
    }

    @Test func replaysNeverTakeTheLiveReservationButLiveBorrowsEverything() throws {
        var lease = table(slots: 4, live: 2)
        let replays = (0..<4).map { _ in lease.acquire(holder: "r", priority: .replay, ticket: nil, now: t0) }
        #expect(replays.compactMap(grant).count == 2 && replays.compactMap(ticket).count == 2)
        // A live order behind two queued replays goes at once.
        #expect(grant(lease.acquire(holder: "l", priority: .live, ticket: nil, now: t0)) != nil)
        #expect(grant(lease.acquire(holder: "l", priority: .live, ticket: nil, now: t0)) != nil)
        #expect(lease.holdings(at: t0) == [.replay: 2, .live: 2])

        var idle = table(slots: 4, live: 2)
        let lives = (0..<4).map { _ in idle.acquire(holder: "l", priority: .live, ticket: nil, now: t0) }
        #expect(lives.compactMap(grant).count == 4, "unreserved slots are borrowed")
    }

    @Test func leavingTheQueueLetsTheNextWaiterGo() throws {
        var lease = table(slots: 1)
        let holder = try #require(grant(lease.acquire(holder: "h", priority: .live, ticket: nil, now: t0)))
        let first = try #require(ticket(lease.acquire(holder: "w1", priority: .live, ticket: nil, now: t0)))
        let second = try #require(ticket(lease.acquire(holder: "w2", priority: .live, ticket: nil, now: t0)))
        _ = lease.release(slot: holder.slot, token: holder.token, feedback: .success, now: t0)
        lease.leave(ticket: first)
        #expect(grant(lease.acquire(holder: "w2", priority: .live, ticket: second, now: t0)) != nil)
    }

    @Test func rejectionsShrinkTheEffectiveLimitAndGrantsFollowIt() throws {
        var lease = table(slots: 4)
        let grants = try (0..<4).map { _ in
            try #require(grant(lease.acquire(holder: "a", priority: .live, ticket: nil, now: t0)))
        }
        let change = lease.release(slot: grants[0].slot, token: grants[0].token, feedback: .overloaded, now: t0)
        #expect(change.limitChange == LeaseLimitChange(from: 4, to: 3, cause: .overloaded))
        // The others were in flight under the old limit: their 429s change nothing more.
        #expect(
            lease.release(slot: grants[1].slot, token: grants[1].token, feedback: .overloaded, now: t0).limitChange
                == nil
        )
        #expect(lease.effectiveLimit == 3)
        // Two still held, limit 3: one more may go, the next waits.
        #expect(grant(lease.acquire(holder: "b", priority: .live, ticket: nil, now: t0)) != nil)
        #expect(ticket(lease.acquire(holder: "c", priority: .live, ticket: nil, now: t0)) != nil)
        #expect(lease.headroom(for: .live, at: t0) == 0)
    }
}
