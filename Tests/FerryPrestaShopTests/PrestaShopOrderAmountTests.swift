import FerryTestSupport
import Foundation
import Testing

@testable import FerryPrestaShop

private func decimal(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }

private func validationError(_ body: Data) -> PrestaShopPayloadError? {
    do {
        _ = try PrestaShopOrder.validated(from: body)
        return nil
    } catch {
        return error
    }
}

/// Orders priced the way PrestaShop prices them: two tax rates, a unit price set tax included (9.775 tax
/// excluded), quantities above 1, so that each rounding type rounds differently.
private func shopOrder(
    roundType: PrestaShopRoundType = .line,
    roundMode: PrestaShopRoundMode = .halfUp,
    _ change: (inout PrestaShopOrderModel) -> Void = { _ in }
) -> PrestaShopOrderModel {
    var model = PrestaShopOrderModel(
        lines: [
            .init(productID: 52_695, quantity: 3, unitPriceTaxExcl: decimal("9.775"), taxRate: 20),
            .init(productID: 7, quantity: 2, unitPriceTaxExcl: decimal("12.49"), taxRate: decimal("5.5")),
            .init(productID: 8, quantity: 7, unitPriceTaxExcl: decimal("3.333333"), taxRate: 20),
        ],
        roundType: roundType,
        roundMode: roundMode,
        carrierPriceTaxExcl: decimal("7.08"),
        carrierTaxRate: 20
    )
    change(&model)
    return model
}

/// `body` with `change` applied to its order object (a copy of `Fixtures.mutatedBody` for model bodies).
private func mutated(_ body: Data, _ change: (inout [String: Any]) throws -> Void) throws -> Data {
    let root = try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any])
    var order = try #require(root["order"] as? [String: Any])
    try change(&order)
    return try JSONSerialization.data(withJSONObject: ["order": order])
}

private func mutatedRow(_ body: Data, _ index: Int = 0, _ change: (inout [String: Any]) -> Void) throws -> Data {
    try mutated(body) { order in
        var associations = try #require(order["associations"] as? [String: Any])
        var rows = try #require(associations["order_rows"] as? [[String: Any]])
        change(&rows[index])
        associations["order_rows"] = rows
        order["associations"] = associations
    }
}

@Suite("PrestaShopOrder amounts and reference")
struct PrestaShopOrderAmountTests {
    // MARK: Real orders pass

    @Test func theModelPricesTheRealFixtureExactly() throws {
        // The real capture: one row set at 11.73 tax included (9.775 excluded), 20 %, round per line, half up.
        let model = PrestaShopOrderModel(
            lines: [.init(productID: 52_695, quantity: 1, unitPriceTaxExcl: decimal("9.775"), taxRate: 20)],
            roundType: .line,
            roundMode: .halfUp,
            carrierPriceTaxExcl: decimal("7.08"),
            carrierTaxRate: 20
        )
        let totals = model.totals
        let fixture = try PrestaShopOrder(jsonBody: Data(Fixtures.orderGetResponse.utf8))
        #expect(totals.products == fixture.totalProducts)
        #expect(totals.productsWithTax == fixture.totalProductsWithTax)
        #expect(totals.shippingTaxExcl == fixture.totalShippingTaxExcl)
        #expect(totals.shippingTaxIncl == fixture.totalShippingTaxIncl)
        #expect(totals.paidTaxExcl == fixture.totalPaidTaxExcl)
        #expect(totals.paidTaxIncl == fixture.totalPaidTaxIncl)
        #expect(totals.unitPricesTaxIncl == [fixture.rows[0].unitPriceTaxIncl])
        try fixture.validate()
    }

    static let roundings = PrestaShopRoundType.allCases.flatMap { type in
        PrestaShopRoundMode.allCases.map { (type, $0) }
    }

