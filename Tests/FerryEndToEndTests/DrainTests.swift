import Foundation
import Testing

/// Issue "Kubernetes deployment", graceful drain: workers stopped with SIGTERM during load stop fetching, finish
/// what they hold, give their lease slots back and exit; new workers take over; nothing is lost or duplicated.
@Suite("End to end: graceful drain")
struct DrainTests {
    @Test(.timeLimit(.minutes(6)))
    func sigtermEveryWorkerDuringLoadThenStartNewOnesLosesAndDuplicatesNothing() async throws {
        var options = PipelineOptions()
        options.mappings = .fullDirectory
        options.netSuite.latency = .uniform(min: .milliseconds(20), max: .milliseconds(60))
        options.workerMaxInFlight = 8
        let count = 300
        try await PipelineHarness.run(options: options) { h in
            let gateway = try await h.startGateway()
            let first = [try await h.startWorker("worker-1"), try await h.startWorker("worker-2")]
            async let posting = h.postGeneratedOrders(count, to: [gateway], concurrency: 8)

            try await waitUntil("the first orders are in NetSuite", timeout: .seconds(120)) {
                try await h.ordersInNetSuite() >= 30
            }
            // Every worker at once, while orders are in flight and webhooks keep arriving.
            for worker in first { worker.terminate() }
            for worker in first {
                let exited = await worker.waitForExit(timeout: .seconds(60))
                #expect(exited, "\(worker.name) did not exit within 60 s of SIGTERM")
                #expect(
                    worker.terminationReason == .exit && worker.exitStatus == 0,
                    "\(worker.name): \(worker.logTail(5))"
                )
                #expect(!worker.logLines(message: "worker stopped").isEmpty)
                // Slots are given back on the way out, not left to expire (the TTL is 30 s).
                #expect(try await h.leaseSlotsHeld(by: worker.name) == 0)
            }
            let doneAtDrain = try await h.ordersInNetSuite()
            #expect(doneAtDrain < count, "the drain happened under load")

            try await h.startWorker("worker-3")
            try await h.startWorker("worker-4")
            let paid = try await posting
            try await h.waitUntilWrittenBack(Array(paid.keys), timeout: .seconds(240))
            try await waitUntil("the consumer has nothing left") { try await h.unfinishedMessages() == 0 }
            try await h.expectEachOrderExactlyOnce(paid)
            #expect(try await h.count("SELECT count(*)::int FROM order_sync WHERE stage = 'written_back'") == count)
        }
    }

    /// SIGTERM to the real gateway: `/readyz` turns 503 at once, webhooks are still accepted during the drain delay,
    /// then the process exits cleanly; every accepted order is in the stream.
    @Test(.timeLimit(.minutes(2)))
    func gatewayTurnsUnreadyOnSigtermAndStillAcceptsDuringTheDrain() async throws {
        var options = PipelineOptions()
        options.environment["FERRY_GATEWAY_DRAIN_DELAY"] = "2s"
        try await PipelineHarness.run(options: options) { h in
            let gateway = try await h.startGateway()
            let readyURL = "http://127.0.0.1:\(gateway.port)/readyz"
            #expect(try await h.get(readyURL).status == 200)
            var orders: [Int] = []
            for _ in 0..<2 {
                orders.append(
                    try await h.createOrder(
                        customerID: SandboxWorld.existingCustomer.id,
                        lines: [.init(sku: SandboxWorld.defaultSKUs[1], quantity: 1)],
                        sendWebhook: false
                    )
                )
            }
            gateway.process.terminate()
            try await waitUntil("the gateway reports draining", timeout: .seconds(5), poll: .milliseconds(20)) {
                try await h.get(readyURL).status == 503
            }
            let during = try await h.postWebhook(try await h.shopOrderBody(orderID: orders[0]), to: gateway)
            #expect(during.status == 202, "accepted while draining")
            #expect(await gateway.process.waitForExit(timeout: .seconds(20)))
            #expect(gateway.process.exitStatus == 0)
            #expect(try await h.ordersInStream() == 1)
            let refused = try? await h.postWebhook(try await h.shopOrderBody(orderID: orders[1]), to: gateway)
            #expect(refused == nil || refused?.status != 202, "nothing accepted after the exit")
        }
    }
}
