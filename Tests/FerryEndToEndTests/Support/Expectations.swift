import FerrySandboxData
import FerryTestSupport
import Foundation
import Testing

extension PipelineHarness {
    /// What NetSuite holds for one order, read through the sandbox's inspection API.
    struct NetSuiteOrder: Sendable {
        var salesOrder: JSONValue
        var deposit: JSONValue?
        var customerID: String
    }

    /// Checks that order `orderID` is in NetSuite exactly once and correct: one sales order `PS-1-<id>` with the
    /// shop's lines mapped through `sandbox/mappings` (item, quantity, rate, tax code), currency and customer
    /// (the existing NetSuite customer, or one created as `PS-1-CUST-<customer>`), one deposit `PS-1-<id>-DEP`
    /// for the paid amount linked to it when the order is paid, the shop order in the write-back state, and
    /// the order recorded in `processed_events`. `checkSalesOrderCreates` false skips "created exactly once" for
    /// a sales order that was rightly created and rolled back before.
    @discardableResult
    func expectInNetSuiteExactlyOnce(
        orderID: Int,
        itemOverrides: [SandboxWorld.SKUKey: Int] = [:],
        writeBackState: Int = 14,
        checkSalesOrderCreates: Bool = true,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> NetSuiteOrder {
        let order = try await shopOrder(orderID: orderID)
        let externalID = "PS-1-\(orderID)"

        let salesOrders = try await netSuiteRecords("salesOrder", externalID: externalID)
        #expect(salesOrders.count == 1, "sales orders with externalId \(externalID)", sourceLocation: sourceLocation)
        let creates = try await netSuiteCreates("salesOrder")
        #expect(
            !checkSalesOrderCreates || creates[externalID] == 1,
            "creates of \(externalID): \(creates[externalID] ?? 0)",
            sourceLocation: sourceLocation
        )
        let salesOrder = try #require(salesOrders.first?["record"], sourceLocation: sourceLocation)

        // Lines: item per products.csv, quantity, rate (unit price tax excluded), tax code per tax-codes.csv.
        guard let countryISO = SandboxWorld.country(ofAddress: order["id_address_delivery"].int ?? 0)?.isoCode else {
            throw HarnessError("order \(orderID) has an unknown delivery address")
        }
        let rows = order["associations"]["order_rows"].array
        let lines = salesOrder["item"]["items"].array
        // Product lines first; discount, wrapping and rounding lines (mapped items, not SKUs) after them.
        let chargeItems = Set(SandboxWorld.dataset.netSuiteChargeItems.map { String($0.id) })
        #expect(
            lines.count >= rows.count
                && lines.dropFirst(rows.count).allSatisfy { chargeItems.contains($0["item"].referenceID ?? "") },
            "lines of \(externalID)",
            sourceLocation: sourceLocation
        )
        // NetSuite's total, computed from the tax codes, is what the customer paid.
        #expect(
            salesOrder["total"].decimal == order["total_paid_tax_incl"].decimal,
            "NetSuite total of \(externalID) vs total_paid_tax_incl",
            sourceLocation: sourceLocation
        )
        for (row, line) in zip(rows, lines) {
            let sku = SandboxWorld.SKUKey(
                productID: row["product_id"].int ?? 0,
                combinationID: row["product_attribute_id"].int ?? 0
            )
            let item = itemOverrides[sku] ?? SandboxWorld.productMappings[sku]?.itemID
            #expect(line["item"].referenceID == item.map(String.init), "item of \(sku)", sourceLocation: sourceLocation)
            #expect(
                line["quantity"].int == row["product_quantity"].int,
                "quantity of \(sku)",
                sourceLocation: sourceLocation
            )
            #expect(
                line["rate"].decimal == row["unit_price_tax_excl"].decimal,
                "rate of \(sku)",
                sourceLocation: sourceLocation
            )
            let category = SandboxWorld.taxCategory(ofProduct: sku.productID) ?? 1
            let taxCode = SandboxWorld.taxCodes["\(countryISO)/\(category)/1"]
            #expect(
                line["taxCode"].referenceID == taxCode.map(String.init),
                "tax code of \(sku)",
                sourceLocation: sourceLocation
            )
        }

        // Currency.
        let currencyISO = SandboxWorld.dataset.currencies.first { $0.id == order["id_currency"].int }?.isoCode ?? "?"
        #expect(
            salesOrder["currency"].referenceID == SandboxWorld.currencies[currencyISO].map(String.init),
            "currency \(currencyISO)",
            sourceLocation: sourceLocation
        )

        // Customer: the one NetSuite already had (found by e-mail), or one Ferry created with our external id.
        let customerID = order["id_customer"].int ?? 0
        let customer = try #require(
            SandboxWorld.dataset.customers.first { $0.id == customerID },
            sourceLocation: sourceLocation
        )
        let entity = salesOrder["entity"].referenceID ?? ""
        let created = try await netSuiteRecords("customer", externalID: "PS-1-CUST-\(customerID)")
        if let known = customer.netSuiteID {
            #expect(entity == String(known), "existing customer found by e-mail", sourceLocation: sourceLocation)
            #expect(created.isEmpty, "no customer created for an existing one", sourceLocation: sourceLocation)
        } else {
            #expect(created.count == 1, "one customer PS-1-CUST-\(customerID)", sourceLocation: sourceLocation)
            #expect(
                created.first?["id"].string == entity,
                "sales order entity is the created customer",
                sourceLocation: sourceLocation
            )
            #expect(
                created.first?["record"]["email"].string?.lowercased() == customer.email.lowercased(),
                "created customer's e-mail",
                sourceLocation: sourceLocation
            )
        }

        // Deposit for the paid amount, linked to the sales order, when the order is paid.
        let history = try await orderHistory(orderID: orderID)
        let paid = isPaid(state: history["history"][0]["stateId"].int ?? 0)
        let deposits = try await netSuiteRecords("customerDeposit", externalID: "\(externalID)-DEP")
        var deposit: JSONValue?
        if paid {
            #expect(deposits.count == 1, "one deposit \(externalID)-DEP", sourceLocation: sourceLocation)
            let depositCreates = try await netSuiteCreates("customerDeposit")
            #expect(depositCreates["\(externalID)-DEP"] == 1, "deposit creates", sourceLocation: sourceLocation)
            deposit = deposits.first?["record"]
            #expect(
                deposit?["salesOrder"].referenceID == salesOrders.first?["id"].string,
                "deposit linked",
                sourceLocation: sourceLocation
            )
            #expect(deposit?["customer"].referenceID == entity, "deposit customer", sourceLocation: sourceLocation)
            #expect(
                deposit?["payment"].decimal == order["total_paid_tax_incl"].decimal,
                "deposit amount",
                sourceLocation: sourceLocation
            )
            #expect(
                deposit?["paymentMethod"].referenceID
                    == SandboxWorld.paymentMethods[order["module"].string ?? ""].map(String.init),
                "payment method",
                sourceLocation: sourceLocation
            )
        } else {
            #expect(deposits.isEmpty, "no deposit for an unpaid order", sourceLocation: sourceLocation)
        }

        // Written back to the shop, and recorded once.
        #expect(history["currentState"].int == writeBackState, "shop order state", sourceLocation: sourceLocation)
        #expect(
            history["history"].array.filter { $0["stateId"].int == writeBackState }.count == 1,
            "write-back state added once",
            sourceLocation: sourceLocation
        )
        #expect(
            try await processedEvents(orderID: orderID) == 1,
            "processed_events row",
            sourceLocation: sourceLocation
        )
        let sync = try await syncRow(orderID: orderID)
        #expect(sync?.stage == "written_back", sourceLocation: sourceLocation)
        #expect(sync?.salesOrderID == salesOrders.first?["id"].string, sourceLocation: sourceLocation)
        return NetSuiteOrder(salesOrder: salesOrder, deposit: deposit, customerID: entity)
    }

    func isPaid(state: Int) -> Bool {
        SandboxWorld.dataset.orderStates.first { $0.id == state }?.paid ?? false
    }
}
