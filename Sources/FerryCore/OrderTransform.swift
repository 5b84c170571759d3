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
    /// The rate NetSuite applies with each tax code, in percent, by NetSuite tax code id. Absent: not imported yet.
    public var taxRates: [Int: Decimal] = [:]
    public var currencies: [String: Int] = [:]
    public var paymentMethods: [String: Int] = [:]
    public var shipMethods: [Int: Int] = [:]
    /// The carrier's PrestaShop tax category, 0 when shipping is untaxed. Absent: not imported yet.
    public var carrierTaxCategories: [Int: Int] = [:]
    public var shops: [Int: ShopMapping] = [:]
    public var discounts: [CartRuleKey: Int] = [:]
    public var orderItems: [OrderItemPurpose: OrderItemMapping] = [:]
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
    /// The cart rules of the order (`order_cart_rules`); read only when the order has a discount.
    public var cartRules: [ShopOrder.CartRule]

    public init(
        deliveryCountryISO: String,
        currencyISO: String,
        lineTaxCategories: [Int: Int],
        isPaid: Bool,
        customerEntityID: Int,
        cartRules: [ShopOrder.CartRule] = []
    ) {
        self.deliveryCountryISO = deliveryCountryISO
        self.currencyISO = currencyISO
        self.lineTaxCategories = lineTaxCategories
        self.isPaid = isPaid
        self.customerEntityID = customerEntityID
        self.cartRules = cartRules
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
    /// A tax code row imported without its rate (`rate_percent`).
    case taxRate(taxCodeID: Int)
    /// A carrier row imported without its tax category.
    case carrierTaxCategory(carrierID: Int)
    case discount(cartRuleID: Int, name: String)
    case orderItem(OrderItemPurpose)

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
        case .taxRate(let code): "rate of NetSuite tax code \(code) (tax-codes rate_percent)"
        case .carrierTaxCategory(let carrier): "shipping tax category of carrier \(carrier) (carriers tax_category_id)"
        case .discount(let id, let name): "NetSuite discount item for cart rule \(id) (\(name)) or a default row"
        case .orderItem(let purpose): "NetSuite item for \(purpose.rawValue) (order-items)"
        }
    }

    /// The mapping kind, as named by `ferry mappings import <kind>`.
    public var kind: String {
        switch self {
        case .product: "products"
        case .taxCode, .lineTaxCategory, .taxRate: "tax-codes"
        case .currency: "currencies"
        case .paymentMethod: "payment-methods"
        case .shipMethod, .carrierTaxCategory: "carriers"
        case .shop: "shops"
        case .discount: "discounts"
        case .orderItem: "order-items"
        }
    }
}

/// NetSuite's view of an order: a sales order and, when paid, a customer deposit linked to it.
public struct SalesOrderDraft: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var itemID: Int
        public var quantity: Int
        /// Unit price, tax excluded, in the order currency (negative on a discount line).
        public var rate: Decimal
        /// Nil on an untaxed line (the rounding adjustment, untaxed wrapping).
        public var taxCodeID: Int?
        /// The line's text in NetSuite (cart rule name, "Gift wrapping", "Rounding"); nil on product lines.
        public var description: String?

        public init(itemID: Int, quantity: Int, rate: Decimal, taxCodeID: Int?, description: String? = nil) {
            self.itemID = itemID
            self.quantity = quantity
            self.rate = rate
            self.taxCodeID = taxCodeID
            self.description = description
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
    /// Shipping, tax excluded, after a free-shipping cart rule.
    public var shippingCost: Decimal
    /// Nil when shipping is untaxed.
    public var shippingTaxCodeID: Int?
    /// NetSuite's exchange rate (order currency → the shop's default currency), when the order is not in it.
    public var exchangeRate: Decimal?
    /// The total NetSuite computes for these lines with the mapped rates: the shop's `total_paid_tax_incl`.
    public var expectedTotal: Decimal
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
    /// NetSuite would compute a total other than what the customer paid, by more than rounding: dead-letter at once,
    /// nothing is sent. `expected` is NetSuite's total for the lines, `paid` the shop's `total_paid_tax_incl`.
    case totalMismatch(expected: Decimal, paid: Decimal)

    public var description: String {
        switch self {
        case .missingMappings(let missing): "missing mappings: " + missing.map(\.description).joined(separator: "; ")
        case .invalidOrder(let reason): "invalid order: \(reason)"
        case .totalMismatch(let expected, let paid):
            "total mismatch: NetSuite would compute \(expected.moneyRounded()) for the mapped lines, taxes and shipping, "
                + "but the customer paid \(paid.moneyRounded()) (difference \((paid - expected).moneyRounded()))"
        }
    }
}

