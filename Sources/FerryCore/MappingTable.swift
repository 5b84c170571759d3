import Foundation

/// The mapping tables an operator maintains, and their CSV formats (`ferry mappings import <kind> <file>`).
///
/// | kind | columns |
/// |---|---|
/// | `products` | `prestashop_product_id,prestashop_combination_id,reference,netsuite_item_id` |
/// | `tax-codes` | `country_iso,tax_category_id,subsidiary_id,netsuite_tax_code_id,rate_percent` |
/// | `currencies` | `prestashop_currency_iso,netsuite_currency_id` |
/// | `payment-methods` | `prestashop_module,netsuite_payment_method_id` |
/// | `carriers` | `prestashop_carrier_id,netsuite_ship_method_id,tax_category_id` |
/// | `shops` | `prestashop_shop_id,netsuite_subsidiary_id,netsuite_location_id` |
/// | `discounts` | `prestashop_cart_rule_id,netsuite_item_id` |
/// | `order-items` | `purpose,netsuite_item_id,tax_category_id` |
///
/// - `rate_percent` is the rate NetSuite applies with that tax code (`20`, `5.5`): Ferry checks an order's total
///   against it before anything is created.
/// - A carrier's `tax_category_id` is the PrestaShop tax rules group of the carrier (`0`: shipping is not taxed); the
///   shipping tax code is then found in `tax-codes` like a product line's.
/// - `prestashop_cart_rule_id` is a cart rule id or `default` (every cart rule without a row of its own).
/// - `purpose` is `wrapping` (gift wrapping; `tax_category_id` is the gift-wrapping tax rules group, PrestaShop's
///   `PS_GIFT_WRAPPING_TAX_RULES_GROUP`, `0` when untaxed) or `rounding` (the rounding adjustment line: map it to a
///   non-taxable item; `tax_category_id` is ignored and may be empty).
public enum MappingKind: String, Sendable, CaseIterable, Codable {
    case products
    case taxCodes = "tax-codes"
    case currencies
    case paymentMethods = "payment-methods"
    case carriers
    case shops
    case discounts
    case orderItems = "order-items"

    public var columns: [String] {
        switch self {
        case .products: ["prestashop_product_id", "prestashop_combination_id", "reference", "netsuite_item_id"]
        case .taxCodes: ["country_iso", "tax_category_id", "subsidiary_id", "netsuite_tax_code_id", "rate_percent"]
        case .currencies: ["prestashop_currency_iso", "netsuite_currency_id"]
        case .paymentMethods: ["prestashop_module", "netsuite_payment_method_id"]
        case .carriers: ["prestashop_carrier_id", "netsuite_ship_method_id", "tax_category_id"]
        case .shops: ["prestashop_shop_id", "netsuite_subsidiary_id", "netsuite_location_id"]
        case .discounts: ["prestashop_cart_rule_id", "netsuite_item_id"]
        case .orderItems: ["purpose", "netsuite_item_id", "tax_category_id"]
        }
    }
}

/// The key of a `discounts` row: one cart rule, or the default for every cart rule without a row of its own.
public enum CartRuleKey: Sendable, Hashable, Codable, CustomStringConvertible {
    case rule(Int)
    case fallback

    /// `default` or a positive cart rule id; nil for anything else.
    public init?(_ text: String) {
        if text.lowercased() == "default" {
            self = .fallback
        } else if let id = Int(text), id > 0 {
            self = .rule(id)
        } else {
            return nil
        }
    }

    public var description: String {
        switch self {
        case .rule(let id): String(id)
        case .fallback: "default"
        }
    }
}

/// Order-level charges that are not products: each becomes a line of a mapped NetSuite item.
public enum OrderItemPurpose: String, Sendable, Hashable, Codable, CaseIterable {
    /// Gift wrapping (`total_wrapping*`).
    case wrapping
    /// The rounding adjustment that makes NetSuite's total the shop's to the cent (``OrderMoney``).
    case rounding
}

/// An `order-items` row: the NetSuite item, and the PrestaShop tax category its tax code is found by (nil: untaxed).
public struct OrderItemMapping: Sendable, Hashable, Codable {
    public var itemID: Int
    public var taxCategoryID: Int?
    public init(itemID: Int, taxCategoryID: Int?) {
        self.itemID = itemID
        self.taxCategoryID = taxCategoryID
    }
}