    /// Each rounding type and mode, with the cart rules and extras a shop applies.
    @Test(arguments: roundings)
    func validOrdersPassInEveryRoundingSetting(type: PrestaShopRoundType, mode: PrestaShopRoundMode) throws {
        let scenarios: [(String, (inout PrestaShopOrderModel) -> Void)] = [
            ("plain", { _ in }),
            ("10 % discount", { $0.discountPercent = 10 }),
            ("fixed discount 5.00 tax incl.", { $0.discountAmountTaxIncl = 5 }),
            ("free shipping", { $0.freeShipping = true }),
            (
                "gift wrapping",
                {
                    $0.wrappingTaxExcl = decimal("2.50")
                    $0.wrappingTaxRate = 20
                }
            ),
            (
                "everything at once",
                {
                    $0.discountPercent = 15
                    $0.discountAmountTaxIncl = decimal("3.99")
                    $0.freeShipping = true
                    $0.wrappingTaxExcl = decimal("1.99")
                    $0.wrappingTaxRate = decimal("5.5")
                }
            ),
            ("no carrier", { $0.carrierPriceTaxExcl = 0 }),
        ]
        for (name, change) in scenarios {
            let model = shopOrder(roundType: type, roundMode: mode, change)
            #expect(validationError(model.body) == nil, "\(name), round_type \(type), round_mode \(mode)")
        }
    }

    /// Per item, a unit price with more than 2 decimals moves the total by up to a cent per unit: 3 × 9.775 is
    /// 29.325 but PrestaShop totals 3 × 9.78 = 29.34. A tolerance of a cent per row would refuse this order.
    @Test func roundingPerItemMovesTheTotalByUpToACentPerUnit() throws {
        let model = PrestaShopOrderModel(
            lines: [.init(productID: 1, quantity: 3, unitPriceTaxExcl: decimal("9.775"), taxRate: 20)],
            roundType: .item,
            roundMode: .up
        )
        #expect(model.totals.products == decimal("29.34"))
        #expect(validationError(model.body) == nil)
    }

    @Test func aFreeShippingRuleCountsTheCarrierInTheDiscounts() throws {
        let model = shopOrder { $0.freeShipping = true }
        let order = try PrestaShopOrder.validated(from: model.body)
        #expect(order.totalShippingTaxIncl == decimal("8.50"))
        #expect(order.totalDiscountsTaxIncl == decimal("8.50"))
        #expect(order.totalPaidTaxIncl == order.totalProductsWithTax)
    }

    @Test func the17TypingOfAModelOrderPasses() throws {
        let body = try mutated(shopOrder { $0.discountPercent = 10 }.body) { order in
            order = try #require(Fixtures.allStrings(order) as? [String: Any])
        }
        #expect(validationError(body) == nil)
    }

    // MARK: Negative amounts

    static let moneyKeys = [
        "total_paid", "total_paid_tax_incl", "total_paid_tax_excl", "total_paid_real", "total_products",
        "total_products_wt", "total_shipping", "total_shipping_tax_incl", "total_shipping_tax_excl", "carrier_tax_rate",
        "total_discounts", "total_discounts_tax_incl", "total_discounts_tax_excl", "total_wrapping",
        "total_wrapping_tax_incl", "total_wrapping_tax_excl",
    ]

    @Test(arguments: moneyKeys)
    func aNegativeAmountIsRefused(key: String) throws {
        let body = try Fixtures.mutatedBody { $0[key] = "-0.010000" }
        #expect(validationError(body) == PrestaShopPayloadError(path: "order.\(key)", problem: .negative))
        #expect(validationError(body)?.description == "order.\(key) must not be negative")
    }

