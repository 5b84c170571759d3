import Synchronization

/// The account-wide concurrency pool (A8, A13.12) and the request statistics the control API reports.
///
/// Every request to a NetSuite path takes a slot for its whole life (injected latency included) or is refused at
/// once with 429. Slots held by "another integration" count against the same pool. With an integration limit set,
/// this integration may hold at most that many slots whatever the pool has free.
final class ConcurrencyGovernor: Sendable {
    struct Snapshot: Sendable, Equatable {
        var accountLimit: Int
        var integrationLimit: Int?
        var otherIntegrationSlots: Int
        var inFlight: Int
        var maxInFlight: Int
        var rejected: Int
        var requestsTotal: Int
        var requestsByStatus: [String: Int]
        var droppedConnections: Int
    }

    private struct State {
        var accountLimit: Int
        var integrationLimit: Int?
        var otherIntegrationSlots = 0
        var inFlight = 0
        var maxInFlight = 0
        var rejected = 0
        var requestsTotal = 0
        var requestsByStatus: [String: Int] = [:]
        var droppedConnections = 0
    }

    private let state: Mutex<State>

    init(accountLimit: Int, integrationLimit: Int?, otherIntegrationSlots: Int) {
        var initial = State(accountLimit: max(accountLimit, 0), integrationLimit: integrationLimit)
        initial.otherIntegrationSlots = max(otherIntegrationSlots, 0)
        state = Mutex(initial)
    }

    /// Takes a slot if one is free. Returns false (and counts a rejection) when the request must get 429.
    func tryAcquire() -> Bool {
        state.withLock { state in
            let accountFree = state.inFlight + state.otherIntegrationSlots < state.accountLimit
            let integrationFree = state.integrationLimit.map { state.inFlight < $0 } ?? true
            guard accountFree && integrationFree else {
                state.rejected += 1
                return false
            }
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            return true
        }
    }

    func release() {
        state.withLock { $0.inFlight = max(0, $0.inFlight - 1) }
    }

    /// Counts one finished NetSuite request by its answer: a status code, or `dropped` for a dropped connection.
    func record(outcome: String) {
        state.withLock { state in
            state.requestsTotal += 1
            state.requestsByStatus[outcome, default: 0] += 1
            if outcome == Self.droppedOutcome { state.droppedConnections += 1 }
        }
    }

    static let droppedOutcome = "dropped"

    var otherIntegrationSlots: Int {
        get { state.withLock { $0.otherIntegrationSlots } }
        set { state.withLock { $0.otherIntegrationSlots = max(0, newValue) } }
    }

    func snapshot() -> Snapshot {
        state.withLock { state in
            Snapshot(
                accountLimit: state.accountLimit,
                integrationLimit: state.integrationLimit,
                otherIntegrationSlots: state.otherIntegrationSlots,
                inFlight: state.inFlight,
                maxInFlight: state.maxInFlight,
                rejected: state.rejected,
                requestsTotal: state.requestsTotal,
                requestsByStatus: state.requestsByStatus,
                droppedConnections: state.droppedConnections
            )
        }
    }

    /// Zeroes the counters; `maxInFlight` restarts from what is in flight now.
    func resetStatistics() {
        state.withLock { state in
            state.maxInFlight = state.inFlight
            state.rejected = 0
            state.requestsTotal = 0
            state.requestsByStatus = [:]
            state.droppedConnections = 0
        }
    }
}
