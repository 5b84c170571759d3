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
    /// Rules, in the order checked: `order.id` > 0; `order.id_shop` > 0 (absent reads as 1);
    /// `order.reference` not empty; `order.id_customer` > 0; `order.id_currency` > 0;
    /// `order.associations.order_rows` has at least one row; for each row `product_id` > 0 and
    /// `product_quantity` > 0. Money fields are checked while decoding (they must parse).
    ///
    /// - Throws: ``PrestaShopPayloadError`` with a path such as `order.associations.order_rows[0].product_quantity`.
    public func validate() throws(PrestaShopPayloadError) {
        func require(
            _ condition: Bool,
            _ path: String,
            _ problem: PrestaShopPayloadError.Problem
        )
            throws(PrestaShopPayloadError)
        {
            if !condition { throw PrestaShopPayloadError(path: path, problem: problem) }
        }
        try require(id != 0, "order.id", .missing)
        try require(id > 0, "order.id", .notPositive)
        try require(shopID > 0, "order.id_shop", .notPositive)
        try require(!reference.isEmpty, "order.reference", .missing)
        try require(!reference.allSatisfy(\.isWhitespace), "order.reference", .empty)
        try require(customerID != 0, "order.id_customer", .missing)
        try require(customerID > 0, "order.id_customer", .notPositive)
        try require(currencyID != 0, "order.id_currency", .missing)
        try require(currencyID > 0, "order.id_currency", .notPositive)
        try require(!rows.isEmpty, "order.associations.order_rows", .empty)
        for (index, row) in rows.enumerated() {
            let path = "order.associations.order_rows[\(index)]"
            try require(row.productID != 0, "\(path).product_id", .missing)
            try require(row.productID > 0, "\(path).product_id", .notPositive)
            try require(row.quantity != 0, "\(path).product_quantity", .missing)
            try require(row.quantity > 0, "\(path).product_quantity", .notPositive)
        }
    }
}
