import Foundation

/// A PrestaShop order as Ferry needs it, read from `GET /api/orders/{id}?output_format=JSON` or from a webhook
/// body of the same shape (`{"order": {…}}`).
///
/// Reading follows the webservice's JSON quirks (external-apis.md B2):
/// - falsy fields are dropped by the JSON writer, so a missing field reads as 0, `false` or `""`;
/// - ids are JSON numbers on 8.x and strings on 1.7; both are accepted;
/// - money and rates are strings with 6 decimals (`"20.230000"`) and are read exactly into `Decimal`
///   (JSON numbers are accepted too, also without going through `Double`);
/// - flags are `"1"`/`"0"`/missing;
/// - an empty list or object is written `[]`, and `associations` or `order_rows` may be missing.
///
/// `id_shop` and `id_shop_group` read as 1 when absent: real output never drops them (they are at least 1),
/// and 1 is the only shop of a single-shop install. An explicit invalid value is still reported by
/// ``validate()``.
///
/// Decoding only rejects values of the wrong form; ``validate()`` applies the rules an order must meet
/// before Ferry accepts it. ``validated(from:)`` does both, as the gateway needs.
public struct PrestaShopOrder: Sendable, Hashable {
    /// `id`.
    public var id: Int
    /// `reference`, 9 upper-case letters on a real shop (e.g. `FMHGOYBGK`).
    public var reference: String
    /// `id_shop` (1 when absent).
    public var shopID: Int
    /// `id_shop_group` (1 when absent).
    public var shopGroupID: Int
    /// `id_customer`.
    public var customerID: Int
    /// `id_address_delivery`.
    public var deliveryAddressID: Int
    /// `id_address_invoice`.
    public var invoiceAddressID: Int
    /// `id_cart`.
    public var cartID: Int
    /// `id_currency`.
    public var currencyID: Int
    /// `id_carrier` (0 for virtual orders without a carrier).
    public var carrierID: Int
    /// `id_lang`.
    public var languageID: Int
    /// `current_state`: an id of `order_states`.
    public var currentState: Int
    /// `module`: the payment module's technical name (e.g. `ps_wirepayment`).
    public var module: String
    /// `payment`: the payment method label shown to the customer (e.g. "Bank transfer").
    public var payment: String
    /// `valid`: true once the order reached a state that counts as validated.
    public var isValid: Bool
    /// `date_add`, `YYYY-MM-DD HH:MM:SS` in the shop's time zone (see ``PrestaShopDateTime``).
    public var dateAdd: String
    /// `date_upd`, same format; changes on every modification of the order.
    public var dateUpd: String
    /// `conversion_rate` of the order currency against the shop's default currency.
    public var conversionRate: Decimal
    /// `total_paid`.
    public var totalPaid: Decimal
    /// `total_paid_tax_incl`: the amount of the order.
    public var totalPaidTaxIncl: Decimal
    /// `total_paid_tax_excl`.
    public var totalPaidTaxExcl: Decimal
    /// `total_paid_real`: the sum of recorded payments, which can differ from `total_paid`.
    public var totalPaidReal: Decimal
    /// `total_products`: products, tax excluded.
    public var totalProducts: Decimal
    /// `total_products_wt`: products, tax included.
    public var totalProductsWithTax: Decimal
    /// `total_shipping`.
    public var totalShipping: Decimal
    /// `total_shipping_tax_incl`.
    public var totalShippingTaxIncl: Decimal
    /// `total_shipping_tax_excl`.
    public var totalShippingTaxExcl: Decimal
    /// `carrier_tax_rate`, in percent (e.g. `20.000`).
    public var carrierTaxRate: Decimal
    /// `total_discounts`.
    public var totalDiscounts: Decimal
    /// `total_discounts_tax_incl`.
    public var totalDiscountsTaxIncl: Decimal
    /// `total_discounts_tax_excl`.
    public var totalDiscountsTaxExcl: Decimal
    /// `total_wrapping`.
    public var totalWrapping: Decimal
    /// `total_wrapping_tax_incl`.
    public var totalWrappingTaxIncl: Decimal
    /// `total_wrapping_tax_excl`.
    public var totalWrappingTaxExcl: Decimal
    /// `associations.order_rows`, empty when absent.
    public var rows: [Row]

