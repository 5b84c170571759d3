import Foundation

/// One generated webhook body and whether Ferry must accept it, for the property-based tests of the order
/// validator and of the gateway.
///
/// `isValid` is decided here, from how the body was made, never by asking the validator: a valid order priced by
/// ``PrestaShopOrderModel`` is valid, and each mutation knows what it broke (see ``WebhookBodyCases``).
public struct WebhookBodyCase: Sendable, CustomStringConvertible {
    public var body: Data
    public var isValid: Bool
    /// What was done to the valid order, for the failure message.
    public var mutation: String

    public var description: String {
        let text = String(decoding: body.prefix(600), as: UTF8.self)
        return "\(mutation) [\(isValid ? "valid" : "invalid"), \(body.count) bytes]: \(text)"
    }
}

/// Random webhook bodies: valid orders priced as PrestaShop prices them (1–5 rows, tax rates from 0 to 25 %, every
/// rounding type and mode, percentage and fixed discounts, free shipping, wrapping), then one mutation each.
///
/// The generated orders keep every non-zero amount the rules compare at 0.05 or more, unit prices at 1.60 or more
/// and at most 30 units, so each mutation's verdict is certain: a compared amount moved by more than 0.02 breaks an
/// equation that held within 0.01; a unit price moved by more than 0.02 × Σ quantity + 0.02 breaks the row sum.
public enum WebhookBodyCases {
    static let taxRates: [Decimal] = [0, 2.1, 4, 5.5, 6, 7, 10, 19, 20, 21, 22, 25]

    /// Amounts compared by the rules: dropping one that is not zero, or moving it by more than 0.02, is invalid.
    static let checkedMoney = [
        "total_paid_tax_incl", "total_paid_tax_excl", "total_products", "total_products_wt", "total_shipping_tax_incl",
        "total_shipping_tax_excl", "total_wrapping_tax_incl", "total_wrapping_tax_excl", "total_discounts_tax_incl",
        "total_discounts_tax_excl",
    ]
    /// Amounts only required not to be negative.
    static let uncheckedMoney = [
        "total_paid", "total_paid_real", "total_shipping", "total_discounts", "total_wrapping", "carrier_tax_rate",
    ]
    static let orderIDs = [
        "id", "id_shop", "id_shop_group", "id_customer", "id_address_delivery", "id_address_invoice", "id_cart",
        "id_currency", "id_carrier", "id_lang", "current_state",
    ]
    /// Ids a rule requires to be greater than 0.
    static let positiveOrderIDs = ["id", "id_shop", "id_customer", "id_currency"]
    static let orderText = ["module", "payment", "date_add", "date_upd"]
    /// Fields of the order Ferry does not read.
    static let orderUnread = [
        "invoice_number", "invoice_date", "delivery_number", "delivery_date", "shipping_number", "secure_key",
        "round_mode", "round_type",
    ]
    /// Fields whose absence is invalid.
    static let requiredOrder = ["id", "reference", "id_customer", "id_currency", "conversion_rate", "associations"]
    static let rowMoneyChecked = ["unit_price_tax_incl", "unit_price_tax_excl"]
    static let rowIDs = ["id", "product_id", "product_attribute_id", "product_quantity"]
    static let rowText = ["product_name", "product_reference", "product_ean13"]
    static let rowUnread = ["product_isbn", "product_upc", "id_customization"]

