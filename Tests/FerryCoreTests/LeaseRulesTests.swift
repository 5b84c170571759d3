import FerryCore
import Testing

@Suite struct LeaseSharesTests {
    @Test(arguments: [
        // limit, reservations (live, reconciliation, replay), expected effective reservations
        (8, [4, 0, 0], [4, 0, 0]),
        (8, [4, 2, 1], [4, 2, 1]),
        (5, [4, 2, 1], [4, 1, 0]),
        (3, [4, 2, 1], [3, 0, 0]),
        (1, [4, 2, 1], [1, 0, 0]),
        (0, [4, 2, 1], [0, 0, 0]),
    ])
    func reservationsFitTheLimitLiveFirst(limit: Int, reserved: [Int], expected: [Int]) {
        let shares = LeaseShares(reservations: [.live: reserved[0], .reconciliation: reserved[1], .replay: reserved[2]])
        let effective = shares.effectiveReservations(limit: limit)
        #expect([effective[.live], effective[.reconciliation], effective[.replay]] == expected.map(Optional.some))
    }

    @Test(arguments: [
        // limit, live reserved, held (live, reconciliation, replay), asking class, expected headroom
        (8, 4, [0, 0, 0], LeasePriority.replay, 4),  // replays may borrow only the unreserved half
        (8, 4, [0, 0, 4], .replay, 0),  // ...and never the live reservation
        (8, 4, [0, 0, 4], .live, 4),
        (8, 4, [0, 0, 0], .live, 8),  // live borrows everything nobody reserved
        (8, 4, [5, 0, 0], .replay, 3),  // live's reservation is met: the rest is free for all
        (8, 4, [2, 0, 3], .reconciliation, 1),  // 3 free, 2 still owed to live
        (8, 4, [8, 0, 0], .live, 0),
        (4, 4, [0, 0, 0], .replay, 0),  // everything reserved
        (4, 4, [2, 0, 2], .live, 0),  // over the limit after a shrink: nobody
        (6, 4, [2, 0, 4], .live, 0),
        (1, 4, [0, 0, 0], .live, 1),
    ])
    func headroomKeepsOtherClassesReservations(
        limit: Int,
        liveReserved: Int,
        held: [Int],
        priority: LeasePriority,
        expected: Int
    ) {
        let shares = LeaseShares(reservations: [.live: liveReserved])
        let holdings: [LeasePriority: Int] = [.live: held[0], .reconciliation: held[1], .replay: held[2]]
        #expect(shares.headroom(for: priority, holdings: holdings, limit: limit) == expected)
        #expect(shares.admits(priority, holdings: holdings, limit: limit) == (expected > 0))
    }

    @Test(arguments: [
        // limit, queue, expected grants (indices)
        (2, [LeasePriority.live, .live, .live], [0, 1]),
        (3, [.replay, .replay, .live, .replay], [0, 2]),  // live reserved 2: replay 1 waits, live behind it goes
        (4, [.replay, .replay, .replay, .live, .live, .live], [0, 1, 3, 4]),
        (1, [.replay, .live], [1]),
        (0, [.live], []),
    ])
    func grantsServeTheQueueInOrderSkippingThoseOutOfShare(limit: Int, queue: [LeasePriority], expected: [Int]) {
        let shares = LeaseShares(reservations: [.live: 2])
        let granted = shares.grants(
            queue: queue.enumerated().map { (id: $0.offset, priority: $0.element) },
            holdings: [:],
            limit: limit
        )
        #expect(granted == expected)
    }

    @Test func headroomCountsTheWaitersThatWillBeServedFirst() {
        let shares = LeaseShares(reservations: [.live: 2])
        #expect(shares.headroom(for: .live, holdings: [.live: 1], queue: [.live, .live], limit: 4) == 1)
        #expect(shares.headroom(for: .replay, holdings: [:], queue: [.replay, .replay, .replay], limit: 4) == 0)
        #expect(shares.headroom(for: .live, holdings: [:], queue: [.replay, .replay, .replay], limit: 4) == 2)
    }
}

@Suite struct AdaptiveLimitTests {
    @Test(arguments: [
        (8, 0.75, [6, 4, 3, 2, 1, 1]),
        (8, 0.5, [4, 2, 1, 1]),
        (10, 0.9, [9, 8, 7, 6, 5]),
        (2, 0.99, [1, 1]),  // always at least one slot less, never below the floor
    ])
    func rejectionsShrinkMultiplicativelyToTheFloor(ceiling: Int, factor: Double, expected: [Int]) {
        var limit = AdaptiveLimit(ceiling: ceiling, decreaseFactor: factor)
        var limits: [Int] = []
        var token: Int64 = 0
        for _ in expected {
            token += 1
            _ = limit.record(.overloaded, token: token, highestIssuedToken: token)
            limits.append(limit.limit)
        }
        #expect(limits == expected)
    }

