import Foundation
import Testing

@Suite("End to end: gateway refusals and scale")
struct GatewayAndScaleTests {
    /// The real `ferry gateway` refuses bad webhooks with the right 4xx and publishes nothing; then a good
    /// one is accepted, which shows the stream check could see a message. (The gateway's unit tests cover
    /// every refusal in-process; this checks the binary's wiring of secret, tolerance and size limit.)
    @Test func gatewayRefusesBadWebhooksAndQueuesNothing() async throws {
        var options = PipelineOptions()
        options.environment["FERRY_WEBHOOK_MAX_BYTES"] = "65536"
        try await PipelineHarness.run(options: options) { h in
            let gateway = try await h.startGateway()
            let order = try await h.createOrder(
                customerID: SandboxWorld.existingCustomer.id,
                lines: [.init(sku: SandboxWorld.defaultSKUs[0], quantity: 1)],
                sendWebhook: false
            )
            let body = try await h.shopOrderBody(orderID: order)

            let badSignature = try await h.postWebhook(body, to: gateway, secret: "not-the-secret")
            #expect(badSignature.status == 401)
            #expect(badSignature.json["error"].string == "invalid_signature")
            let stale = try await h.postWebhook(body, to: gateway, timestamp: Date().addingTimeInterval(-3600))
            #expect(stale.status == 401)
            let unsigned = try await h.send(
                .POST,
                gateway.webhookURL,
                body: body,
                headers: [("Content-Type", "application/json")]
            )
            #expect(unsigned.status == 401)
            let oversized = try await h.postWebhook(
                Data(repeating: UInt8(ascii: " "), count: 100_000) + body,
                to: gateway
            )
            #expect(oversized.status == 413)
            let malformed = try await h.postWebhook(Data("{\"order\": {\"id\": 1,".utf8), to: gateway)
            #expect(malformed.status == 400)
            let missingFields = try await h.postWebhook(Data("{\"order\": {\"id\": \(order)}}".utf8), to: gateway)
            #expect(missingFields.status == 400)
            #expect(missingFields.json["error"].string == "invalid_order")
            let wrongType = try await h.postWebhook(body, to: gateway, contentType: "text/plain")
            #expect(wrongType.status == 415)

            #expect(try await h.ordersInStream() == 0, "nothing published for a refused webhook")

            let accepted = try await h.postWebhook(body, to: gateway)
            #expect(accepted.status == 202)
            #expect(accepted.json["idempotency_key"].string == PipelineHarness.key(order))
            #expect(try await h.ordersInStream() == 1)
        }
    }

    /// 500 generated orders, their webhooks split over two gateways and worked by three workers against a NetSuite
    /// with a concurrency limit below the workers' combined in-flight orders: each order exactly once.
    @Test(.timeLimit(.minutes(5)))
    func fiveHundredOrdersThroughTwoGatewaysAndThreeWorkersEachExactlyOnce() async throws {
        var options = PipelineOptions()
        options.mappings = .fullDirectory  // generated orders draw on the whole catalogue
        options.netSuite.latency = .uniform(min: .milliseconds(1), max: .milliseconds(8))
        options.workerMaxInFlight = 4  // 3 × 4 > the account's 10 slots: some 429s, handled
        let count = 500
        try await PipelineHarness.run(options: options) { h in
            let gateways = [try await h.startGateway("gateway-1"), try await h.startGateway("gateway-2")]
            for n in 1...3 { try await h.startWorker("worker-\(n)") }

            // The shop's generator places the orders; their webhooks are posted by us, alternately to each gateway.
            let paid = try await h.postGeneratedOrders(count, to: gateways)
            let orders = Array(paid.keys)

            try await h.waitUntilWrittenBack(orders, timeout: .seconds(240))
            try await waitUntil("the consumer has nothing left") { try await h.unfinishedMessages() == 0 }

            // Both gateways took their half; the stream holds each order once.
            for gateway in gateways {
                #expect(gateway.process.logLines(message: "order accepted").count == count / 2)
            }
            #expect(try await h.ordersInStream() == UInt64(count))

            // NetSuite: each order and each paid order's deposit once, linked, recorded; written back.
            try await h.expectEachOrderExactlyOnce(paid)
            #expect(try await h.count("SELECT count(*)::int FROM order_sync WHERE stage = 'written_back'") == count)

            // Spot check: a few orders in full detail.
            for order in [orders[0], orders[count / 2], orders[count - 1]] {
                try await h.expectInNetSuiteExactlyOnce(orderID: order)
            }
        }
    }
}
