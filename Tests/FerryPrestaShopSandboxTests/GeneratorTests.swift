import FerryPrestaShopSandbox
import Foundation
import Testing

@Suite("Order generator")
struct GeneratorTests {
    private func ordersCreated(_ client: SandboxClient) async throws -> Int {
        try #require(try await client.control("GET", "stats").object?["ordersCreated"] as? Int)
    }

    @Test func generatesAtARateUpToMaxOrdersWithOneWebhookEach() async throws {
        let receiver = WebhookReceiver()
        try await receiver.run { url in
            let config = configuration {
                $0.webhook = .init(url: url, secret: "s")
                $0.generator = .init(ratePerSecond: 40, arrivals: .fixed, maxOrders: 6)
            }
            try await withSandbox(config) { client in
                #expect(try await eventually { await receiver.deliveries.count == 6 })
                #expect(try await ordersCreated(client) == 6)
                try await Task.sleep(for: .milliseconds(200))
                #expect(try await ordersCreated(client) == 6)
                let generator = try await client.control("GET", "stats").object?["generator"] as? [String: Any]
                #expect(generator?["running"] as? Bool == false)

                let list = try await client.getJSON("/api/orders?display=full")
                let orders = try #require(list.object?["orders"] as? [[String: Any]])
                #expect(orders.count == 6)
                for order in orders {
                    #expect([2, 10, 11].contains(order["current_state"] as? Int ?? 0))
                    let rows = try #require(
                        (order["associations"] as? [String: Any])?["order_rows"] as? [[String: Any]]
                    )
                    #expect((1...5).contains(rows.count))
                    let skus = rows.map { "\($0["product_id"] ?? 0)/\($0["product_attribute_id"] ?? 0)" }
                    #expect(Set(skus).count == skus.count, "no SKU twice in one order")
                }
            }
        }
    }

    @Test func startStopRateAndExactCountAtRuntime() async throws {
        try await withSandbox { client in
            let burst = try await client.control("POST", "generator", ["createOrders": 3])
            #expect((burst.object?["createdOrderIds"] as? [Int])?.count == 3)
            #expect(try await ordersCreated(client) == 3)

            _ = try await client.control(
                "POST",
                "generator",
                ["running": true, "ratePerSecond": 50, "arrivals": "poisson"]
            )
            #expect(try await eventually { try await ordersCreated(client) >= 8 })
            let stopped = try await client.control("POST", "generator", ["running": false])
            #expect((stopped.object?["generator"] as? [String: Any])?["running"] as? Bool == false)
            try await Task.sleep(for: .milliseconds(100))
            let count = try await ordersCreated(client)
            try await Task.sleep(for: .milliseconds(300))
            #expect(try await ordersCreated(client) == count)
        }
    }

    @Test func sameSeedSameOrders() async throws {
        func rows() async throws -> [String] {
            try await withSandbox(configuration { $0.generator = .init(autostart: false, seed: 99) }) { client in
                _ = try await client.control("POST", "generator", ["createOrders": 4])
                let list = try await client.getJSON("/api/orders?display=full")
                let orders = try #require(list.object?["orders"] as? [[String: Any]])
                return orders.map { order in
                    let rows = (order["associations"] as? [String: Any])?["order_rows"] as? [[String: Any]] ?? []
                    return "\(order["id_customer"] ?? 0):\(order["reference"] ?? ""):"
                        + rows.map { "\($0["product_id"] ?? 0)x\($0["product_quantity"] ?? 0)" }.joined(separator: ",")
                }
            }
        }
        let first = try await rows()
        let second = try await rows()
        #expect(first.count == 4)
        #expect(first == second)
    }
}
