import Foundation
import Testing

/// Issue "Order pipeline": a shop order travels webhook → gateway → JetStream → worker → NetSuite → shop.
@Suite("End to end: happy path and duplicate webhooks")
struct HappyPathTests {
    /// Two orders: one of a customer NetSuite already knows (found by e-mail), in EUR; one of a new customer
    /// (created with our external id) delivered to a non-euro country, with another carrier and payment module.
    @Test func orderReachesNetSuiteOnceWithMappedLinesAndIsWrittenBack() async throws {
        try await PipelineHarness.run { h in
            let gateway = try await h.startGateway()
            try await h.startWorker()
            try await h.configureWebhook(to: gateway)

            let skus = SandboxWorld.defaultSKUs
            let existing = SandboxWorld.existingCustomer
            let fresh = try #require(
                SandboxWorld.newCustomers.first { customer in
                    (SandboxWorld.country(ofAddress: customer.addressIDs[0])?.currencyID ?? 1) != 1
                }
            )
            let first = try await h.createOrder(
                customerID: existing.id,
                addressID: existing.addressIDs[0],
                lines: [.init(sku: skus[0], quantity: 2), .init(sku: skus[5], quantity: 1)]
            )
            let second = try await h.createOrder(
                customerID: fresh.id,
                addressID: fresh.addressIDs[0],
                lines: [
                    .init(sku: skus[7], quantity: 3), .init(sku: skus[12], quantity: 1),
                    .init(sku: skus[20], quantity: 4),
                ],
                paymentModule: "ps_checkpayment",
                carrierID: 3
            )
            try await h.waitUntilWrittenBack([first, second])

            let one = try await h.expectInNetSuiteExactlyOnce(orderID: first)
            #expect(one.customerID == String(existing.netSuiteID ?? -1))
            let two = try await h.expectInNetSuiteExactlyOnce(orderID: second)
            #expect(two.salesOrder["currency"].referenceID != "1", "the second order is not in euros")
            #expect(
                two.deposit?["paymentMethod"].referenceID
                    == String(SandboxWorld.paymentMethods["ps_checkpayment"] ?? -1)
            )

            // The queue: two orders accepted, both acknowledged, nothing dead-lettered.
            #expect(try await h.ordersInStream() == 2)
            try await waitUntil("the consumer has nothing left") { try await h.unfinishedMessages() == 0 }
            #expect(try await h.deadLettersInStream() == 0)
            #expect(try await h.count("SELECT count(*)::int FROM order_attempts") == 0)
        }
    }

    /// The shop posts the same webhook five times in quick succession: JetStream's duplicate window keeps one
    /// message, and NetSuite gets one sales order and one deposit.
    @Test func sameWebhookFiveTimesInsideTheDuplicateWindow() async throws {
        try await PipelineHarness.run { h in
            let gateway = try await h.startGateway()
            try await h.startWorker()
            try await h.configureWebhook(to: gateway)
            let order = try await h.createOrder(
                customerID: SandboxWorld.newCustomers[1].id,
                lines: [.init(sku: SandboxWorld.defaultSKUs[2], quantity: 1)]
            )
            for _ in 1...4 { try await h.resendWebhook(orderID: order) }

            try await waitUntil("the shop has delivered five webhooks") {
                let attempts = try await h.orderHistory(orderID: order)["webhookAttempts"].array
                return attempts.filter { $0["status"].int == 202 }.count == 5
            }
            try await h.waitUntilWrittenBack([order])
            try await waitUntil("the consumer has nothing left") { try await h.unfinishedMessages() == 0 }

            #expect(try await h.ordersInStream() == 1, "JetStream kept one message for five webhooks")
            try await h.expectInNetSuiteExactlyOnce(orderID: order)
            #expect(try await h.netSuiteRecords("salesOrder").count == 1)
            #expect(try await h.netSuiteRecords("customerDeposit").count == 1)
        }
    }

    /// The same five webhooks, each after JetStream's duplicate window has passed, so all five reach the
    /// workers: the processed-events table and the NetSuite external ids keep it at one of each.
    @Test func sameWebhookFiveTimesBeyondTheDuplicateWindow() async throws {
        var options = PipelineOptions()
        options.duplicateWindow = "1s"
        try await PipelineHarness.run(options: options) { h in
            let gateway = try await h.startGateway()
            try await h.startWorker()
            try await h.configureWebhook(to: gateway)
            let order = try await h.createOrder(
                customerID: SandboxWorld.existingCustomer.id,
                lines: [.init(sku: SandboxWorld.defaultSKUs[3], quantity: 2)]
            )
            try await h.waitUntilWrittenBack([order])
            for n in 2...5 {
                try await Task.sleep(for: .milliseconds(1500))  // past the 1 s duplicate window
                try await h.resendWebhook(orderID: order)
                try await waitUntil("webhook \(n) was accepted") {
                    try await h.orderHistory(orderID: order)["webhookAttempts"].array.filter { $0["status"].int == 202 }
                        .count == n
                }
            }
            try await waitUntil("five messages are in the stream and all are handled") {
                let inStream = try await h.ordersInStream()
                let unfinished = try await h.unfinishedMessages()
                return inStream == 5 && unfinished == 0
            }

            try await h.expectInNetSuiteExactlyOnce(orderID: order)
            #expect(try await h.netSuiteRecords("salesOrder").count == 1)
            #expect(try await h.netSuiteRecords("customerDeposit").count == 1)
            #expect(try await h.deadLettersInStream() == 0)
        }
    }
}