public enum OrderTransform {
    /// The keys to look up for `order`. Tax codes depend on the subsidiary, which depends on the shop mapping,
    /// so the adapter resolves tax codes for every subsidiary of the delivery country (a handful of rows).
    public static func requiredProducts(_ order: ShopOrder) -> [ProductKey] {
        order.lines.map { ProductKey(productID: $0.productID, combinationID: $0.combinationID) }
    }

    /// Maps `order` to NetSuite's schema (``OrderMoney`` describes the money). Reports every missing mapping at once,
    /// not only the first; checks NetSuite's total against the amount paid before anything is created.
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
        for (name, value) in [
            ("total_paid_tax_incl", order.totalPaidTaxIncl), ("total_shipping_tax_excl", order.totalShippingTaxExcl),
            ("total_discounts_tax_excl", order.totalDiscountsTaxExcl),
            ("total_wrapping_tax_excl", order.totalWrappingTaxExcl),
        ] where value < 0 {
            return .failure(.invalidOrder("\(name) is negative"))
        }
        if let bad = context.cartRules.first(where: { $0.valueTaxExcl < 0 || $0.valueTaxIncl < 0 }) {
            return .failure(.invalidOrder("cart rule \(bad.id) has a negative value"))
        }
        let ruleTotal = context.cartRules.reduce(Decimal(0)) { $0 + $1.valueTaxExcl }
        if (ruleTotal - order.totalDiscountsTaxExcl).magnitude > Decimal(string: "0.01")! {
            return .failure(
                .invalidOrder(
                    "the cart rules add up to \(ruleTotal) tax excluded, total_discounts_tax_excl is \(order.totalDiscountsTaxExcl)"
                )
            )
        }

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
        /// The tax code and its rate for a PrestaShop tax category in the delivery country.
        func taxCode(category: Int) -> (id: Int, rate: Decimal)? {
            guard let shop else { return nil }
            let key = TaxCodeKey(
                countryISO: context.deliveryCountryISO,
                taxCategoryID: category,
                subsidiaryID: shop.subsidiaryID
            )
            guard let code = need(mappings.taxCodes[key], .taxCode(key)),
                let rate = need(mappings.taxRates[code], .taxRate(taxCodeID: code))
            else { return nil }
            return (code, rate)
        }

        // Products.
        var lines: [SalesOrderDraft.Line] = []
        var parts: [OrderMoney.TaxedAmount] = []
        /// Tax-excluded product amounts by tax code, in first-seen order: the weights of the discount split.
        var groups: [(code: Int, rate: Decimal, amount: Decimal)] = []
        var units = 0
        for line in order.lines {
            let key = ProductKey(productID: line.productID, combinationID: line.combinationID)
            let item = need(
                mappings.products[key] ?? (line.reference.isEmpty ? nil : mappings.productsByReference[line.reference]),
                .product(productID: line.productID, combinationID: line.combinationID, reference: line.reference)
            )
            let category = need(context.lineTaxCategories[line.rowID], .lineTaxCategory(rowID: line.rowID))
            let code = category.flatMap { taxCode(category: $0) }
            units += line.quantity
            guard let item, let code else { continue }
            let amount = (line.unitPriceTaxExcl * Decimal(line.quantity)).moneyRounded()
            lines.append(.init(itemID: item, quantity: line.quantity, rate: line.unitPriceTaxExcl, taxCodeID: code.id))
            parts.append(.init(amount: amount, ratePercent: code.rate))
            if let index = groups.firstIndex(where: { $0.code == code.id }) {
                groups[index].amount += amount
            } else {
                groups.append((code.id, code.rate, amount))
            }
        }

