import Foundation

/// `round_type` of a PrestaShop order: where the shop rounds product amounts to cents.
public enum PrestaShopRoundType: Int, CaseIterable, Sendable {
    /// `Order::ROUND_ITEM`: round(unit) × quantity.
    case item = 1
    /// `Order::ROUND_LINE`: round(unit × quantity).
    case line = 2
    /// `Order::ROUND_TOTAL`: only the totals are rounded.
    case total = 3
}

/// `round_mode` of a PrestaShop order (`PS_PRICE_ROUND_MODE`, `Tools::ps_round()`).
public enum PrestaShopRoundMode: Int, CaseIterable, Sendable {
    /// `PS_ROUND_UP`: towards +∞ (`Tools::ceilf`).
    case up = 0
    /// `PS_ROUND_DOWN`: towards −∞ (`Tools::floorf`).
    case down = 1
    /// `PS_ROUND_HALF_UP`, the default.
    case halfUp = 2
    case halfDown = 3
    case halfEven = 4
    case halfOdd = 5

    /// `value` (not negative: every amount PrestaShop rounds here is) rounded to `scale` decimals in this mode.
    public func round(_ value: Decimal, scale: Int = 2) -> Decimal {
        precondition(value >= 0, "only amounts that are not negative are rounded")
        var scaled = value * Decimal(sign: .plus, exponent: scale, significand: 1)
        var floor = Decimal()
        NSDecimalRound(&floor, &scaled, 0, .down)
        let fraction = scaled - floor
        let half = Decimal(sign: .plus, exponent: -1, significand: 5)
        let floorIsEven = NSDecimalNumber(decimal: floor).int64Value % 2 == 0
        let roundUp: Bool =
            switch self {
            case .up: fraction > 0
            case .down: false
            case .halfUp: fraction >= half
            case .halfDown: fraction > half
            case .halfEven: fraction > half || (fraction == half && !floorIsEven)
            case .halfOdd: fraction > half || (fraction == half && floorIsEven)
            }
        return (roundUp ? floor + 1 : floor) * Decimal(sign: .plus, exponent: -scale, significand: 1)
    }
}

/// An order priced the way PrestaShop 8 prices it (`Cart::getProducts()`, `CartRow`, `Cart::getOrderTotal()` with
/// 2-decimal computing precision), written as `GET /api/orders/{id}?output_format=JSON` writes it: for tests that
/// need real-looking webhook bodies with discounts, wrapping, free shipping and every rounding setting.
///
/// - Each row keeps its unit prices unrounded, 6 decimals: `unit_price_tax_excl` as given (a catalogue price, or one
///   derived from a tax-included price such as 11.73 / 1.2 = 9.775), `unit_price_tax_incl` = that × (1 + rate),
///   rounded to 6 decimals.
/// - Product totals follow ``roundType``: per item round(unit) × quantity, per line round(unit × quantity), on the
///   total the unrounded sum rounded once; each rounding in ``roundMode``.
/// - Shipping tax excl is the carrier's price rounded, incl = round(excl × (1 + carrier rate)); wrapping the same.
/// - Cart rules: a percentage of the products (of the unrounded product totals, tax incl and excl), a fixed
///   amount tax included on the products (tax excl in proportion), free shipping (the carrier's price stays in
///   `total_shipping_*` and is counted in `total_discounts_*`); the discount totals are rounded once.
/// - `total_paid_tax_incl/excl` = round(unrounded products + shipping + wrapping − unrounded discounts), as
///   `getOrderTotal(…, Cart::BOTH)` computes it, so it may differ by a cent from the sum of the rounded parts.
public struct PrestaShopOrderModel: Sendable {
    public struct Line: Sendable {
        public var productID: Int
        public var quantity: Int
        /// 6 decimals at most.
        public var unitPriceTaxExcl: Decimal
        /// In percent, e.g. 20 or 5.5.
        public var taxRate: Decimal

        public init(productID: Int, quantity: Int, unitPriceTaxExcl: Decimal, taxRate: Decimal) {
            self.productID = productID
            self.quantity = quantity
            self.unitPriceTaxExcl = unitPriceTaxExcl
            self.taxRate = taxRate
        }
    }

