import Foundation

/// What the mapping tables must answer for one order; the adapter looks these keys up and hands back
/// ``ResolvedMappings``, so the transform itself stays a pure function.
public struct ProductKey: Sendable, Hashable, Codable {
    public var productID: Int
    public var combinationID: Int
    public init(productID: Int, combinationID: Int) {
        self.productID = productID
        self.combinationID = combinationID
    }
}

public struct TaxCodeKey: Sendable, Hashable, Codable {
    public var countryISO: String
    public var taxCategoryID: Int
    public var subsidiaryID: Int
    public init(countryISO: String, taxCategoryID: Int, subsidiaryID: Int) {
        self.countryISO = countryISO
        self.taxCategoryID = taxCategoryID
        self.subsidiaryID = subsidiaryID
    }
}

public struct ShopMapping: Sendable, Hashable, Codable {
    public var subsidiaryID: Int
    public var locationID: Int
    public init(subsidiaryID: Int, locationID: Int) {
        self.subsidiaryID = subsidiaryID
        self.locationID = locationID
    }
}

/// The mapping rows found for one order. Missing keys are simply absent.
public struct ResolvedMappings: Sendable, Equatable {
    /// By PrestaShop product and combination.
    public var products: [ProductKey: Int] = [:]
    /// By product reference (SKU), the fallback when no (product, combination) row exists.
    public var productsByReference: [String: Int] = [:]
    public var taxCodes: [TaxCodeKey: Int] = [:]
    public var currencies: [String: Int] = [:]
    public var paymentMethods: [String: Int] = [:]
    public var shipMethods: [Int: Int] = [:]
    public var shops: [Int: ShopMapping] = [:]
    public init() {}
}

/// Facts about the order that live outside the order resource: looked up by the worker, passed in here.
public struct OrderContext: Sendable, Equatable {
    /// ISO 3166 code of the delivery address's country.
    public var deliveryCountryISO: String
    /// ISO 4217 code of the order currency.
    public var currencyISO: String
    /// Tax category (PrestaShop tax rules group) of each order row, by row id (from `order_details`).
    public var lineTaxCategories: [Int: Int]
    /// Whether the order's current state counts as paid (PrestaShop order state `paid` flag).
    public var isPaid: Bool
    /// The NetSuite customer the order belongs to, once found or created.
    public var customerEntityID: Int

    public init(
        deliveryCountryISO: String,
        currencyISO: String,
        lineTaxCategories: [Int: Int],
        isPaid: Bool,
        customerEntityID: Int
    ) {
        self.deliveryCountryISO = deliveryCountryISO
        self.currencyISO = currencyISO
        self.lineTaxCategories = lineTaxCategories
        self.isPaid = isPaid
        self.customerEntityID = customerEntityID
    }
}

/// A mapping an order needs and the tables do not have. Operators fix these with `ferry mappings import`.
public enum MissingMapping: Sendable, Hashable, Codable, CustomStringConvertible {
    case product(productID: Int, combinationID: Int, reference: String)
    case taxCode(TaxCodeKey)
    case lineTaxCategory(rowID: Int)
    case currency(iso: String)
    case paymentMethod(module: String)
    case shipMethod(carrierID: Int)
    case shop(shopID: Int)

    public var description: String {
        switch self {
        case .product(let p, let c, let r): "product \(p) combination \(c) (reference \(r.isEmpty ? "none" : r))"
        case .taxCode(let k):
            "tax code for country \(k.countryISO), tax category \(k.taxCategoryID), subsidiary \(k.subsidiaryID)"
        case .lineTaxCategory(let row): "tax category of order row \(row)"
        case .currency(let iso): "currency \(iso)"
        case .paymentMethod(let module): "payment method for module \(module)"
        case .shipMethod(let carrier): "ship method for carrier \(carrier)"
        case .shop(let shop): "subsidiary and location for shop \(shop)"
        }
    }

    /// The mapping kind, as named by `ferry mappings import <kind>`.
    public var kind: String {
        switch self {
        case .product: "products"
        case .taxCode, .lineTaxCategory: "tax-codes"
        case .currency: "currencies"
        case .paymentMethod: "payment-methods"
        case .shipMethod: "carriers"
        case .shop: "shops"
        }
    }
}

/// NetSuite's view of an order: a sales order and, when paid, a customer deposit linked to it.
public struct SalesOrderDraft: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var itemID: Int
        public var quantity: Int
        /// Unit price, tax excluded, in the order currency.
        public var rate: Decimal
        public var taxCodeID: Int

        public init(itemID: Int, quantity: Int, rate: Decimal, taxCodeID: Int) {
            self.itemID = itemID
            self.quantity = quantity
            self.rate = rate
            self.taxCodeID = taxCodeID
        }
    }

    public var externalID: String
    public var customerEntityID: Int
    public var subsidiaryID: Int
    public var locationID: Int
    public var currencyID: Int
    /// `YYYY-MM-DD` from the order's `date_add`.
    public var tranDate: String
    /// The PrestaShop order reference (`FMHGOYBGK`).
    public var otherRefNum: String
    public var memo: String
    public var shipMethodID: Int
    public var shippingCost: Decimal
    public var lines: [Line]
    /// Amount of the customer deposit; nil for an unpaid order (no deposit).
    public var deposit: Deposit?

    public struct Deposit: Sendable, Equatable {
        public var externalID: String
        public var amount: Decimal
        public var paymentMethodID: Int

        public init(externalID: String, amount: Decimal, paymentMethodID: Int) {
            self.externalID = externalID
            self.amount = amount
            self.paymentMethodID = paymentMethodID
        }
    }
}

