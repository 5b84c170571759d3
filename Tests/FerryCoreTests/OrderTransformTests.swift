import FerryCore
import Foundation
import Testing

@Suite struct OrderTransformTests {
    static func order(lines: [ShopOrder.Line]? = nil, module: String = "ps_wirepayment") -> ShopOrder {
        ShopOrder(
            id: 549_085,
            shopID: 1,
            reference: "FMHGOYBGK",
            customerID: 532_822,
            deliveryAddressID: 967_452,
            currencyID: 1,
            carrierID: 2,
            paymentModule: module,
            currentState: 2,
            dateAdd: "2024-07-05 16:40:18",
            totalPaidTaxIncl: Decimal(string: "20.23")!,
            totalShippingTaxExcl: Decimal(string: "7.08")!,
            totalShippingTaxIncl: Decimal(string: "8.50")!,
            lines: lines ?? [
                .init(
                    rowID: 983_222,
                    productID: 52_695,
                    combinationID: 0,
                    reference: "4589504961513",
                    name: "Porte Clé",
                    quantity: 1,
                    unitPriceTaxExcl: Decimal(string: "9.775")!,
                    unitPriceTaxIncl: Decimal(string: "11.73")!
                )
            ]
        )
    }

    static func context(paid: Bool = true) -> OrderContext {
        OrderContext(
            deliveryCountryISO: "FR",
            currencyISO: "EUR",
            lineTaxCategories: [983_222: 1],
            isPaid: paid,
            customerEntityID: 107
        )
    }

    static func mappings() -> ResolvedMappings {
        var m = ResolvedMappings()
        m.products[ProductKey(productID: 52_695, combinationID: 0)] = 10_001
        m.taxCodes[TaxCodeKey(countryISO: "FR", taxCategoryID: 1, subsidiaryID: 1)] = 105
        m.taxRates[105] = 20
        m.currencies["EUR"] = 1
        m.paymentMethods["ps_wirepayment"] = 1
        m.shipMethods[2] = 502
        m.carrierTaxCategories[2] = 1
        m.orderItems[.rounding] = OrderItemMapping(itemID: 90_020, taxCategoryID: nil)
        m.shops[1] = ShopMapping(subsidiaryID: 1, locationID: 1)
        return m
    }

    @Test func mapsAPaidOrderToASalesOrderWithDeposit() throws {
        let draft = try OrderTransform.salesOrder(for: Self.order(), context: Self.context(), mappings: Self.mappings())
            .get()
        #expect(draft.externalID == "PS-1-549085")
        #expect(draft.customerEntityID == 107)
        #expect(draft.subsidiaryID == 1 && draft.locationID == 1 && draft.currencyID == 1 && draft.shipMethodID == 502)
        #expect(draft.tranDate == "2024-07-05")
        #expect(draft.otherRefNum == "FMHGOYBGK")
        #expect(draft.shippingCost == Decimal(string: "7.08"))
        #expect(draft.shippingTaxCodeID == 105)
        // The real sample's unit price has three decimals: NetSuite's line is 9.78 + 1.96 tax, one cent over the
        // shop's 11.73, so a rounding line brings the total back to the 20.23 paid.
        #expect(
            draft.lines == [
                .init(itemID: 10_001, quantity: 1, rate: Decimal(string: "9.775")!, taxCodeID: 105),
                .init(
                    itemID: 90_020,
                    quantity: 1,
                    rate: Decimal(string: "-0.01")!,
                    taxCodeID: nil,
                    description: "Rounding"
                ),
            ]
        )
        #expect(draft.expectedTotal == Decimal(string: "20.23"))
        #expect(
            draft.deposit == .init(externalID: "PS-1-549085-DEP", amount: Decimal(string: "20.23")!, paymentMethodID: 1)
        )
    }

    @Test func unpaidOrdersGetNoDepositAndNeedNoPaymentMapping() throws {
        var mappings = Self.mappings()
        mappings.paymentMethods = [:]
        let draft = try OrderTransform.salesOrder(
            for: Self.order(),
            context: Self.context(paid: false),
            mappings: mappings
        ).get()
        #expect(draft.deposit == nil)
    }

    @Test func fallsBackToTheProductReference() throws {
        var mappings = Self.mappings()
        mappings.products = [:]
        mappings.productsByReference["4589504961513"] = 10_009
        let draft = try OrderTransform.salesOrder(for: Self.order(), context: Self.context(), mappings: mappings).get()
        #expect(draft.lines.first?.itemID == 10_009)
    }

    @Test func reportsEveryMissingMappingAtOnce() {
        let result = OrderTransform.salesOrder(
            for: Self.order(module: "paypal"),
            context: Self.context(),
            mappings: ResolvedMappings()
        )
        guard case .failure(.missingMappings(let missing)) = result else {
            Issue.record("expected missing mappings, got \(result)")
            return
        }
        #expect(
            Set(missing) == [
                .shop(shopID: 1), .currency(iso: "EUR"), .shipMethod(carrierID: 2), .paymentMethod(module: "paypal"),
                .product(productID: 52_695, combinationID: 0, reference: "4589504961513"),
                .carrierTaxCategory(carrierID: 2),
            ]
        )
        #expect(Set(missing.map(\.kind)) == ["shops", "currencies", "carriers", "payment-methods", "products"])
    }

    @Test func aMissingTaxCodeNamesCountryCategoryAndSubsidiary() {
        var context = Self.context()
        context.deliveryCountryISO = "SE"
        let result = OrderTransform.salesOrder(for: Self.order(), context: context, mappings: Self.mappings())
        #expect(
            result == .failure(.missingMappings([.taxCode(.init(countryISO: "SE", taxCategoryID: 1, subsidiaryID: 1))]))
        )
    }

    @Test(arguments: [
        ([ShopOrder.Line](), "the order has no rows"),
        (
            [
                .init(
                    rowID: 1,
                    productID: 1,
                    combinationID: 0,
                    reference: "X",
                    name: "X",
                    quantity: 0,
                    unitPriceTaxExcl: 1,
                    unitPriceTaxIncl: 1
                )
            ],
            "row 1 has quantity 0"
        ),
    ])
    func ordersThatCanNeverSucceedAreInvalid(lines: [ShopOrder.Line], reason: String) {
        let result = OrderTransform.salesOrder(
            for: Self.order(lines: lines),
            context: Self.context(),
            mappings: Self.mappings()
        )
        #expect(result == .failure(.invalidOrder(reason)))
    }

    @Test func idempotencyKeyIsStableAndRoundTrips() throws {
        let key = IdempotencyKey(shopID: 1, orderID: 549_085)
        #expect(key.description == "ps-1-order-549085")
        #expect(IdempotencyKey("ps-1-order-549085") == key)
        #expect(IdempotencyKey("ps-1-order-") == nil)
        #expect(IdempotencyKey("ps-0-order-5") == nil)
        #expect(IdempotencyKey("order-5") == nil)
        #expect(key.subject() == "ferry.orders.1")
        // External ids must be usable in NetSuite eid: URLs: letters, digits, '_' and '-' only.
        for id in [key.salesOrderExternalID, key.depositExternalID, customerExternalID(shopID: 1, customerID: 9)] {
            #expect(id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
        }
    }
}