    public var id: Int
    public var reference: String
    public var customerID: Int
    public var lines: [Line]
    public var roundType: PrestaShopRoundType
    public var roundMode: PrestaShopRoundMode
    /// The carrier's price, tax excluded; 0 for a free carrier.
    public var carrierPriceTaxExcl: Decimal
    public var carrierTaxRate: Decimal
    /// Gift wrapping, tax excluded; 0 for none.
    public var wrappingTaxExcl: Decimal
    public var wrappingTaxRate: Decimal
    /// A cart rule of this percentage of the products; 0 for none.
    public var discountPercent: Decimal
    /// A cart rule of this amount, tax included, on the products; 0 for none.
    public var discountAmountTaxIncl: Decimal
    /// A free-shipping cart rule.
    public var freeShipping: Bool

    public init(
        id: Int = 549_085,
        reference: String = "FMHGOYBGK",
        customerID: Int = 532_822,
        lines: [Line],
        roundType: PrestaShopRoundType = .line,
        roundMode: PrestaShopRoundMode = .halfUp,
        carrierPriceTaxExcl: Decimal = 0,
        carrierTaxRate: Decimal = 0,
        wrappingTaxExcl: Decimal = 0,
        wrappingTaxRate: Decimal = 0,
        discountPercent: Decimal = 0,
        discountAmountTaxIncl: Decimal = 0,
        freeShipping: Bool = false
    ) {
        self.id = id
        self.reference = reference
        self.customerID = customerID
        self.lines = lines
        self.roundType = roundType
        self.roundMode = roundMode
        self.carrierPriceTaxExcl = carrierPriceTaxExcl
        self.carrierTaxRate = carrierTaxRate
        self.wrappingTaxExcl = wrappingTaxExcl
        self.wrappingTaxRate = wrappingTaxRate
        self.discountPercent = discountPercent
        self.discountAmountTaxIncl = discountAmountTaxIncl
        self.freeShipping = freeShipping
    }

    /// The order's amounts, computed as described on the type.
    public struct Totals: Sendable, Equatable {
        public var products: Decimal
        public var productsWithTax: Decimal
        public var shippingTaxExcl: Decimal
        public var shippingTaxIncl: Decimal
        public var wrappingTaxExcl: Decimal
        public var wrappingTaxIncl: Decimal
        public var discountsTaxExcl: Decimal
        public var discountsTaxIncl: Decimal
        public var paidTaxExcl: Decimal
        public var paidTaxIncl: Decimal
        /// Per line: `unit_price_tax_incl` (6 decimals).
        public var unitPricesTaxIncl: [Decimal]
    }

    public var totals: Totals {
        let r2 = { (value: Decimal) in roundMode.round(value) }
        let hundred: Decimal = 100
        var productsExcl: Decimal = 0
        var productsIncl: Decimal = 0
        var unitsIncl: [Decimal] = []
        for line in lines {
            let quantity = Decimal(line.quantity)
            let unitExcl = line.unitPriceTaxExcl
            let unitIncl = PrestaShopRoundMode.halfUp.round(unitExcl * (1 + line.taxRate / hundred), scale: 6)
            unitsIncl.append(unitIncl)
            switch roundType {
            case .item:
                productsExcl += r2(unitExcl) * quantity
                productsIncl += r2(unitIncl) * quantity
            case .line:
                productsExcl += r2(unitExcl * quantity)
                productsIncl += r2(unitIncl * quantity)
            case .total:
                productsExcl += unitExcl * quantity
                productsIncl += unitIncl * quantity
            }
        }
        let shippingExcl = r2(carrierPriceTaxExcl)
        let shippingIncl = r2(shippingExcl * (1 + carrierTaxRate / hundred))
        let wrappingExcl = r2(wrappingTaxExcl)
        let wrappingIncl = r2(wrappingExcl * (1 + wrappingTaxRate / hundred))
        var discountExcl = productsExcl * discountPercent / hundred
        var discountIncl = productsIncl * discountPercent / hundred
        if discountAmountTaxIncl > 0, productsIncl > 0 {
            discountIncl += discountAmountTaxIncl
            discountExcl += discountAmountTaxIncl * productsExcl / productsIncl
        }
        if freeShipping {
            discountIncl += shippingIncl
            discountExcl += shippingExcl
        }
        return Totals(
            products: r2(productsExcl),
            productsWithTax: r2(productsIncl),
            shippingTaxExcl: shippingExcl,
            shippingTaxIncl: shippingIncl,
            wrappingTaxExcl: wrappingExcl,
            wrappingTaxIncl: wrappingIncl,
            discountsTaxExcl: r2(discountExcl),
            discountsTaxIncl: r2(discountIncl),
            paidTaxExcl: r2(productsExcl + shippingExcl + wrappingExcl - discountExcl),
            paidTaxIncl: r2(productsIncl + shippingIncl + wrappingIncl - discountIncl),
            unitPricesTaxIncl: unitsIncl
        )
    }

