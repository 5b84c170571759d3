// Needs FerryNetSuite and FerryNetSuiteSandbox as dependencies of this test target, then the define below
// (or drop this #if): `swiftSettings: [.define("FERRY_LEASE_SANDBOX_TESTS")]`.
#if FERRY_LEASE_SANDBOX_TESTS
import FerryCore
import FerryNetSuite
import FerryNetSuiteSandbox
@testable import FerryPostgres
import FerryTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

/// The PostgreSQL lease in front of the NetSuite sandbox (account limit 10), with several "processes", each with
/// its own PostgreSQL client, lease and NetSuite client.
@Suite struct LeaseNetSuiteSandboxTests {
    static let query = "SELECT id FROM customer WHERE id = 1"

    func withProcesses<T: Sendable>(
        _ count: Int,
        sandbox: NetSuiteSandboxConfiguration,
        policy: LeasePolicy,
        onLimitChange: (@Sendable (LeaseLimitChange) -> Void)? = nil,
        _ body: @Sendable (NetSuiteSandboxServer, [NetSuiteClient], [PostgresLease]) async throws -> T
    ) async throws -> T {
        try await TestDatabase.with { _, configuration in
            try await LeaseTesting.withClients(count, configuration) { clients in
                let quiet = Logger(label: "ferry.test.sandbox") { _ in SwiftLogNoOpLogHandler() }
                let server = try await NetSuiteSandboxServer.start(configuration: sandbox, logger: quiet)
                let leases = clients.map { client in
                    PostgresLease(
                        client: client,
                        configuration: PostgresLeaseConfiguration(account: sandbox.accountID, policy: policy),
                        logger: LeaseTesting.logger,
                        onLimitChange: onLimitChange
                    )
                }
                let credential = sandbox.tbaCredentials.first ?? .sandboxDefault
                let netSuite = try leases.map { lease in
                    try NetSuiteClient(
                        configuration: NetSuiteConfiguration(
                            baseURL: server.baseURL,
                            accountID: sandbox.accountID,
                            auth: .tba(
                                consumerKey: credential.consumerKey,
                                consumerSecret: credential.consumerSecret,
                                tokenID: credential.tokenID,
                                tokenSecret: credential.tokenSecret
                            ),
                            requestTimeout: .seconds(30),
                            connectTimeout: .seconds(5)
                        ),
                        requestGate: NetSuiteRequestGate(lease: lease, policy: policy)
                    )
                }
                let result: Result<T, any Error>
                do {
                    result = .success(
                        try await LeaseTesting.running(leases) { try await body(server, netSuite, leases) }
                    )
                } catch {
                    result = .failure(error)
                }
                for client in netSuite { try? await client.shutdown() }
                try? await server.shutdown()
                return try result.get()
            }
        }
    }

    /// Runs `callers` concurrent callers per process, `rounds` SuiteQL calls each.
    func hammer(_ clients: [NetSuiteClient], callers: Int, rounds: Int) async throws -> Int {
        let logger = Logger(label: "ferry.test.netsuite") { _ in SwiftLogNoOpLogHandler() }
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for client in clients {
                for _ in 0..<callers {
                    group.addTask {
                        for _ in 0..<rounds { _ = try await client.suiteQL(Self.query, logger: logger) }
                        return rounds
                    }
                }
            }
            return try await group.reduce(0, +)
        }
    }

    @Test func fourProcessesOf32CallersStayWithinTheLeaseAndGetNo429() async throws {
        let sandbox = NetSuiteSandboxConfiguration(
            concurrencyLimit: 10,
            latency: .uniform(min: .milliseconds(5), max: .milliseconds(25))
        )
        try await withProcesses(4, sandbox: sandbox, policy: LeasePolicy(slots: 8)) { server, clients, leases in
            let done = try await hammer(clients, callers: 32, rounds: 3)
            #expect(done == 4 * 32 * 3)
            let stats = server.statistics()
            #expect(stats.maxConcurrent <= 8)
            #expect(stats.maxConcurrent >= 4, "the slots were used side by side")
            #expect(stats.rejectedConcurrency == 0)
            #expect(stats.requestsTotal == 4 * 32 * 3)
            let status = try await leases[0].status()
            #expect(status.held == 0 && status.queue.isEmpty && status.effectiveLimit == 8)
        }
    }

    @Test func anotherIntegrationHoldingSlotsShrinksTheLimitAndEveryRequestSucceeds() async throws {
        let sandbox = NetSuiteSandboxConfiguration(
            // Calls long enough that 8 lease holders really overlap, even in a slow debug build.
            concurrencyLimit: 10,
            latency: .uniform(min: .milliseconds(80), max: .milliseconds(150)),
            faults: NetSuiteFaults(otherIntegrationSlots: 4)
        )
        let changes = EventLog<LeaseLimitChange>()
        let policy = LeasePolicy(slots: 8, concurrencyRetryDelay: .milliseconds(50))
        try await withProcesses(4, sandbox: sandbox, policy: policy, onLimitChange: { changes.append($0) }) {
            server,
            clients,
            _ in
            let done = try await hammer(clients, callers: 16, rounds: 4)
            #expect(done == 4 * 16 * 4, "every request eventually succeeded")
            let stats = server.statistics()
            #expect(stats.rejectedConcurrency > 0, "the other integration made NetSuite refuse some")
            #expect(stats.maxConcurrent <= 8)
            #expect(changes.all.contains { $0.cause == .overloaded && $0.to < $0.from }, "the AIMD limit shrank")
            #expect(stats.rejectedConcurrency < done / 2, "shrinking keeps rejections rare")
        }
    }
}
#endif