    /// A valid order, priced by ``PrestaShopOrderModel``.
    public static func validModel(using rng: inout some RandomNumberGenerator) -> PrestaShopOrderModel {
        var lines: [PrestaShopOrderModel.Line] = []
        for _ in 0..<Int.random(in: 1...5, using: &rng) {
            let rate = taxRates.randomElement(using: &rng)!
            let unitExcl: Decimal
            if Bool.random(using: &rng) {
                unitExcl = cents(in: 160...50_000, using: &rng)  // a catalogue price, tax excluded
            } else {
                // A price set tax included, as a marketplace sends it: 11.73 at 20 % is 9.775 tax excluded.
                let unitIncl = cents(in: 200...60_000, using: &rng)
                unitExcl = PrestaShopRoundMode.halfUp.round(unitIncl / (1 + rate / 100), scale: 6)
            }
            lines.append(
                .init(
                    productID: Int.random(in: 1...1_000_000, using: &rng),
                    quantity: Int.random(in: 1...6, using: &rng),
                    unitPriceTaxExcl: unitExcl,
                    taxRate: rate
                )
            )
        }
        var model = PrestaShopOrderModel(
            id: Int.random(in: 1...1_000_000_000_000, using: &rng),
            reference: String((0..<9).map { _ in Character(UnicodeScalar(UInt8.random(in: 65...90, using: &rng))) }),
            customerID: Int.random(in: 1...10_000_000, using: &rng),
            lines: lines,
            roundType: PrestaShopRoundType.allCases.randomElement(using: &rng)!,
            roundMode: PrestaShopRoundMode.allCases.randomElement(using: &rng)!
        )
        if Int.random(in: 0..<2, using: &rng) == 0 {
            model.carrierPriceTaxExcl = cents(in: 100...3000, using: &rng)
            model.carrierTaxRate = taxRates.randomElement(using: &rng)!
            model.freeShipping = Int.random(in: 0..<5, using: &rng) == 0
        }
        if Int.random(in: 0..<4, using: &rng) == 0 {
            model.wrappingTaxExcl = cents(in: 100...500, using: &rng)
            model.wrappingTaxRate = taxRates.randomElement(using: &rng)!
        }
        if Int.random(in: 0..<3, using: &rng) == 0 {
            model.discountPercent = Decimal(Int.random(in: 5...30, using: &rng))
        }
        // A fixed amount of at most 30 % of the products: the order keeps at least 40 % of its products' value.
        let productsWithTax = model.totals.productsWithTax
        let maximum = NSDecimalNumber(decimal: productsWithTax * 30).intValue
        if maximum >= 100, Int.random(in: 0..<5, using: &rng) == 0 {
            model.discountAmountTaxIncl = cents(in: 100...maximum, using: &rng)
        }
        return model
    }

