import Foundation
import Testing

@testable import FerryNATS

@Suite("Blocking-call thread pool")
struct NATSThreadPoolTests {
    @Test func blockedJobsDoNotStarveOthers() async throws {
        // 16 jobs that each block until all 16 are running at once: only possible with a thread per blocked job.
        let pool = NATSThreadPool(maximumThreads: 32, idleTimeout: 1)
        let started = Counter()
        let jobs = 16
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<jobs {
                group.addTask {
                    try await pool.run {
                        started.increment()
                        let deadline = Date(timeIntervalSinceNow: 20)
                        while started.value < jobs, Date() < deadline {
                            usleep(1_000)
                        }
                        return started.value >= jobs
                    }
                }
            }
            var all: [Bool] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.count == jobs)
        #expect(results.allSatisfy { $0 })
    }

    @Test func errorsAndResultsReachTheCaller() async throws {
        let pool = NATSThreadPool(maximumThreads: 2, idleTimeout: 1)
        #expect(try await pool.run { 42 } == 42)
        await #expect(throws: NATSError.self) {
            try await pool.run { () throws -> Int in
                throw NATSError(code: .timeout, status: "Timeout", operation: "test", message: "boom")
            }
        }
        // More jobs than threads: they queue and all complete.
        let sum = try await withThrowingTaskGroup(of: Int.self) { group in
            for value in 1...50 {
                group.addTask { try await pool.run { value } }
            }
            return try await group.reduce(0, +)
        }
        #expect(sum == 1275)
    }
}
