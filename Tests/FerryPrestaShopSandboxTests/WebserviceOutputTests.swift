import Crypto
import FerryPrestaShopSandbox
import Foundation
import Testing

@Suite("Webservice output: XML default, JSON quirks")
struct WebserviceOutputTests {
    /// Key order of `fixtures/prestashop-order-get-response.json` (8.x capture).
    static let fixtureOrderKeys = [
        "id", "id_address_delivery", "id_address_invoice", "id_cart", "id_currency", "id_lang", "id_customer",
        "id_carrier", "current_state", "module", "invoice_number", "invoice_date", "delivery_number", "delivery_date",
        "valid", "date_add", "date_upd", "shipping_number", "id_shop_group", "id_shop", "secure_key", "payment",
        "total_discounts", "total_discounts_tax_incl", "total_discounts_tax_excl", "total_paid", "total_paid_tax_incl",
        "total_paid_tax_excl", "total_paid_real", "total_products", "total_products_wt", "total_shipping",
        "total_shipping_tax_incl", "total_shipping_tax_excl", "carrier_tax_rate", "total_wrapping",
        "total_wrapping_tax_incl", "total_wrapping_tax_excl", "round_mode", "round_type", "conversion_rate",
        "reference",
        "associations",
    ]
    static let fixtureRowKeys = [
        "id", "product_id", "product_attribute_id", "product_quantity", "product_name", "product_reference",
        "product_ean13", "product_isbn", "product_upc", "product_price", "id_customization", "unit_price_tax_incl",
        "unit_price_tax_excl",
    ]

    /// Keys of a JSON object in the order they appear in the text (JSONSerialization loses the order).
    static func keyOrder(_ text: String, keys: [String]) -> [String] {
        keys.compactMap { key in text.range(of: "\"\(key)\":").map { (key, $0.lowerBound) } }
            .sorted { $0.1 < $1.1 }.map(\.0)
    }

    @Test func orderJSONLooksLikeThe8xCapture() async throws {
        try await withSandbox { client in
            let id = try await client.createOrder([
                "customerId": 3, "rows": [["productId": 5, "quantity": 1]], "state": 2, "carrierId": 2,
            ])
            let result = try await client.getJSON("/api/orders/\(id)")
            #expect(result.header("Content-Type") == "application/json;charset=utf-8")
            #expect(result.body.hasPrefix("{\"order\":{\"id\":\(id),\"id_address_delivery\":"))
            let order = try #require(result.object?["order"] as? [String: Any])

            // Key order as in the capture, except delivery_number (0) and shipping_number ("") dropped while empty.
            let present = Self.keyOrder(result.body, keys: Self.fixtureOrderKeys)
            #expect(present == Self.fixtureOrderKeys.filter { !["delivery_number", "shipping_number"].contains($0) })

            // 8.x typing: ids and integers are numbers, money has 6 decimals, booleans are "1".
            for key in [
                "id", "id_address_delivery", "id_cart", "id_currency", "id_customer", "id_carrier", "current_state",
                "invoice_number", "id_shop", "round_mode", "round_type",
            ] {
                #expect(order[key] is Int, "\(key) should be a JSON number")
            }
            #expect(order["valid"] as? String == "1")
            #expect(order["total_discounts"] as? String == "0.000000")
            #expect((order["total_paid"] as? String)?.split(separator: ".").last?.count == 6)
            #expect((order["carrier_tax_rate"] as? String)?.split(separator: ".").last?.count == 3)
            // Falsy fields are dropped.
            for key in [
                "recyclable", "gift", "gift_message", "mobile_theme", "note", "delivery_number", "shipping_number",
            ] {
                #expect(order[key] == nil, "\(key) should be dropped")
            }
            let rows = try #require((order["associations"] as? [String: Any])?["order_rows"] as? [[String: Any]])
            #expect(rows.count == 1)
            #expect(Set(rows[0].keys) == Set(Self.fixtureRowKeys))
            #expect(rows[0]["product_id"] as? Int == 5)
            #expect(rows[0]["id_customization"] as? Int == 0)  // associations keep zeros
            #expect(rows[0]["product_isbn"] as? String == "")
            let rowsText = String(result.body[result.body.range(of: "\"order_rows\"")!.lowerBound...])
            #expect(Self.keyOrder(rowsText, keys: Self.fixtureRowKeys) == Self.fixtureRowKeys)
        }
    }

    @Test func emptyListIsABareArray() async throws {
        try await withSandbox { client in
            let orders = try await client.getJSON("/api/orders")
            #expect(orders.status == 200)
            #expect(orders.body == "[]")
            let filtered = try await client.getJSON("/api/customers?display=full&filter[id]=\(encoded("[999999]"))")
            #expect(filtered.body == "[]")
            let xml = try await client.get("/api/orders")
            #expect(xml.body.contains("<orders>\n</orders>"))
        }
    }

    @Test func listWithoutDisplayHasIdsOnly() async throws {
        try await withSandbox { client in
            let result = try await client.getJSON("/api/customers?limit=3")
            #expect(result.body == "{\"customers\":[{\"id\":1},{\"id\":2},{\"id\":3}]}")
            let full = try await client.getJSON("/api/customers?limit=1&display=full")
            let customers = try #require(full.object?["customers"] as? [[String: Any]])
            #expect(customers.first?["email"] is String)
            let subset = try await client.getJSON("/api/customers?limit=2&display=\(encoded("[id,lastname]"))")
            let rows = try #require(subset.object?["customers"] as? [[String: Any]])
            #expect(rows.allSatisfy { Set($0.keys) == ["id", "lastname"] })
        }
    }