    @Test func oneCongestionEventShrinksOnce() {
        var limit = AdaptiveLimit(ceiling: 8)
        // Tokens 1...8 were all in flight when NetSuite started refusing.
        #expect(
            limit.record(.overloaded, token: 3, highestIssuedToken: 8)
                == LeaseLimitChange(from: 8, to: 6, cause: .overloaded)
        )
        for token in [1, 2, 4, 5, 6, 7, 8] as [Int64] {
            #expect(limit.record(.overloaded, token: token, highestIssuedToken: 8) == nil)
        }
        #expect(limit.limit == 6)
        // A request admitted after the decrease that is refused again: a new event.
        #expect(
            limit.record(.overloaded, token: 9, highestIssuedToken: 12)
                == LeaseLimitChange(from: 6, to: 4, cause: .overloaded)
        )
    }

    @Test func sustainedSuccessGrowsBackOneSlotAtATimeUpToTheCeiling() {
        var limit = AdaptiveLimit(ceiling: 8, limit: 5, increaseAfter: 3)
        var changes: [LeaseLimitChange] = []
        for token in 1...20 as ClosedRange<Int64> {
            if let change = limit.record(.success, token: token, highestIssuedToken: token) { changes.append(change) }
        }
        #expect(changes.map(\.to) == [6, 7, 8])
        #expect(limit.limit == 8)
    }

    @Test func growingBackToTheRefusedLevelTakesProbeFactorTimesLonger() {
        var limit = AdaptiveLimit(ceiling: 8, limit: 7, increaseAfter: 3)
        var token: Int64 = 0
        func successes(_ n: Int) -> [Int] {
            (0..<n).compactMap { _ in
                token += 1
                return limit.record(.success, token: token, highestIssuedToken: token)?.to
            }
        }
        token += 1
        #expect(limit.record(.overloaded, token: token, highestIssuedToken: token)?.to == 5)
        #expect(limit.overloadedAt == 7)
        #expect(successes(3) == [6], "below the refused level: the usual pace")
        #expect(successes(3 * AdaptiveLimit.probeFactor - 1) == [], "back to the refused level: slowly")
        #expect(successes(1) == [7])
        #expect(limit.overloadedAt == 7, "reached: remembered until it holds")
        #expect(successes(3) == [8], "at it: the usual pace")
        #expect(limit.overloadedAt == 0, "grown past without a refusal: forgotten")
    }

    /// Another integration holds the rest of the pool: each probe refused again at the same level waits twice as long.
    @Test func probesRefusedAgainAtTheSameLevelBackOff() {
        var limit = AdaptiveLimit(ceiling: 8, limit: 7, increaseAfter: 2)
        var token: Int64 = 0
        func refuse() {
            token += 1
            _ = limit.record(.overloaded, token: token, highestIssuedToken: token)
        }
        /// Successes until the limit reaches `level` again.
        func successesUntil(_ level: Int) -> Int {
            var count = 0
            while limit.limit < level {
                token += 1
                count += 1
                _ = limit.record(.success, token: token, highestIssuedToken: token)
            }
            return count
        }
        refuse()
        #expect(limit.limit == 5 && limit.overloadedAt == 7 && limit.probeRefusals == 0)
        var probeWaits: [Int] = []
        for refusals in 1...6 {
            #expect(successesUntil(6) == 2, "below the refused level: the usual pace")
            probeWaits.append(successesUntil(7))
            refuse()
            #expect(limit.probeRefusals == min(refusals, AdaptiveLimit.maxProbeDoublings))
        }
        let base = 2 * AdaptiveLimit.probeFactor
        #expect(probeWaits == [base, base * 2, base * 4, base * 8, base * 16, base * 16], "doubling, capped")
        #expect(limit.probeRefusals == AdaptiveLimit.maxProbeDoublings)

        // A refusal at another level starts over.
        _ = successesUntil(6)
        refuse()
        #expect(limit.overloadedAt == 6 && limit.probeRefusals == 0)
    }

    /// The saw-tooth the probe memory avoids: against a pool with room for 6, the limit spends most requests at 6.
    @Test func againstAFixedPoolTheLimitStaysOneBelowTheRefusedLevel() {
        var limit = AdaptiveLimit(ceiling: 8, increaseAfter: 25)
        var atSix = 0
        let requests = 5_000
        for token in 1...Int64(requests) {
            let feedback: LeaseFeedback = limit.limit > 6 ? .overloaded : .success
            _ = limit.record(feedback, token: token, highestIssuedToken: token)
            if limit.limit == 6 { atSix += 1 }
        }
        #expect(Double(atSix) / Double(requests) > 0.8, "\(atSix) of \(requests) requests at the pool's size")
    }

    @Test func aRejectionResetsTheSuccessStreakAndNeutralChangesNothing() {
        var limit = AdaptiveLimit(ceiling: 8, limit: 4, increaseAfter: 3)
        _ = limit.record(.success, token: 1, highestIssuedToken: 1)
        _ = limit.record(.success, token: 2, highestIssuedToken: 2)
        _ = limit.record(.overloaded, token: 3, highestIssuedToken: 3)
        #expect(limit.limit == 3 && limit.successStreak == 0)
        let before = limit
        #expect(limit.record(.neutral, token: 4, highestIssuedToken: 4) == nil)
        #expect(limit == before)
    }

    @Test func lowerCeilingCapsTheLimit() {
        var limit = AdaptiveLimit(ceiling: 8)
        limit.setCeiling(5)
        #expect(limit.limit == 5 && limit.ceiling == 5)
        #expect(AdaptiveLimit(ceiling: 0).limit == 1)
    }
}

