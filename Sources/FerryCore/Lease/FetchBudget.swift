/// How many messages a worker may take from the queue now, so that it only holds work it can expect NetSuite lease
/// slots for.
///
/// An order holds a slot only during each NetSuite call, so a worker fetches while the account's lease has live
/// headroom (free slots that no queued waiter is about to take), plus a small `prefetch`: a freshly fetched order
/// first reads PrestaShop and PostgreSQL before its first NetSuite call, and without a few orders ready behind the
/// busy slots a slot would sit idle meanwhile. Once more than `prefetch` requests queue for slots, fetching stops. The headroom is read from the shared lease, so the
/// rule holds for all worker processes together (several may read the same headroom at once; the overshoot is bounded
/// by their local in-flight limits).
///
/// A worker with nothing in flight may always take one message: no worker starves, and a lease that stays full
/// because of other integrations still lets every worker make progress.
public enum FetchBudget {
    /// - Parameters:
    ///   - freeLocal: free places under the worker's own in-flight limit.
    ///   - inFlight: messages the worker holds now.
    ///   - leaseHeadroom: live requests the lease could start now; `nil` when unknown (no lease, or it could not be
    ///     read), then only the local limit applies.
    ///   - prefetch: how many orders beyond the headroom a worker may hold ready (0 fetches strictly by headroom).
    public static func messages(freeLocal: Int, inFlight: Int, leaseHeadroom: Int?, prefetch: Int = 0) -> Int {
        let freeLocal = max(0, freeLocal)
        guard let leaseHeadroom else { return freeLocal }
        let floor = inFlight == 0 ? 1 : 0
        return min(freeLocal, max(floor, leaseHeadroom + max(0, prefetch)))
    }
}
