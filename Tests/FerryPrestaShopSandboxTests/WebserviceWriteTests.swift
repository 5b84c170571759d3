import FerryPrestaShopSandbox
import Foundation
import Testing

@Suite("Webservice writes: XML only, POST/PUT/PATCH/DELETE")
struct WebserviceWriteTests {
    static func customerXML(id: Int? = nil, extra: String = "") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <prestashop xmlns:xlink="http://www.w3.org/1999/xlink">
          <customer>
            \(id.map { "<id>\($0)</id>" } ?? "")
            <lastname><![CDATA[Durand]]></lastname>
            <firstname><![CDATA[Claire]]></firstname>
            <email><![CDATA[claire.durand@example.fr]]></email>
            <passwd><![CDATA[s3cret-pass]]></passwd>
            \(extra)
          </customer>
        </prestashop>
        """
    }

    @Test func jsonAndEmptyBodiesAreXMLParseErrors() async throws {
        try await withSandbox { client in
            let json = try await client.request(
                "PUT",
                "/api/customers/1?output_format=JSON",
                body: "{\"customer\":{\"id\":1,\"firstname\":\"X\"}}"
            )
            #expect(json.status == 500)
            #expect(json.errorCode == 127)
            let empty = try await client.request("PUT", "/api/customers/1?output_format=JSON", body: "")
            #expect(empty.status == 500)
            #expect(empty.errorCode == 127)
            #expect(empty.body.contains("XML length : 0"))
            let xml = try await client.request("POST", "/api/customers", body: "<prestashop><customer>")
            #expect(xml.status == 500)
            #expect(xml.body.contains("<code><![CDATA[127]]></code>"))
        }
    }

    @Test func idRulesForPostAndPut() async throws {
        try await withSandbox { client in
            let post = try await client.request(
                "POST",
                "/api/customers?output_format=JSON",
                body: Self.customerXML(id: 5)
            )
            #expect(post.status == 400)
            #expect(post.errorCode == 91)
            let put = try await client.request("PUT", "/api/customers/5?output_format=JSON", body: Self.customerXML())
            #expect(put.status == 400)
            #expect(put.errorCode == 90)
            let patch = try await client.request(
                "PATCH",
                "/api/customers/5?output_format=JSON",
                body: "<prestashop><customer><firstname>X</firstname></customer></prestashop>"
            )
            #expect(patch.errorCode == 90)
            let unknown = try await client.request(
                "PATCH",
                "/api/customers?output_format=JSON",
                body: "<prestashop><customer><id>99999</id><firstname>X</firstname></customer></prestashop>"
            )
            #expect(unknown.status == 404)
            #expect(unknown.errorCode == 92)
        }
    }

    @Test func postCreatesWith201AndValidates() async throws {
        try await withSandbox { client in
            let created = try await client.request(
                "POST",
                "/api/customers?output_format=JSON",
                body: Self.customerXML()
            )
            #expect(created.status == 201, "\(created.body)")
            let customer = try #require(created.object?["customer"] as? [String: Any])
            let id = try #require(customer["id"] as? Int)
            #expect(id == 121)
            #expect((customer["secure_key"] as? String)?.count == 32)
            #expect((customer["passwd"] as? String)?.hasPrefix("$2y$") == true)
            #expect(customer["date_add"] is String)
            #expect(try await client.get("/api/customers/\(id)").status == 200)

            let missing = try await client.request(
                "POST",
                "/api/customers?output_format=JSON",
                body:
                    "<prestashop><customer><lastname>A</lastname><firstname>B</firstname><passwd>x</passwd>"
                    + "</customer></prestashop>"
            )
            #expect(missing.status == 400)
            #expect(missing.errorCode == 41)
            #expect(missing.body.contains("parameter \\\"email\\\" required"))

            let invalid = try await client.request(
                "POST",
                "/api/customers?output_format=JSON",
                body: Self.customerXML().replacingOccurrences(of: "claire.durand@example.fr", with: "not-an-email")
            )
            #expect(invalid.status == 400)
            #expect(invalid.errorCode == 85)

            let address = try await client.request(
                "POST",
                "/api/addresses?output_format=JSON",
                body: """
                    <prestashop><address><id_customer>\(id)</id_customer><id_country>8</id_country><alias>Home</alias>
                    <lastname>Durand</lastname><firstname>Claire</firstname><address1>1 rue de la Paix</address1>
                    <postcode>75002</postcode><city>Paris</city></address></prestashop>
                    """
            )
            #expect(address.status == 201, "\(address.body)")
            #expect((address.object?["address"] as? [String: Any])?["id_country"] as? Int == 8)
        }
    }

    @Test func putResetsOmittedFieldsWhilePatchKeepsThem() async throws {
        try await withSandbox { client in
            let before = try #require(
                try await client.getJSON("/api/customers/9").object?["customer"] as? [String: Any]
            )
            #expect((before["secure_key"] as? String)?.count == 32)

            let patch = try await client.request(
                "PATCH",
                "/api/customers/9?output_format=JSON",
                body: "<prestashop><customer><id>9</id><firstname>Patched</firstname></customer></prestashop>"
            )
            #expect(patch.status == 200, "\(patch.body)")
            let patched = try #require(patch.object?["customer"] as? [String: Any])
            #expect(patched["firstname"] as? String == "Patched")
            #expect(patched["secure_key"] as? String == before["secure_key"] as? String)
            #expect(patched["lastname"] as? String == before["lastname"] as? String)

            // PUT with the required fields only: secure_key and the rest are wiped (PS#42206).
            let put = try await client.request(
                "PUT",
                "/api/customers/9?output_format=JSON",
                body: Self.customerXML(id: 9)
            )
            #expect(put.status == 200, "\(put.body)")
            let replaced = try #require(
                try await client.getJSON("/api/customers/9").object?["customer"] as? [String: Any]
            )
            #expect(replaced["firstname"] as? String == "Claire")
            #expect(replaced["secure_key"] == nil)
            #expect(replaced["active"] == nil)
            #expect(replaced["id_default_group"] == nil)
            #expect(replaced["date_add"] as? String == before["date_add"] as? String)
        }
    }

    @Test func deleteGives200EmptyThen404() async throws {
        try await withSandbox { client in
            let delete = try await client.request("DELETE", "/api/customers/12")
            #expect(delete.status == 200)
            #expect(delete.body.isEmpty)
            let gone = try await client.getJSON("/api/customers/12")
            #expect(gone.status == 404)
            #expect(gone.errorCode == 87)
            let again = try await client.request("DELETE", "/api/customers/12?output_format=JSON")
            #expect(again.status == 404)
            #expect(again.errorCode == 87)
            let many = try await client.request("DELETE", "/api/customers?id=\(encoded("[13,14]"))")
            #expect(many.status == 200)
            #expect(try await client.get("/api/customers/14").status == 404)
        }
    }

    @Test func addressUsedByAnOrderIsOnlyFlaggedDeleted() async throws {
        try await withSandbox { client in
            let orderID = try await client.createOrder(["customerId": 2, "rows": [["productId": 1]]])
            let order = try await client.order(orderID)
            let addressID = try #require(order["id_address_delivery"] as? Int)
            #expect(try await client.request("DELETE", "/api/addresses/\(addressID)").status == 200)
            let address = try await client.getJSON("/api/addresses/\(addressID)").object?["address"] as? [String: Any]
            #expect(address?["deleted"] as? String == "1")
        }
    }

    @Test func stockAvailablesPutAndPatch() async throws {
        try await withSandbox { client in
            let product = try #require(try await firstProductWithCombinations(client))
            let rows = try #require(
                (product["associations"] as? [String: Any])?["stock_availables"] as? [[String: Any]]
            )
            let combinationRow = try #require(rows.first { ($0["id_product_attribute"] as? Int ?? 0) != 0 })
            let productRow = try #require(rows.first { ($0["id_product_attribute"] as? Int) == 0 })
            let stockID = try #require(combinationRow["id"] as? Int)
            let productStockID = try #require(productRow["id"] as? Int)
            let productID = try #require(product["id"] as? Int)
            let attribute = try #require(combinationRow["id_product_attribute"] as? Int)

            let patch = try await client.request(
                "PATCH",
                "/api/stock_availables/\(stockID)?output_format=JSON",
                body: """
                    <prestashop><stock_available><id>\(stockID)</id><quantity>250</quantity>
                    </stock_available></prestashop>
                    """
            )
            #expect(patch.status == 200, "\(patch.body)")
            #expect((patch.object?["stock_available"] as? [String: Any])?["quantity"] as? Int == 250)

            // The combination-0 row holds the sum of the combinations.
            let all = try await client.getJSON(
                "/api/stock_availables?display=full&filter[id_product]=\(encoded("[\(productID)]"))"
            )
            let stock = try #require(all.object?["stock_availables"] as? [[String: Any]])
            let combinationsTotal = stock.filter { ($0["id_product_attribute"] as? Int ?? 0) != 0 }
                .reduce(0) { $0 + ($1["quantity"] as? Int ?? 0) }
            let productTotal = stock.first { $0["id"] as? Int == productStockID }?["quantity"] as? Int ?? 0
            #expect(productTotal == combinationsTotal)

            let put = try await client.request(
                "PUT",
                "/api/stock_availables/\(stockID)?output_format=JSON",
                body: """
                    <prestashop><stock_available><id>\(stockID)</id><id_product>\(productID)</id_product>
                    <id_product_attribute>\(attribute)</id_product_attribute><id_shop>1</id_shop>
                    <depends_on_stock>0</depends_on_stock><out_of_stock>2</out_of_stock><quantity>7</quantity>
                    </stock_available></prestashop>
                    """
            )
            #expect(put.status == 200, "\(put.body)")
            let combination =
                try await client.getJSON("/api/combinations/\(attribute)").object?["combination"] as? [String: Any]
            #expect(combination?["quantity"] as? Int == 7)

            let missingQuantity = try await client.request(
                "PUT",
                "/api/stock_availables/\(stockID)?output_format=JSON",
                body: """
                    <prestashop><stock_available><id>\(stockID)</id><id_product>\(productID)</id_product>
                    <id_product_attribute>\(attribute)</id_product_attribute><depends_on_stock>0</depends_on_stock>
                    <out_of_stock>2</out_of_stock></stock_available></prestashop>
                    """
            )
            #expect(missingQuantity.errorCode == 41)
        }
    }

    @Test func patchProductPriceAndReadOnlyFields() async throws {
        try await withSandbox { client in
            let patch = try await client.request(
                "PATCH",
                "/api/products/3?output_format=JSON",
                body: """
                    <prestashop><product><id>3</id><price>41.666667</price></product></prestashop>
                    """
            )
            #expect(patch.status == 200, "\(patch.body)")
            #expect((patch.object?["product"] as? [String: Any])?["price"] as? String == "41.666667")
            let french = try await address(in: 8, client)
            let orderID = try await client.createOrder([
                "customerId": french.customerID, "addressId": french.addressID, "rows": [["productId": 3]],
            ])
            let rows =
                (try await client.order(orderID)["associations"] as? [String: Any])?["order_rows"] as? [[String: Any]]
            #expect(rows?.first?["unit_price_tax_excl"] as? String == "41.670000")

            let quantity = try await client.request(
                "PATCH",
                "/api/products/3?output_format=JSON",
                body: """
                    <prestashop><product><id>3</id><quantity>5</quantity></product></prestashop>
                    """
            )
            #expect(quantity.status == 400)
            #expect(quantity.errorCode == 93)

            let association = try await client.request(
                "PATCH",
                "/api/products/3?output_format=JSON",
                body: """
                    <prestashop><product><id>3</id>
                    <associations><nope><x><id>1</id></x></nope></associations></product></prestashop>
                    """
            )
            #expect(association.errorCode == 86)

            let putWithoutName = try await client.request(
                "PUT",
                "/api/products/3?output_format=JSON",
                body: """
                    <prestashop><product><id>3</id><price>10</price></product></prestashop>
                    """
            )
            #expect(putWithoutName.status == 400)
            #expect(putWithoutName.errorCode == 84)
        }
    }

    @Test func ordersCannotBePostedWithoutACart() async throws {
        try await withSandbox { client in
            let body = """
                <prestashop><order><id_address_delivery>2</id_address_delivery>
                <id_address_invoice>2</id_address_invoice>
                <id_cart>5</id_cart><id_currency>1</id_currency><id_lang>1</id_lang><id_customer>2</id_customer>
                <id_carrier>1</id_carrier><module>ps_wirepayment</module><payment>Bank transfer</payment>
                <total_paid>22.94</total_paid><total_paid_real>1.23</total_paid_real>
                <total_products>19.12</total_products>
                <total_products_wt>22.94</total_products_wt><conversion_rate>1</conversion_rate></order></prestashop>
                """
            let result = try await client.request("POST", "/api/orders?output_format=JSON", body: body)
            #expect(result.status == 500)
            #expect(result.errorCode == 46)
        }
    }

    @Test func badRequestsNeverCrashTheServer() async throws {
        try await withSandbox { client in
            var garbage: [(String, String, String?)] = [
                ("GET", "/api/orders/abc", nil), ("GET", "/api/orders/-1", nil),
                ("GET", "/api/orders?filter[id]=%5B", nil), ("GET", "/api/orders?limit=-5", nil),
                ("GET", "/api/orders?sort=%5B%5D", nil), ("GET", "/api/orders?display=%5B%5D", nil),
                ("POST", "/api/customers", "<prestashop><customer><id_lang>abc</id_lang></customer></prestashop>"),
                ("POST", "/api/customers", "\u{0}\u{1}binary"), ("PUT", "/api/orders/1", "<a><b></a>"),
                (
                    "POST", "/api/order_histories",
                    "<prestashop><order_history><id_order>x</id_order></order_history></prestashop>"
                ),
                ("DELETE", "/api/orders", nil), ("PATCH", "/api/", "<x/>"),
                ("GET", "/api/orders?language=%5B1,2,3%5D", nil),
                ("POST", "/_sandbox/orders", "{not json"),
                ("POST", "/_sandbox/orders", "{\"customerId\": 99999, \"rows\": []}"),
            ]
            let longPattern = String(repeating: "%25_", count: 5_000)
            let hugeStock =
                "<prestashop><stock_available><id>1</id><quantity>99999999999</quantity></stock_available>"
                + "</prestashop>"
            let hugePrice =
                "<prestashop><product><id>1</id><price>1\(String(repeating: "9", count: 60))</price>"
                + "</product></prestashop>"
            garbage += [
                ("GET", "/api/customers?limit=5,9223372036854775807", nil),
                ("GET", "/api/customers?language=%5B1,999999999999%5D", nil),
                ("GET", "/api/customers?filter[email]=%5B\(longPattern)%5D%25", nil),
                ("PATCH", "/api/stock_availables/1", hugeStock),
                ("PATCH", "/api/products/1", hugePrice),
                (
                    "POST", "/_sandbox/orders",
                    "{\"customerId\": 1, \"rows\": [{\"productId\": 1, \"quantity\": 9223372036854775807}]}"
                ),
                (
                    "POST", "/_sandbox/generator",
                    "{\"modes\": {\"delaySeconds\": 1e300}, \"createOrders\": -5, \"ratePerSecond\": 1e300}"
                ),
                (
                    "POST", "/_sandbox/webhook",
                    "{\"url\": \"not a url\", \"secret\": \"s\", \"timeoutMilliseconds\": -1}"
                ),
            ]
            for (method, path, body) in garbage {
                let result = try await client.request(method, path, body: body)
                #expect(result.status >= 200 && result.status < 600, "\(method) \(path)")
            }
            #expect(try await client.control("GET", "health").status == 200)
            let stock = try await client.request("PATCH", "/api/stock_availables/1?output_format=JSON", body: hugeStock)
            #expect(stock.errorCode == 85)
            _ = try await client.control("POST", "generator", ["running": false])
        }
    }
}

/// The first product of the world that has combinations, as JSON.
func firstProductWithCombinations(_ client: SandboxClient) async throws -> [String: Any]? {
    for id in 1...50 {
        let product = try await client.getJSON("/api/products/\(id)").object?["product"] as? [String: Any]
        if let combinations = (product?["associations"] as? [String: Any])?["combinations"] as? [[String: Any]],
            !combinations.isEmpty
        {
            return product
        }
    }
    return nil
}

/// A dataset address in `countryID` (PrestaShop country id) and its customer.
func address(in countryID: Int, _ client: SandboxClient) async throws -> (customerID: Int, addressID: Int) {
    let result = try await client.getJSON(
        "/api/addresses?display=\(encoded("[id,id_customer]"))&filter[id_country]=\(encoded("[\(countryID)]"))&limit=1"
    )
    let row = try #require((result.object?["addresses"] as? [[String: Any]])?.first, "no address in \(countryID)")
    return (try #require(row["id_customer"] as? Int), try #require(row["id"] as? Int))
}
