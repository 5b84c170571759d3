import FerryPrestaShopSandbox
import Foundation
import Testing

@Suite("Webservice query parameters: filter, sort, limit, display, date")
struct WebserviceQueryTests {
    private func ids(_ client: SandboxClient, _ query: String) async throws -> [Int] {
        let result = try await client.getJSON("/api/customers?\(query)")
        #expect(result.status == 200, "\(query): \(result.body)")
        if result.body == "[]" { return [] }
        let rows = try #require(result.object?["customers"] as? [[String: Any]], "\(query): \(result.body)")
        return rows.compactMap { $0["id"] as? Int }
    }

    @Test func filterOperators() async throws {
        try await withSandbox { client in
            let seven = try #require(try await client.getJSON("/api/customers/7").object?["customer"] as? [String: Any])
            let email = try #require(seven["email"] as? String)
            let lastname = try #require(seven["lastname"] as? String)

            #expect(try await ids(client, "filter[id]=\(encoded("[1|3|5]"))") == [1, 3, 5])
            #expect(try await ids(client, "filter[id]=\(encoded("[2,4]"))") == [2, 3, 4])
            #expect(try await ids(client, "filter[id]=\(encoded("[4,2]"))") == [2, 3, 4])
            #expect(try await ids(client, "filter[email]=\(encoded("[\(email)]"))") == [7])
            #expect(try await ids(client, "filter[email]=\(encoded("[\(email.uppercased())]"))") == [7])
            #expect(try await ids(client, "filter[email]=\(encoded("[\(email.prefix(12))]%"))").contains(7))
            #expect(try await ids(client, "filter[email]=\(encoded("%[\(email.suffix(8))]"))").contains(7))
            #expect(try await ids(client, "filter[email]=\(encoded("%[.7@]%"))") == [7])
            #expect(try await ids(client, "filter[id]=\(encoded(">[117]"))") == [118, 119, 120])
            #expect(try await ids(client, "filter[id]=\(encoded("<[3]"))") == [1, 2])
            #expect(try await !ids(client, "filter[id]=\(encoded("![1|2]"))").contains(1))
            #expect(try await ids(client, "filter[id]=\(encoded("![1|2]"))").count == 118)
            #expect(
                try await ids(client, "filter[lastname]=\(encoded("[\(lastname)]"))&filter[id]=\(encoded("[7]"))") == [
                    7
                ]
            )
            #expect(try await ids(client, "filter[id]=7") == [7])
        }
    }

    @Test func filterOnMultilingualFieldMatchesAnyLanguage() async throws {
        try await withSandbox { client in
            let product = try await client.getJSON("/api/products/4?language=2").object?["product"] as? [String: Any]
            let frenchName = try #require(product?["name"] as? String)
            let result = try await client.getJSON("/api/products?filter[name]=\(encoded("[\(frenchName)]"))")
            let rows = try #require(result.object?["products"] as? [[String: Any]], "\(result.body)")
            #expect(rows.compactMap { $0["id"] as? Int } == [4])
        }
    }

    @Test func sortAndLimit() async throws {
        try await withSandbox { client in
            #expect(try await ids(client, "sort=\(encoded("[id_DESC]"))&limit=3") == [120, 119, 118])
            #expect(try await ids(client, "sort=id_DESC&limit=2") == [120, 119])
            #expect(try await ids(client, "limit=2,3") == [3, 4, 5])
            // No default limit: everything comes back.
            #expect(try await ids(client, "").count == 120)

            let sorted = try await client.getJSON(
                "/api/customers?display=\(encoded("[id,lastname]"))&sort=\(encoded("[lastname_ASC,id_DESC]"))"
            )
            let rows = try #require(sorted.object?["customers"] as? [[String: Any]])
            let pairs = rows.map { (($0["lastname"] as? String ?? "").lowercased(), $0["id"] as? Int ?? 0) }
            for (previous, next) in zip(pairs, pairs.dropFirst()) {
                #expect(previous.0 < next.0 || (previous.0 == next.0 && previous.1 > next.1))
            }
        }
    }

    @Test func dateFiltersNeedDateOne() async throws {
        try await withSandbox { client in
            let first = try await client.createOrder([
                "customerId": 1, "rows": [["productId": 1]], "date": "2024-10-01 10:00:00",
            ])
            let second = try await client.createOrder([
                "customerId": 2, "rows": [["productId": 2]], "date": "2024-10-05 08:30:00",
            ])
            _ = try await client.createOrder([
                "customerId": 3, "rows": [["productId": 3]], "date": "2024-10-09 23:59:59",
            ])
            let window = encoded("[2024-10-01 00:00:00,2024-10-05 08:30:00]")

            let withoutDate = try await client.getJSON("/api/orders?filter[date_upd]=\(window)")
            #expect(withoutDate.status == 400)
            #expect(withoutDate.errorCode == 32)
            #expect(withoutDate.body.contains("This filter does not exist"))

            let sortWithoutDate = try await client.getJSON("/api/orders?sort=date_upd_ASC")
            #expect(sortWithoutDate.errorCode == 38)

            // The incremental pull of B3.
            let pull = try await client.getJSON(
                "/api/orders?display=full&date=1&filter[date_upd]=\(window)"
                    + "&sort=\(encoded("[date_upd_ASC,id_ASC]"))&limit=0,100"
            )
            let orders = try #require(pull.object?["orders"] as? [[String: Any]], "\(pull.body)")
            #expect(orders.compactMap { $0["id"] as? Int } == [first, second])
        }
    }

    @Test func malformedQueriesGetPrestaShopCodes() async throws {
        try await withSandbox { client in
            let cases: [(String, Int)] = [
                ("/api/customers?filter[nope]=\(encoded("[1]"))", 32),
                ("/api/customers?filter[id]=", 33),
                ("/api/customers?filter[id][x]=\(encoded("[1]"))", 31),
                ("/api/orders?filter[shipping_number]=\(encoded("[1]"))", 34),
                ("/api/customers?display=\(encoded("[id,nope]"))", 35),
                ("/api/customers?display=id", 36),
                ("/api/customers?sort=id", 37),
                ("/api/customers?sort=\(encoded("[id_UP]"))", 37),
                ("/api/customers?sort=\(encoded("[nope_ASC]"))", 38),
                ("/api/customers?limit=1,2,3", 39),
                ("/api/customers?schema=nope", 28),
                ("/api/customers?language=abc", 79),
            ]
            for (path, code) in cases {
                let json = try await client.getJSON(path)
                #expect(json.status == 400, "\(path)")
                #expect(json.errorCode == code, "\(path): \(json.body)")
                let xml = try await client.get(path)
                #expect(xml.body.contains("<code><![CDATA[\(code)]]></code>"), "\(path)")
            }
            let unknown = try await client.getJSON("/api/customers?filter[emial]=\(encoded("[x]"))")
            #expect(unknown.body.contains("Did you mean: \\\"email\\\""))
        }
    }

    @Test func displayWithAssociationFields() async throws {
        try await withSandbox { client in
            let id = try await client.createOrder([
                "customerId": 4, "rows": [["productId": 6], ["productId": 7, "quantity": 2]],
            ])
            let result = try await client.getJSON(
                "/api/orders?display=\(encoded("[id,reference,order_rows[product_id,product_quantity]]"))"
                    + "&filter[id]=\(encoded("[\(id)]"))"
            )
            let order = try #require((result.object?["orders"] as? [[String: Any]])?.first, "\(result.body)")
            #expect(Set(order.keys) == ["id", "reference", "associations"])
            let rows = try #require((order["associations"] as? [String: Any])?["order_rows"] as? [[String: Any]])
            #expect(
                rows.map { Set($0.keys) } == [["product_id", "product_quantity"], ["product_id", "product_quantity"]]
            )
        }
    }

    @Test func schemaBlankAndSynopsis() async throws {
        try await withSandbox { client in
            let blank = try await client.get("/api/customers?schema=blank")
            #expect(blank.body.contains("<customer>\n\t<id></id>"))
            let synopsis = try await client.get("/api/customers?schema=synopsis")
            #expect(synopsis.body.contains("<email required=\"true\" format=\"isEmail\"></email>"))
        }
    }
}
