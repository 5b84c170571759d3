import Crypto
import FerrySandboxData
import Foundation

/// Key of a `stock_availables` row: one per (product, combination); combination 0 is the product itself.
struct StockKey: Hashable, Sendable {
    let productID: Int
    let attributeID: Int
}

/// Builds the shop's initial tables from the shared dataset.
///
/// Only small tables are built eagerly; products, combinations, stock, customers and addresses
/// are generated row by row when first read (see ``ResourceTable``).
struct ShopSeed {
    let dataset: SandboxDataset
    let orderStates: [SandboxDataset.OrderState]
    let dates: ShopDateFormat

    /// The shop's languages: 1 = English (default), 2 = French.
    static let languages = [1, 2]

    struct Output {
        var tables: [String: ResourceTable]
        var stockIndex: [StockKey: Int]
        var combinationsByProduct: [Int: [Int]]
    }

    func build() -> Output {
        var tables: [String: ResourceTable] = [:]
        let catalog = ResourceCatalog.self
        tables["countries"] = ResourceTable(definition: catalog.countries, records: dataset.countries.map(country))
        tables["currencies"] = ResourceTable(definition: catalog.currencies, records: dataset.currencies.map(currency))
        tables["taxes"] = ResourceTable(definition: catalog.taxes, records: dataset.taxes.map(tax))
        tables["tax_rules"] = ResourceTable(definition: catalog.taxRules, records: dataset.taxRules.map(taxRule))
        tables["tax_rule_groups"] = ResourceTable(
            definition: catalog.taxRuleGroups,
            records: dataset.taxCategories.map(taxRulesGroup)
        )
        tables["order_states"] = ResourceTable(definition: catalog.orderStates, records: orderStates.map(orderState))
        for name in ["orders", "order_details", "order_histories", "order_payments", "order_cart_rules"] {
            if let definition = catalog.definition(name) { tables[name] = ResourceTable(definition: definition) }
        }

        let stock = StockSeed(dataset: dataset)
        let rows = CatalogueRows(dataset: dataset, stock: stock, dates: dates)
        tables["products"] = ResourceTable(
            definition: catalog.products,
            seedIDs: dataset.products.map(\.id),
            seed: rows.product
        )
        tables["combinations"] = ResourceTable(
            definition: catalog.combinations,
            seedIDs: Array(rows.skuByCombination.keys),
            seed: rows.combination
        )
        tables["stock_availables"] = ResourceTable(
            definition: catalog.stockAvailables,
            seedIDs: Array(stock.keys.indices.map { $0 + 1 }),
            seed: rows.stockAvailable
        )
        tables["customers"] = ResourceTable(
            definition: catalog.customers,
            seedIDs: dataset.customers.map(\.id),
            seed: rows.customer
        )
        tables["addresses"] = ResourceTable(
            definition: catalog.addresses,
            seedIDs: dataset.addresses.map(\.id),
            seed: rows.address
        )

        var combinationsByProduct: [Int: [Int]] = [:]
        for product in dataset.products where !product.combinationIDs.isEmpty {
            combinationsByProduct[product.id] = product.combinationIDs
        }
        return Output(tables: tables, stockIndex: stock.index, combinationsByProduct: combinationsByProduct)
    }

    // MARK: - Small tables

    private func country(_ country: SandboxDataset.Country) -> Record {
        let callPrefixes = [
            "FR": 33, "DE": 49, "IT": 39, "ES": 34, "NL": 31, "BE": 32, "AT": 43, "PL": 48, "SE": 46,
            "DK": 45, "IE": 353,
        ]
        return Record(
            id: country.id,
            fields: [
                "id_zone": .int(country.zoneID),
                "id_currency": .int(country.currencyID),
                "call_prefix": .int(callPrefixes[country.isoCode] ?? 0),
                "iso_code": .string(country.isoCode),
                "active": .bool(true),
                "contains_states": .bool(false),
                "need_identification_number": .bool(false),
                "need_zip_code": .bool(true),
                "zip_code_format": .string(""),
                "display_tax_label": .bool(true),
                "name": .text([1: country.name, 2: Self.frenchCountryNames[country.isoCode] ?? country.name]),
            ]
        )
    }

