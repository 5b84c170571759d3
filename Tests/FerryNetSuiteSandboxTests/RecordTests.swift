import FerrySandboxData
import Foundation
import Testing

@testable import FerryNetSuiteSandbox

@Suite("Records")
struct RecordTests {
    static let record = "/services/rest/record/v1"

    @Test func createAnswers204WithLocationAndEmptyBody() async throws {
        try await withSandbox { sandbox in
            let body = Bodies.salesOrder(externalID: "PS-1001", lines: [.init(item: TestWorld.item.netSuiteItemID)])
            let created = try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: body)
            #expect(created.status == 204)
            #expect(created.body.isEmpty)
            let location = try #require(created.header("Location"))
            #expect(location.hasPrefix("\(sandbox.baseURL)\(Self.record)/salesOrder/"))
            let id = try #require(created.locationID)
            #expect(Int(id) != nil)
        }
    }

    @Test func readsByIDAndExternalIDInNetSuiteShape() async throws {
        try await withSandbox { sandbox in
            let body = Bodies.salesOrder(externalID: "PS-1002", lines: [.init(item: TestWorld.item.netSuiteItemID)])
            let id = try #require(try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: body).locationID)

            let byID = try await sandbox.send(.GET, "\(Self.record)/salesOrder/\(id)")
            #expect(byID.status == 200)
            #expect(byID.header("Content-Type") == "application/vnd.oracle.resource+json; type=singular")
            let json = try #require(byID.json)
            #expect(json["id"] == .string(id))
            #expect(json["externalId"] == .string("PS-1002"))
            #expect(json["links"]?.arrayValue?.first?["rel"] == .string("self"))
            #expect(
                json["links"]?.arrayValue?.first?["href"]
                    == .string("\(sandbox.baseURL)\(Self.record)/salesorder/\(id)")
            )
            let entity = try #require(json["entity"])
            #expect(entity["id"] == .string(String(TestWorld.customerID)))
            #expect(entity["refName"]?.stringValue?.isEmpty == false)
            #expect(
                entity["links"]?.arrayValue?.first?["href"]
                    == .string("\(sandbox.baseURL)\(Self.record)/customer/\(TestWorld.customerID)")
            )
            // The sublist is only a link unless expanded.
            #expect(json["item"]?["items"] == nil)
            #expect(
                json["item"]?["links"]?.arrayValue?.first?["href"]
                    == .string("\(sandbox.baseURL)\(Self.record)/salesorder/\(id)/item")
            )

            let byExternalID = try await sandbox.send(.GET, "\(Self.record)/salesOrder/eid:PS-1002")
            #expect(byExternalID.json?["id"] == .string(id))

            let expanded = try await sandbox.send(.GET, "\(Self.record)/salesOrder/\(id)?expandSubResources=true")
            let lines = try #require(expanded.json?["item"]?["items"]?.arrayValue)
            #expect(lines.count == 1)
            #expect(lines[0]["line"] == .number(1))
            #expect(lines[0]["item"]?["id"] == .string(String(TestWorld.item.netSuiteItemID)))
            #expect(lines[0]["item"]?["refName"] == .string(TestWorld.item.reference))

            let sublist = try await sandbox.send(.GET, "\(Self.record)/salesOrder/\(id)/item")
            #expect(sublist.status == 200)
            #expect(sublist.json?["items"]?.arrayValue?.count == 1)
        }
    }

    @Test(arguments: ["salesOrder", "salesorder", "SALESORDER"])
    func recordTypeInPathIsCaseInsensitive(_ type: String) async throws {
        try await withSandbox { sandbox in
            let body = Bodies.salesOrder(lines: [.init(item: TestWorld.item.netSuiteItemID)])
            let created = try await sandbox.send(.POST, "\(Self.record)/\(type)", json: body)
            #expect(created.status == 204)
            let id = try #require(created.locationID)
            #expect(try await sandbox.send(.GET, "\(Self.record)/\(type)/\(id)").status == 200)
        }
    }

    @Test func transactionIDsAreNumericStringsFromOneSequence() async throws {
        try await withSandbox { sandbox in
            let order = Bodies.salesOrder(lines: [.init(item: TestWorld.item.netSuiteItemID)])
            let first = try #require(try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: order).locationID)
            let deposit = Bodies.deposit(salesOrder: first)
            let second = try #require(
                try await sandbox.send(.POST, "\(Self.record)/customerDeposit", json: deposit).locationID
            )
            #expect(Int(second)! == Int(first)! + 1)
            // The deposit's id is not a sales order.
            let wrongType = try await sandbox.send(.GET, "\(Self.record)/salesOrder/\(second)")
            #expect(wrongType.status == 400)
        }
    }

    @Test func duplicateExternalIDOnPostIsAUserError() async throws {
        try await withSandbox { sandbox in
            let body = Bodies.salesOrder(externalID: "PS-DUP", lines: [.init(item: TestWorld.item.netSuiteItemID)])
            #expect(try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: body).status == 204)
            let duplicate = try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: body)
            #expect(duplicate.status == 400)
            #expect(duplicate.errorCode == "USER_ERROR")
            #expect(duplicate.errorDetail == "Error while accessing a resource. This entity already exists.")
            #expect(duplicate.json?["title"] == .string("Bad Request"))
            #expect(duplicate.json?["status"] == .number(400))
            #expect(duplicate.json?["type"]?.stringValue?.isEmpty == false)
            let orders = try await sandbox.suiteQL("SELECT id FROM transaction WHERE externalid = 'PS-DUP'")
            #expect(TestSandbox.rows(orders).count == 1)
        }
    }

    @Test(arguments: ["\(record)/salesOrder/999999", "\(record)/salesOrder/eid:PS-NOPE", "\(record)/customer/424242"])
    func unknownIDsAre404NonexistentID(_ path: String) async throws {
        try await withSandbox { sandbox in
            let result = try await sandbox.send(.GET, path)
            #expect(result.status == 404)
            #expect(result.errorCode == "NONEXISTENT_ID")
            #expect(result.errorDetail == "The record instance does not exist. Provide a valid record instance ID.")
        }
    }

    @Test(arguments: ["eid:PS%7C1", "eid:PS.1", "eid:PS%201", "eid:"])
    func externalIDsWithForbiddenCharactersAreRefused(_ key: String) async throws {
        try await withSandbox { sandbox in
            let result = try await sandbox.send(.GET, "\(Self.record)/salesOrder/\(key)")
            #expect(result.status == 400)
            #expect(result.json?["o:errorDetails"] != nil)
        }
    }

    @Test func unknownRecordTypeIs404() async throws {
        try await withSandbox { sandbox in
            let result = try await sandbox.send(.POST, "\(Self.record)/salesOrders", json: "{}")
            #expect(result.status == 404)
            #expect(result.errorDetail == "Record type 'salesOrders' does not exist.")
        }
    }

    @Test(arguments: ["{\"entity\": ", "not json", "[1, 2]", ""])
    func malformedBodiesAre400WithNetSuiteErrorBody(_ body: String) async throws {
        try await withSandbox { sandbox in
            let result = try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: body)
            #expect(result.status == 400)
            #expect(result.errorCode == "INVALID_CONTENT")
            #expect(result.header("Content-Type")?.hasPrefix("application/vnd.oracle.resource+json") == true)
        }
    }

    struct BadReference: Sendable, CustomTestStringConvertible {
        var type: String
        var body: String
        var path: String
        var testDescription: String { path }
    }

    static let badReferences: [BadReference] = {
        let item = TestWorld.item.netSuiteItemID
        func order(
            _ extra: [String: JSONValue] = [:],
            lines: [Bodies.Line] = [.init(item: TestWorld.item.netSuiteItemID)]
        )
            -> String
        { Bodies.salesOrder(lines: lines, extra: extra) }
        let missing: JSONValue = .object(["id": .string("9999")])
        return [
            .init(
                type: "salesOrder",
                body: order(lines: [.init(item: item), .init(item: 9999)]),
                path: "item.items[1].item"
            ),
            .init(
                type: "salesOrder",
                body: order(lines: [.init(item: item, taxCode: 9999)]),
                path: "item.items[0].taxCode"
            ),
            .init(
                type: "salesOrder",
                body: Bodies.salesOrder(customer: 9999, lines: [.init(item: item)]),
                path: "entity"
            ),
            .init(type: "salesOrder", body: order(["currency": missing]), path: "currency"),
            .init(type: "salesOrder", body: order(["subsidiary": missing]), path: "subsidiary"),
            .init(type: "salesOrder", body: order(["location": missing]), path: "location"),
            .init(type: "salesOrder", body: order(["shipMethod": missing]), path: "shipMethod"),
            .init(type: "customerDeposit", body: Bodies.deposit(salesOrder: "9999"), path: "salesOrder"),
            .init(type: "customerDeposit", body: Bodies.deposit(customer: 9999, salesOrder: nil), path: "customer"),
            .init(
                type: "customerDeposit",
                body: JSONValue.object([
                    "customer": .object(["id": .string(String(TestWorld.customerID))]), "payment": .number(5),
                    "paymentMethod": missing,
                ]).serialized,
                path: "paymentMethod"
            ),
        ]
    }()

    @Test(arguments: badReferences)
    func unknownReferencesAreInvalidContentWithErrorPath(_ bad: BadReference) async throws {
        try await withSandbox { sandbox in
            let result = try await sandbox.send(.POST, "\(Self.record)/\(bad.type)", json: bad.body)
            #expect(result.status == 400)
            #expect(result.errorCode == "INVALID_CONTENT")
            #expect(result.errorPath == bad.path)
            #expect(result.errorDetail?.contains("Invalid Field Value 9999") == true)
            // Nothing was saved.
            #expect(try await sandbox.suiteQL("SELECT id FROM transaction").json?["totalResults"] == .number(0))
        }
    }

    @Test(arguments: ["id", "subTotal", "taxTotal", "total"])
    func writesToReadOnlyFieldsAreRefused(_ field: String) async throws {
        try await withSandbox { sandbox in
            let body = Bodies.salesOrder(
                lines: [.init(item: TestWorld.item.netSuiteItemID)],
                extra: [field: field == "id" ? .string("77") : .number(1)]
            )
            let created = try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: body)
            #expect(created.status == 400)
            #expect(created.errorCode == "INVALID_CONTENT")
            #expect(created.errorPath == field)

            let valid = Bodies.salesOrder(lines: [.init(item: TestWorld.item.netSuiteItemID)])
            let id = try #require(try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: valid).locationID)
            let patch = JSONValue.object([field: .number(1)]).serialized
            let patched = try await sandbox.send(.PATCH, "\(Self.record)/salesOrder/\(id)", json: patch)
            #expect(patched.status == 400)
            #expect(patched.errorCode == "INVALID_CONTENT")
        }
    }

    @Test func missingMandatoryValuesAreUserErrors() async throws {
        try await withSandbox { sandbox in
            let noCustomer = JSONValue.object(["item": Bodies.items([.init(item: TestWorld.item.netSuiteItemID)])])
            let result = try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: noCustomer.serialized)
            #expect(result.status == 400)
            #expect(result.errorCode == "USER_ERROR")
            let noLines = Bodies.salesOrder(lines: [])
            #expect(try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: noLines).errorCode == "USER_ERROR")
        }
    }

    @Test func salesOrderTotalsAreComputedFromLinesTaxAndShipping() async throws {
        try await withSandbox { sandbox in
            // 2 × 9.775 = 19.55 (amount rounded to cents); tax 20 % = 3.91; 1 × 5.00 untaxed; shipping 7.08.
            let body = Bodies.salesOrder(
                lines: [
                    .init(item: TestWorld.item.netSuiteItemID, quantity: 2, rate: Decimal("9.775")),
                    .init(item: TestWorld.secondItem.netSuiteItemID, quantity: 1, rate: 5, taxCode: nil),
                ],
                shippingCost: Decimal("7.08")
            )
            let id = try #require(try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: body).locationID)
            let json = try #require(try await sandbox.send(.GET, "\(Self.record)/salesOrder/\(id)").json)
            #expect(json["subTotal"] == .number(Decimal("24.55")))
            #expect(json["taxTotal"] == .number(Decimal("3.91")))
            #expect(json["total"] == .number(Decimal("35.54")))

            let rows = TestSandbox.rows(try await sandbox.suiteQL("SELECT total FROM transaction WHERE id = \(id)"))
            #expect(rows.first?["total"] == "35.54")
        }
    }

    @Test func linesWithoutARateGetTheBasePrice() async throws {
        try await withSandbox { sandbox in
            let item = TestWorld.item.netSuiteItemID
            let base = try #require(
                TestWorld.dataset.pricing.first {
                    $0.itemID == item && $0.priceLevelID == 1 && $0.currencyNetSuiteID == 1
                }
            )
            let body = Bodies.salesOrder(
                lines: [.init(item: item, quantity: 3)],
                extra: ["currency": .object(["id": .string("1")])]
            )
            let id = try #require(try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: body).locationID)
            let line = try #require(
                try await sandbox.send(
                    .GET,
                    "\(Self.record)/salesOrder/\(id)?expandSubResources=true"
                ).json?["item"]?["items"]?.arrayValue?.first
            )
            #expect(line["rate"] == .number(base.unitPrice))
            #expect(line["amount"] == .number((base.unitPrice * 3).rounded(2)))
        }
    }

    @Test func patchKeepsOmittedFieldsAndNullClears() async throws {
        try await withSandbox { sandbox in
            let body = Bodies.salesOrder(
                lines: [.init(item: TestWorld.item.netSuiteItemID)],
                extra: ["memo": .string("first"), "otherRefNum": .string("REF-1")]
            )
            let id = try #require(try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: body).locationID)
            let patched = try await sandbox.send(
                .PATCH,
                "\(Self.record)/salesOrder/\(id)",
                json: #"{"memo": "second", "otherRefNum": null}"#
            )
            #expect(patched.status == 204)
            #expect(patched.header("Location")?.hasSuffix("/salesOrder/\(id)") == true)
            let json = try #require(try await sandbox.send(.GET, "\(Self.record)/salesOrder/\(id)").json)
            #expect(json["memo"] == .string("second"))
            #expect(json["otherRefNum"] == nil)
            #expect(json["entity"]?["id"] == .string(String(TestWorld.customerID)))
        }
    }

    @Test func linesWithoutALineKeyAreAppendedOnPatchAndPut() async throws {
        try await withSandbox { sandbox in
            let item = TestWorld.item.netSuiteItemID
            let body = Bodies.salesOrder(externalID: "PS-APPEND", lines: [.init(item: item)])
            let id = try #require(try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: body).locationID)
            // A naive retry of the same lines duplicates them.
            let again = JSONValue.object(["item": Bodies.items([.init(item: item)])]).serialized
            #expect(try await sandbox.send(.PATCH, "\(Self.record)/salesOrder/\(id)", json: again).status == 204)
            #expect(try await sandbox.send(.PUT, "\(Self.record)/salesOrder/eid:PS-APPEND", json: again).status == 204)
            let lines = try #require(
                try await sandbox.send(
                    .GET,
                    "\(Self.record)/salesOrder/\(id)?expandSubResources=true"
                ).json?["item"]?["items"]?.arrayValue
            )
            #expect(lines.map { $0["line"] } == [.number(1), .number(2), .number(3)])
        }
    }

    @Test func replaceItemReplacesTheSublist() async throws {
        try await withSandbox { sandbox in
            let first = TestWorld.item.netSuiteItemID
            let second = TestWorld.secondItem.netSuiteItemID
            let body = Bodies.salesOrder(externalID: "PS-REPLACE", lines: [.init(item: first), .init(item: first)])
            let id = try #require(try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: body).locationID)
            let replacement = JSONValue.object(["item": Bodies.items([.init(item: second, quantity: 4)])]).serialized
            let upsert = try await sandbox.send(
                .PUT,
                "\(Self.record)/salesOrder/eid:PS-REPLACE?replace=item",
                json: replacement
            )
            #expect(upsert.status == 204)
            let lines = try #require(
                try await sandbox.send(
                    .GET,
                    "\(Self.record)/salesOrder/\(id)?expandSubResources=true"
                ).json?["item"]?["items"]?.arrayValue
            )
            #expect(lines.count == 1)
            #expect(lines.first?["item"]?["id"] == .string(String(second)))
            #expect(lines.first?["quantity"] == .number(4))
        }
    }

    @Test func lineWithItsKeyIsUpdatedInPlace() async throws {
        try await withSandbox { sandbox in
            let item = TestWorld.item.netSuiteItemID
            let body = Bodies.salesOrder(lines: [.init(item: item, rate: 10), .init(item: item, rate: 10)])
            let id = try #require(try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: body).locationID)
            let patch = JSONValue.object([
                "item": .object([
                    "items": .array([
                        .object(["line": .number(2), "quantity": .number(5)])
                    ])
                ])
            ]).serialized
            #expect(try await sandbox.send(.PATCH, "\(Self.record)/salesOrder/\(id)", json: patch).status == 204)
            let lines = try #require(
                try await sandbox.send(
                    .GET,
                    "\(Self.record)/salesOrder/\(id)?expandSubResources=true"
                ).json?["item"]?["items"]?.arrayValue
            )
            #expect(lines.count == 2)
            #expect(lines[1]["quantity"] == .number(5))
            #expect(lines[1]["amount"] == .number(50))

            let badLine = JSONValue.object([
                "item": .object([
                    "items": .array([
                        .object(["line": .number(9), "quantity": .number(1)])
                    ])
                ])
            ]).serialized
            let refused = try await sandbox.send(.PATCH, "\(Self.record)/salesOrder/\(id)", json: badLine)
            #expect(refused.status == 400)
            #expect(refused.errorPath == "item.items[0].line")
        }
    }

    @Test func putOnExternalIDUpsertsCreatingThenUpdating() async throws {
        try await withSandbox { sandbox in
            let body = Bodies.salesOrder(
                lines: [.init(item: TestWorld.item.netSuiteItemID)],
                extra: ["memo": .string("v1")]
            )
            let created = try await sandbox.send(.PUT, "\(Self.record)/salesOrder/eid:PS-UPSERT", json: body)
            #expect(created.status == 204)
            let id = try #require(created.locationID)
            let update = try await sandbox.send(
                .PUT,
                "\(Self.record)/salesOrder/eid:PS-UPSERT?replace=item",
                json: body.replacingOccurrences(of: "v1", with: "v2")
            )
            #expect(update.locationID == id)
            let json = try #require(try await sandbox.send(.GET, "\(Self.record)/salesOrder/eid:PS-UPSERT").json)
            #expect(json["memo"] == .string("v2"))
            #expect(json["externalId"] == .string("PS-UPSERT"))
            #expect(await sandbox.server.createCounts(recordType: "salesOrder") == ["PS-UPSERT": 1])

            // PUT without eid: is not an upsert.
            #expect(try await sandbox.send(.PUT, "\(Self.record)/salesOrder/\(id)", json: body).status == 405)
        }
    }

    @Test func deletingASalesOrderWithADepositIsRefused() async throws {
        try await withSandbox { sandbox in
            let order = Bodies.salesOrder(lines: [.init(item: TestWorld.item.netSuiteItemID)])
            let orderID = try #require(
                try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: order).locationID
            )
            let deposit = Bodies.deposit(salesOrder: orderID)
            let depositID = try #require(
                try await sandbox.send(.POST, "\(Self.record)/customerdeposit", json: deposit).locationID
            )

            let refused = try await sandbox.send(.DELETE, "\(Self.record)/salesOrder/\(orderID)")
            #expect(refused.status == 400)
            #expect(refused.errorCode == "THIS_RECORD_CANNOT_BE_DELETED_BECAUSE_IT_HAS_DEPENDENT_RECORDS")

            #expect(try await sandbox.send(.DELETE, "\(Self.record)/customerDeposit/\(depositID)").status == 204)
            let deleted = try await sandbox.send(.DELETE, "\(Self.record)/salesOrder/\(orderID)")
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            #expect(try await sandbox.send(.GET, "\(Self.record)/salesOrder/\(orderID)").status == 404)
        }
    }

    @Test func depositsLinkToTheCustomersOwnOrderAndCarryTheirTotal() async throws {
        try await withSandbox { sandbox in
            let order = Bodies.salesOrder(lines: [.init(item: TestWorld.item.netSuiteItemID)])
            let orderID = try #require(
                try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: order).locationID
            )
            let foreign = Bodies.deposit(customer: TestWorld.otherCustomerID, salesOrder: orderID)
            let refused = try await sandbox.send(.POST, "\(Self.record)/customerDeposit", json: foreign)
            #expect(refused.status == 400)
            #expect(refused.errorPath == "salesOrder")

            let deposit = Bodies.deposit(externalID: "PS-DEP-1", salesOrder: orderID, payment: Decimal("42.50"))
            let id = try #require(
                try await sandbox.send(.POST, "\(Self.record)/customerDeposit", json: deposit).locationID
            )
            let json = try #require(try await sandbox.send(.GET, "\(Self.record)/customerDeposit/\(id)").json)
            #expect(json["total"] == .number(Decimal("42.50")))
            #expect(json["salesOrder"]?["id"] == .string(orderID))

            let rows = TestSandbox.rows(
                try await sandbox.suiteQL(
                    "SELECT id, type, salesorder, total FROM transaction WHERE type = 'CustDep'"
                )
            )
            #expect(rows == [["id": id, "type": "CustDep", "salesorder": orderID, "total": "42.5"]])
        }
    }

    @Test func seededCustomersHaveNoExternalIDAndAreFoundByEmail() async throws {
        try await withSandbox { sandbox in
            let customer = TestWorld.customer
            let json = try #require(
                try await sandbox.send(.GET, "\(Self.record)/customer/\(customer.netSuiteID!)").json
            )
            #expect(json["email"] == .string(customer.email))
            #expect(json["externalId"] == nil)
            let rows = TestSandbox.rows(
                try await sandbox.suiteQL(
                    "SELECT id, email, externalid FROM customer WHERE LOWER(email) = '\(customer.email.lowercased())'"
                )
            )
            #expect(rows == [["id": String(customer.netSuiteID!), "email": customer.email]])
        }
    }

    @Test func seededItemsAreTheDatasetSKUs() async throws {
        try await withSandbox { sandbox in
            let sku = TestWorld.secondItem
            let json = try #require(
                try await sandbox.send(.GET, "\(Self.record)/inventoryItem/eid:\(sku.netSuiteExternalID)").json
            )
            #expect(json["id"] == .string(String(sku.netSuiteItemID)))
            #expect(json["itemId"] == .string(sku.reference))
        }
    }

    @Test func customersAreCreatedAndListedWithCollectionFilter() async throws {
        try await withSandbox { sandbox in
            let body =
                #"{"externalId": "PS-CUST-9", "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.org"}"#
            let created = try await sandbox.send(.POST, "\(Self.record)/customer", json: body)
            #expect(created.status == 204)
            let id = try #require(created.locationID)
            let json = try #require(try await sandbox.send(.GET, "\(Self.record)/customer/eid:PS-CUST-9").json)
            #expect(json["entityId"] == .string("Ada Lovelace"))
            #expect(json["isPerson"] == .bool(true))

            let listed = try await sandbox.send(.GET, "\(Self.record)/customer?q=externalId%20IS%20%22PS-CUST-9%22")
            #expect(listed.status == 200)
            #expect(listed.json?["items"]?.arrayValue?.first?["id"] == .string(id))
            #expect(listed.json?["totalResults"] == .number(1))

            let paged = try await sandbox.send(.GET, "\(Self.record)/inventoryItem?limit=5&offset=5")
            #expect(paged.json?["count"] == .number(5))
            #expect(paged.json?["hasMore"] == .bool(true))

            let badQuery = try await sandbox.send(.GET, "\(Self.record)/customer?q=email%20CONTAIN%20x")
            #expect(badQuery.status == 400)
        }
    }

    @Test func unknownFieldsAreKeptUnlessNameValidationIsError() async throws {
        try await withSandbox { sandbox in
            let body = Bodies.salesOrder(
                lines: [.init(item: TestWorld.item.netSuiteItemID)],
                extra: ["custbody_shop": .string("main")]
            )
            let id = try #require(try await sandbox.send(.POST, "\(Self.record)/salesOrder", json: body).locationID)
            #expect(
                try await sandbox.send(.GET, "\(Self.record)/salesOrder/\(id)").json?["custbody_shop"]
                    == .string("main")
            )
            let strict = try await sandbox.send(
                .POST,
                "\(Self.record)/salesOrder",
                json: body,
                headers: ["X-NetSuite-PropertyNameValidation": "Error"]
            )
            #expect(strict.status == 400)
            #expect(strict.errorPath == "custbody_shop")
        }
    }
}