/// A `carriers` row: the ship method, and the carrier's PrestaShop tax category (nil: shipping is not taxed).
public struct CarrierMapping: Sendable, Hashable, Codable {
    public var shipMethodID: Int
    public var taxCategoryID: Int?
    public init(shipMethodID: Int, taxCategoryID: Int?) {
        self.shipMethodID = shipMethodID
        self.taxCategoryID = taxCategoryID
    }
}

/// One parsed mapping row.
public enum MappingRow: Sendable, Hashable {
    case product(ProductKey, reference: String, itemID: Int)
    case taxCode(TaxCodeKey, taxCodeID: Int, ratePercent: Decimal)
    case currency(iso: String, currencyID: Int)
    case paymentMethod(module: String, paymentMethodID: Int)
    case carrier(carrierID: Int, CarrierMapping)
    case shop(shopID: Int, ShopMapping)
    case discount(CartRuleKey, itemID: Int)
    case orderItem(OrderItemPurpose, OrderItemMapping)
}

/// A CSV problem, with the 1-based line number and the column, so the operator can fix the file.
public struct MappingCSVError: Error, Sendable, Equatable, CustomStringConvertible {
    public var line: Int
    public var column: String?
    public var message: String

    public init(line: Int, column: String?, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        "line \(line)" + (column.map { ", column \($0)" } ?? "") + ": " + message
    }
}