    /// One line of `associations.order_rows`.
    public struct Row: Sendable, Hashable {
        /// `id` (the `order_detail` id).
        public var id: Int
        /// `product_id`.
        public var productID: Int
        /// `product_attribute_id`: the combination, 0 for a product without combinations.
        public var productAttributeID: Int
        /// `product_quantity`.
        public var quantity: Int
        /// `product_name`, as it was when ordered (includes the combination label).
        public var name: String
        /// `product_reference`.
        public var reference: String
        /// `product_ean13`.
        public var ean13: String
        /// `unit_price_tax_incl`.
        public var unitPriceTaxIncl: Decimal
        /// `unit_price_tax_excl`.
        public var unitPriceTaxExcl: Decimal
        /// `product_price`: the catalogue unit price before reductions, tax excluded.
        public var productPrice: Decimal

        /// Creates a row.
        public init(
            id: Int,
            productID: Int,
            productAttributeID: Int,
            quantity: Int,
            name: String,
            reference: String,
            ean13: String,
            unitPriceTaxIncl: Decimal,
            unitPriceTaxExcl: Decimal,
            productPrice: Decimal
        ) {
            self.id = id
            self.productID = productID
            self.productAttributeID = productAttributeID
            self.quantity = quantity
            self.name = name
            self.reference = reference
            self.ean13 = ean13
            self.unitPriceTaxIncl = unitPriceTaxIncl
            self.unitPriceTaxExcl = unitPriceTaxExcl
            self.productPrice = productPrice
        }
    }
}

// MARK: - Decoding

extension PrestaShopOrder {
    /// Decodes `{"order": {…}}` (a single-order answer or a webhook body) without applying ``validate()``.
    ///
    /// - Throws: ``PrestaShopPayloadError`` naming the first field of the wrong form, or `$` when the body
    ///   is not JSON.
    public init(jsonBody: some DataProtocol) throws(PrestaShopPayloadError) {
        let document = try PrestaShopJSON.parse(jsonBody)
        let root = try document.root.object()
        try self.init(reading: try root.field("order").object())
    }

    /// Decodes and validates a webhook body (`{"order": {…}}`): the gateway's single entry point.
    ///
    /// - Throws: ``PrestaShopPayloadError`` naming the first field that is malformed or breaks a rule of
    ///   ``validate()``.
    public static func validated(from jsonBody: some DataProtocol) throws(PrestaShopPayloadError) -> PrestaShopOrder {
        let order = try PrestaShopOrder(jsonBody: jsonBody)
        try order.validate()
        return order
    }

    /// Reads an order object (the value of `"order"`, or one element of `"orders"`).
    init(reading object: PrestaShopObjectReader) throws(PrestaShopPayloadError) {
        id = try object.int("id")
        reference = try object.string("reference")
        shopID = try object.int("id_shop", default: 1)
        shopGroupID = try object.int("id_shop_group", default: 1)
        customerID = try object.int("id_customer")
        deliveryAddressID = try object.int("id_address_delivery")
        invoiceAddressID = try object.int("id_address_invoice")
        cartID = try object.int("id_cart")
        currencyID = try object.int("id_currency")
        carrierID = try object.int("id_carrier")
        languageID = try object.int("id_lang")
        currentState = try object.int("current_state")
        module = try object.string("module")
        payment = try object.string("payment")
        isValid = try object.bool("valid")
        dateAdd = try object.string("date_add")
        dateUpd = try object.string("date_upd")
        conversionRate = try object.decimal("conversion_rate")
        totalPaid = try object.decimal("total_paid")
        totalPaidTaxIncl = try object.decimal("total_paid_tax_incl")
        totalPaidTaxExcl = try object.decimal("total_paid_tax_excl")
        totalPaidReal = try object.decimal("total_paid_real")
        totalProducts = try object.decimal("total_products")
        totalProductsWithTax = try object.decimal("total_products_wt")
        totalShipping = try object.decimal("total_shipping")
        totalShippingTaxIncl = try object.decimal("total_shipping_tax_incl")
        totalShippingTaxExcl = try object.decimal("total_shipping_tax_excl")
        carrierTaxRate = try object.decimal("carrier_tax_rate")
        totalDiscounts = try object.decimal("total_discounts")
        totalDiscountsTaxIncl = try object.decimal("total_discounts_tax_incl")
        totalDiscountsTaxExcl = try object.decimal("total_discounts_tax_excl")
        totalWrapping = try object.decimal("total_wrapping")
        totalWrappingTaxIncl = try object.decimal("total_wrapping_tax_incl")
        totalWrappingTaxExcl = try object.decimal("total_wrapping_tax_excl")
        let associations = try object.field("associations").optionalObject()
        var rows: [Row] = []
        for element in try associations.field("order_rows").list() {
            let row = try element.object()
            rows.append(
                Row(
                    id: try row.int("id"),
                    productID: try row.int("product_id"),
                    productAttributeID: try row.int("product_attribute_id"),
                    quantity: try row.int("product_quantity"),
                    name: try row.string("product_name"),
                    reference: try row.string("product_reference"),
                    ean13: try row.string("product_ean13"),
                    unitPriceTaxIncl: try row.decimal("unit_price_tax_incl"),
                    unitPriceTaxExcl: try row.decimal("unit_price_tax_excl"),
                    productPrice: try row.decimal("product_price")
                )
            )
        }
        self.rows = rows
    }
}

