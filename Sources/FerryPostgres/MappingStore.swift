import FerryCore
import Foundation
import Logging
import PostgresNIO

/// The mapping tables in PostgreSQL: imported from CSV by operators, read by workers per order.
public struct MappingStore: Sendable {
    public let client: PostgresClient

    public init(client: PostgresClient) { self.client = client }

    /// Inserts or replaces `rows` in one transaction: all of them land, or none.
    @discardableResult
    public func importRows(_ rows: [MappingRow], logger: Logger) async throws -> Int {
        do {
            try await client.withTransaction(logger: logger) { connection in
                for row in rows {
                    switch row {
                    case .product(let key, let reference, let itemID):
                        try await connection.query(
                            """
                            INSERT INTO map_products (prestashop_product_id, prestashop_combination_id, reference, netsuite_item_id)
                            VALUES (\(key.productID), \(key.combinationID), \(reference), \(itemID))
                            ON CONFLICT (prestashop_product_id, prestashop_combination_id)
                            DO UPDATE SET reference = EXCLUDED.reference, netsuite_item_id = EXCLUDED.netsuite_item_id, updated_at = now()
                            """,
                            logger: logger
                        )
                    case .taxCode(let key, let taxCodeID, let rate):
                        try await connection.query(
                            """
                            INSERT INTO map_tax_codes (country_iso, tax_category_id, subsidiary_id, netsuite_tax_code_id, rate_percent)
                            VALUES (\(key.countryISO), \(key.taxCategoryID), \(key.subsidiaryID), \(taxCodeID), \(rate.description)::numeric)
                            ON CONFLICT (country_iso, tax_category_id, subsidiary_id)
                            DO UPDATE SET netsuite_tax_code_id = EXCLUDED.netsuite_tax_code_id, rate_percent = EXCLUDED.rate_percent,
                                updated_at = now()
                            """,
                            logger: logger
                        )
                    case .currency(let iso, let currencyID):
                        try await connection.query(
                            """
                            INSERT INTO map_currencies (prestashop_currency_iso, netsuite_currency_id) VALUES (\(iso), \(currencyID))
                            ON CONFLICT (prestashop_currency_iso)
                            DO UPDATE SET netsuite_currency_id = EXCLUDED.netsuite_currency_id, updated_at = now()
                            """,
                            logger: logger
                        )
                    case .paymentMethod(let module, let methodID):
                        try await connection.query(
                            """
                            INSERT INTO map_payment_methods (prestashop_module, netsuite_payment_method_id) VALUES (\(module), \(methodID))
                            ON CONFLICT (prestashop_module)
                            DO UPDATE SET netsuite_payment_method_id = EXCLUDED.netsuite_payment_method_id, updated_at = now()
                            """,
                            logger: logger
                        )
                    case .carrier(let carrierID, let mapping):
                        try await connection.query(
                            """
                            INSERT INTO map_carriers (prestashop_carrier_id, netsuite_ship_method_id, tax_category_id)
                            VALUES (\(carrierID), \(mapping.shipMethodID), \(mapping.taxCategoryID ?? 0))
                            ON CONFLICT (prestashop_carrier_id)
                            DO UPDATE SET netsuite_ship_method_id = EXCLUDED.netsuite_ship_method_id,
                                tax_category_id = EXCLUDED.tax_category_id, updated_at = now()
                            """,
                            logger: logger
                        )
                    case .shop(let shopID, let mapping):
                        try await connection.query(
                            """
                            INSERT INTO map_shops (prestashop_shop_id, netsuite_subsidiary_id, netsuite_location_id)
                            VALUES (\(shopID), \(mapping.subsidiaryID), \(mapping.locationID))
                            ON CONFLICT (prestashop_shop_id) DO UPDATE SET netsuite_subsidiary_id = EXCLUDED.netsuite_subsidiary_id,
                                netsuite_location_id = EXCLUDED.netsuite_location_id, updated_at = now()
                            """,
                            logger: logger
                        )
                    case .discount(let key, let itemID):
                        try await connection.query(
                            """
                            INSERT INTO map_discounts (prestashop_cart_rule, netsuite_item_id) VALUES (\(key.description), \(itemID))
                            ON CONFLICT (prestashop_cart_rule)
                            DO UPDATE SET netsuite_item_id = EXCLUDED.netsuite_item_id, updated_at = now()
                            """,
                            logger: logger
                        )
                    case .orderItem(let purpose, let mapping):
                        try await connection.query(
                            """
                            INSERT INTO map_order_items (purpose, netsuite_item_id, tax_category_id)
                            VALUES (\(purpose.rawValue), \(mapping.itemID), \(mapping.taxCategoryID))
                            ON CONFLICT (purpose) DO UPDATE SET netsuite_item_id = EXCLUDED.netsuite_item_id,
                                tax_category_id = EXCLUDED.tax_category_id, updated_at = now()
                            """,
                            logger: logger
                        )
                    }
                }
            }
        } catch {
            throw DatabaseError(
                code: .query,
                message: "mapping import failed: \(serverMessage(error))",
                underlying: error
            )
        }
        return rows.count
    }