    @Test func displayOnOneEntityGivesThePluralList() async throws {
        try await withSandbox { client in
            let result = try await client.getJSON("/api/customers/2?display=\(encoded("[id,email]"))")
            let customers = try #require(result.object?["customers"] as? [[String: Any]])
            #expect(customers.count == 1)
            #expect(Set(customers[0].keys) == ["id", "email"])
        }
    }

    @Test func xmlIsTheDefaultOutput() async throws {
        try await withSandbox { client in
            let id = try await client.createOrder(["customerId": 1, "rows": [["productId": 2]]])
            let detail = try await client.get("/api/orders/\(id)")
            #expect(detail.header("Content-Type") == "text/xml;charset=utf-8")
            #expect(
                detail.body.hasPrefix(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                        + "<prestashop xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
                )
            )
            #expect(detail.body.contains("<id><![CDATA[\(id)]]></id>"))
            #expect(detail.body.contains("<id_customer xlink:href=\"http://127.0.0.1:"))
            #expect(detail.body.contains("<order_rows") && detail.body.contains("nodeType=\"order_row\""))
            #expect(detail.body.contains("<gift_message></gift_message>"))

            let list = try await client.get("/api/orders")
            #expect(list.body.contains("<order id=\"\(id)\" xlink:href=\"http://127.0.0.1:"))
            #expect(list.body.contains("/api/orders/\(id)\"/>"))

            let product = try await client.get("/api/products/1")
            #expect(product.body.contains("<name><language id=\"1\" xlink:href="))
            #expect(product.body.contains("<language id=\"2\""))
        }
    }

    @Test func jsonIsSelectedByParameterOrHeader() async throws {
        try await withSandbox { client in
            let variants: [(String, [String: String])] = [
                ("/api/customers/1?output_format=JSON", [:]), ("/api/customers/1?io_format=JSON", [:]),
                ("/api/customers/1", ["Output-Format": "JSON"]), ("/api/customers/1", ["Io-Format": "JSON"]),
            ]
            for (path, headers) in variants {
                let result = try await client.get(path, headers: headers)
                #expect(result.object?["customer"] != nil, "\(path) \(headers)")
            }
            let lowercase = try await client.get("/api/customers/1?output_format=json")
            #expect(lowercase.body.hasPrefix("<?xml"))
        }
    }

    @Test func multilingualFieldsAndLanguageParameter() async throws {
        try await withSandbox { client in
            let both = try await client.getJSON("/api/products/1")
            let product = try #require(both.object?["product"] as? [String: Any])
            let names = try #require(product["name"] as? [[String: Any]])
            #expect(names.map { $0["id"] as? Int } == [1, 2])
            #expect(product["price"] is String)
            #expect(product["id_tax_rules_group"] is Int)
            let associations = try #require(product["associations"] as? [String: Any])
            #expect(associations["stock_availables"] is [[String: Any]])

            let french = try await client.getJSON("/api/products/1?language=2")
            let frenchName = (french.object?["product"] as? [String: Any])?["name"] as? String
            #expect(frenchName == names[1]["value"] as? String)

            let missing = try await client.getJSON("/api/products/1?language=9")
            #expect(missing.status == 400)
            #expect(missing.errorCode == 81)
        }
    }

    @Test func legacy17TypingMakesEveryValueAString() async throws {
        try await withSandbox(configuration { $0.jsonTyping = .v17 }) { client in
            let customer = try await client.getJSON("/api/customers/1").object?["customer"] as? [String: Any]
            #expect(customer?["id"] as? String == "1")
            #expect(customer?["id_default_group"] as? String == "3")
            let list = try await client.getJSON("/api/customers?limit=1")
            #expect(list.body == "{\"customers\":[{\"id\":\"1\"}]}")
        }
    }

    @Test func responseHeadersOnEveryCall() async throws {
        try await withSandbox { client in
            let result = try await client.get("/api/customers/1")
            #expect(result.header("PSWS-Version") == "8.1.7")
            #expect(result.header("X-Powered-By") == "PrestaShop Webservice")
            #expect(Int(result.header("Access-Time") ?? "") != nil)
            #expect(Double(result.header("Execution-Time") ?? "") != nil)
            let sha1 = Insecure.SHA1.hash(data: Data(result.body.utf8)).map { String(format: "%02x", $0) }.joined()
            #expect(result.header("Content-Sha1") == sha1)

            let head = try await client.request("HEAD", "/api/customers/1")
            #expect(head.status == 200)
            #expect(head.body.isEmpty)
        }
    }

    @Test func errorsInBothFormats() async throws {
        try await withSandbox { client in
            let xml = try await client.get("/api/orders/424242")
            #expect(xml.status == 404)
            #expect(xml.body.contains("<errors>\n<error>\n<code><![CDATA[87]]></code>\n<message><![CDATA["))
            let json = try await client.getJSON("/api/orders/424242")
            #expect(json.status == 404)
            #expect(json.body.hasPrefix("{\"errors\":[{\"code\":87,\"message\":\""))
        }
    }
}