// MARK: - Validation

extension PrestaShopOrder {
    /// Checks the rules an order must meet before Ferry accepts it, and names the first field that breaks one.
    ///
    /// Rules, in the order checked:
    /// 1. `order.id` > 0; `order.id_shop` > 0 (absent reads as 1).
    /// 2. `order.reference` is 9 upper-case letters A-Z: `Order::generateReference()` makes every reference with
    ///    `strtoupper(Tools::passwdGen(9, 'NO_NUMERIC'))`, and the column is `varchar(9)`.
    /// 3. `order.id_customer` > 0; `order.id_currency` > 0; `order.associations.order_rows` has at least one row;
    ///    for each row `product_id` > 0 and `product_quantity` > 0.
    /// 4. No money amount, price or rate is negative: every `total_*` field (the legacy `total_paid`,
    ///    `total_shipping`, `total_discounts`, `total_wrapping` and `total_paid_real` included),
    ///    `carrier_tax_rate`, and each row's `unit_price_tax_incl`, `unit_price_tax_excl` and `product_price`;
    ///    `conversion_rate` > 0.
    /// 5. The rows add up to the product totals: `total_products` and the sum of `unit_price_tax_excl ×
    ///    product_quantity` are at most `0.01 × Σ product_quantity + 0.01` apart, and so are `total_products_wt`
    ///    and the sum of `unit_price_tax_incl × product_quantity`. Why that much: PrestaShop keeps the row's unit
    ///    prices unrounded (6 decimals: a real order has `unit_price_tax_excl` 9.775 and `total_products` 9.78) and
    ///    rounds the totals to 2 decimals, per item (`round_type` 1: round(unit) × quantity), per line (2:
    ///    round(unit × quantity)) or on the total (3), in one of six `round_mode`s, two of which (up, down) move a
    ///    value by up to 0.01 rather than 0.005. So each unit is off by less than 0.01 per item, each line by less
    ///    than 0.01 per line, the total by less than 0.01 on the total; per item is the largest, `0.01 ×
    ///    Σ quantity`, and the 0.01 added covers the unit prices' 6-decimal storage.
    /// 6. Tax included is at least tax excluded: `total_products_wt` ≥ `total_products`, and the same for
    ///    `total_shipping_tax_*`, `total_wrapping_tax_*`, `total_discounts_tax_*` and each row's unit prices
    ///    (tax rates are not negative and rounding keeps order); `total_paid_tax_incl` is at least
    ///    `total_paid_tax_excl` minus 0.01, since both are sums of separately rounded parts.
    /// 7. Discounts do not exceed what they discount: `total_discounts_tax_incl` ≤ `total_products_wt` +
    ///    `total_shipping_tax_incl` + `total_wrapping_tax_incl` + 0.01 (PrestaShop caps a cart rule at the order
    ///    total and turns the rest into a new voucher).
    /// 8. The order adds up: `total_paid_tax_incl` = `total_products_wt` + `total_shipping_tax_incl` +
    ///    `total_wrapping_tax_incl` - `total_discounts_tax_incl`, and `total_paid_tax_excl` = `total_products` +
    ///    `total_shipping_tax_excl` + `total_wrapping_tax_excl` - `total_discounts_tax_excl`, each within 0.01.
    ///    PrestaShop computes each part and the total with `Cart::getOrderTotal()` and rounds each to 2 decimals;
    ///    at most the products and the discounts carry unrounded cents into the total, so the rounded total and
    ///    the sum of the rounded parts differ by less than 0.02, which on 2-decimal amounts is at most 0.01. A
    ///    free-shipping cart rule keeps the carrier's price in `total_shipping_*` and counts it in
    ///    `total_discounts_*`, so the equation holds for it too.
    ///
    /// The tolerances assume 2-decimal computing precision, which every currency of the sandbox world has;
    /// PrestaShop 1.7.7+ rounds to the currency's own precision, so a shop selling in a currency without decimals
    /// (JPY, HUF with 0 decimals) would need larger ones. `total_paid` (legacy) and `total_paid_real` (the sum of
    /// recorded payments, e.g. twice the total after a payment was recorded twice) are not compared with the other
    /// amounts, nor is `carrier_tax_rate` with the shipping amounts.
    ///
    /// - Throws: ``PrestaShopPayloadError`` with a path such as `order.associations.order_rows[0].product_quantity`
    ///   or `order.total_paid_tax_incl`.
    public func validate() throws(PrestaShopPayloadError) {
        try require(id != 0, "order.id", .missing)
        try require(id > 0, "order.id", .notPositive)
        try require(shopID > 0, "order.id_shop", .notPositive)
        try require(!reference.isEmpty, "order.reference", .missing)
        try require(!reference.allSatisfy(\.isWhitespace), "order.reference", .empty)
        try require(Self.isReference(reference), "order.reference", .notAReference)
        try require(customerID != 0, "order.id_customer", .missing)
        try require(customerID > 0, "order.id_customer", .notPositive)
        try require(currencyID != 0, "order.id_currency", .missing)
        try require(currencyID > 0, "order.id_currency", .notPositive)
        try require(!rows.isEmpty, "order.associations.order_rows", .empty)
        for (index, row) in rows.enumerated() {
            let path = Self.rowPath(index)
            try require(row.productID != 0, "\(path).product_id", .missing)
            try require(row.productID > 0, "\(path).product_id", .notPositive)
            try require(row.quantity != 0, "\(path).product_quantity", .missing)
            try require(row.quantity > 0, "\(path).product_quantity", .notPositive)
        }
        try validateSigns()
        try validateTotals()
    }

