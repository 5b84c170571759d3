import FerrySandboxData
import Foundation
import Testing

@testable import FerryNetSuiteSandbox

@Suite("SuiteQL")
struct SuiteQLTests {
    static let path = "/services/rest/query/v1/suiteql"

    @Test func requiresPreferTransient() async throws {
        try await withSandbox { sandbox in
            let body = #"{"q": "SELECT id FROM item"}"#
            let refused = try await sandbox.send(.POST, Self.path, json: body)
            #expect(refused.status == 400)
            #expect(refused.json?["o:errorDetails"]?.arrayValue?.first?["o:errorHeader"] == .string("Prefer"))
            let accepted = try await sandbox.send(.POST, Self.path, json: body, headers: ["Prefer": "transient"])
            #expect(accepted.status == 200)
        }
    }

    @Test func pagesWithLimitOffsetAndLinks() async throws {
        try await withSandbox { sandbox in
            let query = "SELECT id, itemid FROM item ORDER BY id"
            // Every SKU, plus the discount, wrapping and rounding items.
            let total = TestWorld.dataset.skus.count + TestWorld.dataset.netSuiteChargeItems.count
            let first = try await sandbox.suiteQL(query, limit: 10, offset: 0)
            #expect(first.status == 200)
            let json = try #require(first.json)
            #expect(json["count"] == .number(10))
            #expect(json["hasMore"] == .bool(true))
            #expect(json["offset"] == .number(0))
            #expect(json["totalResults"] == .number(Decimal(total)))
            let links = Dictionary(
                uniqueKeysWithValues: (json["links"]?.arrayValue ?? []).compactMap { link in
                    link["rel"]?.stringValue.map { ($0, link["href"]?.stringValue ?? "") }
                }
            )
            #expect(links["next"] == "\(sandbox.baseURL)\(Self.path)?limit=10&offset=10")
            #expect(links["self"] == "\(sandbox.baseURL)\(Self.path)?limit=10&offset=0")
            #expect(links["last"] == "\(sandbox.baseURL)\(Self.path)?limit=10&offset=\(((total - 1) / 10) * 10)")
            #expect(links["prev"] == nil)

            let ids = TestWorld.dataset.skus.map(\.netSuiteItemID).sorted()
            #expect(TestSandbox.rows(first).map { $0["id"] } == ids.prefix(10).map { String($0) })
            let second = try await sandbox.suiteQL(query, limit: 10, offset: 10)
            #expect(TestSandbox.rows(second).map { $0["id"] } == ids.dropFirst(10).prefix(10).map { String($0) })
            #expect(second.json?["links"]?.arrayValue?.contains { $0["rel"] == .string("prev") } == true)

            let last = try await sandbox.suiteQL(query, limit: 1000, offset: 0)
            #expect(last.json?["hasMore"] == .bool(false))
            #expect(last.json?["count"] == .number(Decimal(total)))
        }
    }