    private func currency(_ currency: SandboxDataset.Currency) -> Record {
        Record(
            id: currency.id,
            fields: [
                "name": .text([1: currency.name, 2: currency.name]),
                "symbol": .text([1: currency.symbol, 2: currency.symbol]),
                "iso_code": .string(currency.isoCode),
                "numeric_iso_code": .string(currency.numericISOCode),
                "precision": .int(2),
                "conversion_rate": .decimal(currency.conversionRate),
                "deleted": .bool(false),
                "active": .bool(true),
                "unofficial": .bool(false),
                "modified": .bool(false),
            ]
        )
    }

    private func tax(_ tax: SandboxDataset.Tax) -> Record {
        Record(
            id: tax.id,
            fields: [
                "rate": .decimal(tax.rate),
                "active": .bool(true),
                "deleted": .bool(false),
                "name": .text([1: tax.name, 2: tax.name.replacingOccurrences(of: "VAT", with: "TVA")]),
            ]
        )
    }

    private func taxRule(_ rule: SandboxDataset.TaxRule) -> Record {
        Record(
            id: rule.id,
            fields: [
                "id_tax_rules_group": .int(rule.taxRulesGroupID),
                "id_state": .int(0),
                "id_country": .int(rule.countryID),
                "zipcode_from": .string("0"),
                "zipcode_to": .string("0"),
                "id_tax": .int(rule.taxID),
                "behavior": .int(0),
                "description": .string(""),
            ]
        )
    }

    private func taxRulesGroup(_ category: SandboxDataset.TaxCategory) -> Record {
        let date = "2021-01-01 09:00:00"
        return Record(
            id: category.id,
            fields: [
                "name": .string(category.name),
                "active": .bool(true),
                "deleted": .bool(false),
                "date_add": .string(date),
                "date_upd": .string(date),
            ]
        )
    }

    private func orderState(_ state: SandboxDataset.OrderState) -> Record {
        let templates: [Int: String] = [
            1: "cheque", 2: "payment", 3: "preparation", 4: "shipped", 6: "order_canceled",
            7: "refund", 8: "payment_error", 9: "outofstock", 10: "bankwire",
            12: "outofstock", 13: "cashondelivery",
        ]
        let template = templates[state.id] ?? ""
        return Record(
            id: state.id,
            fields: [
                "unremovable": .bool(state.id <= 13),
                "delivery": .bool(state.delivery),
                "hidden": .bool(false),
                "send_email": .bool(!template.isEmpty),
                "module_name": .string(state.id == 10 ? "ps_wirepayment" : (state.id == 1 ? "ps_checkpayment" : "")),
                "invoice": .bool(state.invoice),
                "color": .string(state.color),
                "logable": .bool(state.logable),
                "shipped": .bool(state.shipped),
                "paid": .bool(state.paid),
                "pdf_delivery": .bool(state.delivery),
                "pdf_invoice": .bool(state.invoice),
                "deleted": .bool(false),
                "name": .text([1: state.name, 2: state.name]),
                "template": .text([1: template, 2: template]),
            ]
        )
    }

    static let frenchCountryNames = [
        "FR": "France", "DE": "Allemagne", "IT": "Italie", "ES": "Espagne", "NL": "Pays-Bas", "BE": "Belgique",
        "AT": "Autriche", "PL": "Pologne", "SE": "Suède", "DK": "Danemark", "IE": "Irlande",
    ]
}

/// Stock rows: one per SKU, plus one (combination 0) per product with combinations holding their sum.
struct StockSeed: Sendable {
    /// Row id − 1 → key.
    let keys: [StockKey]
    let index: [StockKey: Int]
    /// Quantity per key, from the dataset's inventory at the shop's location.
    let quantities: [StockKey: Int]

