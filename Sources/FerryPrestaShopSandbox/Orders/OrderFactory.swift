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
}

/// Prices one order the way PrestaShop 8 does with `round_mode` 2 (half up) and `round_type` 2 (per line),
/// with 2-decimal computing precision:
///
/// - unit price tax excl = round2((product price + combination impact) × currency conversion rate)
/// - unit price tax incl = round2(unit excl × (1 + rate / 100))
/// - line total tax excl = unit excl × quantity; line total tax incl = round2(line total excl × (1 + rate / 100))
/// - `total_products` / `total_products_wt` = sums of the line totals
/// - shipping tax excl = round2(carrier price × conversion rate); incl = round2(excl × (1 + carrier tax / 100)),
///   the carrier tax being the delivery country's standard rate
/// - `total_paid_tax_excl/incl` = products + shipping; `total_paid` = `total_paid_tax_incl`
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

    struct Totals: Sendable {
        let productsTaxExcl: Decimal
        let productsTaxIncl: Decimal
        let shippingTaxExcl: Decimal
        let shippingTaxIncl: Decimal
        let carrierTaxRate: Decimal
        var paidTaxExcl: Decimal { productsTaxExcl + shippingTaxExcl }
        var paidTaxIncl: Decimal { productsTaxIncl + shippingTaxIncl }
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
        conversionRate: Decimal
    ) -> Line {
        let multiplier = 1 + tax.rate / 100
        let unitExcl = (basePrice * conversionRate).rounded(2)
        let totalExcl = unitExcl * Decimal(quantity)
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
            unitTaxIncl: (unitExcl * multiplier).rounded(2),
            totalTaxExcl: totalExcl,
            totalTaxIncl: (totalExcl * multiplier).rounded(2)
        )
    }

    static func totals(lines: [Line], carrierID: Int, carrierTaxRate: Decimal, conversionRate: Decimal) -> Totals {
        let shippingExcl = ((carrierPrices[carrierID] ?? 5) * conversionRate).rounded(2)
        return Totals(
            productsTaxExcl: lines.reduce(0) { $0 + $1.totalTaxExcl },
            productsTaxIncl: lines.reduce(0) { $0 + $1.totalTaxIncl },
            shippingTaxExcl: shippingExcl,
            shippingTaxIncl: (shippingExcl * (1 + carrierTaxRate / 100)).rounded(2),
            carrierTaxRate: carrierTaxRate
        )
    }
}
