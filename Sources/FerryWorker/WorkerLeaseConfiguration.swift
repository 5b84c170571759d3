import FerryCore
import FerryNetSuite
import Logging

/// How a worker sizes and shares the NetSuite account's lease (every NetSuite request, from every worker process,
/// holds one slot of it in PostgreSQL).
public struct WorkerLeaseConfiguration: Sendable {
    /// How many slots the lease has.
    public enum Slots: Sendable, Equatable {
        /// A fixed count.
        case fixed(Int)
        /// What NetSuite's `governanceLimits` says this integration may use, minus `reserve` slots left to other
        /// integrations.
        case auto(reserve: Int)
    }

    public var slots: Slots
    /// Slots reserved for live orders; `nil` is half the slots (at least one).
    public var liveReserved: Int?
    /// A crashed holder's slots come back after this.
    public var ttl: Duration

    public init(slots: Slots = .fixed(8), liveReserved: Int? = nil, ttl: Duration = .seconds(30)) {
        self.slots = slots
        self.liveReserved = liveReserved
        self.ttl = ttl
    }

    /// The policy for `slots` resolved slots.
    public func policy(slots: Int) -> LeasePolicy {
        LeasePolicy(
            slots: slots,
            shares: LeaseShares(reservations: [.live: liveReserved ?? max(1, slots / 2)]),
            ttl: ttl
        )
    }
}

/// The lease's slot count: a fixed count, or with ``WorkerLeaseConfiguration/Slots/auto(reserve:)`` what NetSuite's
/// `governanceLimits` says this integration may use minus the reserve left to other integrations. The governance
/// call needs an administrator role; when it fails or says nothing, 8 is used. It is made once at startup outside
/// the lease (one request).
public func leaseSlots(
    _ slots: WorkerLeaseConfiguration.Slots,
    netSuite configuration: NetSuiteConfiguration,
    logger: Logger
) async throws -> Int {
    let fallback = 8
    let reserve: Int
    switch slots {
    case .fixed(let count): return count
    case .auto(let slotsLeftToOthers): reserve = slotsLeftToOthers
    }
    let client = try NetSuiteClient(configuration: configuration)
    let answer: Result<NetSuiteGovernanceLimits, any Error>
    do {
        answer = .success(try await client.governanceLimits(logger: logger))
    } catch {
        answer = .failure(error)
    }
    try? await client.shutdown()
    do {
        let limits = try answer.get()
        if let slots = LeasePolicy.slots(available: limits.availableConcurrency, reserve: reserve) {
            logger.notice(
                "NetSuite lease sized from governance limits",
                metadata: [
                    "lease.slots": "\(slots)", "lease.reserve": "\(reserve)",
                    "netsuite.available_concurrency": "\(limits.availableConcurrency ?? 0)",
                    "netsuite.limit_type": "\(limits.integrationLimitType ?? "unknown")",
                ]
            )
            return slots
        }
        logger.warning(
            "NetSuite governance limits name no concurrency limit: using the default slots",
            metadata: ["lease.slots": "\(fallback)"]
        )
    } catch {
        logger.warning(
            "NetSuite governance limits unavailable: using the default slots",
            metadata: [
                "lease.slots": "\(fallback)",
                "error.type": "\((error as? NetSuiteError)?.shortForm ?? "\(type(of: error))")",
            ]
        )
    }
    return fallback
}
