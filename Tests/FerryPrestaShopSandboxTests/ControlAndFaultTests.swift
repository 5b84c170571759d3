import FerryPrestaShopSandbox
import FerrySandboxData
import Foundation
import Testing

@Suite("Control API and injected faults")
struct ControlAndFaultTests {
    @Test func healthAndStats() async throws {
        try await withSandbox { client in
            let health = try await client.control("GET", "health")
            #expect(health.status == 200)
            #expect(health.object?["status"] as? String == "ok")
            let stats = try #require(try await client.control("GET", "stats").object)
            #expect(stats["ordersCreated"] as? Int == 0)
            #expect(stats["webhookConfigured"] as? Bool == false)
            #expect(try await client.get("/api/orders", auth: .none).status == 401)
            #expect(try await client.control("GET", "nothing-here").status == 404)
        }
    }

    @Test func shopOnlyProductsAndUnknownProductsInOrders() async throws {
        try await withSandbox { client in
            let created = try await client.control(
                "POST",
                "products",
                [
                    "name": "Shop Exclusive Tote", "price": "19.90", "reference": "SHOP-ONLY-1", "quantity": 12,
                    "combinations": [
                        ["reference": "SHOP-ONLY-1-S", "priceImpact": "0", "quantity": 3],
                        ["reference": "SHOP-ONLY-1-L", "priceImpact": "2.50", "quantity": 4],
                    ],
                ]
            )
            #expect(created.status == 201, "\(created.body)")
            let productID = try #require(created.object?["id"] as? Int)
            #expect(productID == smallDataset.products.count + 1)
            let combinationIDs = try #require(created.object?["combinationIds"] as? [Int])
            #expect(combinationIDs.count == 2)
            let product = try #require(
                try await client.getJSON("/api/products/\(productID)").object?["product"] as? [String: Any]
            )
            #expect(product["reference"] as? String == "SHOP-ONLY-1")
            #expect(product["price"] as? String == "19.900000")
            #expect(product["quantity"] as? Int == 7)

            let orderID = try await client.createOrder([
                "customer_id": 3,
                "rows": [
                    ["product_id": productID, "product_attribute_id": combinationIDs[1], "quantity": 1],
                    ["product_id": 999_999, "quantity": 2, "unit_price_tax_excl": "5.00", "name": "Ghost product"],
                ],
            ])
            let rows = try #require(
                ((try await client.order(orderID))["associations"] as? [String: Any])?["order_rows"]
                    as? [[String: Any]]
            )
            #expect(rows.map { $0["product_id"] as? Int } == [productID, 999_999])
            #expect(rows.last?["product_name"] as? String == "Ghost product")

            let bad = try await client.control("POST", "orders", ["customerId": 99_999, "rows": [["productId": 1]]])
            #expect(bad.status == 400)
            #expect(bad.object?["error"] as? String != nil)
        }
    }

    @Test func slowResponses() async throws {
        try await withSandbox { client in
            _ = try await client.control("POST", "faults", ["slowResponseMilliseconds": 400])
            let started = ContinuousClock.now
            #expect(try await client.get("/api/customers/1").status == 200)
            #expect(ContinuousClock.now - started >= .milliseconds(380))
            let faults = try await client.control("GET", "faults").object
            #expect(faults?["slowResponseMilliseconds"] as? Int == 400)
        }
    }

    @Test func htmlFatalErrorPage() async throws {
        try await withSandbox { client in
            _ = try await client.control("POST", "faults", ["htmlErrorProbability": 1])
            let result = try await client.getJSON("/api/orders")
            #expect(result.status == 500)
            #expect(result.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(result.body.contains("<b>Fatal error</b>"))
            #expect(result.json == nil)
        }
    }

    @Test func emptyJSONBodies() async throws {
        try await withSandbox { client in
            _ = try await client.control("POST", "faults", ["emptyJSONBodyProbability": 1])
            let json = try await client.getJSON("/api/customers/1")
            #expect(json.status == 200)
            #expect(json.body.isEmpty)
            let xml = try await client.get("/api/customers/1")
            #expect(xml.body.contains("<customer>"))
        }
    }

    @Test func startFailsWhenThePortIsTaken() async throws {
        try await withSandbox { client in
            let port = try #require(Int(client.baseURL.split(separator: ":").last ?? ""))
            await #expect(throws: (any Error).self) {
                let second = try await PrestaShopSandboxServer.start(
                    configuration: configuration { $0.port = port },
                    logger: testLogger
                )
                try await second.shutdown()
            }
        }
    }

    @Test func standardWorldServesEverything() async throws {
        let dataset = SandboxDataset.standard
        let server = try await PrestaShopSandboxServer.start(
            configuration: PrestaShopSandboxConfiguration(dataset: dataset),
            logger: testLogger
        )
        do {
            let client = SandboxClient(baseURL: server.baseURL)
            let products = try await client.getJSON("/api/products")
            #expect((products.object?["products"] as? [[String: Any]])?.count == dataset.products.count)
            let stock = try await client.getJSON("/api/stock_availables")
            let withCombinations = dataset.products.filter { !$0.combinationIDs.isEmpty }.count
            #expect(
                (stock.object?["stock_availables"] as? [[String: Any]])?.count == dataset.skus.count + withCombinations
            )
            let last = try await client.getJSON("/api/products/\(dataset.products.count)")
            #expect(last.status == 200)
            try await server.shutdown()
        } catch {
            try? await server.shutdown()
            throw error
        }
    }
}
