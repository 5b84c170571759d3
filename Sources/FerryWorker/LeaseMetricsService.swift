import FerryMetricCatalogue
import FerryPostgres
import Logging
import ServiceLifecycle

/// Records the account-wide NetSuite lease state every `interval`: slots held by all Ferry processes together
/// (`ferry_lease_slots_in_use`) and the effective limit (`ferry_lease_effective_limit`). Every worker reports the
/// same account-wide numbers, so dashboards take `max` over instances.
public struct LeaseMetricsService: Service {
    public static let defaultInterval: Duration = .seconds(2)

    let lease: PostgresLease
    let interval: Duration
    let logger: Logger

    public init(lease: PostgresLease, interval: Duration = Self.defaultInterval, logger: Logger) {
        self.lease = lease
        self.interval = interval
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                // Not waited for once the worker shuts down (PostgreSQL may be gone).
                let status = try await cancelWhenGracefulShutdown { try await lease.status() }
                FerryMetric.recordLease(slotsInUse: status.held, effectiveLimit: status.effectiveLimit)
            } catch {
                logger.debug("lease status unavailable", metadata: ["error.type": "\(type(of: error))"])
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }
}