/// Why an order cannot become a sales order.
public enum TransformError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Mapping rows are missing: retry later (an operator may import them) and dead-letter on schedule.
    case missingMappings([MissingMapping])
    /// The order itself can never be submitted (no lines, non-positive quantity …): dead-letter at once.
    case invalidOrder(String)

    public var description: String {
        switch self {
        case .missingMappings(let missing): "missing mappings: " + missing.map(\.description).joined(separator: "; ")
        case .invalidOrder(let reason): "invalid order: \(reason)"
        }
    }
}

public enum OrderTransform {
    /// The keys to look up for `order`. Tax codes depend on the subsidiary, which depends on the shop mapping,
    /// so the adapter resolves tax codes for every subsidiary of the delivery country (a handful of rows).
    public static func requiredProducts(_ order: ShopOrder) -> [ProductKey] {
        order.lines.map { ProductKey(productID: $0.productID, combinationID: $0.combinationID) }
    }

    /// Maps `order` to NetSuite's schema. Reports every missing mapping at once, not only the first.
    public static func salesOrder(
        for order: ShopOrder,
        context: OrderContext,
        mappings: ResolvedMappings
    ) -> Result<SalesOrderDraft, TransformError> {
        if order.lines.isEmpty { return .failure(.invalidOrder("the order has no rows")) }
        if let bad = order.lines.first(where: { $0.quantity <= 0 }) {
            return .failure(.invalidOrder("row \(bad.rowID) has quantity \(bad.quantity)"))
        }
        if let bad = order.lines.first(where: { $0.unitPriceTaxExcl < 0 }) {
            return .failure(.invalidOrder("row \(bad.rowID) has a negative price"))
        }
        if order.totalPaidTaxIncl < 0 { return .failure(.invalidOrder("total_paid_tax_incl is negative")) }

        var missing: [MissingMapping] = []
        func need<T>(_ value: T?, _ otherwise: MissingMapping) -> T? {
            if value == nil, !missing.contains(otherwise) { missing.append(otherwise) }
            return value
        }

        let shop = need(mappings.shops[order.shopID], .shop(shopID: order.shopID))
        let currency = need(mappings.currencies[context.currencyISO], .currency(iso: context.currencyISO))
        let shipMethod = need(mappings.shipMethods[order.carrierID], .shipMethod(carrierID: order.carrierID))
        let payment: Int? =
            context.isPaid
            ? need(mappings.paymentMethods[order.paymentModule], .paymentMethod(module: order.paymentModule)) : nil

        var lines: [SalesOrderDraft.Line] = []
        for line in order.lines {
            let key = ProductKey(productID: line.productID, combinationID: line.combinationID)
            let item = need(
                mappings.products[key] ?? (line.reference.isEmpty ? nil : mappings.productsByReference[line.reference]),
                .product(productID: line.productID, combinationID: line.combinationID, reference: line.reference)
            )
            let category = need(context.lineTaxCategories[line.rowID], .lineTaxCategory(rowID: line.rowID))
            var taxCode: Int?
            if let category, let shop {
                let taxKey = TaxCodeKey(
                    countryISO: context.deliveryCountryISO,
                    taxCategoryID: category,
                    subsidiaryID: shop.subsidiaryID
                )
                taxCode = need(mappings.taxCodes[taxKey], .taxCode(taxKey))
            }
            if let item, let taxCode {
                lines.append(
                    .init(itemID: item, quantity: line.quantity, rate: line.unitPriceTaxExcl, taxCodeID: taxCode)
                )
            }
        }

        guard missing.isEmpty, let shop, let currency, let shipMethod else {
            return .failure(.missingMappings(missing))
        }
        let key = order.idempotencyKey
        let deposit = payment.map {
            SalesOrderDraft.Deposit(
                externalID: key.depositExternalID,
                amount: order.totalPaidTaxIncl,
                paymentMethodID: $0
            )
        }
        return .success(
            SalesOrderDraft(
                externalID: key.salesOrderExternalID,
                customerEntityID: context.customerEntityID,
                subsidiaryID: shop.subsidiaryID,
                locationID: shop.locationID,
                currencyID: currency,
                tranDate: String(order.dateAdd.prefix(10)),
                otherRefNum: order.reference,
                memo: "PrestaShop order \(order.reference) (#\(order.id), shop \(order.shopID))",
                shipMethodID: shipMethod,
                shippingCost: order.totalShippingTaxExcl,
                lines: lines,
                deposit: deposit
            )
        )
    }
}