    init(dataset: SandboxDataset) {
        var onHand: [Int: Int] = [:]
        onHand.reserveCapacity(dataset.skus.count)
        for balance in dataset.inventory where balance.locationID == dataset.shopLocationID {
            onHand[balance.itemID] = balance.quantityOnHand
        }
        var keys: [StockKey] = []
        var quantities: [StockKey: Int] = [:]
        keys.reserveCapacity(dataset.skus.count + dataset.products.count)
        var productTotals: [Int: Int] = [:]
        for sku in dataset.skus {
            let quantity = onHand[sku.netSuiteItemID] ?? 0
            if sku.combinationID != 0 {
                if productTotals[sku.productID] == nil {
                    keys.append(StockKey(productID: sku.productID, attributeID: 0))
                }
                productTotals[sku.productID, default: 0] += quantity
            }
            let key = StockKey(productID: sku.productID, attributeID: sku.combinationID)
            keys.append(key)
            quantities[key] = quantity
        }
        for (productID, total) in productTotals {
            quantities[StockKey(productID: productID, attributeID: 0)] = total
        }
        self.keys = keys
        self.quantities = quantities
        self.index = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, $0 + 1) })
    }
}

/// Row builders for the large, lazily generated tables.
struct CatalogueRows: Sendable {
    let dataset: SandboxDataset
    let stock: StockSeed
    let dates: ShopDateFormat
    let productIndex: [Int: Int]
    let skuByCombination: [Int: Int]
    let customerIndex: [Int: Int]
    let addressIndex: [Int: Int]

    init(dataset: SandboxDataset, stock: StockSeed, dates: ShopDateFormat) {
        self.dataset = dataset
        self.stock = stock
        self.dates = dates
        productIndex = Dictionary(uniqueKeysWithValues: dataset.products.enumerated().map { ($1.id, $0) })
        var skuByCombination: [Int: Int] = [:]
        for (offset, sku) in dataset.skus.enumerated() where sku.combinationID != 0 {
            skuByCombination[sku.combinationID] = offset
        }
        self.skuByCombination = skuByCombination
        customerIndex = Dictionary(uniqueKeysWithValues: dataset.customers.enumerated().map { ($1.id, $0) })
        addressIndex = Dictionary(uniqueKeysWithValues: dataset.addresses.enumerated().map { ($1.id, $0) })
    }

    private static let catalogueEpoch = Date(timeIntervalSince1970: 1_609_491_600)  // 2021-01-01 09:00 UTC

    func product(_ id: Int) -> Record? {
        guard let offset = productIndex[id] else { return nil }
        let product = dataset.products[offset]
        let added = dates.string(from: Self.catalogueEpoch.addingTimeInterval(Double(id) * 3_607))
        let stockRows = ([0] + product.combinationIDs).compactMap { attribute -> [String: FieldValue]? in
            let key = StockKey(productID: id, attributeID: attribute)
            guard let stockID = stock.index[key] else { return nil }
            return ["id": .int(stockID), "id_product_attribute": .int(attribute)]
        }
        let fields = Self.productFields(
            name: product.name,
            frenchName: Self.frenchName(product.name),
            reference: product.reference,
            ean13: product.ean13,
            price: product.price,
            taxRulesGroupID: product.taxCategoryID,
            weight: product.weight,
            hasCombinations: !product.combinationIDs.isEmpty,
            date: added
        )
        return Record(
            id: id,
            fields: fields,
            associations: [
                "categories": [["id": .int(2)]],
                "combinations": product.combinationIDs.map { ["id": .int($0)] },
                "stock_availables": stockRows,
            ]
        )
    }

