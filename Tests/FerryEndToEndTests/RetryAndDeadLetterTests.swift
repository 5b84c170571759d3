import FerryTestSupport
import Foundation
import Testing

/// The retry schedule, the dead-letter queue and the operator's way back (`ferry mappings check`,
/// `ferry mappings import`, `ferry dlq resubmit`), and an outage that must not burn attempts.
@Suite("End to end: retries, dead letters, outages")
struct RetryAndDeadLetterTests {
    static let schedule: [Double] = [0.2, 0.4, 0.6, 0.8]

    /// An order with a product no mapping knows is retried on the (compressed) schedule, dead-lettered after the
    /// fifth attempt with every attempt's error; after the operator imports the missing row and resubmits it,
    /// it reaches NetSuite once.
    @Test func unknownSKUIsRetriedDeadLetteredAndResubmittedAfterTheMappingIsImported() async throws {
        try await PipelineHarness.run { h in
            let gateway = try await h.startGateway()
            try await h.startWorker()
            try await h.configureWebhook(to: gateway)

            let productID = try await h.addShopOnlyProduct(
                name: "E2E Unmapped Lamp",
                price: "39.90",
                reference: "E2E-LAMP"
            )
            let mapped = SandboxWorld.defaultSKUs[8]
            let order = try await h.createOrder(
                customerID: SandboxWorld.existingCustomer.id,
                lines: [
                    .init(sku: mapped, quantity: 1),
                    .init(sku: .init(productID: productID, combinationID: 0), quantity: 2),
                ]
            )

            try await waitUntil("the order is dead-lettered") { try await h.deadLettersInStream() == 1 }

            // Five counted attempts, spaced by the schedule (never earlier; a generous upper bound).
            let attempts = try await h.attempts(orderID: order)
            #expect(attempts.map(\.attempt) == [1, 2, 3, 4, 5])
            for (index, delay) in Self.schedule.enumerated() where index + 1 < attempts.count {
                let gap = attempts[index + 1].at - attempts[index].at
                #expect(gap >= delay - 0.02, "gap after attempt \(index + 1) is \(gap) s, schedule says \(delay) s")
                #expect(gap < delay + 15, "gap after attempt \(index + 1) is \(gap) s")
            }
            let row = try #require(try await h.syncRow(orderID: order))
            #expect(row.stage == "dead_lettered")
            #expect(row.attempts == 5)
            #expect(try await h.netSuiteRecords("salesOrder").isEmpty)
            #expect(try await h.netSuiteCreates("salesOrder").isEmpty)
            #expect(try await h.orderHistory(orderID: order)["currentState"].int == 2, "not written back")
            try await waitUntil("the original message is terminated") { try await h.unfinishedMessages() == 0 }

            // `ferry dlq list`: one line for the order, five attempts.
            let list = try await h.ferry("dlq", "list")
            #expect(list.status == 0, "\(list)")
            let key = PipelineHarness.key(order)
            let line = try #require(list.output.split(separator: "\n").first { $0.contains(key) }, "\(list)")
            let columns = line.split(separator: "\t").map(String.init)
            #expect(columns.count >= 7)
            let dlqID = columns[0]
            #expect(columns[3] == "attempts_exhausted")
            #expect(columns[4] == "5")
            #expect(columns[6].contains("missing mappings"))

            // `ferry dlq show`: the payload and every attempt.
            let show = try await h.ferry("dlq", "show", dlqID)
            #expect(show.status == 0, "\(show)")
            let entry = try JSONValue.parse(Data(show.output.utf8))
            #expect(entry["idempotency_key"].string == key)
            #expect(entry["reason"].string == "attempts_exhausted")
            #expect(entry["attempts"].array.count == 5)
            #expect(entry["attempts"].array.allSatisfy { $0["error_class"].string == "order_specific" })
            #expect(entry["order_id"].int == order)
            let payload = try JSONValue.parse(Data((entry["original"]["payload"].string ?? "").utf8))
            #expect(payload["order"]["id"].int == order, "the original webhook body is kept")

            // `ferry mappings check`: still missing, naming the product.
            let before = try await h.ferry("mappings", "check")
            #expect(before.status == 0, "\(before)")
            #expect(before.output.contains("still missing: product \(productID) combination 0"), "\(before.output)")

            // The operator maps the product to an item NetSuite has, and checks again.
            let itemID = try #require(SandboxWorld.productMappings[SandboxWorld.defaultSKUs[30]]?.itemID)
            let csv = h.directory.appendingPathComponent("lamp.csv")
            let header = "prestashop_product_id,prestashop_combination_id,reference,netsuite_item_id"
            try "\(header)\n\(productID),0,E2E-LAMP,\(itemID)\n".write(to: csv, atomically: true, encoding: .utf8)
            let imported = try await h.ferry("mappings", "import", "products", csv.path)
            #expect(imported.status == 0, "\(imported)")
            let after = try await h.ferry("mappings", "check")
            #expect(after.output.contains("would map now: ferry dlq resubmit \(dlqID)"), "\(after.output)")

            // Resubmitted: into NetSuite once, with the new mapping, and gone from the dead-letter stream.
            let resubmit = try await h.ferry("dlq", "resubmit", dlqID)
            #expect(resubmit.status == 0, "\(resubmit)")
            #expect(resubmit.output.contains("resubmitted \(dlqID)"))
            try await h.waitUntilWrittenBack([order])
            try await h.expectInNetSuiteExactlyOnce(
                orderID: order,
                itemOverrides: [.init(productID: productID, combinationID: 0): itemID]
            )
            #expect(try await h.deadLettersInStream() == 0)
            #expect(try await h.ferry("dlq", "list").output.contains("no dead letters"))
            #expect(try await h.syncRow(orderID: order)?.attempts == 0, "a resubmission starts with fresh attempts")
        }
    }

