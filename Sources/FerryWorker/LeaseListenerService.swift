import FerryPostgres
import Metrics
import ServiceLifecycle

/// Keeps the lease's LISTEN connection (slot wake-ups) running for the life of the worker.
public struct LeaseListenerService: Service {
    let lease: PostgresLease
    let limit: Int

    public init(lease: PostgresLease, limit: Int) {
        self.lease = lease
        self.limit = limit
    }

    public func run() async throws {
        Gauge(label: "ferry_lease_effective_limit").record(limit)
        try await cancelWhenGracefulShutdown { try await lease.run() }
    }
}
