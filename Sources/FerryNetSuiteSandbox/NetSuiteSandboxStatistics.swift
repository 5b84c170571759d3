/// Counters of the NetSuite paths since start or the last reset (`GET /_sandbox/stats`).
///
/// JSON: `{"concurrencyLimit": 10, "otherIntegrationSlots": 0, "inFlight": 0, "maxConcurrent": 3,
/// "rejectedConcurrency": 7, "requestsTotal": 10, "requestsByStatus": {"204": 3, "429": 7}, "droppedConnections": 0}`,
/// plus `"integrationConcurrencyLimit"` when one is configured.
public struct NetSuiteSandboxStatistics: Sendable, Equatable, Codable {
    /// The account-wide concurrency limit.
    public var concurrencyLimit: Int
    /// The limit reserved for this integration, if configured.
    public var integrationConcurrencyLimit: Int?
    /// Slots the simulated other integration holds.
    public var otherIntegrationSlots: Int
    /// Requests admitted and not yet answered.
    public var inFlight: Int
    /// The most requests ever admitted at the same time (not counting the other integration's slots).
    public var maxConcurrent: Int
    /// 429 CONCURRENCY_LIMIT_EXCEEDED answers served.
    public var rejectedConcurrency: Int
    /// All requests to NetSuite paths, whatever their answer.
    public var requestsTotal: Int
    /// Requests by HTTP status code (`"204"`, `"429"`, …); `"dropped"` for connections closed without an answer.
    public var requestsByStatus: [String: Int]
    /// Connections dropped by commit-then-fail rules.
    public var droppedConnections: Int

    init(_ snapshot: ConcurrencyGovernor.Snapshot) {
        concurrencyLimit = snapshot.accountLimit
        integrationConcurrencyLimit = snapshot.integrationLimit
        otherIntegrationSlots = snapshot.otherIntegrationSlots
        inFlight = snapshot.inFlight
        maxConcurrent = snapshot.maxInFlight
        rejectedConcurrency = snapshot.rejected
        requestsTotal = snapshot.requestsTotal
        requestsByStatus = snapshot.requestsByStatus
        droppedConnections = snapshot.droppedConnections
    }
}
