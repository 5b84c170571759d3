import FerrySandboxData
import Foundation

/// What an order is made of, before ids and totals: the generator and `POST /_sandbox/orders` build these.
struct OrderSpec: Sendable {
    struct Row: Sendable {
        var productID: Int
        var attributeID: Int = 0
        var quantity: Int = 1
        /// For products unknown to the shop: unit price tax excluded (EUR), name, reference, tax rules group.
        var unitPriceTaxExcl: Decimal?
        var name: String?
        var reference: String?
        var taxRulesGroupID: Int?
    }

    var customerID: Int
    var deliveryAddressID: Int?
    var invoiceAddressID: Int?
    var rows: [Row]
    var paymentModule: String?
    var carrierID: Int?
    var stateID: Int
    /// `date_add`, `YYYY-MM-DD HH:MM:SS` in shop time; now when nil.
    var date: String?
    /// Cart rules (of ``SandboxDataset/cartRules``) applied in this order.
    var cartRuleIDs: [Int] = []
    /// Gift wrapping (`gift`, `total_wrapping*`).
    var giftWrapping = false
    /// PrestaShop `round_type`: 1 per item, 2 per line (the default), 3 on the total.
    var roundType = 2
}

/// Prices one order the way PrestaShop 8 does with `round_mode` 2 (half up) and 2-decimal computing precision, in
/// each of the three `round_type`s:
///
/// - unit price tax excl = round2((product price + combination impact) × currency conversion rate)
/// - unit price tax incl = round2(unit excl × (1 + rate / 100))
/// - line total tax excl = unit excl × quantity; line total tax incl: per item (1) unit incl × quantity, per line (2)
///   round2(line excl × (1 + rate)), on the total (3) the same per line for display, while `total_products_wt` is
///   rounded once: round2(Σ line excl × (1 + rate))
/// - shipping tax excl = round2(carrier price × conversion rate); incl = round2(excl × (1 + carrier tax / 100)),
///   the carrier tax being the delivery country's standard rate; gift wrapping likewise
/// - cart rules (`CartRule::getContextualValue`): a percentage takes that share of the products tax included and
///   tax excluded, each rounded; an amount (tax included) is capped at the products and its tax-excluded value is the
///   sum of each product's share of it without that product's tax; free shipping is worth the shipping
/// - `total_paid_tax_excl/incl` = products + shipping + wrapping − discounts; `total_paid` = `total_paid_tax_incl`
enum OrderFactory {
    struct Line: Sendable {
        let productID: Int
        let attributeID: Int
        let quantity: Int
        let name: String
        let reference: String
        let ean13: String
        let weight: Decimal
        let taxRulesGroupID: Int
        let taxRate: Decimal
        let taxID: Int
        let taxName: String
        let unitTaxExcl: Decimal
        let unitTaxIncl: Decimal
        let totalTaxExcl: Decimal
        let totalTaxIncl: Decimal
    }

    /// One `order_cart_rules` row.
    struct AppliedRule: Sendable {
        let rule: SandboxDataset.CartRule
        let valueTaxIncl: Decimal
        let valueTaxExcl: Decimal
        var freeShipping: Bool { if case .freeShipping = rule.reduction { true } else { false } }
    }

    struct Totals: Sendable {
        var productsTaxExcl: Decimal
        var productsTaxIncl: Decimal
        var shippingTaxExcl: Decimal
        var shippingTaxIncl: Decimal
        var carrierTaxRate: Decimal
        var wrappingTaxExcl: Decimal = 0
        var wrappingTaxIncl: Decimal = 0
        var rules: [AppliedRule] = []
        var discountsTaxExcl: Decimal { rules.reduce(0) { $0 + $1.valueTaxExcl } }
        var discountsTaxIncl: Decimal { rules.reduce(0) { $0 + $1.valueTaxIncl } }
        var paidTaxExcl: Decimal { productsTaxExcl + shippingTaxExcl + wrappingTaxExcl - discountsTaxExcl }
        var paidTaxIncl: Decimal { productsTaxIncl + shippingTaxIncl + wrappingTaxIncl - discountsTaxIncl }
    }

