import FerrySandboxData
import Foundation
import Testing

@testable import FerryNetSuiteSandbox

@Suite("Control API")
struct InspectionTests {
    static let orders = "/services/rest/record/v1/salesOrder"

    @Test func healthAnswersWithoutAuthentication() async throws {
        try await withSandbox(.test { $0.requireAuthentication = true }) { sandbox in
            let health = try await sandbox.send(.GET, "/_sandbox/health")
            #expect(health.status == 200)
            #expect(health.json?["status"] == .string("ok"))
            #expect(try await sandbox.send(.GET, "/services/rest/system/v1/governanceLimits").status == 401)
            // The control API is not counted.
            #expect(sandbox.server.statistics().requestsTotal == 1)
        }
    }

    @Test func recordsListExternalIDsAndFullRecords() async throws {
        try await withSandbox { sandbox in
            for externalID in ["PS-A", "PS-B"] {
                let body = Bodies.salesOrder(
                    externalID: externalID,
                    lines: [.init(item: TestWorld.item.netSuiteItemID)]
                )
                #expect(try await sandbox.send(.POST, Self.orders, json: body).status == 204)
            }
            let listed = try #require(try await sandbox.send(.GET, "/_sandbox/records/salesOrder").json)
            #expect(listed["count"] == .number(2))
            let records = try #require(listed["records"]?.arrayValue)
            #expect(records.map { $0["externalId"] } == [.string("PS-A"), .string("PS-B")])
            #expect(records.first?["record"]?["item"]?["items"]?.arrayValue?.count == 1)

            let filtered = try #require(
                try await sandbox.send(.GET, "/_sandbox/records/salesorder?externalId=PS-B").json
            )
            #expect(filtered["count"] == .number(1))
            let single = try await sandbox.send(.GET, "/_sandbox/records/salesOrder/eid:PS-A")
            #expect(single.json?["externalId"] == .string("PS-A"))
            #expect(try await sandbox.send(.GET, "/_sandbox/records/salesOrder/eid:PS-Z").status == 404)
            #expect(try await sandbox.send(.GET, "/_sandbox/records/nothing").status == 404)

            // Seeded customers only on request.
            let customers = try #require(try await sandbox.send(.GET, "/_sandbox/records/customer").json)
            #expect(customers["count"] == .number(0))
            let seeded = try #require(
                try await sandbox.send(.GET, "/_sandbox/records/customer?includeSeeded=true").json
            )
            let expected = TestWorld.dataset.customers.filter { $0.netSuiteID != nil }.count
            #expect(seeded["count"] == .number(Decimal(expected)))
        }
    }

    @Test func createsPerExternalIDCountPostsAndUpsertCreates() async throws {
        try await withSandbox { sandbox in
            let body = Bodies.salesOrder(lines: [.init(item: TestWorld.item.netSuiteItemID)])
            #expect(try await sandbox.send(.PUT, "\(Self.orders)/eid:PS-C1", json: body).status == 204)
            #expect(try await sandbox.send(.PUT, "\(Self.orders)/eid:PS-C1", json: body).status == 204)
            let post = Bodies.salesOrder(externalID: "PS-C2", lines: [.init(item: TestWorld.item.netSuiteItemID)])
            #expect(try await sandbox.send(.POST, Self.orders, json: post).status == 204)
            #expect(try await sandbox.send(.POST, Self.orders, json: post).status == 400)
            let creates = try #require(try await sandbox.send(.GET, "/_sandbox/creates").json)
            #expect(creates["salesOrder"] == .object(["PS-C1": .number(1), "PS-C2": .number(1)]))
            #expect(creates["customerDeposit"] == .object([:]))
        }
    }

    @Test func duplicateLinesAreReported() async throws {
        try await withSandbox { sandbox in
            let item = TestWorld.item.netSuiteItemID
            let body = Bodies.salesOrder(externalID: "PS-DL", lines: [.init(item: item)])
            #expect(try await sandbox.send(.POST, Self.orders, json: body).status == 204)
            // A discount item on one line per tax code (a voucher split over two VAT rates) is not a duplicate.
            let discount = TestWorld.dataset.netSuiteDiscountItem.id
            let other = try #require(TestWorld.dataset.netSuiteTaxCodes.first { $0.id != TestWorld.taxCode.id }).id
            let split = Bodies.salesOrder(
                externalID: "PS-DL-SPLIT",
                lines: [
                    .init(item: item, quantity: 2, rate: 10), .init(item: discount, rate: -1),
                    .init(item: discount, rate: -1, taxCode: other),
                ]
            )
            #expect(try await sandbox.send(.POST, Self.orders, json: split).status == 204)
            let clean = try #require(try await sandbox.send(.GET, "/_sandbox/duplicate-lines").json)
            #expect(clean["salesOrders"] == .array([]))
            // A retried upsert without replace=item appends the same line again.
            #expect(try await sandbox.send(.PUT, "\(Self.orders)/eid:PS-DL", json: body).status == 204)
            let report = try #require(try await sandbox.send(.GET, "/_sandbox/duplicate-lines").json)
            let entry = try #require(report["salesOrders"]?.arrayValue?.first)
            #expect(report["salesOrders"]?.arrayValue?.count == 1)
            #expect(entry["externalId"] == .string("PS-DL"))
            #expect(
                entry["items"]
                    == .array([.object(["item": .string(String(item)), "lines": .array([.number(1), .number(2)])])])
            )
        }
    }

    @Test func inventoryCanBeInspectedAndAdjusted() async throws {
        try await withSandbox { sandbox in
            let item = TestWorld.item.netSuiteItemID
            let seeded = TestWorld.dataset.inventory.filter { $0.itemID == item }
            let listed = try #require(try await sandbox.send(.GET, "/_sandbox/inventory?item=\(item)").json)
            #expect(listed["items"]?.arrayValue?.count == seeded.count)
            #expect(
                listed["items"]?.arrayValue?.first?["quantityOnHand"]
                    == .number(Decimal(seeded.first!.quantityOnHand))
            )

            let adjusted = try await sandbox.send(
                .POST,
                "/_sandbox/inventory/adjust",
                json: #"{"item": \#(item), "location": 2, "quantityOnHand": 3, "quantityOnOrder": 20}"#
            )
            #expect(adjusted.json?["quantityOnOrder"] == .number(20))
            let rows = TestSandbox.rows(
                try await sandbox.suiteQL(
                    "SELECT quantityonhand, quantityonorder FROM inventoryitemlocations "
                        + "WHERE item = \(item) AND location = 2"
                )
            )
            #expect(rows == [["quantityonhand": "3", "quantityonorder": "20"]])

            #expect(
                try await sandbox.send(
                    .POST,
                    "/_sandbox/inventory/adjust",
                    json: #"{"item": 1, "location": 1, "delta": 1}"#
                ).status == 400
            )
            #expect(
                try await sandbox.send(
                    .POST,
                    "/_sandbox/inventory/adjust",
                    json: #"{"item": \#(item), "location": 99, "delta": 1}"#
                ).status == 400
            )
            #expect(
                try await sandbox.send(
                    .POST,
                    "/_sandbox/inventory/adjust",
                    json: #"{"item": \#(item), "location": 1}"#
                ).status == 400
            )
        }
    }
}