    /// Whether `text` has the form of `Order::generateReference()`: 9 ASCII letters A-Z.
    static func isReference(_ text: String) -> Bool {
        text.utf8.count == 9 && text.utf8.allSatisfy { (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }
    }

    /// Rule 4: no negative amount, a positive conversion rate.
    private func validateSigns() throws(PrestaShopPayloadError) {
        let amounts: [(String, Decimal)] = [
            ("total_paid", totalPaid), ("total_paid_tax_incl", totalPaidTaxIncl),
            ("total_paid_tax_excl", totalPaidTaxExcl), ("total_paid_real", totalPaidReal),
            ("total_products", totalProducts), ("total_products_wt", totalProductsWithTax),
            ("total_shipping", totalShipping), ("total_shipping_tax_incl", totalShippingTaxIncl),
            ("total_shipping_tax_excl", totalShippingTaxExcl), ("carrier_tax_rate", carrierTaxRate),
            ("total_discounts", totalDiscounts), ("total_discounts_tax_incl", totalDiscountsTaxIncl),
            ("total_discounts_tax_excl", totalDiscountsTaxExcl), ("total_wrapping", totalWrapping),
            ("total_wrapping_tax_incl", totalWrappingTaxIncl), ("total_wrapping_tax_excl", totalWrappingTaxExcl),
        ]
        for (key, value) in amounts { try require(value >= 0, "order.\(key)", .negative) }
        try require(conversionRate > 0, "order.conversion_rate", .notPositive)
        for (index, row) in rows.enumerated() {
            let path = Self.rowPath(index)
            try require(row.unitPriceTaxIncl >= 0, "\(path).unit_price_tax_incl", .negative)
            try require(row.unitPriceTaxExcl >= 0, "\(path).unit_price_tax_excl", .negative)
            try require(row.productPrice >= 0, "\(path).product_price", .negative)
        }
    }

    /// Rules 5 to 8: the amounts agree with each other within PrestaShop's rounding.
    private func validateTotals() throws(PrestaShopPayloadError) {
        let cent = Decimal(sign: .plus, exponent: -2, significand: 1)
        // Decimal, not Int: up to 2^53 per row over thousands of rows would overflow an Int.
        var quantities: Decimal = 0
        var rowsTaxExcl: Decimal = 0
        var rowsTaxIncl: Decimal = 0
        for row in rows {
            let quantity = Decimal(row.quantity)
            quantities += quantity
            rowsTaxExcl += row.unitPriceTaxExcl * quantity
            rowsTaxIncl += row.unitPriceTaxIncl * quantity
        }
        let rowTolerance = cent * quantities + cent
        try requireClose(
            totalProducts,
            rowsTaxExcl,
            "order.total_products",
            "the sum of order_rows unit_price_tax_excl × product_quantity",
            tolerance: rowTolerance
        )
        try requireClose(
            totalProductsWithTax,
            rowsTaxIncl,
            "order.total_products_wt",
            "the sum of order_rows unit_price_tax_incl × product_quantity",
            tolerance: rowTolerance
        )

        let taxPairs: [(String, Decimal, String, Decimal)] = [
            ("order.total_products_wt", totalProductsWithTax, "total_products", totalProducts),
            ("order.total_shipping_tax_incl", totalShippingTaxIncl, "total_shipping_tax_excl", totalShippingTaxExcl),
            ("order.total_wrapping_tax_incl", totalWrappingTaxIncl, "total_wrapping_tax_excl", totalWrappingTaxExcl),
            (
                "order.total_discounts_tax_incl", totalDiscountsTaxIncl, "total_discounts_tax_excl",
                totalDiscountsTaxExcl
            ),
        ]
        for (path, included, excludedName, excluded) in taxPairs {
            try requireAtLeast(included, excluded, path, excludedName)
        }
        for (index, row) in rows.enumerated() {
            try requireAtLeast(
                row.unitPriceTaxIncl,
                row.unitPriceTaxExcl,
                "\(Self.rowPath(index)).unit_price_tax_incl",
                "unit_price_tax_excl"
            )
        }
        try requireAtLeast(
            totalPaidTaxIncl,
            totalPaidTaxExcl - cent,
            "order.total_paid_tax_incl",
            "total_paid_tax_excl - 0.01"
        )

        let discountable = totalProductsWithTax + totalShippingTaxIncl + totalWrappingTaxIncl
        if totalDiscountsTaxIncl > discountable + cent {
            throw PrestaShopPayloadError(
                path: "order.total_discounts_tax_incl",
                problem: .aboveMaximum(
                    actual: totalDiscountsTaxIncl,
                    maximum: discountable,
                    computedAs: "products + shipping + wrapping (tax incl.)"
                )
            )
        }

        try requireClose(
            totalPaidTaxIncl,
            discountable - totalDiscountsTaxIncl,
            "order.total_paid_tax_incl",
            "products + shipping + wrapping - discounts (tax incl.)",
            tolerance: cent
        )
        try requireClose(
            totalPaidTaxExcl,
            totalProducts + totalShippingTaxExcl + totalWrappingTaxExcl - totalDiscountsTaxExcl,
            "order.total_paid_tax_excl",
            "products + shipping + wrapping - discounts (tax excl.)",
            tolerance: cent
        )
    }

    private static func rowPath(_ index: Int) -> String { "order.associations.order_rows[\(index)]" }

    private func require(
        _ condition: Bool,
        _ path: String,
        _ problem: PrestaShopPayloadError.Problem
    ) throws(PrestaShopPayloadError) {
        if !condition { throw PrestaShopPayloadError(path: path, problem: problem) }
    }

    private func requireClose(
        _ actual: Decimal,
        _ expected: Decimal,
        _ path: String,
        _ computedAs: String,
        tolerance: Decimal
    ) throws(PrestaShopPayloadError) {
        if (actual - expected).magnitude > tolerance {
            throw PrestaShopPayloadError(
                path: path,
                problem: .inconsistent(actual: actual, expected: expected, computedAs: computedAs, tolerance: tolerance)
            )
        }
    }

    private func requireAtLeast(
        _ actual: Decimal,
        _ minimum: Decimal,
        _ path: String,
        _ computedAs: String
    ) throws(PrestaShopPayloadError) {
        if actual < minimum {
            throw PrestaShopPayloadError(
                path: path,
                problem: .belowMinimum(actual: actual, minimum: minimum, computedAs: computedAs)
            )
        }
    }
}