        // Cart rules: the free-shipping part lowers shipping; the rest is split over the products' tax codes.
        var shippingCost = order.totalShippingTaxExcl
        for rule in context.cartRules {
            var productPart = rule.valueTaxExcl
            if rule.freeShipping, shippingCost > 0 {
                let paysShipping = min(shippingCost, productPart)
                shippingCost -= paysShipping
                productPart -= paysShipping
            }
            guard productPart > 0 else { continue }
            let item = need(
                mappings.discounts[.rule(rule.id)] ?? mappings.discounts[.fallback],
                .discount(cartRuleID: rule.id, name: rule.name)
            )
            guard let item, missing.isEmpty else { continue }
            let shares = OrderMoney.split(productPart, weights: groups.map(\.amount))
            for (group, share) in zip(groups, shares) where share > 0 {
                lines.append(
                    .init(itemID: item, quantity: 1, rate: -share, taxCodeID: group.code, description: rule.name)
                )
                parts.append(.init(amount: -share, ratePercent: group.rate))
            }
        }

        // Shipping, with the carrier's tax code.
        var shippingTaxCode: Int?
        let carrierCategory = need(
            mappings.carrierTaxCategories[order.carrierID],
            .carrierTaxCategory(carrierID: order.carrierID)
        )
        if let carrierCategory, carrierCategory != 0, let code = taxCode(category: carrierCategory) {
            shippingTaxCode = code.id
            parts.append(.init(amount: shippingCost, ratePercent: code.rate))
        } else {
            parts.append(.init(amount: shippingCost, ratePercent: nil))
        }

        // Gift wrapping.
        if order.totalWrappingTaxExcl > 0, let wrapping = need(mappings.orderItems[.wrapping], .orderItem(.wrapping)) {
            let code = wrapping.taxCategoryID.flatMap { taxCode(category: $0) }
            if wrapping.taxCategoryID == nil || code != nil {
                lines.append(
                    .init(
                        itemID: wrapping.itemID,
                        quantity: 1,
                        rate: order.totalWrappingTaxExcl,
                        taxCodeID: code?.id,
                        description: "Gift wrapping"
                    )
                )
                parts.append(.init(amount: order.totalWrappingTaxExcl, ratePercent: code?.rate))
            }
        }

        guard missing.isEmpty, let shop, let currency, let shipMethod else {
            return .failure(.missingMappings(missing))
        }

        // The total check: what is left is rounding, carried by a rounding line, or the order is refused.
        let expected = OrderMoney.netSuiteTotal(parts)
        let difference = order.totalPaidTaxIncl - expected
        if difference.magnitude > OrderMoney.roundingTolerance(units: units, lines: lines.count) {
            return .failure(.totalMismatch(expected: expected, paid: order.totalPaidTaxIncl))
        }
        if difference != 0 {
            guard let rounding = mappings.orderItems[.rounding] else {
                return .failure(.missingMappings([.orderItem(.rounding)]))
            }
            lines.append(
                .init(itemID: rounding.itemID, quantity: 1, rate: difference, taxCodeID: nil, description: "Rounding")
            )
        }

        let key = order.idempotencyKey
        let deposit = payment.map {
            SalesOrderDraft.Deposit(
                externalID: key.depositExternalID,
                amount: order.totalPaidTaxIncl,
                paymentMethodID: $0
            )
        }
        let exchangeRate: Decimal? =
            order.conversionRate > 0 && order.conversionRate != 1
            ? (1 / order.conversionRate).moneyRounded(8) : nil
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
                shippingCost: shippingCost,
                shippingTaxCodeID: shippingTaxCode,
                exchangeRate: exchangeRate,
                expectedTotal: order.totalPaidTaxIncl,
                lines: lines,
                deposit: deposit
            )
        )
    }
}