    /// Carrier prices, tax excluded, in EUR.
    static let carrierPrices: [Int: Decimal] = [
        1: 0, 2: Decimal(string: "4.90")!, 3: Decimal(string: "12.50")!,
        4: Decimal(string: "6.90")!,
    ]

    static func line(
        productID: Int,
        attributeID: Int,
        quantity: Int,
        name: String,
        reference: String,
        ean13: String,
        weight: Decimal,
        basePrice: Decimal,
        taxRulesGroupID: Int,
        tax: (rate: Decimal, taxID: Int, name: String),
        conversionRate: Decimal,
        roundType: Int = 2
    ) -> Line {
        let multiplier = 1 + tax.rate / 100
        let unitExcl = (basePrice * conversionRate).rounded(2)
        let totalExcl = unitExcl * Decimal(quantity)
        let unitIncl = (unitExcl * multiplier).rounded(2)
        return Line(
            productID: productID,
            attributeID: attributeID,
            quantity: quantity,
            name: name,
            reference: reference,
            ean13: ean13,
            weight: weight,
            taxRulesGroupID: taxRulesGroupID,
            taxRate: tax.rate,
            taxID: tax.taxID,
            taxName: tax.name,
            unitTaxExcl: unitExcl,
            unitTaxIncl: unitIncl,
            totalTaxExcl: totalExcl,
            totalTaxIncl: roundType == 1 ? unitIncl * Decimal(quantity) : (totalExcl * multiplier).rounded(2)
        )
    }

    static func totals(
        lines: [Line],
        carrierID: Int,
        carrierTaxRate: Decimal,
        conversionRate: Decimal,
        roundType: Int = 2,
        rules: [SandboxDataset.CartRule] = [],
        wrapping: (price: Decimal, taxRate: Decimal)? = nil
    ) -> Totals {
        let shippingExcl = ((carrierPrices[carrierID] ?? 5) * conversionRate).rounded(2)
        let productsIncl: Decimal =
            roundType == 3
            ? lines.reduce(Decimal(0)) { $0 + $1.totalTaxExcl * (1 + $1.taxRate / 100) }.rounded(2)
            : lines.reduce(0) { $0 + $1.totalTaxIncl }
        var totals = Totals(
            productsTaxExcl: lines.reduce(0) { $0 + $1.totalTaxExcl },
            productsTaxIncl: productsIncl,
            shippingTaxExcl: shippingExcl,
            shippingTaxIncl: (shippingExcl * (1 + carrierTaxRate / 100)).rounded(2),
            carrierTaxRate: carrierTaxRate
        )
        if let wrapping {
            totals.wrappingTaxExcl = (wrapping.price * conversionRate).rounded(2)
            totals.wrappingTaxIncl = (totals.wrappingTaxExcl * (1 + wrapping.taxRate / 100)).rounded(2)
        }
        for rule in rules {
            switch rule.reduction {
            case .percent(let percent):
                totals.rules.append(
                    AppliedRule(
                        rule: rule,
                        valueTaxIncl: (totals.productsTaxIncl * percent / 100).rounded(2),
                        valueTaxExcl: (totals.productsTaxExcl * percent / 100).rounded(2)
                    )
                )
            case .amount(let amount):
                let incl = min((amount * conversionRate).rounded(2), totals.productsTaxIncl)
                let weight = lines.reduce(Decimal(0)) { $0 + $1.totalTaxExcl * (1 + $1.taxRate / 100) }
                guard weight > 0 else { continue }
                // Each product's share of the amount, without that product's tax: proportional to its price excl.
                let excl = lines.reduce(Decimal(0)) { $0 + incl * $1.totalTaxExcl / weight }.rounded(2)
                totals.rules.append(AppliedRule(rule: rule, valueTaxIncl: incl, valueTaxExcl: excl))
            case .freeShipping:
                totals.rules.append(
                    AppliedRule(rule: rule, valueTaxIncl: totals.shippingTaxIncl, valueTaxExcl: totals.shippingTaxExcl)
                )
            }
        }
        return totals
    }
}