    /// The order object (the value of `"order"`), typed as 8.x writes it: ids as numbers, amounts as 6-decimal
    /// strings.
    public var orderObject: [String: Any] { orderObject(totals: totals) }

    /// ``orderObject`` with ``totals`` already computed.
    public func orderObject(totals: Totals) -> [String: Any] {
        let money = Self.sixDecimals
        var rows: [[String: Any]] = []
        for (index, line) in lines.enumerated() {
            rows.append([
                "id": 983_222 + index, "product_id": line.productID, "product_attribute_id": 0,
                "product_quantity": line.quantity, "product_name": "Product \(line.productID)",
                "product_reference": "REF-\(line.productID)", "product_ean13": "4589504961513", "product_isbn": "",
                "product_upc": "", "product_price": money(line.unitPriceTaxExcl), "id_customization": 0,
                "unit_price_tax_incl": money(totals.unitPricesTaxIncl[index]),
                "unit_price_tax_excl": money(line.unitPriceTaxExcl),
            ])
        }
        return [
            "id": id, "id_address_delivery": 967_452, "id_address_invoice": 967_452, "id_cart": 817_776,
            "id_currency": 1, "id_lang": 1, "id_customer": customerID, "id_carrier": 103, "current_state": 2,
            "module": "ps_wirepayment", "invoice_number": 541_557, "invoice_date": "2024-07-05 19:40:27",
            "delivery_number": 0, "delivery_date": "0000-00-00 00:00:00", "valid": "1",
            "date_add": "2024-07-05 16:40:18", "date_upd": "2024-07-05 16:40:18", "shipping_number": "",
            "id_shop_group": 1, "id_shop": 1, "secure_key": "00000000000000000000000000000000",
            "payment": "Bank transfer",
            "total_discounts": money(totals.discountsTaxIncl),
            "total_discounts_tax_incl": money(totals.discountsTaxIncl),
            "total_discounts_tax_excl": money(totals.discountsTaxExcl),
            "total_paid": money(totals.paidTaxIncl), "total_paid_tax_incl": money(totals.paidTaxIncl),
            "total_paid_tax_excl": money(totals.paidTaxExcl), "total_paid_real": money(totals.paidTaxIncl),
            "total_products": money(totals.products), "total_products_wt": money(totals.productsWithTax),
            "total_shipping": money(totals.shippingTaxIncl), "total_shipping_tax_incl": money(totals.shippingTaxIncl),
            "total_shipping_tax_excl": money(totals.shippingTaxExcl),
            "carrier_tax_rate": Self.threeDecimals(carrierTaxRate),
            "total_wrapping": money(totals.wrappingTaxIncl), "total_wrapping_tax_incl": money(totals.wrappingTaxIncl),
            "total_wrapping_tax_excl": money(totals.wrappingTaxExcl), "round_mode": roundMode.rawValue,
            "round_type": roundType.rawValue, "conversion_rate": "1.000000", "reference": reference,
            "associations": ["order_rows": rows],
        ]
    }

    /// `{"order": …}` as JSON.
    public var body: Data {
        try! JSONSerialization.data(withJSONObject: ["order": orderObject], options: [.sortedKeys])
    }

    /// `20.230000`: how the webservice writes money.
    public static func sixDecimals(_ value: Decimal) -> String { fixed(value, decimals: 6) }

    /// `20.000`: how the webservice writes `carrier_tax_rate`.
    public static func threeDecimals(_ value: Decimal) -> String { fixed(value, decimals: 3) }

    static func fixed(_ value: Decimal, decimals: Int) -> String {
        let rounded = PrestaShopRoundMode.halfUp.round(value, scale: decimals)
        var text = rounded.description
        let fraction = text.firstIndex(of: ".").map { text.distance(from: $0, to: text.endIndex) - 1 }
        if fraction == nil { text += "." }
        text += String(repeating: "0", count: decimals - (fraction ?? 0))
        return text
    }
}
