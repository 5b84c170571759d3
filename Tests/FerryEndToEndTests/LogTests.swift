import FerryNetSuiteSandbox
import FerryPrestaShopSandbox
import FerryTestSupport
import Foundation
import Testing

/// Issue "Observability", logs: one JSON line per event, queryable by order id, customer id and error type; secrets,
/// credentials and payloads never appear, on the happy path or any failure path.
@Suite("End to end: logs")
struct LogTests {
    @Test func logLinesAreQueryableJSONAndNeverCarrySecretsOrPayloads() async throws {
        var options = PipelineOptions()
        options.environment["FERRY_LOG_LEVEL"] = "debug"  // the most talkative level must be clean too
        try await PipelineHarness.run(options: options) { h in
            let gateway = try await h.startGateway()
            try await h.startWorker()
            try await h.configureWebhook(to: gateway)

            // A good order whose sales order fails once (NetSuite 400), an order of an unmapped product that ends as a
            // dead letter, and a webhook with a wrong signature.
            try await h.addRejection(recordType: "salesOrder", count: 1, detail: "Invalid field value for entity.")
            let customer = SandboxWorld.newCustomers[0]
            let good = try await h.createOrder(
                customerID: customer.id,
                lines: [.init(sku: SandboxWorld.defaultSKUs[3], quantity: 1)]
            )
            let unmapped = try await h.createOrder(
                customerID: SandboxWorld.existingCustomer.id,
                lines: [.init(sku: SandboxWorld.unmappedSKUs[0], quantity: 1)]
            )
            let forged = try await h.postWebhook(
                try await h.shopOrderBody(orderID: good),
                to: gateway,
                secret: "forged-secret"
            )
            #expect(forged.status == 401)
            try await h.waitUntilWrittenBack([good], timeout: .seconds(90))
            try await waitUntil("the unmapped order is dead-lettered", timeout: .seconds(90)) {
                try await h.deadLettersInStream() == 1
            }
            await h.stopAll()

            // What must never be logged: every configured secret and credential, and what only the payload holds.
            let tba = NetSuiteSandboxConfiguration.TBACredential.sandboxDefault
            let order = try await h.shopOrder(orderID: good)
            let secureKey = try #require(order["secure_key"].string)
            let forbidden: [(String, String)] = [
                ("webhook secret", h.webhookSecret), ("NetSuite consumer key", tba.consumerKey),
                ("NetSuite consumer secret", tba.consumerSecret), ("NetSuite token id", tba.tokenID),
                ("NetSuite token secret", tba.tokenSecret),
                ("PrestaShop API key", PrestaShopSandboxConfiguration.defaultAPIKey),
                ("order secure_key", secureKey), ("customer e-mail", customer.email),
                ("payload JSON", "\"associations\""), ("payload JSON", "order_rows"),
            ]
            let files = try FileManager.default.contentsOfDirectory(at: h.directory, includingPropertiesForKeys: nil)
                .filter { $0.pathExtension == "log" }
            #expect(files.count >= 2, "gateway and worker logs: \(files.map(\.lastPathComponent))")
            var lines: [JSONValue] = []
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                for (what, value) in forbidden where text.contains(value) {
                    Issue.record("\(file.lastPathComponent) contains the \(what)")
                }
                for line in text.split(separator: "\n") where !line.isEmpty {
                    let json = try? JSONValue.parse(Data(line.utf8))
                    #expect(
                        json?["msg"].string != nil,
                        "not a JSON log line in \(file.lastPathComponent): \(line.prefix(200))"
                    )
                    if let json { lines.append(json) }
                }
            }
            #expect(lines.allSatisfy { $0["ts"].string != nil && $0["level"].string != nil })

            // Queryable: by order id, customer id and error type, on the lines an operator looks for.
            let aboutGood = lines.filter { $0["order.id"].string == String(good) }
            #expect(aboutGood.contains { $0["msg"].string == "order accepted" })
            #expect(aboutGood.contains { $0["msg"].string == "order in NetSuite" })
            #expect(
                aboutGood.contains {
                    $0["msg"].string == "order attempt failed, retrying" && $0["error.type"].string != nil
                }
            )
            #expect(
                aboutGood.allSatisfy {
                    $0["customer.id"].string == nil || $0["customer.id"].string == String(customer.id)
                }
            )
            #expect(
                lines.contains {
                    $0["customer.id"].string == String(customer.id) && $0["msg"].string == "order in NetSuite"
                }
            )
            let deadLettered = lines.filter { $0["msg"].string == "order dead-lettered" }
            #expect(deadLettered.count == 1)
            #expect(deadLettered.first?["order.id"].string == String(unmapped))
            #expect(deadLettered.first?["error.type"].string == "missing_mapping")
            #expect(
                lines.contains {
                    $0["msg"].string == "webhook rejected" && $0["error.type"].string == "invalid_signature"
                }
            )
        }
    }
}
