import Foundation
import Testing

/// The NetSuite concurrency lease across real worker processes, against the NetSuite sandbox's limit of 10.
@Suite("End to end: the NetSuite concurrency lease", .serialized)
struct LeaseTests {
    /// Four worker processes with 32 orders in flight each share a lease of 8: NetSuite never sees more than 8
    /// requests at once and refuses none, and each of 2,000 orders is in NetSuite exactly once.
    @Test(.timeLimit(.minutes(12)))
    func fourWorkerProcessesStayUnderTheLeaseFor2000Orders() async throws {
        var options = PipelineOptions()
        options.mappings = .fullDirectory
        options.netSuite.latency = .uniform(min: .milliseconds(2), max: .milliseconds(12))
        options.workerMaxInFlight = 32
        options.environment["FERRY_LEASE_SLOTS"] = "8"
        let count = 2_000
        try await PipelineHarness.run(options: options) { h in
            let gateways = [try await h.startGateway("gateway-1"), try await h.startGateway("gateway-2")]
            for n in 1...4 { try await h.startWorker("worker-\(n)") }

            let paid = try await h.postGeneratedOrders(count, to: gateways, concurrency: 24)
            try await h.waitUntilWrittenBack(Array(paid.keys), timeout: .seconds(600))
            try await waitUntil("the consumer has nothing left") { try await h.unfinishedMessages() == 0 }

            let counters = try await h.netSuiteCounters()
            #expect(counters.maxConcurrent <= 8, "NetSuite saw \(counters.maxConcurrent) requests at once")
            #expect(counters.maxConcurrent >= 4, "the lease should let several requests run at once")
            #expect(counters.rejected == 0, "429s: \(counters.rejected)")
            try await h.expectEachOrderExactlyOnce(paid)
        }
    }

    /// A worker process SIGKILLed while it holds slots loses them within the TTL without anyone's help; the other
    /// worker goes on, and every order ends in NetSuite exactly once.
    @Test(.timeLimit(.minutes(4)))
    func slotsOfAKilledProcessComeBackWithinTheTTL() async throws {
        var options = PipelineOptions()
        options.mappings = .fullDirectory
        options.netSuite.latency = .fixed(.milliseconds(400))  // long calls: slots are held most of the time
        options.workerMaxInFlight = 8
        options.ackWait = "5s"
        options.environment["FERRY_LEASE_SLOTS"] = "8"
        options.environment["FERRY_LEASE_TTL"] = "3s"
        let ttl = 3.0
        try await PipelineHarness.run(options: options) { h in
            let gateway = try await h.startGateway()
            let doomed = try await h.startWorker("worker-1")
            try await h.startWorker("worker-2")
            let paid = try await h.postGeneratedOrders(60, to: [gateway])

            try await waitUntil("worker-1 holds lease slots", timeout: .seconds(60), poll: .milliseconds(20)) {
                try await h.leaseSlotsHeld(by: "worker-1") > 0
            }
            let doneAtKill = try await h.ordersInNetSuite()
            await doomed.kill9()
            let killedAt = Date()
            #expect(try await h.leaseSlotsHeld(by: "worker-1") > 0, "slots stay held until they expire")

            // Its slots expire by the database server's clock, TTL after their last heartbeat.
            try await waitUntil("worker-1's slots have expired", timeout: .seconds(ttl + 5), poll: .milliseconds(100)) {
                try await h.leaseSlotsHeld(by: "worker-1") == 0
            }
            let freedAfter = Date().timeIntervalSince(killedAt)
            #expect(freedAfter <= ttl + 1.5, "slots came back \(freedAfter) s after the kill (TTL \(ttl) s)")

            // Throughput recovers: the survivor goes on and finishes everything, the killed worker's orders included
            // (redelivered after the ack deadline); it can use every slot again.
            try await h.waitUntilWrittenBack(Array(paid.keys), timeout: .seconds(150))
            #expect(try await h.ordersInNetSuite() > doneAtKill)
            let counters = try await h.netSuiteCounters()
            #expect(counters.maxConcurrent <= 8)
            #expect(counters.rejected == 0)
            try await h.expectEachOrderExactlyOnce(paid)
        }
    }