    @Test func aNegativeAmountSentAsANumberIsRefused() throws {
        let body = Data(
            Fixtures.orderGetResponse.replacingOccurrences(
                of: #""total_shipping_tax_excl": "7.080000""#,
                with: #""total_shipping_tax_excl": -7.08"#
            ).utf8
        )
        #expect(
            validationError(body) == PrestaShopPayloadError(path: "order.total_shipping_tax_excl", problem: .negative)
        )
    }

    @Test(arguments: ["unit_price_tax_incl", "unit_price_tax_excl", "product_price"])
    func aNegativeRowPriceIsRefused(key: String) throws {
        let body = try mutatedRow(shopOrder().body, 1) { $0[key] = "-12.490000" }
        #expect(
            validationError(body)
                == PrestaShopPayloadError(path: "order.associations.order_rows[1].\(key)", problem: .negative)
        )
    }

    @Test(arguments: ["0.000000", "-1.000000"])
    func theConversionRateMustBePositive(value: String) throws {
        let body = try Fixtures.mutatedBody { $0["conversion_rate"] = value }
        #expect(validationError(body) == PrestaShopPayloadError(path: "order.conversion_rate", problem: .notPositive))
    }

    @Test func negativeZeroIsZero() throws {
        let body = try Fixtures.mutatedBody { $0["total_discounts"] = "-0.000000" }
        #expect(validationError(body) == nil)
    }

    // MARK: Totals that do not add up

    @Test func productTotalsFarFromTheRowsAreRefused() throws {
        // Σq = 1: at most 0.02 from 9.775.
        let close = try Fixtures.mutatedBody {
            $0["total_products"] = "9.790000"
            $0["total_paid_tax_excl"] = "16.870000"
        }
        #expect(validationError(close) == nil)
        let far = try Fixtures.mutatedBody {
            $0["total_products"] = "9.800000"
            $0["total_paid_tax_excl"] = "16.880000"
        }
        let error = try #require(validationError(far))
        #expect(
            error
                == PrestaShopPayloadError(
                    path: "order.total_products",
                    problem: .inconsistent(
                        actual: decimal("9.8"),
                        expected: decimal("9.775"),
                        computedAs: "the sum of order_rows unit_price_tax_excl × product_quantity",
                        tolerance: decimal("0.02")
                    )
                )
        )
        #expect(
            error.description
                == "order.total_products is 9.80 but the sum of order_rows unit_price_tax_excl × product_quantity"
                + " is 9.775 (allowed difference 0.02)"
        )
    }

    @Test func productTotalsWithTaxFarFromTheRowsAreRefused() throws {
        let model = shopOrder()
        // 3 + 2 + 7 units: the rows may be 0.13 apart from the total, not more.
        let body = try mutated(model.body) { order in
            let total = model.totals.productsWithTax + decimal("0.20")
            order["total_products_wt"] = PrestaShopOrderModel.sixDecimals(total)
            order["total_paid_tax_incl"] = PrestaShopOrderModel.sixDecimals(model.totals.paidTaxIncl + decimal("0.20"))
        }
        let error = try #require(validationError(body))
        #expect(error.path == "order.total_products_wt")
        guard case .inconsistent(_, _, _, let tolerance) = error.problem else {
            Issue.record("expected an inconsistency, got \(error)")
            return
        }
        #expect(tolerance == decimal("0.13"))
    }

    @Test func aRowPriceThatDoesNotMatchTheTotalIsRefused() throws {
        let body = try mutatedRow(shopOrder().body, 2) { $0["unit_price_tax_excl"] = "3.433333" }
        #expect(validationError(body)?.path == "order.total_products")
    }

    @Test func aRowWrittenTwiceIsRefused() throws {
        let body = try mutated(Data(Fixtures.orderGetResponse.utf8)) { order in
            var associations = try #require(order["associations"] as? [String: Any])
            let rows = try #require(associations["order_rows"] as? [[String: Any]])
            associations["order_rows"] = rows + rows
            order["associations"] = associations
        }
        #expect(validationError(body)?.path == "order.total_products")
    }

    @Test func aPaidTotalThatDoesNotAddUpIsRefusedWithBothAmounts() throws {
        // Products 100.00 tax included (one row of 100.00 at 0 %), no shipping: the order totals 100.00.
        let model = PrestaShopOrderModel(
            lines: [.init(productID: 1, quantity: 1, unitPriceTaxExcl: 100, taxRate: 0)]
        )
        let body = try mutated(model.body) { $0["total_paid_tax_incl"] = "105.000000" }
        let error = try #require(validationError(body))
        #expect(error.path == "order.total_paid_tax_incl")
        #expect(
            error.description
                == "order.total_paid_tax_incl is 105.00 but products + shipping + wrapping - discounts (tax incl.)"
                + " is 100.00 (allowed difference 0.01)"
        )
    }

    @Test func aPaidTotalTaxExcludedThatDoesNotAddUpIsRefused() throws {
        let body = try Fixtures.mutatedBody { $0["total_paid_tax_excl"] = "16.880000" }
        let error = try #require(validationError(body))
        #expect(
            error
                == PrestaShopPayloadError(
                    path: "order.total_paid_tax_excl",
                    problem: .inconsistent(
                        actual: decimal("16.88"),
                        expected: decimal("16.86"),
                        computedAs: "products + shipping + wrapping - discounts (tax excl.)",
                        tolerance: decimal("0.01")
                    )
                )
        )
    }

    @Test func aCentOfRoundingInThePaidTotalIsAccepted() throws {
        let body = try Fixtures.mutatedBody {
            $0["total_paid_tax_incl"] = "20.240000"
            $0["total_paid_tax_excl"] = "16.850000"
        }
        #expect(validationError(body) == nil)
    }

    @Test func discountsMissingFromThePaidTotalAreRefused() throws {
        // A webhook whose paid total does not reflect the cart rule it lists.
        let model = shopOrder { $0.discountPercent = 10 }
        let body = try mutated(model.body) { order in
            order["total_paid_tax_incl"] = PrestaShopOrderModel.sixDecimals(
                model.totals.productsWithTax + model.totals.shippingTaxIncl
            )
        }
        #expect(validationError(body)?.path == "order.total_paid_tax_incl")
    }

    @Test(arguments: [
        ("total_shipping_tax_incl", "total_shipping_tax_excl"),
        ("total_wrapping_tax_incl", "total_wrapping_tax_excl"),
        ("total_discounts_tax_incl", "total_discounts_tax_excl"),
    ])
    func taxIncludedBelowTaxExcludedIsRefused(included: String, excluded: String) throws {
        let body = try Fixtures.mutatedBody {
            $0[included] = "1.000000"
            $0[excluded] = "2.000000"
        }
        let error = try #require(validationError(body))
        #expect(
            error
                == PrestaShopPayloadError(
                    path: "order.\(included)",
                    problem: .belowMinimum(actual: 1, minimum: 2, computedAs: excluded)
                )
        )
        #expect(error.description == "order.\(included) is 1.00 but must be at least \(excluded), 2.00")
    }

    @Test func productsTaxIncludedBelowTaxExcludedIsRefused() throws {
        // Rows and totals agree with each other, but the tax-included side is the smaller one.
        let body = try mutatedRow(Data(Fixtures.orderGetResponse.utf8)) {
            $0["unit_price_tax_incl"] = "9.775000"
            $0["unit_price_tax_excl"] = "11.730000"
        }
        let swapped = try mutated(body) { order in
            order["total_products_wt"] = "9.780000"
            order["total_products"] = "11.730000"
        }
        #expect(
            validationError(swapped)
                == PrestaShopPayloadError(
                    path: "order.total_products_wt",
                    problem: .belowMinimum(
                        actual: decimal("9.78"),
                        minimum: decimal("11.73"),
                        computedAs: "total_products"
                    )
                )
        )
    }

    @Test func aRowPricedBelowItsTaxExcludedPriceIsRefused() throws {
        // Two rows whose sums still agree with the totals: 10.00 + 1.00 excluded, 9.00 + 5.00 included.
        let body = try mutated(Data(Fixtures.orderGetResponse.utf8)) { order in
            var associations = try #require(order["associations"] as? [String: Any])
            var rows = try #require(associations["order_rows"] as? [[String: Any]])
            rows[0]["unit_price_tax_excl"] = "10.000000"
            rows[0]["unit_price_tax_incl"] = "9.000000"
            var second = rows[0]
            second["unit_price_tax_excl"] = "1.000000"
            second["unit_price_tax_incl"] = "5.000000"
            associations["order_rows"] = [rows[0], second]
            order["associations"] = associations
            order["total_products"] = "11.000000"
            order["total_products_wt"] = "14.000000"
        }
        let error = try #require(validationError(body))
        #expect(error.path == "order.associations.order_rows[0].unit_price_tax_incl")
        #expect(
            error.description
                == "order.associations.order_rows[0].unit_price_tax_incl is 9.00 but must be at least"
                + " unit_price_tax_excl, 10.00"
        )
    }

    @Test func discountsLargerThanTheOrderAreRefused() throws {
        let body = try Fixtures.mutatedBody {
            $0["total_discounts_tax_incl"] = "30.000000"
            $0["total_discounts_tax_excl"] = "25.000000"
            $0["total_paid_tax_incl"] = "0.000000"
            $0["total_paid_tax_excl"] = "0.000000"
        }
        let error = try #require(validationError(body))
        #expect(
            error
                == PrestaShopPayloadError(
                    path: "order.total_discounts_tax_incl",
                    problem: .aboveMaximum(
                        actual: 30,
                        maximum: decimal("20.23"),
                        computedAs: "products + shipping + wrapping (tax incl.)"
                    )
                )
        )
        #expect(
            error.description
                == "order.total_discounts_tax_incl is 30.00 but must be at most products + shipping + wrapping"
                + " (tax incl.), 20.23"
        )
    }

    // MARK: Reference

    @Test(arguments: [
        "abc", "ABCDEFGH1", "ABCDEFGHIJ", "ABCDEFGH", "abcdefghi", "ABCDeFGHI", "ÄBCDEFGHI", "ABCD EFGH",
        "123456789", "ＡBCDEFGHI",
    ])
    func aReferencePrestaShopCannotHaveGeneratedIsRefused(reference: String) throws {
        let body = try Fixtures.mutatedBody { $0["reference"] = reference }
        let error = validationError(body)
        #expect(error == PrestaShopPayloadError(path: "order.reference", problem: .notAReference))
        #expect(
            error?.description
                == "order.reference must be 9 upper-case letters A-Z, as PrestaShop generates order references"
        )
        #expect(error?.description.contains(reference) == false)
    }

    @Test func aNumericReferenceIsRefused() throws {
        let body = Data(
            Fixtures.orderGetResponse.replacingOccurrences(
                of: #""reference": "FMHGOYBGK""#,
                with: #""reference": 123456789"#
            ).utf8
        )
        #expect(validationError(body) == PrestaShopPayloadError(path: "order.reference", problem: .notAReference))
    }

    @Test(arguments: ["FMHGOYBGK", "AAAAAAAAA", "ZZZZZZZZZ", "QWERTYUIO"])
    func nineUpperCaseLettersAreAReference(reference: String) throws {
        #expect(validationError(try Fixtures.mutatedBody { $0["reference"] = reference }) == nil)
    }

    @Test func amountsInMessagesHaveAtLeastTwoDecimals() {
        typealias Problem = PrestaShopPayloadError.Problem
        #expect(Problem.amount(100) == "100.00")
        #expect(Problem.amount(decimal("9.8")) == "9.80")
        #expect(Problem.amount(decimal("9.775")) == "9.775")
        #expect(Problem.amount(decimal("-3.5")) == "-3.50")
        #expect(Problem.amount(decimal("0.01")) == "0.01")
    }
}