    /// A valid order with one mutation, and its verdict.
    public static func random(using rng: inout some RandomNumberGenerator) -> WebhookBodyCase {
        let model = validModel(using: &rng)
        let totals = model.totals
        var order = model.orderObject(totals: totals)
        var rows = (order["associations"] as? [String: Any])?["order_rows"] as? [[String: Any]] ?? []
        let rowIndex = Int.random(in: 0..<rows.count, using: &rng)
        let quantities = model.lines.reduce(0) { $0 + $1.quantity }

        // Whether a mutation replaced or dropped `associations` itself: then the rows are not put back.
        var associationsTouched = false
        func finish(_ valid: Bool, _ mutation: String) -> WebhookBodyCase {
            if !associationsTouched { order["associations"] = ["order_rows": rows] }
            return WebhookBodyCase(body: serialize(order), isValid: valid, mutation: mutation)
        }
        func checkedValue(_ key: String) -> Decimal {
            switch key {
            case "total_paid_tax_incl": totals.paidTaxIncl
            case "total_paid_tax_excl": totals.paidTaxExcl
            case "total_products": totals.products
            case "total_products_wt": totals.productsWithTax
            case "total_shipping_tax_incl": totals.shippingTaxIncl
            case "total_shipping_tax_excl": totals.shippingTaxExcl
            case "total_wrapping_tax_incl": totals.wrappingTaxIncl
            case "total_wrapping_tax_excl": totals.wrappingTaxExcl
            case "total_discounts_tax_incl": totals.discountsTaxIncl
            default: totals.discountsTaxExcl
            }
        }
        /// Any field of the order or of one row: (in the row?, key).
        func anyField() -> (Bool, String) {
            let orderKeys = Array(order.keys)
            let rowKeys = Array(rows[rowIndex].keys)
            return Int.random(in: 0..<3, using: &rng) == 0
                ? (true, rowKeys.randomElement(using: &rng)!) : (false, orderKeys.randomElement(using: &rng)!)
        }
        func set(_ inRow: Bool, _ key: String, _ value: Any?) {
            if inRow {
                rows[rowIndex][key] = value
            } else {
                order[key] = value
                if key == "associations" { associationsTouched = true }
            }
        }
        func name(_ inRow: Bool, _ key: String) -> String {
            inRow ? "order_rows[\(rowIndex)].\(key)" : key
        }

        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<14:
            if Bool.random(using: &rng) {
                // The 1.7 typing: every value a string.
                order = allStrings(order) as? [String: Any] ?? order
                rows = rows.map { allStrings($0) as? [String: Any] ?? $0 }
                return finish(true, "valid order, every value a string (1.7)")
            }
            return finish(true, "valid order")
        case 14..<24:
            let key = checkedMoney.randomElement(using: &rng)!
            let delta = randomDelta(minimumCents: 3, using: &rng)
            let changed = checkedValue(key) + (Bool.random(using: &rng) ? delta : -delta)
            order[key] = signed(changed)
            return finish(false, "\(key) moved by \(delta)")
        case 24..<30:
            let rowKey = rowMoneyChecked.randomElement(using: &rng)!
            let minimum = 2 * quantities + 3
            let delta = randomDelta(minimumCents: minimum, using: &rng)
            let value =
                rowKey == "unit_price_tax_excl"
                ? model.lines[rowIndex].unitPriceTaxExcl : totals.unitPricesTaxIncl[rowIndex]
            rows[rowIndex][rowKey] = signed(value + (Bool.random(using: &rng) ? delta : -delta))
            return finish(false, "order_rows[\(rowIndex)].\(rowKey) moved by \(delta)")
        case 30..<36:
            // Amounts only required not to be negative (and conversion_rate positive) take any such value.
            let amount = Decimal(Int.random(in: 0...1_000_000_000_000, using: &rng)) / 1000
            switch Int.random(in: 0..<3, using: &rng) {
            case 0:
                rows[rowIndex]["product_price"] = PrestaShopOrderModel.sixDecimals(amount)
                return finish(true, "order_rows[\(rowIndex)].product_price set to \(amount)")
            case 1:
                order["conversion_rate"] = PrestaShopOrderModel.sixDecimals(amount + Decimal(string: "0.000001")!)
                return finish(true, "conversion_rate set to \(amount)")
            default:
                let key = uncheckedMoney.randomElement(using: &rng)!
                order[key] = PrestaShopOrderModel.sixDecimals(amount)
                return finish(true, "\(key) set to \(amount)")
            }
        case 36..<43:
            let magnitude = Decimal(Int.random(in: 1...1_000_000_000, using: &rng)) / 1_000_000
            let negative: Any =
                Bool.random(using: &rng)
                ? "-" + PrestaShopOrderModel.sixDecimals(magnitude) : NSDecimalNumber(decimal: -magnitude)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                let key = (checkedMoney + uncheckedMoney + ["conversion_rate"]).randomElement(using: &rng)!
                order[key] = negative
                return finish(false, "\(key) negative")
            case 1:
                let key = (rowMoneyChecked + ["product_price"]).randomElement(using: &rng)!
                rows[rowIndex][key] = negative
                return finish(false, "order_rows[\(rowIndex)].\(key) negative")
            case 2:
                let key = positiveOrderIDs.randomElement(using: &rng)!
                order[key] = -Int.random(in: 1...1_000_000, using: &rng)
                return finish(false, "\(key) negative")
            default:
                let key = ["product_id", "product_quantity"].randomElement(using: &rng)!
                rows[rowIndex][key] = "-\(Int.random(in: 1...1000, using: &rng))"
                return finish(false, "order_rows[\(rowIndex)].\(key) negative")
            }
        case 43..<52:
            let (inRow, key) = anyField()
            set(inRow, key, nil)
            let valid: Bool
            if inRow {
                valid = !(["product_id", "product_quantity"] + rowMoneyChecked).contains(key)
            } else if requiredOrder.contains(key) {
                valid = false
            } else if checkedMoney.contains(key) {
                valid = checkedValue(key) == 0
            } else {
                valid = true
            }
            return finish(valid, "\(name(inRow, key)) dropped")
        case 52..<56:
            // A key written twice with the same value: the same order.
            let key = Array(order.keys).randomElement(using: &rng)!
            var body = String(
                decoding: serialize(order.merging(["associations": ["order_rows": rows]]) { $1 }),
                as: UTF8.self
            )
            let value = String(decoding: serialize(order[key] ?? NSNull(), fragment: true), as: UTF8.self)
            body = body.replacingOccurrences(of: #"{"order":{"#, with: #"{"order":{"\#(key)":\#(value),"#)
            return WebhookBodyCase(body: Data(body.utf8), isValid: true, mutation: "\(key) written twice")
        case 56..<59:
            rows.append(rows[rowIndex])
            return finish(false, "order_rows[\(rowIndex)] written twice")
        case 59..<65:
            let (inRow, key) = anyField()
            let unread = inRow ? rowUnread.contains(key) : orderUnread.contains(key)
            let wrong: Any = Bool.random(using: &rng) ? [1] : ["x": 1]
            set(inRow, key, wrong)
            return finish(unread, "\(name(inRow, key)) of the wrong JSON type")
        case 65..<71:
            let (inRow, key) = anyField()
            let text = randomText(using: &rng)
            set(inRow, key, text)
            let valid: Bool
            if key == "reference", !inRow {
                valid = isReference(text)
            } else if inRow {
                valid = rowText.contains(key) || rowUnread.contains(key)
            } else {
                valid = orderText.contains(key) || orderUnread.contains(key)
            }
            return finish(valid, "\(name(inRow, key)) a random string")
        case 71..<77:
            let reference = randomReference(using: &rng)
            order["reference"] = reference
            return finish(isReference(reference), "reference \(reference)")
        case 77..<80:
            let candidates = checkedMoney + uncheckedMoney + orderIDs + ["conversion_rate"]
            let key = candidates.randomElement(using: &rng)!
            let huge = [
                "1e400", "1e20", #""1000000000000000.000000""#, "123456789012345678901234567890123456789012345",
                #""99999999999999999999""#,
            ].randomElement(using: &rng)!
            order[key] = "FERRY-HUGE"
            let body = String(
                decoding: serialize(order.merging(["associations": ["order_rows": rows]]) { $1 }),
                as: UTF8.self
            )
            .replacingOccurrences(of: #""FERRY-HUGE""#, with: huge)
            return WebhookBodyCase(body: Data(body.utf8), isValid: false, mutation: "\(key) huge: \(huge)")
        case 80..<84:
            let depth = [1, 8, 64, 1000, 10_000, 100_000].randomElement(using: &rng)!
            let (open, close) = Bool.random(using: &rng) ? ("[", "]") : (#"{"a":"#, "}")
            let nested = String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth)
            let inRead = Bool.random(using: &rng)
            let key = inRead ? (checkedMoney + orderText + ["reference"]).randomElement(using: &rng)! : "ferry_note"
            order[key] = "FERRY-NESTED"
            let body = String(
                decoding: serialize(order.merging(["associations": ["order_rows": rows]]) { $1 }),
                as: UTF8.self
            )
            .replacingOccurrences(of: #""FERRY-NESTED""#, with: nested)
            // JSON nested deeper than 512 is refused by the parser: Ferry sees no JSON.
            let valid = !inRead && depth <= 64
            return WebhookBodyCase(body: Data(body.utf8), isValid: valid, mutation: "\(key) nested \(depth) deep")
        case 84..<88:
            let bytes = (0..<Int.random(in: 0...3000, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            return WebhookBodyCase(body: Data(bytes), isValid: false, mutation: "random bytes")
        case 88..<92:
            let valid = serialize(order.merging(["associations": ["order_rows": rows]]) { $1 })
            let other = [
                Data(valid.prefix(Int.random(in: 0..<(valid.count - 1), using: &rng))),
                Data("<?xml version=\"1.0\"?><prestashop><order><id>1</id></order></prestashop>".utf8),
                Data("null".utf8), Data("[]".utf8), Data(#"{"orders":[]}"#.utf8), Data("order=1&id=2".utf8),
            ].randomElement(using: &rng)!
            return WebhookBodyCase(body: other, isValid: false, mutation: "not an order document")
        case 92..<96:
            // Text fields take any text, unread fields anything, and unknown fields are ignored.
            let text = [
                "", "😀 Bestellung für Jörg", "\u{0}", #"quote " and \ backslash"#, String(repeating: "x", count: 5000),
            ]
            .randomElement(using: &rng)!
            if Bool.random(using: &rng) {
                let key = orderText.randomElement(using: &rng)!
                order[key] = text
                return finish(true, "\(key) set to edge text")
            }
            if Bool.random(using: &rng) {
                let key = rowText.randomElement(using: &rng)!
                rows[rowIndex][key] = text
                return finish(true, "order_rows[\(rowIndex)].\(key) set to edge text")
            }
            order["ferry_unknown_\(Int.random(in: 0...9, using: &rng))"] = ["nested": [text, 1, true]]
            return finish(true, "unknown field added")
        default:
            let key = ["id_shop", "id_customer", "id_currency", "id"].randomElement(using: &rng)!
            order[key] = Bool.random(using: &rng) ? 0 : "0"
            return finish(false, "\(key) zero")
        }
    }

    /// Whether `text` is 9 letters A-Z: the oracle's own statement of the reference rule.
    public static func isReference(_ text: String) -> Bool {
        text.unicodeScalars.count == 9 && text.unicodeScalars.allSatisfy { ("A"..."Z").contains($0) }
    }

    static func cents(in range: ClosedRange<Int>, using rng: inout some RandomNumberGenerator) -> Decimal {
        Decimal(Int.random(in: range, using: &rng)) / 100
    }

    /// At least `minimumCents` / 100, with up to 6 decimals, sometimes very large.
    static func randomDelta(minimumCents: Int, using rng: inout some RandomNumberGenerator) -> Decimal {
        let minimum = Decimal(minimumCents) / 100
        let extra: Decimal =
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: Decimal(Int.random(in: 0...10_000, using: &rng)) / 1_000_000
            case 1: Decimal(Int.random(in: 0...100_000, using: &rng)) / 100
            default: Decimal(Int.random(in: 0...1_000_000_000, using: &rng))
            }
        return minimum + extra
    }

    /// A money string for any sign: `-1.500000` or `1.500000`.
    static func signed(_ value: Decimal) -> String {
        value < 0 ? "-" + PrestaShopOrderModel.sixDecimals(-value) : PrestaShopOrderModel.sixDecimals(value)
    }

    /// Text with at least one letter, so that it is never a number, a flag or empty.
    static func randomText(using rng: inout some RandomNumberGenerator) -> String {
        let alphabet = Array("abcXYZ019 .,-_:/\"\\éß€😀\u{7}")
        let length = Int.random(in: 0...40, using: &rng)
        let letter = Character(UnicodeScalar(UInt8.random(in: 97...122, using: &rng)))
        return String(letter) + String((0..<length).map { _ in alphabet.randomElement(using: &rng)! })
    }

    static func randomReference(using rng: inout some RandomNumberGenerator) -> String {
        let fixed = [
            "abc", "ABCDEFGH1", "ABCDEFGHIJ", "ABCDEFGH", "abcdefghi", "ABCDEfGHI", "ÄBCDEFGHI", " ABCDEFGH",
            "ABCDEFGHI ", "123456789", "ABCD-EFGH", "ＡBCDEFGHI",
        ]
        if Bool.random(using: &rng) { return fixed.randomElement(using: &rng)! }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ") + Array("abz09-ÉÑ")
        let upperOnly = Bool.random(using: &rng)
        let length = upperOnly ? [8, 9, 9, 9, 10].randomElement(using: &rng)! : Int.random(in: 1...12, using: &rng)
        return String(
            (0..<length).map { _ in
                upperOnly
                    ? Character(UnicodeScalar(UInt8.random(in: 65...90, using: &rng)))
                    : alphabet.randomElement(using: &rng)!
            }
        )
    }

    static func serialize(_ order: [String: Any]) -> Data {
        try! JSONSerialization.data(withJSONObject: ["order": order], options: [.sortedKeys])
    }

    static func serialize(_ value: Any, fragment: Bool) -> Data {
        try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    }

    /// Every value of a JSON tree as a string, as 1.7 shops write them.
    static func allStrings(_ value: Any) -> Any {
        switch value {
        case let object as [String: Any]: object.mapValues(allStrings)
        case let array as [Any]: array.map(allStrings)
        case let number as Int: String(number)
        case let number as NSNumber: number.stringValue
        default: value
        }
    }
}
