import FerryCore
import FerryPostgres
import FerrySandboxData
import FerryWorker
import Foundation
import Testing

/// Orders with cart rules, free shipping, gift wrapping and each PrestaShop rounding mode, priced by the PrestaShop
/// sandbox as PrestaShop prices them, through the worker into the NetSuite sandbox, which computes totals from the
/// tax codes as NetSuite does: the sales order's total and the deposit are what the customer paid, to the cent.
@Suite(.serialized) struct ShopTotalsTests {
    static let dataset = OrderWorld.dataset
    /// A SKU of another tax category than ``OrderWorld/sku``, so orders mix two VAT rates.
    static let otherSKU: SandboxDataset.SKU = {
        let category = { (sku: SandboxDataset.SKU) in dataset.products.first { $0.id == sku.productID }?.taxCategoryID }
        let first = category(OrderWorld.sku)
        return dataset.skus.first { category($0) != nil && category($0) != first }!
    }()

    static func row(_ sku: SandboxDataset.SKU, _ quantity: Int) -> [String: any Sendable] {
        ["productId": sku.productID, "productAttributeId": sku.combinationID, "quantity": quantity]
    }

    static let twoRates: [[String: any Sendable]] = [row(OrderWorld.sku, 2), row(otherSKU, 1)]

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var extra: [String: any Sendable]
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "10 % voucher on two VAT rates", extra: ["rows": twoRates, "cartRules": [1], "carrierId": 2]),
        Case(name: "Black Friday 15 %, its own discount item", extra: ["rows": twoRates, "cartRules": [2]]),
        Case(name: "10 EUR off on two VAT rates", extra: ["rows": twoRates, "cartRules": [3], "carrierId": 3]),
        Case(name: "free shipping", extra: ["cartRules": [4], "carrierId": 2]),
        Case(name: "10 % and free shipping", extra: ["rows": twoRates, "cartRules": [1, 4], "carrierId": 4]),
        Case(name: "gift wrapping", extra: ["giftWrapping": true, "carrierId": 2]),
        Case(name: "round per item", extra: ["rows": [row(OrderWorld.sku, 7), row(otherSKU, 3)], "roundType": 1]),
        Case(name: "round per line", extra: ["rows": [row(OrderWorld.sku, 7), row(otherSKU, 3)], "roundType": 2]),
        Case(
            name: "round on the total, with a voucher and wrapping",
            extra: ["rows": twoRates, "roundType": 3, "cartRules": [1], "giftWrapping": true]
        ),
    ]

    /// The order as the shop holds it: `total_paid_tax_incl` and `total_discounts_tax_incl`.
    static func shopTotals(_ id: Int, in world: OrderWorld) async throws -> (paid: Decimal, discounts: Decimal) {
        let json = try JSONSerialization.jsonObject(with: Data(try await world.webserviceOrder(id))) as? [String: Any]
        let order = json?["order"] as? [String: Any]
        func money(_ field: String) -> Decimal { Decimal(string: order?[field] as? String ?? "") ?? -1 }
        return (money("total_paid_tax_incl"), money("total_discounts_tax_incl"))
    }

    static func importOtherSKU(_ world: OrderWorld) async throws {
        _ = try await MappingStore(client: world.database).importRows(
            [
                .product(
                    ProductKey(productID: otherSKU.productID, combinationID: otherSKU.combinationID),
                    reference: otherSKU.reference,
                    itemID: otherSKU.netSuiteItemID
                )
            ],
            logger: OrderWorld.logger
        )
    }

    @Test(arguments: cases)
    func netSuitesTotalIsWhatTheCustomerPaid(_ example: Case) async throws {
        try await withOrderWorld { world in
            try await Self.importOtherSKU(world)
            let customer = OrderWorld.newCustomers[0]
            let order = try await world.placeOrder(customerID: customer.id, extra: example.extra)
            let shop = try await Self.shopTotals(order, in: world)
            #expect(try await FaultSchedule.settle(order, in: world) == .inNetSuite, "\(example.name)")
            let salesOrders = await world.netSuite.records(ofType: "salesOrder").filter {
                $0.externalID == "PS-1-\(order)"
            }
            #expect(salesOrders.count == 1)
            #expect(salesOrders.first?.total == shop.paid, "NetSuite total vs total_paid_tax_incl: \(example.name)")
            let deposit = await world.netSuite.records(ofType: "customerDeposit").first {
                $0.externalID == "PS-1-\(order)-DEP"
            }
            #expect(deposit?.payment == shop.paid, "deposit vs amount paid")
            if example.extra["cartRules"] != nil { #expect(shop.discounts > 0, "the shop applied the cart rule") }
        }
    }

    @Test func anUnmappedCartRuleIsDeadLetteredNamingItAndMapsAfterImportAndResubmit() async throws {
        try await withOrderWorld { world in
            try await Self.importOtherSKU(world)
            _ = try await world.database.query("DELETE FROM map_discounts", logger: OrderWorld.logger)
            let order = try await world.placeOrder(
                customerID: OrderWorld.newCustomers[1].id,
                extra: ["rows": Self.twoRates, "cartRules": [1]]
            )
            #expect(try await FaultSchedule.settle(order, in: world, timeout: .seconds(60)) == .deadLettered)
            let key = IdempotencyKey(shopID: 1, orderID: order).description
            let letters = try await world.deadLetters(key)
            let last = try #require(letters.last?.attempts.last)
            #expect(last.errorClass == "order_specific" && last.message.hasPrefix("missing mappings:"))
            #expect(last.message.contains("cart rule 1 (10% off your order)"), "\(last.message)")
            #expect(await world.netSuite.records(ofType: "salesOrder").isEmpty, "nothing reached NetSuite")

            // The operator imports the row and resubmits.
            let rows = try MappingCSV.parse("prestashop_cart_rule_id,netsuite_item_id\n1,90001\n", kind: .discounts)
                .get()
            _ = try await MappingStore(client: world.database).importRows(rows, logger: OrderWorld.logger)
            let stored = try #require(
                try await DeadLetterQueue(jetStream: world.jetStream, queue: world.queue).list().first {
                    $0.entry.idempotencyKey == key
                }
            )
            try await DeadLetterQueue(jetStream: world.jetStream, queue: world.queue).resubmit(
                stored,
                sync: world.sync,
                logger: OrderWorld.logger
            )
            #expect(try await FaultSchedule.settle(order, in: world) == .inNetSuite)
            let total = await world.netSuite.records(ofType: "salesOrder").first { $0.externalID == "PS-1-\(order)" }?
                .total
            #expect(total == (try await Self.shopTotals(order, in: world)).paid)
        }
    }

    @Test func anOrderWhoseTotalsDoNotAddUpIsDeadLetteredAndNothingIsCreated() async throws {
        try await withOrderWorld { world in
            // NetSuite's tax codes are mapped one point above the shop's VAT: NetSuite would book more than was paid.
            _ = try await world.database.query(
                "UPDATE map_tax_codes SET rate_percent = rate_percent + 1",
                logger: OrderWorld.logger
            )
            let order = try await world.placeOrder(customerID: OrderWorld.newCustomers[2].id)
            #expect(try await FaultSchedule.settle(order, in: world) == .deadLettered)
            let key = IdempotencyKey(shopID: 1, orderID: order).description
            let attempts = try await world.deadLetters(key).last?.attempts ?? []
            #expect(attempts.count == 1, "dead-lettered at once, not retried")
            #expect(attempts.last?.errorClass == "permanent")
            #expect(attempts.last?.message.hasPrefix("total mismatch: NetSuite would compute") == true)
            let paid = try await Self.shopTotals(order, in: world).paid
            #expect(attempts.last?.message.contains("customer paid \(paid)") == true, "\(attempts.last?.message ?? "")")
            #expect(await world.netSuite.records(ofType: "salesOrder").isEmpty)
            #expect(await world.netSuite.records(ofType: "customer").isEmpty, "not even the customer")
        }
    }
}