    /// NetSuite is in maintenance five times longer than the whole retry schedule. Orders arriving meanwhile
    /// spend no attempt and none is dead-lettered; when NetSuite is back, all of them go in.
    @Test func maintenanceLongerThanTheScheduleBurnsNoAttempts() async throws {
        try await PipelineHarness.run { h in
            let gateway = try await h.startGateway()
            let worker = try await h.startWorker()
            try await h.configureWebhook(to: gateway)

            // Maintenance until we end it, and at least five times the whole schedule (10 s).
            let minimum = Duration.milliseconds(Int(5 * Self.schedule.reduce(0, +) * 1000))
            try await h.startMaintenance(seconds: nil)
            let started = ContinuousClock.now
            var orders: [Int] = []
            for n in 0..<4 {
                orders.append(
                    try await h.createOrder(
                        customerID: SandboxWorld.newCustomers[10 + n].id,
                        lines: [.init(sku: SandboxWorld.defaultSKUs[n], quantity: n + 1)]
                    )
                )
            }
            try await waitUntil("every order has met the maintenance", timeout: .seconds(30)) {
                try await h.count(
                    "SELECT count(*)::int FROM order_sync WHERE last_error_class = 'systemic'"
                ) == orders.count
            }
            #expect(try await h.count("SELECT count(*)::int FROM order_sync WHERE attempts > 0") == 0)
            try await waitUntil("the worker paused fetching", timeout: .seconds(30)) {
                !worker.logLines(message: "NetSuite unavailable: pausing fetch").isEmpty
            }
            let remaining = minimum - (ContinuousClock.now - started)
            if remaining > .zero { try await Task.sleep(for: remaining) }

            // Still in maintenance, long past the schedule: nothing spent, nothing dead-lettered, nothing in NetSuite.
            #expect(try await h.count("SELECT count(*)::int FROM order_sync WHERE attempts > 0") == 0)
            #expect(try await h.count("SELECT count(*)::int FROM order_attempts") == 0)
            #expect(try await h.deadLettersInStream() == 0)
            #expect(try await h.netSuiteRecords("salesOrder").isEmpty)
            #expect(try await h.unfinishedMessages() == UInt64(orders.count))
            try await h.endMaintenance()

            try await h.waitUntilWrittenBack(orders, timeout: .seconds(90))
            for order in orders { try await h.expectInNetSuiteExactlyOnce(orderID: order) }
            #expect(try await h.count("SELECT count(*)::int FROM order_sync WHERE attempts > 0") == 0)
            #expect(try await h.count("SELECT count(*)::int FROM order_attempts") == 0)
            #expect(try await h.deadLettersInStream() == 0)
            #expect(try await h.ferry("dlq", "list").output.contains("no dead letters"))
            #expect((try await h.netSuiteStats()["requestsByStatus"]["503"].int ?? 0) > 0, "NetSuite did answer 503s")
            #expect(!worker.logLines(message: "NetSuite answers again: resuming").isEmpty)
        }
    }
}
