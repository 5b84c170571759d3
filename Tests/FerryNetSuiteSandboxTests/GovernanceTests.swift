import AsyncHTTPClient
import FerrySandboxData
import Foundation
import Testing

@testable import FerryNetSuiteSandbox

@Suite("Governance")
struct GovernanceTests {
    @Test func requestsBeyondTheLimitGet429AtOnceWithoutRetryAfter() async throws {
        try await withSandbox(
            .test {
                $0.concurrencyLimit = 3
                $0.latency = .fixed(.milliseconds(1_500))
            }
        ) { sandbox in
            let started = ContinuousClock.now
            let results = try await withThrowingTaskGroup(of: (HTTPResult, Duration).self) { group in
                for index in 0..<10 {
                    group.addTask {
                        // Mix paths: records, SuiteQL and the governance endpoint share the same pool.
                        let begin = ContinuousClock.now
                        let result: HTTPResult
                        switch index % 3 {
                        case 0:
                            result = try await sandbox.send(
                                .GET,
                                "/services/rest/record/v1/customer/\(TestWorld.customerID)"
                            )
                        case 1: result = try await sandbox.suiteQL("SELECT id FROM item")
                        default: result = try await sandbox.send(.GET, "/services/rest/system/v1/governanceLimits")
                        }
                        return (result, ContinuousClock.now - begin)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let rejected = results.filter { $0.0.status == 429 }
            let admitted = results.filter { $0.0.status == 200 }
            #expect(admitted.count == 3)
            #expect(rejected.count == 7)
            let slowestAdmitted = admitted.map(\.1).min() ?? .zero
            for (result, elapsed) in rejected {
                #expect(result.header("Retry-After") == nil)
                #expect(result.errorCode == "CONCURRENCY_LIMIT_EXCEEDED")
                #expect(result.errorDetail == "Concurrent request limit exceeded. Request blocked.")
                #expect(result.json?["status"] == .number(429))
                // Refused at once: answered before any admitted request got through its injected latency
                // (compared with the admitted requests, not a wall-clock bound, so a loaded machine cannot flake it).
                #expect(elapsed < slowestAdmitted)
            }
            #expect(ContinuousClock.now - started >= .milliseconds(1_500))

            let stats = try #require(try await sandbox.send(.GET, "/_sandbox/stats").json)
            #expect(stats["maxConcurrent"] == .number(3))
            #expect(stats["rejectedConcurrency"] == .number(7))
            #expect(stats["inFlight"] == .number(0))
            #expect(stats["requestsTotal"] == .number(10))
            #expect(stats["requestsByStatus"]?["429"] == .number(7))
            #expect(stats["requestsByStatus"]?["200"] == .number(3))
        }
    }

    @Test func anotherIntegrationsSlotsCountAgainstTheAccount() async throws {
        try await withSandbox(
            .test {
                $0.concurrencyLimit = 2
                $0.faults.otherIntegrationSlots = 2
            }
        ) { sandbox in
            // Every NetSuite path is governed, the token endpoint included; the control API is not.
            let record = try await sandbox.send(.GET, "/services/rest/record/v1/customer/\(TestWorld.customerID)")
            #expect(record.status == 429)
            #expect(try await sandbox.suiteQL("SELECT id FROM item").status == 429)
            let token = try await sandbox.send(.POST, "/services/rest/auth/oauth2/v1/token", json: "{}")
            #expect(token.status == 429)
            #expect(try await sandbox.send(.GET, "/_sandbox/health").status == 200)

            let freed = try await sandbox.send(.PUT, "/_sandbox/other-integration", json: #"{"slots": 1}"#)
            #expect(freed.json?["otherIntegrationSlots"] == .number(1))
            let admitted = try await sandbox.send(.GET, "/services/rest/record/v1/customer/\(TestWorld.customerID)")
            #expect(admitted.status == 200)
        }
    }

    @Test func governanceLimitsReportsTheAccountAndIntegrationLimits() async throws {
        try await withSandbox(
            .test {
                $0.concurrencyLimit = 15
                $0.integrationConcurrencyLimit = 5
            }
        ) { sandbox in
            let result = try await sandbox.send(.GET, "/services/rest/system/v1/governanceLimits")
            #expect(result.status == 200)
            let json = try #require(result.json)
            #expect(json["accountConcurrencyLimit"] == .number(15))
            #expect(json["accountUnallocatedConcurrencyLimit"] == .number(10))
            #expect(json["integrationConcurrencyLimit"] == .number(5))
            #expect(json["integrationLimitType"] == .string("integrationSpecific"))
        }
        try await withSandbox { sandbox in
            let json = try #require(try await sandbox.send(.GET, "/services/rest/system/v1/governanceLimits").json)
            #expect(json["accountConcurrencyLimit"] == .number(10))
            #expect(json["accountUnallocatedConcurrencyLimit"] == .number(10))
            #expect(json["integrationConcurrencyLimit"] == nil)
            #expect(json["integrationLimitType"] == .string("accountLimit"))
        }
    }

    @Test func integrationLimitCapsThisIntegrationBelowTheAccountLimit() async throws {
        try await withSandbox(
            .test {
                $0.concurrencyLimit = 10
                $0.integrationConcurrencyLimit = 2
                $0.latency = .fixed(.milliseconds(800))
            }
        ) { sandbox in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<5 {
                    group.addTask { try await sandbox.send(.GET, "/services/rest/system/v1/governanceLimits").status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count == 2)
            #expect(statuses.filter { $0 == 429 }.count == 3)
        }
    }

    @Test func statisticsResetAndCountByStatus() async throws {
        try await withSandbox { sandbox in
            try await sandbox.send(.GET, "/services/rest/record/v1/salesOrder/1")
            try await sandbox.send(.GET, "/services/rest/system/v1/governanceLimits")
            let stats = sandbox.server.statistics()
            #expect(stats.requestsTotal == 2)
            #expect(stats.requestsByStatus == ["404": 1, "200": 1])
            let reset = try #require(try await sandbox.send(.POST, "/_sandbox/stats/reset").json)
            #expect(reset["requestsTotal"] == .number(0))
            #expect(sandbox.server.statistics().requestsByStatus.isEmpty)
        }
    }

    @Test func latencySamplesAreSeededAndShaped() {
        var first = SplitMix64(seed: 42)
        var second = SplitMix64(seed: 42)
        let distribution = NetSuiteLatency.logNormal(median: .milliseconds(100), p99: .milliseconds(1_000))
        let a = (0..<2_000).map { _ in distribution.sample(using: &first) }
        let b = (0..<2_000).map { _ in distribution.sample(using: &second) }
        #expect(a == b)
        let sorted = a.sorted()
        let median = sorted[1_000].milliseconds
        let p99 = sorted[1_980].milliseconds
        #expect((70...140).contains(median))
        #expect((600...1_600).contains(p99))

        let uniform = NetSuiteLatency.uniform(min: .milliseconds(10), max: .milliseconds(20))
        #expect(
            (0..<200).map { _ in uniform.sample(using: &first) }.allSatisfy {
                $0 >= .milliseconds(10) && $0 <= .milliseconds(20)
            }
        )
        #expect(NetSuiteLatency.fixed(.milliseconds(7)).sample(using: &first) == .milliseconds(7))
    }

    @Test func latencyCanBeChangedAtRuntime() async throws {
        try await withSandbox { sandbox in
            let set = try await sandbox.send(
                .PUT,
                "/_sandbox/latency",
                json: #"{"kind": "fixed", "milliseconds": 400}"#
            )
            #expect(set.status == 200)
            #expect(sandbox.server.latency == .fixed(.milliseconds(400)))
            let begin = ContinuousClock.now
            #expect(try await sandbox.send(.GET, "/services/rest/system/v1/governanceLimits").status == 200)
            #expect(ContinuousClock.now - begin >= .milliseconds(400))
            // The control API itself is never delayed or governed.
            let refused = try await sandbox.send(.PUT, "/_sandbox/latency", json: #"{"kind": "sometimes"}"#)
            #expect(refused.status == 400)
            #expect(refused.json?["error"] != nil)
        }
    }
}
