import FerryPrestaShopSandbox
import Foundation
import Hummingbird
import Testing

@Suite("Order webhooks: contract, retries, delivery modes")
struct WebhookTests {
    static let secret = "whsec-ferry-test"

    private func webhookConfiguration(
        _ url: String,
        maxAttempts: Int = 5,
        timeout: Duration = .seconds(5),
        modes: PrestaShopSandboxConfiguration.DeliveryModes = .init()
    ) -> PrestaShopSandboxConfiguration {
        configuration {
            $0.webhook = .init(
                url: url,
                secret: Self.secret,
                maxAttempts: maxAttempts,
                timeout: timeout,
                initialBackoff: .milliseconds(100),
                maxBackoff: .seconds(1),
                modes: modes
            )
        }
    }

    private func stats(_ client: SandboxClient) async throws -> [String: Any] {
        try #require(try await client.control("GET", "stats").object?["webhooks"] as? [String: Any])
    }

    @Test func oneSignedWebhookPerOrderWithTheWebserviceJSON() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { url in
            try await withSandbox(webhookConfiguration(url)) { client in
                let orderID = try await client.createOrder([
                    "customerId": 8, "rows": [["productId": 4], ["productId": 5, "quantity": 2]],
                ])
                #expect(try await eventually { await receiver.deliveries.count == 1 })
                let delivery = try #require(await receiver.deliveries.first)
                #expect(delivery.header("Content-Type") == "application/json")
                let timestamp = try #require(delivery.header("X-Ferry-Timestamp"))
                let seconds = try #require(Int(timestamp))
                #expect(abs(seconds - Int(Date().timeIntervalSince1970)) < 300)
                #expect(
                    delivery.header("X-Ferry-Signature")
                        == expectedSignature(secret: Self.secret, timestamp: timestamp, body: delivery.body)
                )
                #expect(
                    delivery.header("X-Ferry-Signature")
                        != expectedSignature(secret: "wrong", timestamp: timestamp, body: delivery.body)
                )

