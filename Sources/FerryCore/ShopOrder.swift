import Foundation

/// A webshop order as Ferry's domain sees it: what the transform to NetSuite needs, independent of the
/// PrestaShop wire format (the PrestaShop adapter builds it from the webservice JSON).
public struct ShopOrder: Sendable, Equatable, Codable {
    public struct Line: Sendable, Equatable, Codable {
        public var rowID: Int
        public var productID: Int
        /// PrestaShop `product_attribute_id`; 0 when the product has no combinations.
        public var combinationID: Int
        public var reference: String
        public var name: String
        public var quantity: Int
        public var unitPriceTaxExcl: Decimal
        public var unitPriceTaxIncl: Decimal

        public init(
            rowID: Int,
            productID: Int,
            combinationID: Int,
            reference: String,
            name: String,
            quantity: Int,
            unitPriceTaxExcl: Decimal,
            unitPriceTaxIncl: Decimal
        ) {
            self.rowID = rowID
            self.productID = productID
            self.combinationID = combinationID
            self.reference = reference
            self.name = name
            self.quantity = quantity
            self.unitPriceTaxExcl = unitPriceTaxExcl
            self.unitPriceTaxIncl = unitPriceTaxIncl
        }
    }

    public var id: Int
    public var shopID: Int
    public var reference: String
    public var customerID: Int
    public var deliveryAddressID: Int
    public var currencyID: Int
    public var carrierID: Int
    /// Technical payment module name (`ps_wirepayment`, `stripe_official`), the key of the payment mapping.
    public var paymentModule: String
    public var currentState: Int
    /// `date_add` as PrestaShop sends it: `YYYY-MM-DD HH:MM:SS` in shop time.
    public var dateAdd: String
    public var totalPaidTaxIncl: Decimal
    public var totalShippingTaxExcl: Decimal
    public var totalShippingTaxIncl: Decimal
    public var totalDiscountsTaxExcl: Decimal
    public var totalDiscountsTaxIncl: Decimal
    public var totalWrappingTaxExcl: Decimal
    public var totalWrappingTaxIncl: Decimal
    /// `conversion_rate`: units of the order currency per unit of the shop's default currency.
    public var conversionRate: Decimal
    public var lines: [Line]

    public init(
        id: Int,
        shopID: Int,
        reference: String,
        customerID: Int,
        deliveryAddressID: Int,
        currencyID: Int,
        carrierID: Int,
        paymentModule: String,
        currentState: Int,
        dateAdd: String,
        totalPaidTaxIncl: Decimal,
        totalShippingTaxExcl: Decimal,
        totalShippingTaxIncl: Decimal,
        totalDiscountsTaxExcl: Decimal = 0,
        totalDiscountsTaxIncl: Decimal = 0,
        totalWrappingTaxExcl: Decimal = 0,
        totalWrappingTaxIncl: Decimal = 0,
        conversionRate: Decimal = 1,
        lines: [Line]
    ) {
        self.id = id
        self.shopID = shopID
        self.reference = reference
        self.customerID = customerID
        self.deliveryAddressID = deliveryAddressID
        self.currencyID = currencyID
        self.carrierID = carrierID
        self.paymentModule = paymentModule
        self.currentState = currentState
        self.dateAdd = dateAdd
        self.totalPaidTaxIncl = totalPaidTaxIncl
        self.totalShippingTaxExcl = totalShippingTaxExcl
        self.totalShippingTaxIncl = totalShippingTaxIncl
        self.totalDiscountsTaxExcl = totalDiscountsTaxExcl
        self.totalDiscountsTaxIncl = totalDiscountsTaxIncl
        self.totalWrappingTaxExcl = totalWrappingTaxExcl
        self.totalWrappingTaxIncl = totalWrappingTaxIncl
        self.conversionRate = conversionRate
        self.lines = lines
    }

    /// A cart rule applied to the order (PrestaShop `order_cart_rules`): a voucher, a promotion, free shipping.
    public struct CartRule: Sendable, Equatable, Codable {
        /// `id_cart_rule`.
        public var id: Int
        public var name: String
        /// `value`: the discount, tax included (for a free-shipping rule, the shipping it pays is part of it).
        public var valueTaxIncl: Decimal
        /// `value_tax_excl`.
        public var valueTaxExcl: Decimal
        /// `free_shipping`.
        public var freeShipping: Bool

        public init(id: Int, name: String, valueTaxIncl: Decimal, valueTaxExcl: Decimal, freeShipping: Bool) {
            self.id = id
            self.name = name
            self.valueTaxIncl = valueTaxIncl
            self.valueTaxExcl = valueTaxExcl
            self.freeShipping = freeShipping
        }
    }

    /// The idempotency key of this order's webhook; see ``IdempotencyKey``.
    public var idempotencyKey: IdempotencyKey { IdempotencyKey(shopID: shopID, orderID: id) }
}

/// Identifies one PrestaShop order across webhooks, redeliveries, resubmissions and NetSuite records.
///
/// Derived only from the shop and the PrestaShop order id, so every duplicate of a webhook, whatever its
/// timestamp or body, maps to the same key: it is the JetStream `Nats-Msg-Id`, the processed-events key,
/// and the root of the NetSuite external ids.
public struct IdempotencyKey: Sendable, Hashable, Codable, CustomStringConvertible {
    public let shopID: Int
    public let orderID: Int

    public init(shopID: Int, orderID: Int) {
        self.shopID = shopID
        self.orderID = orderID
    }

    /// Parses the ``description`` form back (`ps-<shop>-order-<id>`); nil for anything else.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "ps", parts[2] == "order",
            let shop = Int(parts[1]), let order = Int(parts[3]), shop > 0, order > 0
        else { return nil }
        self.init(shopID: shop, orderID: order)
    }

    /// `ps-<shop>-order-<orderID>`: safe as a NATS message id, a log field and a database key.
    public var description: String { "ps-\(shopID)-order-\(orderID)" }

    /// NetSuite `externalId` of the sales order. Letters, digits and `-` only, so it is usable in `eid:` URLs.
    public var salesOrderExternalID: String { "PS-\(shopID)-\(orderID)" }

    /// NetSuite `externalId` of the customer deposit that records the order's payment.
    public var depositExternalID: String { "PS-\(shopID)-\(orderID)-DEP" }

    /// JetStream subject of the order's webhook message.
    public func subject(prefix: String = "ferry.orders") -> String { "\(prefix).\(shopID)" }
}

/// NetSuite `externalId` Ferry gives customers it creates.
public func customerExternalID(shopID: Int, customerID: Int) -> String { "PS-\(shopID)-CUST-\(customerID)" }