    static func productFields(
        name: String,
        frenchName: String,
        reference: String,
        ean13: String,
        price: Decimal,
        taxRulesGroupID: Int,
        weight: Decimal,
        hasCombinations: Bool,
        date: String
    ) -> [String: FieldValue] {
        let slug = name.lowercased().replacingOccurrences(of: " ", with: "-")
        let frenchSlug = frenchName.lowercased().replacingOccurrences(of: " ", with: "-")
        return [
            "id_manufacturer": .int(0), "id_supplier": .int(0), "id_category_default": .int(2), "new": .null,
            "cache_default_attribute": .int(0), "id_default_image": .int(0), "id_default_combination": .int(0),
            "id_tax_rules_group": .int(taxRulesGroupID), "position_in_category": .int(0),
            "manufacturer_name": .string(""), "type": .string(hasCombinations ? "combinations" : "simple"),
            "id_shop_default": .int(1), "reference": .string(reference), "supplier_reference": .string(""),
            "location": .string(""), "width": .decimal(0), "height": .decimal(0), "depth": .decimal(0),
            "weight": .decimal(weight), "quantity_discount": .bool(false), "ean13": .string(ean13),
            "isbn": .string(""), "upc": .string(""), "mpn": .string(""), "cache_is_pack": .bool(false),
            "cache_has_attachments": .bool(false), "is_virtual": .bool(false), "state": .int(1),
            "additional_delivery_times": .int(1), "delivery_in_stock": .text([1: "", 2: ""]),
            "delivery_out_stock": .text([1: "", 2: ""]),
            "product_type": .string(hasCombinations ? "combinations" : "standard"), "on_sale": .bool(false),
            "online_only": .bool(false), "ecotax": .decimal(0), "minimal_quantity": .int(1),
            "low_stock_threshold": .int(0), "low_stock_alert": .bool(false), "price": .decimal(price),
            "wholesale_price": .decimal((price * Decimal(string: "0.55")!).rounded(2)), "unity": .string(""),
            "unit_price_ratio": .decimal(0), "additional_shipping_cost": .decimal(0), "customizable": .int(0),
            "text_fields": .int(0), "uploadable_files": .int(0), "active": .bool(true),
            "redirect_type": .string("404"), "id_type_redirected": .int(0), "available_for_order": .bool(true),
            "available_date": .string("0000-00-00"), "show_condition": .bool(false), "condition": .string("new"),
            "show_price": .bool(true), "indexed": .bool(true), "visibility": .string("both"),
            "advanced_stock_management": .bool(false), "date_add": .string(date), "date_upd": .string(date),
            "pack_stock_type": .int(3), "meta_description": .text([1: "", 2: ""]),
            "meta_keywords": .text([1: "", 2: ""]), "meta_title": .text([1: "", 2: ""]),
            "link_rewrite": .text([1: slug, 2: frenchSlug]), "name": .text([1: name, 2: frenchName]),
            "description": .text([1: "<p>\(name)</p>", 2: "<p>\(frenchName)</p>"]),
            "description_short": .text([1: "", 2: ""]),
            "available_now": .text([1: "In stock", 2: "En stock"]),
            "available_later": .text([1: "Out of stock", 2: "Rupture"]),
        ]
    }

    func combination(_ id: Int) -> Record? {
        guard let offset = skuByCombination[id] else { return nil }
        let sku = dataset.skus[offset]
        let isFirst = productIndex[sku.productID].map { dataset.products[$0].combinationIDs.first == id } ?? false
        return Record(
            id: id,
            fields: Self.combinationFields(
                productID: sku.productID,
                reference: sku.reference,
                ean13: sku.ean13,
                priceImpact: sku.priceImpact,
                isDefault: isFirst
            )
        )
    }

    static func combinationFields(
        productID: Int,
        reference: String,
        ean13: String,
        priceImpact: Decimal,
        isDefault: Bool
    ) -> [String: FieldValue] {
        [
            "id_product": .int(productID), "location": .string(""), "ean13": .string(ean13), "isbn": .string(""),
            "upc": .string(""), "mpn": .string(""), "quantity": .int(0), "reference": .string(reference),
            "supplier_reference": .string(""), "wholesale_price": .decimal(0), "price": .decimal(priceImpact),
            "ecotax": .decimal(0), "weight": .decimal(0), "unit_price_impact": .decimal(0),
            "minimal_quantity": .int(1), "low_stock_threshold": .int(0), "low_stock_alert": .bool(false),
            "default_on": .bool(isDefault), "available_date": .string("0000-00-00"),
        ]
    }

    func stockAvailable(_ id: Int) -> Record? {
        guard id >= 1, id <= stock.keys.count else { return nil }
        let key = stock.keys[id - 1]
        return Record(id: id, fields: Self.stockFields(key: key, quantity: stock.quantities[key] ?? 0))
    }

    static func stockFields(key: StockKey, quantity: Int) -> [String: FieldValue] {
        [
            "id_product": .int(key.productID), "id_product_attribute": .int(key.attributeID), "id_shop": .int(1),
            "id_shop_group": .int(0), "quantity": .int(quantity), "depends_on_stock": .bool(false),
            "out_of_stock": .int(2), "location": .string(""),
        ]
    }

