import FerryCore
import Testing

@Suite("Fetch budget: a worker fetches only what the lease can serve")
struct FetchBudgetTests {
    @Test(
        "budget = min(free local places, lease headroom), one message for an idle worker",
        arguments: [
            // (freeLocal, inFlight, headroom, expected)
            (8, 0, nil, 8),  // no lease: the local limit alone
            (8, 0, 5, 5),  // headroom below the local limit
            (3, 5, 6, 3),  // local limit below the headroom
            (8, 4, 0, 0),  // lease full or promised to waiters: hold off
            (8, 0, 0, 1),  // idle worker may always take one: no worker starves
            (8, 2, -3, 0),  // headroom can be negative (waiters beyond the limit)
            (0, 8, 6, 0),  // nothing free locally
            (-1, 9, 6, 0),  // over the limit (limit lowered at runtime)
        ] as [(Int, Int, Int?, Int)]
    )
    func budget(freeLocal: Int, inFlight: Int, headroom: Int?, expected: Int) {
        #expect(FetchBudget.messages(freeLocal: freeLocal, inFlight: inFlight, leaseHeadroom: headroom) == expected)
    }

    @Test(
        "prefetch keeps a few orders ready behind busy slots, never more",
        arguments: [
            // (freeLocal, inFlight, headroom, prefetch, expected)
            (8, 4, 0, 2, 2),  // lease full, nobody waiting: two may get ready
            (8, 4, -2, 2, 0),  // two requests already wait: enough ready
            (8, 4, -1, 2, 1),
            (8, 4, 3, 2, 5),
            (1, 7, 3, 2, 1),  // the local limit still caps it
            (8, 4, 0, -5, 0),  // a negative prefetch counts as none
        ] as [(Int, Int, Int, Int, Int)]
    )
    func prefetch(freeLocal: Int, inFlight: Int, headroom: Int, prefetch: Int, expected: Int) {
        #expect(
            FetchBudget.messages(freeLocal: freeLocal, inFlight: inFlight, leaseHeadroom: headroom, prefetch: prefetch)
                == expected
        )
    }
}
