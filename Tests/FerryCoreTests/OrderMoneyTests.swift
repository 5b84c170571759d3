import FerryCore
import Foundation
import Testing

/// Orders priced the way PrestaShop prices them (worked by hand below), mapped to NetSuite lines whose total, as
/// NetSuite computes it from the tax codes, is what the customer paid.
@Suite struct OrderMoneyTests {
    static func d(_ text: String) -> Decimal { Decimal(string: text)! }

    static func line(_ row: Int, _ product: Int, quantity: Int, excl: String, incl: String) -> ShopOrder.Line {
        .init(
            rowID: row,
            productID: product,
            combinationID: 0,
            reference: "REF-\(product)",
            name: "Product \(product)",
            quantity: quantity,
            unitPriceTaxExcl: d(excl),
            unitPriceTaxIncl: d(incl)
        )
    }

    static func order(
        lines: [ShopOrder.Line],
        paid: String,
        carrier: Int = 2,
        shipping: (excl: String, incl: String) = ("4.90", "5.88"),
        discounts: (excl: String, incl: String) = ("0", "0"),
        wrapping: (excl: String, incl: String) = ("0", "0"),
        conversionRate: String = "1"
    ) -> ShopOrder {
        ShopOrder(
            id: 7,
            shopID: 1,
            reference: "QWERTYUIO",
            customerID: 3,
            deliveryAddressID: 4,
            currencyID: 1,
            carrierID: carrier,
            paymentModule: "ps_wirepayment",
            currentState: 2,
            dateAdd: "2026-11-27 09:00:00",
            totalPaidTaxIncl: d(paid),
            totalShippingTaxExcl: d(shipping.excl),
            totalShippingTaxIncl: d(shipping.incl),
            totalDiscountsTaxExcl: d(discounts.excl),
            totalDiscountsTaxIncl: d(discounts.incl),
            totalWrappingTaxExcl: d(wrapping.excl),
            totalWrappingTaxIncl: d(wrapping.incl),
            conversionRate: d(conversionRate),
            lines: lines
        )
    }

    /// FR: standard 20 % (code 101, category 1), reduced 5.5 % (code 102, category 2).
    static func mappings(discounts: [CartRuleKey: Int] = [.fallback: 90_001]) -> ResolvedMappings {
        var m = ResolvedMappings()
        for product in 1...5 { m.products[ProductKey(productID: product, combinationID: 0)] = 10_000 + product }
        m.taxCodes[TaxCodeKey(countryISO: "FR", taxCategoryID: 1, subsidiaryID: 1)] = 101
        m.taxCodes[TaxCodeKey(countryISO: "FR", taxCategoryID: 2, subsidiaryID: 1)] = 102
        m.taxRates = [101: 20, 102: d("5.5")]
        m.currencies = ["EUR": 1, "PLN": 2]
        m.paymentMethods["ps_wirepayment"] = 1
        m.shipMethods = [1: 501, 2: 502]
        m.carrierTaxCategories = [1: 1, 2: 1]
        m.shops[1] = ShopMapping(subsidiaryID: 1, locationID: 1)
        m.discounts = discounts
        m.orderItems = [
            .wrapping: OrderItemMapping(itemID: 90_010, taxCategoryID: 1),
            .rounding: OrderItemMapping(itemID: 90_020, taxCategoryID: nil),
        ]
        return m
    }

    static func context(
        categories: [Int: Int],
        rules: [ShopOrder.CartRule] = [],
        currency: String = "EUR"
    )
        -> OrderContext
    {
        OrderContext(
            deliveryCountryISO: "FR",
            currencyISO: currency,
            lineTaxCategories: categories,
            isPaid: true,
            customerEntityID: 107,
            cartRules: rules
        )
    }

    /// NetSuite's total for a draft: line amounts, tax per line from the tax code, shipping and its tax.
    static func netSuiteTotal(_ draft: SalesOrderDraft, rates: [Int: Decimal]) -> Decimal {
        var parts = draft.lines.map { line in
            OrderMoney.TaxedAmount(
                amount: line.rate * Decimal(line.quantity),
                ratePercent: line.taxCodeID.flatMap { rates[$0] }
            )
        }
        parts.append(.init(amount: draft.shippingCost, ratePercent: draft.shippingTaxCodeID.flatMap { rates[$0] }))
        return OrderMoney.netSuiteTotal(parts)
    }

