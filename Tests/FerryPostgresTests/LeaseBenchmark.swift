import FerryCore
import FerryTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

@testable import FerryPostgres

/// Lease latency benchmark against the real PostgreSQL. Not a test: it asserts nothing and runs only with
/// `FERRY_LEASE_BENCHMARK=1`:
///
///     source /tmp/ferry-lead-stack/stack.env   # or any FERRY_DATABASE_URL
///     FERRY_LEASE_BENCHMARK=1 swift test --skip-build --filter LeaseBenchmark
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["FERRY_LEASE_BENCHMARK"] == "1"))
struct LeaseBenchmark {
    let logger = Logger(label: "ferry.bench.lease") { _ in SwiftLogNoOpLogHandler() }

    static func report(_ name: String, _ samples: [Duration]) {
        let sorted = samples.sorted()
        func at(_ q: Double) -> String {
            let value = sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * q))]
            return String(format: "%.3f", Double(value / .microseconds(1)) / 1000)
        }
        print(
            "lease-bench \(name): n=\(sorted.count) p50=\(at(0.5)) ms p90=\(at(0.9)) ms p99=\(at(0.99)) ms",
            "max=\(at(1)) ms"
        )
    }

    func lease(_ client: PostgresClient, _ policy: LeasePolicy, _ holder: String) -> PostgresLease {
        PostgresLease(
            client: client,
            configuration: PostgresLeaseConfiguration(account: "BENCH", policy: policy, holder: holder),
            logger: logger
        )
    }

    @Test func acquireReleaseUncontended() async throws {
        try await TestDatabase.with { client, _ in
            let lease = lease(client, LeasePolicy(slots: 8), "solo")
            try await lease.configure()
            let clock = ContinuousClock()
            for _ in 0..<200 {  // warm-up
                try await lease.release(try await lease.acquire(priority: .live), feedback: .success)
            }
            var both: [Duration] = []
            var acquires: [Duration] = []
            var releases: [Duration] = []
            for _ in 0..<3000 {
                let start = clock.now
                let grant = try await lease.acquire(priority: .live)
                let middle = clock.now
                try await lease.release(grant, feedback: .success)
                let end = clock.now
                both.append(end - start)
                acquires.append(middle - start)
                releases.append(end - middle)
            }
            Self.report("uncontended acquire+release", both)
            Self.report("uncontended acquire", acquires)
            Self.report("uncontended release", releases)
        }
    }

    @Test func acquireReleaseWith64Waiters() async throws {
        try await TestDatabase.with { client, configuration in
            try await LeaseTesting.withClients(4, configuration, maximumConnections: 8) { clients in
                // 8 slots, 1 reserved for live; 64 replay callers in 4 processes keep ~56 tickets queued for the rest.
                let policy = LeasePolicy(slots: 8, shares: LeaseShares(reservations: [.live: 1]))
                let leases = clients.enumerated().map { lease($0.element, policy, "p\($0.offset)") }
                let probe = lease(client, policy, "probe")
                let stop = Gate()
                let clock = ContinuousClock()
                try await LeaseTesting.running(leases + [probe]) {
                    let load = Task {
                        try await withThrowingTaskGroup(of: [Duration].self) { group in
                            for lease in leases {
                                for _ in 0..<16 {
                                    group.addTask {
                                        var waits: [Duration] = []
                                        while await !stop.isOpenNow() {
                                            let start = clock.now
                                            let wait = try await lease.withSlot(priority: .replay) { _ in
                                                let wait = clock.now - start
                                                try await Task.sleep(for: .milliseconds(2))
                                                return wait
                                            }
                                            waits.append(wait)
                                        }
                                        return waits
                                    }
                                }
                            }
                            return try await group.reduce(into: []) { $0 += $1 }
                        }
                    }
                    _ = try await LeaseTesting.eventually { try await probe.status().queue.count >= 48 }
                    var both: [Duration] = []
                    var queueLengths: [Int] = []
                    for index in 0..<1500 {
                        let start = clock.now
                        let grant = try await probe.acquire(priority: .live)
                        try await probe.release(grant, feedback: .neutral)
                        both.append(clock.now - start)
                        if index % 100 == 0 { queueLengths.append(try await probe.status().queue.count) }
                    }
                    await stop.open()
                    let waits = try await load.value
                    Self.report("64 waiters: live acquire+release", both)
                    Self.report("64 waiters: replay wait for a slot (2 ms holds, 7 slots)", waits)
                    print("lease-bench 64 waiters: queued tickets sampled \(queueLengths)")
                }
            }
        }
    }

    @Test func releaseToWaiterWakeUp() async throws {
        try await TestDatabase.with { client, configuration in
            try await LeaseTesting.withClients(1, configuration) { others in
                // Re-checks every ~10 s, so every wake-up below comes from NOTIFY (or the local release).
                let policy = LeasePolicy(slots: 1, recheckInterval: .seconds(10))
                let holder = lease(client, policy, "holder")
                let sameProcessWaiter = holder
                let otherProcessWaiter = lease(others[0], policy, "waiter")
                let clock = ContinuousClock()
                try await LeaseTesting.running([holder, otherProcessWaiter]) {
                    for (name, waiter) in [("other process", otherProcessWaiter), ("same process", sameProcessWaiter)] {
                        var latencies: [Duration] = []
                        for _ in 0..<300 {
                            let grant = try await holder.acquire(priority: .live)
                            let woken = Task { () -> (ContinuousClock.Instant, LeaseGrant) in
                                let grant = try await waiter.acquire(priority: .live)
                                return (clock.now, grant)
                            }
                            while try await holder.status().queue.isEmpty {
                                try await Task.sleep(for: .milliseconds(1))
                            }
                            try await Task.sleep(for: .milliseconds(3))
                            let releasedAt = clock.now
                            try await holder.release(grant, feedback: .neutral)
                            let (at, next) = try await woken.value
                            latencies.append(at - releasedAt)
                            try await waiter.release(next, feedback: .neutral)
                        }
                        Self.report("release -> waiter acquired (\(name), release round trip included)", latencies)
                    }
                }
            }
        }
    }
}