                let webservice = try await client.getJSON("/api/orders/\(orderID)")
                #expect(delivery.body == webservice.body)
                let order = try #require(
                    (try JSONSerialization.jsonObject(with: Data(delivery.body.utf8)) as? [String: Any])?["order"]
                        as? [String: Any]
                )
                #expect(order["id"] as? Int == orderID)
                #expect(((order["associations"] as? [String: Any])?["order_rows"] as? [[String: Any]])?.count == 2)

                // No webhook when asked not to send one.
                _ = try await client.createOrder(["customerId": 9, "rows": [["productId": 4]], "sendWebhook": false])
                try await Task.sleep(for: .milliseconds(300))
                #expect(await receiver.deliveries.count == 1)
                let counters = try await stats(client)
                #expect(counters["queued"] as? Int == 1)
                #expect(counters["acknowledged"] as? Int == 1)
            }
        }
    }

    @Test func retriesAfterA500() async throws {
        let receiver = WebhookReceiver { $0 == 0 ? .internalServerError : .ok }
        try await receiver.run { url in
            try await withSandbox(webhookConfiguration(url)) { client in
                let orderID = try await client.createOrder(["customerId": 10, "rows": [["productId": 6]]])
                #expect(try await eventually { try await stats(client)["acknowledged"] as? Int == 1 })
                let bodies = await receiver.bodies
                #expect(bodies.count == 2)
                #expect(bodies.first == bodies.last)
                let counters = try await stats(client)
                #expect(counters["sent"] as? Int == 2)
                #expect(counters["retried"] as? Int == 1)
                let timeline = try await client.control("GET", "orders/\(orderID)/history").object
                let attempts = try #require(timeline?["webhookAttempts"] as? [[String: Any]])
                #expect(attempts.compactMap { $0["status"] as? Int } == [500, 200])
            }
        }
    }

    @Test func failsAfterMaxAttempts() async throws {
        let receiver = WebhookReceiver { _ in .serviceUnavailable }
        try await receiver.run { url in
            try await withSandbox(webhookConfiguration(url, maxAttempts: 3)) { client in
                _ = try await client.createOrder(["customerId": 11, "rows": [["productId": 7]]])
                #expect(try await eventually { try await stats(client)["failed"] as? Int == 1 })
                #expect(await receiver.requestCount == 3)
                #expect(try await stats(client)["acknowledged"] as? Int == 0)
            }
        }
    }

    @Test func unreachableReceiverIsRetriedThenFails() async throws {
        // Nothing listens on port 9 of the loopback interface: refused or silently dropped, either way no 2xx.
        let config = webhookConfiguration("http://127.0.0.1:9/hook", maxAttempts: 2, timeout: .milliseconds(500))
        try await withSandbox(config) { client in
            _ = try await client.createOrder(["customerId": 12, "rows": [["productId": 8]]])
            #expect(try await eventually { try await stats(client)["failed"] as? Int == 1 })
            #expect(try await stats(client)["sent"] as? Int == 2)
        }
    }

    @Test func timeoutIsRetried() async throws {
        let receiver = WebhookReceiver(delayFor: { $0 == 0 ? .seconds(2) : nil })
        try await receiver.run { url in
            try await withSandbox(webhookConfiguration(url, timeout: .milliseconds(400))) { client in
                let orderID = try await client.createOrder(["customerId": 21, "rows": [["productId": 17]]])
                #expect(try await eventually { try await stats(client)["acknowledged"] as? Int == 1 })
                #expect(await receiver.requestCount == 2)
                let timeline = try await client.control("GET", "orders/\(orderID)/history").object
                let attempts = try #require(timeline?["webhookAttempts"] as? [[String: Any]])
                #expect(attempts.count == 2)
                #expect(attempts.first?["status"] == nil)
                #expect(attempts.first?["error"] as? String != nil)
                #expect(attempts.last?["status"] as? Int == 200)
            }
        }
    }

    @Test func dropModeNeverSends() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { url in
            try await withSandbox(webhookConfiguration(url, modes: .init(dropProbability: 1))) { client in
                _ = try await client.createOrder(["customerId": 13, "rows": [["productId": 9]]])
                _ = try await client.createOrder(["customerId": 14, "rows": [["productId": 10]]])
                try await Task.sleep(for: .milliseconds(400))
                #expect(await receiver.deliveries.isEmpty)
                #expect(try await stats(client)["dropped"] as? Int == 2)
            }
        }
    }

    @Test func duplicateModeSendsTwice() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { url in
            try await withSandbox(webhookConfiguration(url, modes: .init(duplicateProbability: 1))) { client in
                _ = try await client.createOrder(["customerId": 15, "rows": [["productId": 11]]])
                #expect(try await eventually { await receiver.deliveries.count == 2 })
                let bodies = await receiver.bodies
                #expect(bodies[0] == bodies[1])
                #expect(try await stats(client)["duplicated"] as? Int == 1)
            }
        }
    }

    @Test func delayModeSendsLate() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { url in
            let modes = PrestaShopSandboxConfiguration.DeliveryModes(delayProbability: 1, delaySeconds: 1)
            try await withSandbox(webhookConfiguration(url, modes: modes)) { client in
                let created = ContinuousClock.now
                _ = try await client.createOrder(["customerId": 16, "rows": [["productId": 12]]])
                #expect(try await eventually { await receiver.deliveries.count == 1 })
                let arrived = try #require(await receiver.deliveries.first?.receivedAt)
                #expect(arrived - created >= .milliseconds(900))
                #expect(try await stats(client)["delayed"] as? Int == 1)
            }
        }
    }

    @Test func reorderModeSendsAfterTheNextOne() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { url in
            try await withSandbox(webhookConfiguration(url)) { client in
                _ = try await client.control(
                    "POST",
                    "generator",
                    ["modes": ["reorderProbability": 1, "delaySeconds": 30]]
                )
                let first = try await client.createOrder(["customerId": 17, "rows": [["productId": 13]]])
                _ = try await client.control("POST", "generator", ["modes": [:] as [String: Any]])
                let second = try await client.createOrder(["customerId": 18, "rows": [["productId": 14]]])
                #expect(try await eventually { await receiver.deliveries.count == 2 })
                let ids = await receiver.bodies.compactMap { body in
                    ((try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any])
                        .flatMap { ($0["order"] as? [String: Any])?["id"] as? Int }
                }
                #expect(ids == [second, first])
                #expect(try await stats(client)["reordered"] as? Int == 1)
            }
        }
    }

    @Test func resendQueuesTheCurrentOrderAgain() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { url in
            try await withSandbox(webhookConfiguration(url)) { client in
                let orderID = try await client.createOrder(["customerId": 19, "rows": [["productId": 15]]])
                #expect(try await eventually { await receiver.deliveries.count == 1 })
                let resend = try await client.control("POST", "webhooks/resend/\(orderID)")
                #expect(resend.status == 202)
                #expect(try await eventually { await receiver.deliveries.count == 2 })
                #expect(try await client.control("POST", "webhooks/resend/999999").status == 404)
            }
        }
    }

    @Test func webhookCanBeConfiguredAtRuntime() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { url in
            try await withSandbox { client in
                #expect(try await client.control("POST", "webhooks/resend/1").status == 409)
                let configured = try await client.control("POST", "webhook", ["url": url, "secret": Self.secret])
                #expect(configured.status == 200)
                _ = try await client.createOrder(["customerId": 20, "rows": [["productId": 16]]])
                #expect(try await eventually { await receiver.deliveries.count == 1 })
            }
        }
    }
}