    func customer(_ id: Int) -> Record? {
        guard let offset = customerIndex[id] else { return nil }
        let customer = dataset.customers[offset]
        let added = dates.string(from: customer.dateAdd)
        return Record(
            id: id,
            fields: Self.customerFields(
                firstName: customer.firstName,
                lastName: customer.lastName,
                email: customer.email,
                company: customer.company ?? "",
                secureKey: Self.secureKey("customer-\(id)"),
                passwordHash: Self.passwordHash("customer-\(id)"),
                date: added
            ),
            associations: ["groups": [["id": .int(3)]]]
        )
    }

    static func customerFields(
        firstName: String,
        lastName: String,
        email: String,
        company: String,
        secureKey: String,
        passwordHash: String,
        date: String
    ) -> [String: FieldValue] {
        [
            "id_default_group": .int(3), "id_lang": .int(1), "newsletter_date_add": .string("0000-00-00 00:00:00"),
            "ip_registration_newsletter": .string(""), "last_passwd_gen": .string(date),
            "secure_key": .string(secureKey), "deleted": .bool(false), "passwd": .string(passwordHash),
            "lastname": .string(lastName), "firstname": .string(firstName), "email": .string(email),
            "id_gender": .int(0), "birthday": .string("0000-00-00"), "newsletter": .bool(false),
            "optin": .bool(false), "website": .string(""), "company": .string(company), "siret": .string(""),
            "ape": .string(""), "outstanding_allow_amount": .decimal(0), "show_public_prices": .bool(false),
            "id_risk": .int(0), "max_payment_days": .int(0), "active": .bool(true), "note": .string(""),
            "is_guest": .bool(false), "id_shop": .int(1), "id_shop_group": .int(1), "date_add": .string(date),
            "date_upd": .string(date), "reset_password_token": .string(""),
            "reset_password_validity": .string("0000-00-00 00:00:00"),
        ]
    }

    func address(_ id: Int) -> Record? {
        guard let offset = addressIndex[id] else { return nil }
        let address = dataset.addresses[offset]
        let added =
            customerIndex[address.customerID].map { dates.string(from: dataset.customers[$0].dateAdd) }
            ?? "2022-01-01 00:00:00"
        return Record(
            id: id,
            fields: [
                "id_customer": .int(address.customerID), "id_manufacturer": .int(0), "id_supplier": .int(0),
                "id_warehouse": .int(0), "id_country": .int(address.countryID), "id_state": .int(0),
                "alias": .string(address.alias), "company": .string(address.company ?? ""),
                "lastname": .string(address.lastName), "firstname": .string(address.firstName),
                "vat_number": .string(address.vatNumber ?? ""), "address1": .string(address.address1),
                "address2": .string(""), "postcode": .string(address.postcode), "city": .string(address.city),
                "other": .string(""), "phone": .string(address.phone), "phone_mobile": .string(""), "dni": .string(""),
                "deleted": .bool(false), "date_add": .string(added), "date_upd": .string(added),
            ]
        )
    }

    // MARK: - Helpers

    /// A 32-character lower-case hex key, like PrestaShop's md5 secure keys.
    static func secureKey(_ seed: String) -> String {
        Insecure.MD5.hash(data: Data(seed.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A bcrypt-looking hash; the sandbox never checks passwords.
    static func passwordHash(_ seed: String) -> String {
        let digest = SHA256.hash(data: Data(seed.utf8)).map { String(format: "%02x", $0) }.joined()
        return "$2y$10$" + digest.prefix(53)
    }

    private static let frenchNouns = [
        "Backpack": "Sac à dos", "Jacket": "Veste", "Sneaker": "Basket", "Mug": "Tasse", "Lamp": "Lampe",
        "Notebook": "Carnet", "Scarf": "Écharpe", "Watch": "Montre", "Bottle": "Gourde", "Cushion": "Coussin",
        "Poster": "Affiche", "Keyring": "Porte-clés", "Wallet": "Portefeuille", "Beanie": "Bonnet",
        "Candle": "Bougie", "Blanket": "Plaid", "Headphones": "Casque", "Umbrella": "Parapluie",
        "Teapot": "Théière", "Novel": "Roman",
    ]

    /// "Classic Backpack 12" → "Sac à dos Classic 12".
    static func frenchName(_ name: String) -> String {
        let words = name.split(separator: " ").map(String.init)
        guard words.count == 3, let noun = frenchNouns[words[1]] else { return name }
        return "\(noun) \(words[0]) \(words[2])"
    }
}