@Suite struct LeasePolicyTests {
    @Test(arguments: [
        (Int?.some(10), 2, Int?.some(8)),
        (15, 2, 13),
        (2, 5, 1),
        (nil, 2, nil),
        (0, 2, nil),
    ])
    func slotsFromGovernanceLimitsLeaveTheReserve(available: Int?, reserve: Int, expected: Int?) {
        #expect(LeasePolicy.slots(available: available, reserve: reserve) == expected)
    }

    @Test func defaultsReserveHalfForLiveOrdersAndHeartbeatAtAThirdOfTheTTL() {
        let policy = LeasePolicy()
        #expect(policy.slots == 8 && policy.ttl == .seconds(30) && policy.heartbeatInterval == .seconds(10))
        #expect(policy.shares.reservations == [.live: 4])
        #expect(LeasePolicy(slots: 1).shares.reservations == [.live: 1])
        #expect(LeasePolicy(ttl: .seconds(3), heartbeatInterval: .seconds(9)).heartbeatInterval == .milliseconds(1500))
    }

    @Test(arguments: [0.0, 0.25, 0.5, 1.0])
    func retryDelaysAreJitteredAroundTheBase(unit: Double) {
        let policy = LeasePolicy(recheckInterval: .seconds(1), concurrencyRetryDelay: .milliseconds(200))
        let retry = policy.concurrencyRetryDelay(unitRandom: unit)
        let slack = Duration.microseconds(1)  // Duration × Double rounds
        #expect(retry >= .milliseconds(100) - slack && retry <= .milliseconds(300) + slack)
        let recheck = policy.recheckDelay(unitRandom: unit)
        #expect(recheck >= .milliseconds(800) - slack && recheck <= .milliseconds(1200) + slack)
    }

    @Test func priorityIsATaskLocalDefaultingToLive() async {
        #expect(LeasePriority.current == .live)
        await LeasePriority.$current.withValue(.replay) {
            let inner = await Task { LeasePriority.current }.value
            #expect(LeasePriority.current == .replay && inner == .replay)
        }
        #expect(LeasePriority.live < .reconciliation && LeasePriority.reconciliation < .replay)
    }
}

@Suite struct LeaseHeartbeatTests {
    let start = ContinuousClock.now

    @Test(arguments: [
        // seconds after the acquire was sent, expected action
        (0.0, "sleep"), (9.9, "sleep"), (10.0, "heartbeat"), (29.9, "heartbeat"), (30.0, "lost"), (45.0, "lost"),
    ])
    func actionsFollowTheIntervalAndTheTTL(after: Double, expected: String) {
        let heartbeat = LeaseHeartbeat(ttl: .seconds(30), interval: .seconds(10), acquiredSentAt: start)
        let action = heartbeat.nextAction(now: start + .seconds(after))
        switch action {
        case .sleep(let until): #expect(expected == "sleep" && until == start + .seconds(10))
        case .heartbeat: #expect(expected == "heartbeat")
        case .lost: #expect(expected == "lost")
        }
    }

    @Test func aConfirmedHeartbeatMovesTheWindowAndARefusedOneLosesTheSlot() {
        var heartbeat = LeaseHeartbeat(ttl: .seconds(30), interval: .seconds(10), acquiredSentAt: start)
        heartbeat.recordHeartbeat(sentAt: start + .seconds(25), extended: true)
        #expect(heartbeat.nextAction(now: start + .seconds(30)) == .sleep(until: start + .seconds(35)))
        #expect(heartbeat.nextAction(now: start + .seconds(40)) == .heartbeat)
        #expect(heartbeat.presumedExpiry == start + .seconds(55))
        heartbeat.recordHeartbeat(sentAt: start + .seconds(41), extended: false)
        #expect(heartbeat.isLost && heartbeat.nextAction(now: start + .seconds(41)) == .lost)
    }
}

@Suite struct LeaseWaitQueueTests {
    @Test func headsAreTheOldestOfEachClassLiveFirst() {
        var queue = LeaseWaitQueue<Int>()
        for (id, priority) in [(1, LeasePriority.replay), (2, .live), (3, .replay), (4, .live), (5, .reconciliation)] {
            queue.enqueue(id, priority: priority)
        }
        #expect(queue.heads == [2, 5, 1])
        #expect(queue.all == [2, 4, 5, 1, 3])
        #expect(queue.remove(2, granted: true) == 4, "a grant wakes the next of the class")
        #expect(queue.remove(1, granted: false) == nil, "a waiter giving up wakes nobody")
        #expect(queue.heads == [4, 5, 3] && queue.count == 3)
        #expect(queue.remove(4, granted: true) == nil)
        #expect(queue.remove(42, granted: true) == nil)
    }
}