    /// Every mapping row `order` could need, in a handful of indexed queries.
    public func resolve(
        for order: ShopOrder,
        countryISO: String,
        currencyISO: String,
        cartRules: [ShopOrder.CartRule] = [],
        logger: Logger
    ) async throws -> ResolvedMappings {
        var mappings = ResolvedMappings()
        do {
            let productIDs = Array(Set(order.lines.map(\.productID)))
            let references = Array(Set(order.lines.map(\.reference).filter { !$0.isEmpty }))
            let rows = try await client.query(
                """
                SELECT prestashop_product_id, prestashop_combination_id, reference, netsuite_item_id FROM map_products
                WHERE prestashop_product_id = ANY(\(productIDs)) OR (reference <> '' AND reference = ANY(\(references)))
                """,
                logger: logger
            )
            for try await (product, combination, reference, item) in rows.decode((Int, Int, String, Int).self) {
                mappings.products[ProductKey(productID: product, combinationID: combination)] = item
                if !reference.isEmpty { mappings.productsByReference[reference] = item }
            }
            for try await (category, subsidiary, code, rate) in try await client.query(
                """
                SELECT tax_category_id, subsidiary_id, netsuite_tax_code_id, rate_percent::text FROM map_tax_codes
                WHERE country_iso = \(countryISO)
                """,
                logger: logger
            ).decode((Int, Int, Int, String?).self) {
                mappings.taxCodes[
                    TaxCodeKey(countryISO: countryISO, taxCategoryID: category, subsidiaryID: subsidiary)
                ] = code
                if let rate, let value = Decimal(string: rate, locale: Locale(identifier: "en_US_POSIX")) {
                    mappings.taxRates[code] = value
                }
            }
            for try await id in try await client.query(
                "SELECT netsuite_currency_id FROM map_currencies WHERE prestashop_currency_iso = \(currencyISO)",
                logger: logger
            ).decode(Int.self) {
                mappings.currencies[currencyISO] = id
            }
            for try await id in try await client.query(
                "SELECT netsuite_payment_method_id FROM map_payment_methods WHERE prestashop_module = \(order.paymentModule)",
                logger: logger
            ).decode(Int.self) {
                mappings.paymentMethods[order.paymentModule] = id
            }
            for try await (id, category) in try await client.query(
                "SELECT netsuite_ship_method_id, tax_category_id FROM map_carriers WHERE prestashop_carrier_id = \(order.carrierID)",
                logger: logger
            ).decode((Int, Int?).self) {
                mappings.shipMethods[order.carrierID] = id
                if let category { mappings.carrierTaxCategories[order.carrierID] = category }
            }
            if !cartRules.isEmpty {
                let keys = cartRules.map { CartRuleKey.rule($0.id).description } + [CartRuleKey.fallback.description]
                for try await (rule, item) in try await client.query(
                    "SELECT prestashop_cart_rule, netsuite_item_id FROM map_discounts WHERE prestashop_cart_rule = ANY(\(keys))",
                    logger: logger
                ).decode((String, Int).self) {
                    if let key = CartRuleKey(rule) { mappings.discounts[key] = item }
                }
            }
            for try await (purpose, item, category) in try await client.query(
                "SELECT purpose, netsuite_item_id, tax_category_id FROM map_order_items",
                logger: logger
            ).decode((String, Int, Int?).self) {
                if let purpose = OrderItemPurpose(rawValue: purpose) {
                    mappings.orderItems[purpose] = OrderItemMapping(itemID: item, taxCategoryID: category)
                }
            }
            for try await (subsidiary, location) in try await client.query(
                "SELECT netsuite_subsidiary_id, netsuite_location_id FROM map_shops WHERE prestashop_shop_id = \(order.shopID)",
                logger: logger
            ).decode((Int, Int).self) {
                mappings.shops[order.shopID] = ShopMapping(subsidiaryID: subsidiary, locationID: location)
            }
        } catch {
            throw DatabaseError(
                code: .query,
                message: "mapping lookup failed: \(serverMessage(error))",
                underlying: error
            )
        }
        return mappings
    }

    /// Row counts per mapping kind, for `ferry mappings check` and the dev summary.
    public func counts(logger: Logger) async throws -> [MappingKind: Int] {
        let tables: [(MappingKind, String)] = [
            (.products, "map_products"), (.taxCodes, "map_tax_codes"), (.currencies, "map_currencies"),
            (.paymentMethods, "map_payment_methods"), (.carriers, "map_carriers"), (.shops, "map_shops"),
            (.discounts, "map_discounts"), (.orderItems, "map_order_items"),
        ]
        var result: [MappingKind: Int] = [:]
        for (kind, table) in tables {
            for try await count in try await client.query(
                PostgresQuery(unsafeSQL: "SELECT count(*)::int FROM \(table)"),
                logger: logger
            )
            .decode(Int.self) {
                result[kind] = count
            }
        }
        return result
    }
}