public enum MappingCSV {
    /// Parses a whole file. The header must name the kind's columns (in any order; extra columns are ignored).
    /// Every row is checked; the first error stops the import so nothing half-valid is written.
    public static func parse(_ text: String, kind: MappingKind) -> Result<[MappingRow], MappingCSVError> {
        let records: [[String]]
        switch splitRecords(text) {
        case .success(let r): records = r
        case .failure(let e): return .failure(e)
        }
        guard let header = records.first, !(header.count == 1 && header[0].isEmpty) else {
            return .failure(
                .init(
                    line: 1,
                    column: nil,
                    message: "empty file; expected header \(kind.columns.joined(separator: ","))"
                )
            )
        }
        let names = header.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var index: [String: Int] = [:]
        for column in kind.columns {
            guard let i = names.firstIndex(of: column) else {
                return .failure(
                    .init(
                        line: 1,
                        column: column,
                        message: "missing column; expected \(kind.columns.joined(separator: ","))"
                    )
                )
            }
            index[column] = i
        }
        var rows: [MappingRow] = []
        for (offset, record) in records.dropFirst().enumerated() {
            let line = offset + 2
            if record.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
            func field(_ name: String) -> String {
                let i = index[name]!
                return i < record.count ? record[i].trimmingCharacters(in: .whitespaces) : ""
            }
            func int(_ name: String, allowZero: Bool = false) throws(MappingCSVError) -> Int {
                let raw = field(name)
                guard let value = Int(raw), value > 0 || (allowZero && value == 0) else {
                    throw MappingCSVError(
                        line: line,
                        column: name,
                        message: "expected a \(allowZero ? "non-negative" : "positive") integer, found '\(raw)'"
                    )
                }
                return value
            }
            func text(_ name: String, allowEmpty: Bool = false) throws(MappingCSVError) -> String {
                let value = field(name)
                if value.isEmpty && !allowEmpty {
                    throw MappingCSVError(line: line, column: name, message: "must not be empty")
                }
                return value
            }
            func rate(_ name: String) throws(MappingCSVError) -> Decimal {
                let raw = field(name)
                guard let value = Decimal(string: raw, locale: Locale(identifier: "en_US_POSIX")), value >= 0,
                    value < 100, raw.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") })
                else {
                    throw MappingCSVError(
                        line: line,
                        column: name,
                        message: "expected a tax rate in percent between 0 and 100 (e.g. 20 or 5.5), found '\(raw)'"
                    )
                }
                return value
            }
            do throws(MappingCSVError) {
                switch kind {
                case .products:
                    rows.append(
                        .product(
                            ProductKey(
                                productID: try int("prestashop_product_id"),
                                combinationID: try int("prestashop_combination_id", allowZero: true)
                            ),
                            reference: try text("reference", allowEmpty: true),
                            itemID: try int("netsuite_item_id")
                        )
                    )
                case .taxCodes:
                    let iso = try text("country_iso").uppercased()
                    guard iso.count == 2, iso.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                        throw MappingCSVError(
                            line: line,
                            column: "country_iso",
                            message: "expected a 2-letter ISO 3166 code, found '\(iso)'"
                        )
                    }
                    rows.append(
                        .taxCode(
                            TaxCodeKey(
                                countryISO: iso,
                                taxCategoryID: try int("tax_category_id"),
                                subsidiaryID: try int("subsidiary_id")
                            ),
                            taxCodeID: try int("netsuite_tax_code_id"),
                            ratePercent: try rate("rate_percent")
                        )
                    )
                case .currencies:
                    let iso = try text("prestashop_currency_iso").uppercased()
                    guard iso.count == 3, iso.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                        throw MappingCSVError(
                            line: line,
                            column: "prestashop_currency_iso",
                            message: "expected a 3-letter ISO 4217 code, found '\(iso)'"
                        )
                    }
                    rows.append(.currency(iso: iso, currencyID: try int("netsuite_currency_id")))
                case .paymentMethods:
                    rows.append(
                        .paymentMethod(
                            module: try text("prestashop_module"),
                            paymentMethodID: try int("netsuite_payment_method_id")
                        )
                    )
                case .carriers:
                    let category = try int("tax_category_id", allowZero: true)
                    rows.append(
                        .carrier(
                            carrierID: try int("prestashop_carrier_id"),
                            CarrierMapping(
                                shipMethodID: try int("netsuite_ship_method_id"),
                                taxCategoryID: category == 0 ? nil : category
                            )
                        )
                    )
                case .shops:
                    rows.append(
                        .shop(
                            shopID: try int("prestashop_shop_id"),
                            ShopMapping(
                                subsidiaryID: try int("netsuite_subsidiary_id"),
                                locationID: try int("netsuite_location_id")
                            )
                        )
                    )
                case .discounts:
                    let raw = try text("prestashop_cart_rule_id")
                    guard let key = CartRuleKey(raw) else {
                        throw MappingCSVError(
                            line: line,
                            column: "prestashop_cart_rule_id",
                            message: "expected a positive cart rule id or 'default', found '\(raw)'"
                        )
                    }
                    rows.append(.discount(key, itemID: try int("netsuite_item_id")))
                case .orderItems:
                    let raw = try text("purpose").lowercased()
                    guard let purpose = OrderItemPurpose(rawValue: raw) else {
                        throw MappingCSVError(
                            line: line,
                            column: "purpose",
                            message:
                                "expected one of \(OrderItemPurpose.allCases.map(\.rawValue).joined(separator: ", ")), found '\(raw)'"
                        )
                    }
                    let category =
                        purpose == .rounding || field("tax_category_id").isEmpty
                        ? 0 : try int("tax_category_id", allowZero: true)
                    rows.append(
                        .orderItem(
                            purpose,
                            OrderItemMapping(
                                itemID: try int("netsuite_item_id"),
                                taxCategoryID: category == 0 ? nil : category
                            )
                        )
                    )
                }
            } catch {
                return .failure(error)
            }
        }
        return .success(rows)
    }

    /// RFC 4180 records: commas, double-quoted fields with `""` escapes, CRLF or LF line ends.
    static func splitRecords(_ text: String) -> Result<[[String]], MappingCSVError> {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var iterator = Array(text.unicodeScalars).makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending {
                pending = nil
                return p
            }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    let after = next()
                    if after == "\"" {
                        field.unicodeScalars.append("\"")
                    } else {
                        inQuotes = false
                        pending = after
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case ",":
                record.append(field)
                field = ""
            case "\"":
                guard field.isEmpty else {
                    return .failure(.init(line: line, column: nil, message: "quote inside an unquoted field"))
                }
                inQuotes = true
            case "\r": continue
            case "\n":
                record.append(field)
                records.append(record)
                record = []
                field = ""
                line += 1
            default: field.unicodeScalars.append(c)
            }
        }
        if inQuotes { return .failure(.init(line: line, column: nil, message: "unterminated quoted field")) }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return .success(records)
    }
}