    @Test func columnsComeBackLowerCaseAsStringsWithNullsLeftOut() async throws {
        try await withSandbox { sandbox in
            let body = Bodies.salesOrder(
                externalID: "PS-549085",
                lines: [.init(item: TestWorld.item.netSuiteItemID)],
                extra: ["tranDate": .string("2024-07-05")]
            )
            let id = try #require(
                try await sandbox.send(.POST, "/services/rest/record/v1/salesOrder", json: body).locationID
            )
            let result = try await sandbox.suiteQL(
                "select ID, TranId, ExternalId, Memo, trandate from TRANSACTION where type = 'SalesOrd' "
                    + "and externalid = 'PS-549085'"
            )
            let item = try #require(result.json?["items"]?.arrayValue?.first)
            #expect(item["links"] == .array([]))
            #expect(item["id"] == .string(id))
            #expect(item["tranid"] == .string("SO\(id)"))
            #expect(item["externalid"] == .string("PS-549085"))
            #expect(item["trandate"] == .string("7/5/2024"))
            #expect(item["memo"] == nil)
        }
    }

    @Test(arguments: [("1001", "limit"), ("0", "limit"), ("abc", "limit")])
    func badPagingParametersAreRefused(_ value: String, _ name: String) async throws {
        try await withSandbox { sandbox in
            let result = try await sandbox.send(
                .POST,
                "\(Self.path)?\(name)=\(value)",
                json: #"{"q": "SELECT id FROM item"}"#,
                headers: ["Prefer": "transient"]
            )
            #expect(result.status == 400)
            #expect(result.errorCode == "INVALID_PARAMETER")
        }
    }

    @Test(arguments: [
        "SELECT id FROM nosuchtable",
        "SELECT nosuchcolumn FROM item",
        "SELECT id FROM item WHERE nosuchcolumn = 1",
        "SELECT id FROM item WHERE id = 1 OR id = 2",
        "SELECT id item",
        "DELETE FROM item",
        "SELECT id FROM item WHERE itemid = 'unterminated",
    ])
    func unsupportedQueriesAreInvalidSearchQueries(_ query: String) async throws {
        try await withSandbox { sandbox in
            let result = try await sandbox.suiteQL(query)
            #expect(result.status == 400)
            #expect(result.errorCode == "INVALID_PARAMETER")
            #expect(result.errorDetail?.hasPrefix("Invalid search query.") == true)
        }
    }

    @Test func inventoryQuantitiesFollowOrdersAndAdjustments() async throws {
        try await withSandbox { sandbox in
            let sku = TestWorld.item
            let location = 1
            let query =
                "SELECT item, location, quantityonhand, quantityavailable, quantitycommitted "
                + "FROM inventoryitemlocations WHERE location IN (1, 2) AND item = \(sku.netSuiteItemID) "
                + "ORDER BY item, location"
            // Set a known quantity, then order part of it at that location.
            let adjusted = try await sandbox.send(
                .POST,
                "/_sandbox/inventory/adjust",
                json: #"{"item": "\#(sku.netSuiteItemID)", "location": "\#(location)", "quantityOnHand": 10}"#
            )
            #expect(adjusted.status == 200)
            let before = TestSandbox.rows(try await sandbox.suiteQL(query)).first { $0["location"] == "1" }
            #expect(before?["quantityonhand"] == "10")
            #expect(before?["quantityavailable"] == "10")

            let order = Bodies.salesOrder(
                lines: [.init(item: sku.netSuiteItemID, quantity: 3)],
                extra: ["location": .object(["id": .string("1")])]
            )
            #expect(try await sandbox.send(.POST, "/services/rest/record/v1/salesOrder", json: order).status == 204)
            let after = TestSandbox.rows(try await sandbox.suiteQL(query)).first { $0["location"] == "1" }
            #expect(after?["quantityonhand"] == "10")
            #expect(after?["quantitycommitted"] == "3")
            #expect(after?["quantityavailable"] == "7")

            let received = try await sandbox.send(
                .POST,
                "/_sandbox/inventory/adjust",
                json: #"{"item": \#(sku.netSuiteItemID), "location": 1, "delta": 5}"#
            )
            #expect(received.json?["quantityOnHand"] == .number(15))
            let later = TestSandbox.rows(try await sandbox.suiteQL(query)).first { $0["location"] == "1" }
            #expect(later?["quantityavailable"] == "12")
        }
    }

    @Test func pricingRowsForItems() async throws {
        try await withSandbox { sandbox in
            let items = [TestWorld.item.netSuiteItemID, TestWorld.secondItem.netSuiteItemID]
            let result = try await sandbox.suiteQL(
                "SELECT item, pricelevel, currency, unitprice FROM pricing WHERE item IN (\(items[0]), \(items[1])) "
                    + "AND currency = 1 ORDER BY item, pricelevel DESC"
            )
            let rows = TestSandbox.rows(result)
            let expected = TestWorld.dataset.pricing
                .filter { items.contains($0.itemID) && $0.currencyNetSuiteID == 1 }
                .sorted { ($0.itemID, -$0.priceLevelID) < ($1.itemID, -$1.priceLevelID) }
            #expect(rows.count == expected.count)
            #expect(rows.map { $0["pricelevel"] } == expected.map { String($0.priceLevelID) })
            #expect(rows.map { $0["unitprice"] } == expected.map { $0.unitPrice.plainDescription })
        }
    }

    @Test func countToCharAndAliases() async throws {
        try await withSandbox { sandbox in
            let count = TestSandbox.rows(try await sandbox.suiteQL("SELECT COUNT(*) AS n FROM item"))
            #expect(
                count == [["n": String(TestWorld.dataset.skus.count + TestWorld.dataset.netSuiteChargeItems.count)]]
            )

            let body = Bodies.salesOrder(
                lines: [.init(item: TestWorld.item.netSuiteItemID)],
                extra: ["tranDate": .string("2024-07-05")]
            )
            #expect(try await sandbox.send(.POST, "/services/rest/record/v1/salesOrder", json: body).status == 204)
            let rows = TestSandbox.rows(
                try await sandbox.suiteQL(
                    "SELECT t.id AS orderid, TO_CHAR(t.trandate, 'YYYY-MM-DD') AS day FROM transaction t "
                        + "WHERE t.trandate >= TO_DATE('2024-07-01', 'YYYY-MM-DD') AND t.trandate < '2024-08-01'"
                )
            )
            #expect(rows.count == 1)
            #expect(rows.first?["day"] == "2024-07-05")
            #expect(rows.first?["orderid"] != nil)
        }
    }

    @Test(arguments: [
        "SELECT * FROM item",
        "select id, itemid from item where itemid like 'FS-%' and isinactive = 'F' order by itemid desc",
        "SELECT id FROM transaction WHERE externalid IS NULL",
        "SELECT id FROM customer WHERE id NOT IN (1, 2) AND email IS NOT NULL;",
        "SELECT item FROM pricing WHERE unitprice > -1.5 AND unitprice <= 100",
        "SELECT id FROM transaction WHERE lastmodifieddate >= TO_DATE('2024-07-05 10:00:00', 'YYYY-MM-DD HH24:MI:SS')",
    ])
    func grammarAcceptsTheSupportedForms(_ query: String) throws {
        _ = try SuiteQLParser.parse(query)
    }

    @Test func parserResolvesAliasesAndOperators() throws {
        let query = try SuiteQLParser.parse(
            "SELECT t.id, t.tranid AS ref FROM transaction t WHERE t.type = 'SalesOrd' AND LOWER(t.memo) <> 'x' "
                + "ORDER BY t.id DESC"
        )
        #expect(query.table == "transaction")
        #expect(
            query.selection
                == .items([
                    .init(expression: .column("id"), alias: nil),
                    .init(expression: .column("tranid"), alias: "ref"),
                ])
        )
        #expect(
            query.conditions == [
                .compare(.column("type"), .equal, .text("SalesOrd")),
                .compare(.lower("memo"), .notEqual, .text("x")),
            ]
        )
        #expect(query.ordering == [.init(column: "id", ascending: false)])
    }
}
