import FerryCore
import FerryTestSupport
import Foundation
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import FerryPostgres

/// Helpers for the lease tests: extra clients that stand for other processes, running leases, and counters.
enum LeaseTesting {
    static let logger = Logger(label: "ferry.test.lease")

    /// A short-TTL policy for tests.
    static func policy(
        slots: Int,
        live: Int = 0,
        ttl: Duration = .seconds(30),
        recheck: Duration = .seconds(1),
        increaseAfter: Int = 25
    ) -> LeasePolicy {
        LeasePolicy(
            slots: slots,
            shares: LeaseShares(reservations: [.live: live]),
            ttl: ttl,
            recheckInterval: recheck,
            increaseAfter: increaseAfter
        )
    }

    /// `count` extra running clients on the same database (each one a "process"), with few connections each.
    static func withClients<T: Sendable>(
        _ count: Int,
        _ configuration: DatabaseConfiguration,
        maximumConnections: Int = 4,
        _ body: @Sendable ([PostgresClient]) async throws -> T
    ) async throws -> T {
        var small = configuration
        small.maximumConnections = maximumConnections
        let clients = (0..<count).map { _ in
            PostgresClient(configuration: small.clientConfiguration, backgroundLogger: logger)
        }
        return try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients { group.addTask { await client.run() } }
            defer { group.cancelAll() }
            return try await body(clients)
        }
    }

    /// Runs the leases' listeners while `body` runs.
    static func running<T: Sendable>(
        _ leases: [PostgresLease],
        _ body: @Sendable () async throws -> T
    ) async throws
        -> T
    {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for lease in leases {
                try await lease.configure()
                group.addTask { try await lease.run() }
            }
            defer { group.cancelAll() }
            return try await body()
        }
    }

    /// Polls `condition` (a database read) every 20 ms until it holds or `timeout` passes.
    static func eventually(
        timeout: Duration = .seconds(20),
        _ condition: @Sendable () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return try await condition()
    }
}

/// Counts requests in flight and remembers the most at once.
final class InFlightGauge: Sendable {
    private let state = Mutex<(now: Int, max: Int, total: Int)>((0, 0, 0))

    func enter() {
        state.withLock {
            $0.now += 1
            $0.max = Swift.max($0.max, $0.now)
            $0.total += 1
        }
    }
    func leave() { state.withLock { $0.now -= 1 } }
    var maximum: Int { state.withLock { $0.max } }
    var total: Int { state.withLock { $0.total } }
}

/// An ordered log shared by tasks.
final class EventLog<Element: Sendable>: Sendable {
    private let items = Mutex<[Element]>([])
    func append(_ item: Element) { items.withLock { $0.append(item) } }
    var all: [Element] { items.withLock { $0 } }
}

extension TestDatabase {
    static let logger = Logger(label: "ferry.test.postgres")

    /// The PostgreSQL tests' form of ``TestDatabase/with(name:migrate:logger:_:)``: a fresh database per call, with
    /// its client and configuration. These tests call it inside the test body rather than using the
    /// `.freshDatabase()` trait: with the trait on these suites, `heartbeatsKeepALongCallsSlot` (a 1.5 s TTL) lost
    /// its slot in about half the runs on a loaded 2-core machine (cause not found), and not with this form.
    static func with<T: Sendable>(
        migrate: Bool = true,
        _ body: @Sendable (PostgresClient, DatabaseConfiguration) async throws -> T
    ) async throws -> T {
        try await with(migrate: migrate) { (database: TestDatabase) in
            try await body(database.client, database.configuration)
        }
    }
}