    /// Another integration holds 4 of the account's 10 slots. Ferry's lease of 8 runs into 429s, shrinks its
    /// effective limit (AIMD) and keeps going: nothing is dead-lettered, and NetSuite throughput stays within 15 %
    /// of what the 6 remaining slots allow, (10 − 4) ÷ mean request latency.
    @Test(.timeLimit(.minutes(5)))
    func adaptsWhenAnotherIntegrationHoldsFourSlots() async throws {
        let latency = 0.25
        var options = PipelineOptions()
        options.mappings = .fullDirectory
        options.netSuite.latency = .fixed(.milliseconds(Int64(latency * 1000)))
        options.netSuite.faults.otherIntegrationSlots = 4
        options.workerMaxInFlight = 16
        options.environment["FERRY_LEASE_SLOTS"] = "8"
        let count = 150
        try await PipelineHarness.run(options: options) { h in
            let gateway = try await h.startGateway()
            try await h.startWorker("worker-1")
            try await h.startWorker("worker-2")
            let paid = try await h.postGeneratedOrders(count, to: [gateway])

            // Throughput while the backlog lasts: successful NetSuite requests per second between 20 % and 80 % done.
            var first: (at: Date, succeeded: Int)?
            var last: (at: Date, succeeded: Int)?
            try await waitUntil("80 % of the orders are in NetSuite", timeout: .seconds(240), poll: .milliseconds(100))
            {
                let done = try await h.ordersInNetSuite()
                if first == nil, done >= count / 5 {
                    let c = try await h.netSuiteCounters()
                    first = (Date(), c.requests - c.rejected)
                }
                if done >= count * 4 / 5 {
                    let c = try await h.netSuiteCounters()
                    last = (Date(), c.requests - c.rejected)
                    return true
                }
                return false
            }
            let start = try #require(first)
            let end = try #require(last)
            let throughput = Double(end.succeeded - start.succeeded) / end.at.timeIntervalSince(start.at)
            let bound = Double(10 - 4) / latency
            #expect(
                throughput >= 0.85 * bound && throughput <= 1.05 * bound,
                "throughput \(throughput) requests/s, bound \(bound) requests/s, ratio \(throughput / bound)"
            )

            try await h.waitUntilWrittenBack(Array(paid.keys), timeout: .seconds(120))
            let counters = try await h.netSuiteCounters()
            #expect(counters.rejected > 0, "the other integration's slots must have caused 429s")
            #expect(
                counters.maxConcurrent <= 6,
                "NetSuite admitted \(counters.maxConcurrent) at once next to the other 4"
            )
            try await h.expectEachOrderExactlyOnce(paid)
            // The AIMD limit came down from 8 and the change was logged.
            let changes = h.processes(named: "worker").flatMap { $0.logLines(message: "NetSuite lease limit changed") }
            #expect(changes.contains { ($0["lease.to"].string.flatMap(Int.init) ?? 8) < 8 })
        }
    }

    /// While an operator resubmits a burst of dead letters, live orders keep their latency: resubmissions have their
    /// own consumer and in-flight limit and take NetSuite slots at replay priority, so the live share (4 of 8
    /// slots) stays theirs.
    @Test(.timeLimit(.minutes(5)))
    func deadLetterBurstDoesNotDelayLiveOrders() async throws {
        var options = PipelineOptions()
        options.netSuite.latency = .fixed(.milliseconds(100))
        options.workerMaxInFlight = 8
        options.environment["FERRY_LEASE_SLOTS"] = "8"
        options.environment["FERRY_LEASE_LIVE_RESERVED"] = "4"
        let burst = 60
        try await PipelineHarness.run(options: options) { h in
            let gateway = try await h.startGateway()
            try await h.startWorker("worker-1")
            try await h.startWorker("worker-2")

            // 60 orders of a product without a mapping: dead-lettered after their attempts.
            let unmapped = SandboxWorld.unmappedSKUs
            var letters: [Int] = []
            for n in 0..<burst {
                letters.append(
                    try await h.createOrder(
                        customerID: SandboxWorld.existingCustomer.id,
                        lines: [.init(sku: unmapped[n % unmapped.count], quantity: 1)],
                        sendWebhook: false
                    )
                )
            }
            _ = try await h.postWebhooks(for: letters, to: [gateway])
            try await waitUntil("\(burst) orders are dead-lettered", timeout: .seconds(120)) {
                try await h.deadLettersInStream() == UInt64(burst)
            }
            let imported = try await h.ferry("mappings", "import-dir", SandboxWorld.mappingsDirectory.path)
            try #require(imported.status == 0, "\(imported)")

            // Live orders alone, two per second: their latency without the burst.
            let baseline = try await postLiveOrders(10, perSecond: 2, h: h, gateway: gateway)
            try await h.waitUntilWrittenBack(baseline, timeout: .seconds(60))
            let baselineP95 = percentile(0.95, try await h.endToEndSeconds(baseline))

            // The burst: every dead letter resubmitted at once while live orders keep arriving.
            async let resubmitted = h.ferry("dlq", "resubmit", "--all")
            let live = try await postLiveOrders(30, perSecond: 2, h: h, gateway: gateway)
            #expect(try await resubmitted.status == 0)
            try await h.waitUntilWrittenBack(live + letters, timeout: .seconds(180))

            // The burst really ran beside live traffic: live orders finished before the last replay did.
            let liveBeforeLastReplay = try await h.count(
                """
                SELECT count(*)::int FROM order_sync WHERE idempotency_key IN (\(keys(live)))
                AND recorded_at < (SELECT max(recorded_at) FROM order_sync WHERE idempotency_key IN (\(keys(letters))))
                """
            )
            #expect(liveBeforeLastReplay >= 3, "\(liveBeforeLastReplay) live orders finished while replays ran")
            let liveP95 = percentile(0.95, try await h.endToEndSeconds(live))
            let bound = max(2 * baselineP95, baselineP95 + 1.5)
            #expect(
                liveP95 <= bound,
                "live p95 \(liveP95) s during the burst, bound \(bound) s (alone \(baselineP95) s)"
            )
            #expect(try await h.deadLettersInStream() == 0)
            #expect(try await h.netSuiteCreates("salesOrder").values.allSatisfy { $0 == 1 })
            #expect(try await h.netSuiteRecords("salesOrder").count == burst + 40)
        }
    }

    private func postLiveOrders(
        _ count: Int,
        perSecond: Double,
        h: PipelineHarness,
        gateway: PipelineHarness.Gateway
    )
        async throws -> [Int]
    {
        var orders: [Int] = []
        for n in 0..<count {
            let started = Date()
            let order = try await h.createOrder(
                customerID: SandboxWorld.existingCustomer.id,
                lines: [.init(sku: SandboxWorld.defaultSKUs[n % SandboxWorld.defaultSKUs.count], quantity: 1)],
                sendWebhook: false
            )
            _ = try await h.postWebhooks(for: [order], to: [gateway])
            orders.append(order)
            let pause = 1 / perSecond - Date().timeIntervalSince(started)
            if pause > 0 { try await Task.sleep(for: .milliseconds(Int(pause * 1000))) }
        }
        return orders
    }

    private func keys(_ orders: [Int]) -> String {
        orders.map { "'\(PipelineHarness.key($0))'" }.joined(separator: ",")
    }
}

/// The `q` quantile (nearest rank) of `values`; 0 for none.
func percentile(_ q: Double, _ values: [Double]) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
}