    @Test func aTenPercentCartRuleOnTwoTaxRatesIsSplitPerRate() throws {
        // 2 × 50.00 at 20 % (incl 120.00) + 19.99 at 5.5 % (incl 21.09); products 119.99 / 141.09.
        // 10 %: 14.11 incl, 12.00 excl. Shipping 4.90 / 5.88. Paid 141.09 + 5.88 − 14.11 = 132.86.
        let order = Self.order(
            lines: [
                Self.line(1, 1, quantity: 2, excl: "50.00", incl: "60.00"),
                Self.line(2, 2, quantity: 1, excl: "19.99", incl: "21.09"),
            ],
            paid: "132.86",
            discounts: ("12.00", "14.11")
        )
        let rule = ShopOrder.CartRule(
            id: 1,
            name: "10% off",
            valueTaxIncl: Self.d("14.11"),
            valueTaxExcl: Self.d("12.00"),
            freeShipping: false
        )
        let draft = try OrderTransform.salesOrder(
            for: order,
            context: Self.context(categories: [1: 1, 2: 2], rules: [rule]),
            mappings: Self.mappings()
        ).get()
        let discountLines = draft.lines.filter { $0.itemID == 90_001 }
        #expect(
            discountLines == [
                .init(itemID: 90_001, quantity: 1, rate: Self.d("-10.00"), taxCodeID: 101, description: "10% off"),
                .init(itemID: 90_001, quantity: 1, rate: Self.d("-2.00"), taxCodeID: 102, description: "10% off"),
            ]
        )
        #expect(!draft.lines.contains { $0.itemID == 90_020 }, "no rounding needed")
        #expect(Self.netSuiteTotal(draft, rates: Self.mappings().taxRates) == Self.d("132.86"))
        #expect(draft.deposit?.amount == Self.d("132.86"))
        #expect(draft.shippingTaxCodeID == 101)
    }

    @Test func freeShippingLowersShippingAndWrappingIsALine() throws {
        // 30.00 at 20 % (36.00), shipping 4.90 / 5.88 paid by the rule, wrapping 2.50 / 3.00: paid 39.00.
        let order = Self.order(
            lines: [Self.line(1, 1, quantity: 1, excl: "30.00", incl: "36.00")],
            paid: "39.00",
            discounts: ("4.90", "5.88"),
            wrapping: ("2.50", "3.00")
        )
        let rule = ShopOrder.CartRule(
            id: 4,
            name: "Free shipping",
            valueTaxIncl: Self.d("5.88"),
            valueTaxExcl: Self.d("4.90"),
            freeShipping: true
        )
        // No discount item is mapped: a rule that only pays the shipping needs none.
        let draft = try OrderTransform.salesOrder(
            for: order,
            context: Self.context(categories: [1: 1], rules: [rule]),
            mappings: Self.mappings(discounts: [:])
        ).get()
        #expect(draft.shippingCost == 0)
        #expect(draft.lines.count == 2)
        #expect(
            draft.lines.last
                == .init(
                    itemID: 90_010,
                    quantity: 1,
                    rate: Self.d("2.50"),
                    taxCodeID: 101,
                    description: "Gift wrapping"
                )
        )
        #expect(Self.netSuiteTotal(draft, rates: Self.mappings().taxRates) == Self.d("39.00"))
    }

    @Test func roundingPerItemBecomesARoundingLine() throws {
        // Round per item: 7 × round2(0.99 × 1.2) = 7 × 1.19 = 8.33; NetSuite: 6.93 + round2(1.386) = 8.32.
        let order = Self.order(
            lines: [Self.line(1, 1, quantity: 7, excl: "0.99", incl: "1.19")],
            paid: "8.33",
            carrier: 1,
            shipping: ("0", "0")
        )
        let draft = try OrderTransform.salesOrder(
            for: order,
            context: Self.context(categories: [1: 1]),
            mappings: Self.mappings()
        )
        .get()
        #expect(
            draft.lines.last
                == .init(itemID: 90_020, quantity: 1, rate: Self.d("0.01"), taxCodeID: nil, description: "Rounding")
        )
        #expect(Self.netSuiteTotal(draft, rates: Self.mappings().taxRates) == Self.d("8.33"))
    }

    @Test func roundingOnTheTotalBecomesARoundingLine() throws {
        // Round on the total: round2(3 × 0.33 × 1.2) = round2(1.188) = 1.19; NetSuite rounds each line's tax: 3 × 0.40.
        let order = Self.order(
            lines: (1...3).map { Self.line($0, $0, quantity: 1, excl: "0.33", incl: "0.40") },
            paid: "1.19",
            carrier: 1,
            shipping: ("0", "0")
        )
        let draft = try OrderTransform.salesOrder(
            for: order,
            context: Self.context(categories: [1: 1, 2: 1, 3: 1]),
            mappings: Self.mappings()
        ).get()
        #expect(draft.lines.last?.rate == Self.d("-0.01"))
        #expect(Self.netSuiteTotal(draft, rates: Self.mappings().taxRates) == Self.d("1.19"))
    }

    @Test func roundingPerLineNeedsNoRoundingLine() throws {
        // Round per line: round2(3 × 0.33 × 1.2) per line = 1.19 for one line of three units; NetSuite the same.
        let order = Self.order(lines: [Self.line(1, 1, quantity: 3, excl: "0.33", incl: "0.40")], paid: "7.07")
        let draft = try OrderTransform.salesOrder(
            for: order,
            context: Self.context(categories: [1: 1]),
            mappings: Self.mappings()
        )
        .get()
        #expect(draft.lines.count == 1)
        #expect(Self.netSuiteTotal(draft, rates: Self.mappings().taxRates) == Self.d("7.07"))
    }

    @Test func totalsThatDoNotAddUpAreRefusedWithBothAmounts() {
        // 36.00 + 5.88 shipping is 41.88, but the order says 50.00 was paid.
        let order = Self.order(lines: [Self.line(1, 1, quantity: 1, excl: "30.00", incl: "36.00")], paid: "50.00")
        let result = OrderTransform.salesOrder(
            for: order,
            context: Self.context(categories: [1: 1]),
            mappings: Self.mappings()
        )
        #expect(result == .failure(.totalMismatch(expected: Self.d("41.88"), paid: Self.d("50.00"))))
        #expect(
            (try? result.get()) == nil
                && "\(TransformError.totalMismatch(expected: Self.d("41.88"), paid: Self.d("50.00")))".contains("41.88")
        )
    }

    @Test func aTaxCodeRateDifferentFromTheShopsIsAMismatchNotRounding() {
        // The shop charged 20 % on 100.00; the tax code is mapped with 19 %: one euro, far beyond rounding.
        var mappings = Self.mappings()
        mappings.taxRates[101] = 19
        let order = Self.order(
            lines: [Self.line(1, 1, quantity: 1, excl: "100.00", incl: "120.00")],
            paid: "120.00",
            carrier: 1,
            shipping: ("0", "0")
        )
        let result = OrderTransform.salesOrder(
            for: order,
            context: Self.context(categories: [1: 1]),
            mappings: mappings
        )
        #expect(result == .failure(.totalMismatch(expected: Self.d("119.00"), paid: Self.d("120.00"))))
    }

    @Test func anUnmappedCartRuleIsAMissingMappingNamingIt() {
        let order = Self.order(
            lines: [Self.line(1, 1, quantity: 1, excl: "30.00", incl: "36.00")],
            paid: "38.28",
            discounts: ("3.00", "3.60")
        )
        let rule = ShopOrder.CartRule(
            id: 9,
            name: "Summer sale",
            valueTaxIncl: Self.d("3.60"),
            valueTaxExcl: Self.d("3.00"),
            freeShipping: false
        )
        let result = OrderTransform.salesOrder(
            for: order,
            context: Self.context(categories: [1: 1], rules: [rule]),
            mappings: Self.mappings(discounts: [.rule(2): 90_002])
        )
        #expect(result == .failure(.missingMappings([.discount(cartRuleID: 9, name: "Summer sale")])))
        #expect(MissingMapping.discount(cartRuleID: 9, name: "Summer sale").kind == "discounts")
        // With its own row it maps.
        let mapped = OrderTransform.salesOrder(
            for: order,
            context: Self.context(categories: [1: 1], rules: [rule]),
            mappings: Self.mappings(discounts: [.rule(9): 90_009])
        )
        #expect((try? mapped.get())?.lines.last?.itemID == 90_009)
    }

    @Test func taxCodesImportedWithoutARateAreMissing() {
        var mappings = Self.mappings()
        mappings.taxRates = [:]
        let order = Self.order(lines: [Self.line(1, 1, quantity: 1, excl: "30.00", incl: "36.00")], paid: "41.88")
        let result = OrderTransform.salesOrder(
            for: order,
            context: Self.context(categories: [1: 1]),
            mappings: mappings
        )
        #expect(result == .failure(.missingMappings([.taxRate(taxCodeID: 101)])))
    }

    @Test func cartRulesThatDoNotMatchTheOrdersDiscountAreInvalid() {
        let order = Self.order(
            lines: [Self.line(1, 1, quantity: 1, excl: "30.00", incl: "36.00")],
            paid: "38.28",
            discounts: ("3.00", "3.60")
        )
        let result = OrderTransform.salesOrder(
            for: order,
            context: Self.context(categories: [1: 1]),
            mappings: Self.mappings()
        )
        guard case .failure(.invalidOrder(let reason)) = result else {
            Issue.record("expected an invalid order, got \(result)")
            return
        }
        #expect(reason.contains("total_discounts_tax_excl"))
    }

    @Test func anOrderInAnotherCurrencyCarriesTheExchangeRate() throws {
        let order = Self.order(
            lines: [Self.line(1, 1, quantity: 1, excl: "129.30", incl: "155.16")],
            paid: "155.16",
            carrier: 1,
            shipping: ("0", "0"),
            conversionRate: "4.31"
        )
        let draft = try OrderTransform.salesOrder(
            for: order,
            context: Self.context(categories: [1: 1], currency: "PLN"),
            mappings: Self.mappings()
        ).get()
        #expect(draft.currencyID == 2)
        #expect(draft.exchangeRate == Self.d("0.23201856"))
    }

    @Test(arguments: [
        ("10.00", [Decimal(1), 1], ["5.00", "5.00"]),
        ("12.00", [Decimal(100), Decimal(string: "19.99")!], ["10.00", "2.00"]),
        ("0.01", [Decimal(1), 1, 1], ["0.01", "0", "0"]),
        ("1.00", [Decimal(1), 1, 1], ["0.34", "0.33", "0.33"]),
    ])
    func splitsAddUpToTheAmount(amount: String, weights: [Decimal], expected: [String]) {
        let parts = OrderMoney.split(Self.d(amount), weights: weights)
        #expect(parts == expected.map(Self.d))
        #expect(parts.reduce(0, +) == Self.d(amount))
    }
}
