import Foundation

/// The deterministic world both sandboxes share: one PrestaShop shop and the NetSuite account it feeds.
///
/// The same seed always yields the same catalogue, customers, tax set-up and stock, so the PrestaShop
/// sandbox and the NetSuite sandbox agree without talking to each other, and the mapping files that
/// ship with the sandbox (see ``SandboxDataset/mappingCSV(_:)``) match both.
///
/// Identifiers on the PrestaShop side are PrestaShop ids (`Int`); on the NetSuite side they are
/// internal ids (numeric strings in the API, `Int` here).
public struct SandboxDataset: Sendable {
    public let seed: UInt64
    public let countries: [Country]
    public let currencies: [Currency]
    public let taxCategories: [TaxCategory]
    public let taxes: [Tax]
    public let taxRules: [TaxRule]
    public let netSuiteTaxCodes: [NetSuiteTaxCode]
    public let subsidiaries: [Subsidiary]
    public let locations: [Location]
    public let priceLevels: [PriceLevel]
    public let carriers: [Carrier]
    public let paymentModules: [PaymentModule]
    public let orderStates: [OrderState]
    public let products: [Product]
    /// Every sellable unit: a product without combinations, or one combination of a product.
    public let skus: [SKU]
    public let customers: [Customer]
    public let addresses: [Address]
    /// Quantity on hand per (NetSuite item, location).
    public let inventory: [InventoryBalance]
    /// NetSuite `pricing` rows: (item, price level, currency) → unit price, tax excluded.
    public let pricing: [ItemPrice]

    /// The shop the sandbox plays (PrestaShop `id_shop`) and the NetSuite subsidiary and location it sells from.
    public let shopID: Int = 1
    public let shopSubsidiaryID: Int = 1
    public let shopLocationID: Int = 1

    // MARK: - Model

    public struct Country: Sendable, Hashable {
        public let id: Int
        public let isoCode: String
        public let name: String
        public let currencyID: Int
        public let zoneID: Int
        /// VAT rates by tax category id, in percent.
        public let vatRates: [Int: Decimal]
    }

    public struct Currency: Sendable, Hashable {
        public let id: Int
        public let isoCode: String
        public let numericISOCode: String
        public let name: String
        public let symbol: String
        /// PrestaShop conversion rate against the shop's default currency (EUR).
        public let conversionRate: Decimal
        /// NetSuite currency internal id.
        public let netSuiteID: Int
    }

    /// A PrestaShop tax rule group, used as the product's tax category.
    public struct TaxCategory: Sendable, Hashable {
        public let id: Int
        public let name: String
        /// Short code used in NetSuite tax code names (`S`, `R`, `Z`).
        public let code: String
    }

    public struct Tax: Sendable, Hashable {
        public let id: Int
        public let name: String
        public let rate: Decimal
        public let countryID: Int
        public let taxCategoryID: Int
    }

    public struct TaxRule: Sendable, Hashable {
        public let id: Int
        public let taxRulesGroupID: Int
        public let countryID: Int
        public let taxID: Int
    }

    public struct NetSuiteTaxCode: Sendable, Hashable {
        public let id: Int
        public let name: String
        public let countryISO: String
        public let taxCategoryID: Int
        public let subsidiaryID: Int
        public let rate: Decimal
    }

    public struct Subsidiary: Sendable, Hashable {
        public let id: Int
        public let name: String
        public let countryISO: String
        public let currencyNetSuiteID: Int
    }

    public struct Location: Sendable, Hashable {
        public let id: Int
        public let name: String
        public let subsidiaryID: Int
    }

    public struct PriceLevel: Sendable, Hashable {
        public let id: Int
        public let name: String
        /// Discount against the base price, in percent.
        public let discountPercent: Decimal
    }

    public struct Carrier: Sendable, Hashable {
        public let id: Int
        public let name: String
        public let netSuiteShipMethodID: Int
    }

    public struct PaymentModule: Sendable, Hashable {
        public let module: String
        public let label: String
        public let netSuitePaymentMethodID: Int
    }

    public struct OrderState: Sendable, Hashable {
        public let id: Int
        public let name: String
        public let paid: Bool
        public let shipped: Bool
        public let delivery: Bool
        public let logable: Bool
        public let invoice: Bool
        public let color: String

        public init(
            id: Int,
            name: String,
            paid: Bool,
            shipped: Bool,
            delivery: Bool,
            logable: Bool,
            invoice: Bool,
            color: String
        ) {
            self.id = id
            self.name = name
            self.paid = paid
            self.shipped = shipped
            self.delivery = delivery
            self.logable = logable
            self.invoice = invoice
            self.color = color
        }
    }

    public struct Product: Sendable, Hashable {
        public let id: Int
        public let reference: String
        public let name: String
        public let ean13: String
        /// Base price, tax excluded, in EUR.
        public let price: Decimal
        public let taxCategoryID: Int
        public let weight: Decimal
        public let combinationIDs: [Int]
    }

    public struct SKU: Sendable, Hashable {
        public let productID: Int
        /// PrestaShop `id_product_attribute`; 0 for a product without combinations.
        public let combinationID: Int
        public let reference: String
        public let ean13: String
        /// Combination price impact (tax excluded); 0 for a simple product.
        public let priceImpact: Decimal
        /// NetSuite inventory item internal id.
        public let netSuiteItemID: Int
        /// NetSuite item `externalId`.
        public var netSuiteExternalID: String { "SKU-\(reference)" }
        public let attributeLabel: String
    }

    public struct Customer: Sendable, Hashable {
        public let id: Int
        public let email: String
        public let firstName: String
        public let lastName: String
        public let company: String?
        public let dateAdd: Date
        /// When the customer already exists in NetSuite (as entity created by earlier manual entry), its internal id.
        public let netSuiteID: Int?
        public let addressIDs: [Int]
    }

    public struct Address: Sendable, Hashable {
        public let id: Int
        public let customerID: Int
        public let countryID: Int
        public let alias: String
        public let firstName: String
        public let lastName: String
        public let company: String?
        public let address1: String
        public let postcode: String
        public let city: String
        public let phone: String
        public let vatNumber: String?
    }

    public struct InventoryBalance: Sendable, Hashable {
        public let itemID: Int
        public let locationID: Int
        public let quantityOnHand: Int
    }

    public struct ItemPrice: Sendable, Hashable {
        public let itemID: Int
        public let priceLevelID: Int
        public let currencyNetSuiteID: Int
        public let unitPrice: Decimal
    }
}

extension SandboxDataset {
    /// The default sandbox world: about 15,000 SKUs, 3,000 customers in ten EU countries.
    public static let standard = SandboxDataset.generate()

    /// Builds the world from a seed. Same seed, same world; cheap enough to call in every test.
    public static func generate(
        seed: UInt64 = 20_261_126,
        productCount: Int = 7_500,
        customerCount: Int = 3_000
    ) -> SandboxDataset {
        var rng = SplitMix64(seed: seed)

        let currencies: [Currency] = [
            .init(
                id: 1,
                isoCode: "EUR",
                numericISOCode: "978",
                name: "Euro",
                symbol: "€",
                conversionRate: 1,
                netSuiteID: 1
            ),
            .init(
                id: 2,
                isoCode: "PLN",
                numericISOCode: "985",
                name: "Polish Zloty",
                symbol: "zł",
                conversionRate: Decimal(string: "4.310000")!,
                netSuiteID: 2
            ),
            .init(
                id: 3,
                isoCode: "SEK",
                numericISOCode: "752",
                name: "Swedish Krona",
                symbol: "kr",
                conversionRate: Decimal(string: "11.450000")!,
                netSuiteID: 3
            ),
            .init(
                id: 4,
                isoCode: "DKK",
                numericISOCode: "208",
                name: "Danish Krone",
                symbol: "kr.",
                conversionRate: Decimal(string: "7.460000")!,
                netSuiteID: 4
            ),
        ]

        let taxCategories: [TaxCategory] = [
            .init(id: 1, name: "Standard rate", code: "S"),
            .init(id: 2, name: "Reduced rate", code: "R"),
            .init(id: 3, name: "Books and press", code: "B"),
        ]

        func rates(_ s: String, _ r: String, _ b: String) -> [Int: Decimal] {
            [1: Decimal(string: s)!, 2: Decimal(string: r)!, 3: Decimal(string: b)!]
        }
        // Real VAT rates (standard, a reduced rate, books) as of 2024.
        let countries: [Country] = [
            .init(id: 8, isoCode: "FR", name: "France", currencyID: 1, zoneID: 1, vatRates: rates("20", "5.5", "5.5")),
            .init(id: 1, isoCode: "DE", name: "Germany", currencyID: 1, zoneID: 1, vatRates: rates("19", "7", "7")),
            .init(id: 10, isoCode: "IT", name: "Italy", currencyID: 1, zoneID: 1, vatRates: rates("22", "10", "4")),
            .init(id: 6, isoCode: "ES", name: "Spain", currencyID: 1, zoneID: 1, vatRates: rates("21", "10", "4")),
            .init(
                id: 13,
                isoCode: "NL",
                name: "Netherlands",
                currencyID: 1,
                zoneID: 1,
                vatRates: rates("21", "9", "9")
            ),
            .init(id: 3, isoCode: "BE", name: "Belgium", currencyID: 1, zoneID: 1, vatRates: rates("21", "6", "6")),
            .init(id: 2, isoCode: "AT", name: "Austria", currencyID: 1, zoneID: 1, vatRates: rates("20", "10", "10")),
            .init(id: 14, isoCode: "PL", name: "Poland", currencyID: 2, zoneID: 1, vatRates: rates("23", "8", "5")),
            .init(id: 18, isoCode: "SE", name: "Sweden", currencyID: 3, zoneID: 1, vatRates: rates("25", "12", "6")),
            .init(id: 20, isoCode: "DK", name: "Denmark", currencyID: 4, zoneID: 1, vatRates: rates("25", "25", "0")),
            .init(id: 26, isoCode: "IE", name: "Ireland", currencyID: 1, zoneID: 1, vatRates: rates("23", "13.5", "0")),
        ]

        var taxes: [Tax] = []
        var taxRules: [TaxRule] = []
        var taxCodes: [NetSuiteTaxCode] = []
        for country in countries {
            for category in taxCategories {
                let rate = country.vatRates[category.id]!
                let taxID = taxes.count + 1
                taxes.append(
                    .init(
                        id: taxID,
                        name: "\(country.isoCode) VAT \(rate)%",
                        rate: rate,
                        countryID: country.id,
                        taxCategoryID: category.id
                    )
                )
                taxRules.append(
                    .init(id: taxRules.count + 1, taxRulesGroupID: category.id, countryID: country.id, taxID: taxID)
                )
                taxCodes.append(
                    .init(
                        id: 100 + taxCodes.count + 1,
                        name: "\(country.isoCode)-\(category.code)-\(rate)",
                        countryISO: country.isoCode,
                        taxCategoryID: category.id,
                        subsidiaryID: 1,
                        rate: rate
                    )
                )
            }
        }

        let subsidiaries: [Subsidiary] = [
            .init(id: 1, name: "Ferry Sandbox Europe SAS", countryISO: "FR", currencyNetSuiteID: 1),
            .init(id: 2, name: "Ferry Sandbox Polska Sp. z o.o.", countryISO: "PL", currencyNetSuiteID: 2),
        ]
        let locations: [Location] = [
            .init(id: 1, name: "Lyon DC", subsidiaryID: 1),
            .init(id: 2, name: "Venlo DC", subsidiaryID: 1),
            .init(id: 3, name: "Poznań DC", subsidiaryID: 2),
        ]
        let priceLevels: [PriceLevel] = [
            .init(id: 1, name: "Base Price", discountPercent: 0),
            .init(id: 2, name: "Online Price", discountPercent: 5),
            .init(id: 3, name: "Wholesale", discountPercent: 30),
        ]
        let carriers: [Carrier] = [
            .init(id: 1, name: "Click and collect", netSuiteShipMethodID: 501),
            .init(id: 2, name: "Colissimo", netSuiteShipMethodID: 502),
            .init(id: 3, name: "DHL Express", netSuiteShipMethodID: 503),
            .init(id: 4, name: "DPD Classic", netSuiteShipMethodID: 504),
        ]
        let paymentModules: [PaymentModule] = [
            .init(module: "ps_wirepayment", label: "Bank transfer", netSuitePaymentMethodID: 1),
            .init(module: "ps_checkpayment", label: "Payments by check", netSuitePaymentMethodID: 2),
            .init(module: "stripe_official", label: "Stripe", netSuitePaymentMethodID: 7),
            .init(module: "paypal", label: "PayPal", netSuitePaymentMethodID: 8),
        ]
        let orderStates: [OrderState] = Self.defaultOrderStates

        // Catalogue: products, ~40 % with 2–5 combinations, giving about 15,000 SKUs at 7,500 products.
        let nouns = [
            "Backpack", "Jacket", "Sneaker", "Mug", "Lamp", "Notebook", "Scarf", "Watch", "Bottle", "Cushion",
            "Poster", "Keyring", "Wallet", "Beanie", "Candle", "Blanket", "Headphones", "Umbrella", "Teapot", "Novel",
        ]
        let adjectives = [
            "Classic", "Urban", "Alpine", "Coastal", "Nordic", "Vintage", "Compact", "Deluxe", "Eco", "Studio",
            "Riviera", "Atlas", "Summit", "Harbor", "Meadow", "Copper", "Linen", "Granite", "Velvet", "Cobalt",
        ]
        let variantAxes = [
            ["S", "M", "L", "XL", "XXL"], ["Red", "Blue", "Black", "Green", "Sand"],
            ["250ml", "500ml", "750ml", "1L", "2L"],
        ]
        var products: [Product] = []
        var skus: [SKU] = []
        var nextCombinationID = 1
        var nextItemID = 10_000
        products.reserveCapacity(productCount)
        skus.reserveCapacity(productCount * 3)
        for index in 0..<productCount {
            let id = index + 1
            let noun = nouns[Int(rng.next() % UInt64(nouns.count))]
            let adjective = adjectives[Int(rng.next() % UInt64(adjectives.count))]
            let category = noun == "Novel" || noun == "Notebook" ? 3 : (noun == "Teapot" || noun == "Mug" ? 2 : 1)
            let cents = 299 + Int(rng.next() % 19_700)  // 2.99 … 199.98 tax excluded
            let price = Decimal(cents) / 100
            let reference = String(format: "FS-%05d", id)
            let ean = ean13(prefix: 400_000_000_000 + Int64(id) * 10)
            let combos = rng.next() % 100 < 40 ? 2 + Int(rng.next() % 4) : 0
            var comboIDs: [Int] = []
            if combos == 0 {
                skus.append(
                    .init(
                        productID: id,
                        combinationID: 0,
                        reference: reference,
                        ean13: ean,
                        priceImpact: 0,
                        netSuiteItemID: nextItemID,
                        attributeLabel: ""
                    )
                )
                nextItemID += 1
            } else {
                let axis = variantAxes[Int(rng.next() % UInt64(variantAxes.count))]
                for c in 0..<combos {
                    let cid = nextCombinationID
                    nextCombinationID += 1
                    comboIDs.append(cid)
                    let impact = Decimal(c * 150) / 100
                    skus.append(
                        .init(
                            productID: id,
                            combinationID: cid,
                            reference: "\(reference)-\(axis[c])",
                            ean13: ean13(prefix: 410_000_000_000 + Int64(cid) * 10),
                            priceImpact: impact,
                            netSuiteItemID: nextItemID,
                            attributeLabel: axis[c]
                        )
                    )
                    nextItemID += 1
                }
            }
            products.append(
                .init(
                    id: id,
                    reference: reference,
                    name: "\(adjective) \(noun) \(id)",
                    ean13: ean,
                    price: price,
                    taxCategoryID: category,
                    weight: Decimal(100 + Int(rng.next() % 4_900)) / 1000,
                    combinationIDs: comboIDs
                )
            )
        }

        // Customers and addresses; about 60 % already exist in NetSuite (entered by hand before Ferry).
        let firstNames = [
            "Camille", "Lukas", "Giulia", "Lucía", "Sanne", "Louis", "Anna", "Zofia", "Elsa", "Freja", "Aoife", "Noah",
            "Emma", "Mateo", "Lea", "Jan", "Marie", "Pablo", "Sofia", "Oskar",
        ]
        let lastNames = [
            "Martin", "Müller", "Rossi", "García", "de Jong", "Peeters", "Gruber", "Nowak", "Andersson", "Nielsen",
            "Murphy", "Bernard", "Schmidt", "Romano", "Fernández", "Janssens", "Wagner", "Kowalski", "Lindqvist",
            "Byrne",
        ]
        let cities: [String: [(String, String)]] = [
            "FR": [("Lyon", "69002"), ("Paris", "75011"), ("Nantes", "44000")],
            "DE": [("Berlin", "10115"), ("München", "80331")],
            "IT": [("Milano", "20121"), ("Roma", "00184")], "ES": [("Madrid", "28013"), ("Valencia", "46001")],
            "NL": [("Utrecht", "3511"), ("Rotterdam", "3011")], "BE": [("Gent", "9000"), ("Liège", "4000")],
            "AT": [("Wien", "1010"), ("Graz", "8010")], "PL": [("Kraków", "31-001"), ("Gdańsk", "80-001")],
            "SE": [("Malmö", "211 20"), ("Uppsala", "753 10")], "DK": [("Aarhus", "8000")],
            "IE": [("Cork", "T12"), ("Galway", "H91")],
        ]
        var customers: [Customer] = []
        var addresses: [Address] = []
        let epoch = Date(timeIntervalSince1970: 1_640_995_200)  // 2022-01-01
        var nextNetSuiteCustomerID = 2_000
        for index in 0..<customerCount {
            let id = index + 1
            let first = firstNames[Int(rng.next() % UInt64(firstNames.count))]
            let last = lastNames[Int(rng.next() % UInt64(lastNames.count))]
            let country = countries[Int(rng.next() % UInt64(countries.count))]
            let company: String? =
                rng.next() % 10 == 0 ? "\(last) \(["GmbH", "SARL", "BV", "S.r.l.", "AB"][Int(rng.next() % 5)])" : nil
            let email = "\(asciiFold(first)).\(asciiFold(last)).\(id)@example.\(country.isoCode.lowercased())"
            var addressIDs: [Int] = []
            let addressCount = rng.next() % 5 == 0 ? 2 : 1
            for a in 0..<addressCount {
                let addressCountry = a == 0 ? country : countries[Int(rng.next() % UInt64(countries.count))]
                let (city, postcode) = cities[addressCountry.isoCode]!.randomElement(using: &rng)!
                let aid = addresses.count + 1
                addressIDs.append(aid)
                addresses.append(
                    .init(
                        id: aid,
                        customerID: id,
                        countryID: addressCountry.id,
                        alias: a == 0 ? "Home" : "Work",
                        firstName: first,
                        lastName: last,
                        company: company,
                        address1:
                            "\(1 + rng.next() % 180) \(["Rue", "Straße", "Via", "Calle", "Laan"][Int(rng.next() % 5)]) \(lastNames[Int(rng.next() % UInt64(lastNames.count))])",
                        postcode: postcode,
                        city: city,
                        phone: "+\(30 + rng.next() % 20)\(100_000_000 + rng.next() % 899_999_999)",
                        vatNumber: company == nil
                            ? nil : "\(addressCountry.isoCode)\(100_000_000 + rng.next() % 899_999_999)"
                    )
                )
            }
            var netSuiteID: Int?
            if rng.next() % 100 < 60 {
                netSuiteID = nextNetSuiteCustomerID
                nextNetSuiteCustomerID += 1
            }
            customers.append(
                .init(
                    id: id,
                    email: email,
                    firstName: first,
                    lastName: last,
                    company: company,
                    dateAdd: epoch.addingTimeInterval(Double(rng.next() % (3 * 365 * 86_400))),
                    netSuiteID: netSuiteID,
                    addressIDs: addressIDs
                )
            )
        }

        // Stock per item and location, and prices per item, level and currency.
        var inventory: [InventoryBalance] = []
        var pricing: [ItemPrice] = []
        inventory.reserveCapacity(skus.count * 2)
        pricing.reserveCapacity(skus.count * priceLevels.count * currencies.count)
        let productByID = Dictionary(uniqueKeysWithValues: products.map { ($0.id, $0) })
        for sku in skus {
            for location in locations where location.id != 3 || sku.netSuiteItemID % 3 == 0 {
                let roll = rng.next() % 100
                let qty = roll < 5 ? 0 : (roll < 20 ? Int(rng.next() % 5) : Int(rng.next() % 400))
                inventory.append(.init(itemID: sku.netSuiteItemID, locationID: location.id, quantityOnHand: qty))
            }
            let base = productByID[sku.productID]!.price + sku.priceImpact
            for level in priceLevels {
                for currency in currencies {
                    let value = base * (100 - level.discountPercent) / 100 * currency.conversionRate
                    pricing.append(
                        .init(
                            itemID: sku.netSuiteItemID,
                            priceLevelID: level.id,
                            currencyNetSuiteID: currency.netSuiteID,
                            unitPrice: value.rounded(2)
                        )
                    )
                }
            }
        }

        return SandboxDataset(
            seed: seed,
            countries: countries,
            currencies: currencies,
            taxCategories: taxCategories,
            taxes: taxes,
            taxRules: taxRules,
            netSuiteTaxCodes: taxCodes,
            subsidiaries: subsidiaries,
            locations: locations,
            priceLevels: priceLevels,
            carriers: carriers,
            paymentModules: paymentModules,
            orderStates: orderStates,
            products: products,
            skus: skus,
            customers: customers,
            addresses: addresses,
            inventory: inventory,
            pricing: pricing
        )
    }

    /// PrestaShop's default order states (`install-dev/data/xml/order_state.xml`). The sandbox lets callers replace them.
    public static let defaultOrderStates: [OrderState] = [
        .init(
            id: 1,
            name: "Awaiting check payment",
            paid: false,
            shipped: false,
            delivery: false,
            logable: false,
            invoice: false,
            color: "#34209E"
        ),
        .init(
            id: 2,
            name: "Payment accepted",
            paid: true,
            shipped: false,
            delivery: false,
            logable: true,
            invoice: true,
            color: "#3498D8"
        ),
        .init(
            id: 3,
            name: "Processing in progress",
            paid: true,
            shipped: false,
            delivery: false,
            logable: true,
            invoice: true,
            color: "#3498D8"
        ),
        .init(
            id: 4,
            name: "Shipped",
            paid: true,
            shipped: true,
            delivery: true,
            logable: true,
            invoice: true,
            color: "#01B887"
        ),
        .init(
            id: 5,
            name: "Delivered",
            paid: true,
            shipped: true,
            delivery: true,
            logable: true,
            invoice: true,
            color: "#01B887"
        ),
        .init(
            id: 6,
            name: "Canceled",
            paid: false,
            shipped: false,
            delivery: false,
            logable: false,
            invoice: false,
            color: "#2C3E50"
        ),
        .init(
            id: 7,
            name: "Refunded",
            paid: true,
            shipped: false,
            delivery: false,
            logable: false,
            invoice: true,
            color: "#ec2e15"
        ),
        .init(
            id: 8,
            name: "Payment error",
            paid: false,
            shipped: false,
            delivery: false,
            logable: false,
            invoice: false,
            color: "#8f0621"
        ),
        .init(
            id: 9,
            name: "On backorder (paid)",
            paid: true,
            shipped: false,
            delivery: false,
            logable: true,
            invoice: true,
            color: "#3498D8"
        ),
        .init(
            id: 10,
            name: "Awaiting bank wire payment",
            paid: false,
            shipped: false,
            delivery: false,
            logable: false,
            invoice: false,
            color: "#34209E"
        ),
        .init(
            id: 11,
            name: "Remote payment accepted",
            paid: true,
            shipped: false,
            delivery: false,
            logable: true,
            invoice: true,
            color: "#3498D8"
        ),
        .init(
            id: 12,
            name: "On backorder (not paid)",
            paid: false,
            shipped: false,
            delivery: false,
            logable: false,
            invoice: false,
            color: "#8f0621"
        ),
        .init(
            id: 13,
            name: "Awaiting Cash On Delivery validation",
            paid: false,
            shipped: false,
            delivery: false,
            logable: false,
            invoice: false,
            color: "#34209E"
        ),
        .init(
            id: 14,
            name: "Exported to ERP",
            paid: true,
            shipped: false,
            delivery: false,
            logable: true,
            invoice: true,
            color: "#4169E1"
        ),
    ]

    // MARK: - Look-ups

    public func country(id: Int) -> Country? { countries.first { $0.id == id } }
    public func country(iso: String) -> Country? { countries.first { $0.isoCode == iso } }
    public func currency(id: Int) -> Currency? { currencies.first { $0.id == id } }
    public func taxCode(countryISO: String, taxCategoryID: Int, subsidiaryID: Int) -> NetSuiteTaxCode? {
        netSuiteTaxCodes.first {
            $0.countryISO == countryISO && $0.taxCategoryID == taxCategoryID && $0.subsidiaryID == subsidiaryID
        }
    }

    // MARK: - Promotions and order charges

    /// A PrestaShop cart rule the generator applies to orders.
    public struct CartRule: Sendable, Hashable {
        public enum Reduction: Sendable, Hashable {
            /// A percentage off the products.
            case percent(Decimal)
            /// An amount off the products, tax included, in the shop's default currency.
            case amount(Decimal)
            /// The shipping is free.
            case freeShipping
        }
        public let id: Int
        public let name: String
        public let code: String
        public let reduction: Reduction
    }

    /// The shop's cart rules: a 10 % voucher, a 15 % Black Friday promotion, 10 € off, free shipping.
    public var cartRules: [CartRule] {
        [
            .init(id: 1, name: "10% off your order", code: "WELCOME10", reduction: .percent(10)),
            .init(id: 2, name: "Black Friday -15%", code: "BLACKFRIDAY", reduction: .percent(15)),
            .init(id: 3, name: "10 EUR voucher", code: "TENOFF", reduction: .amount(10)),
            .init(id: 4, name: "Free shipping", code: "FREESHIP", reduction: .freeShipping),
        ]
    }

    /// A NetSuite item that is not a product: discount, gift wrapping, rounding.
    public struct ChargeItem: Sendable, Hashable {
        public let id: Int
        public let itemID: String
        public let displayName: String
    }

    /// NetSuite's discount item for every cart rule (the `default` row of the discounts mapping).
    public var netSuiteDiscountItem: ChargeItem {
        .init(id: 90_001, itemID: "WEB-DISCOUNT", displayName: "Webshop discount")
    }
    /// A discount item of its own for the Black Friday promotion, so its cost shows separately.
    public var netSuiteBlackFridayItem: ChargeItem {
        .init(id: 90_002, itemID: "WEB-DISCOUNT-BF", displayName: "Black Friday discount")
    }
    public var netSuiteWrappingItem: ChargeItem { .init(id: 90_010, itemID: "GIFT-WRAP", displayName: "Gift wrapping") }
    /// Non-taxable: it carries only PrestaShop's rounding.
    public var netSuiteRoundingItem: ChargeItem { .init(id: 90_020, itemID: "ROUNDING", displayName: "Rounding") }
    public var netSuiteChargeItems: [ChargeItem] {
        [netSuiteDiscountItem, netSuiteBlackFridayItem, netSuiteWrappingItem, netSuiteRoundingItem]
    }

    /// Gift wrapping price, tax excluded, in the shop's default currency (`PS_GIFT_WRAPPING_PRICE`).
    public var giftWrappingPrice: Decimal { Decimal(string: "2.50")! }
    /// The tax category of gift wrapping (`PS_GIFT_WRAPPING_TAX_RULES_GROUP`) and of every carrier: standard rate.
    public var giftWrappingTaxCategoryID: Int { 1 }
    public var carrierTaxCategoryID: Int { 1 }

    // MARK: - Mapping files

    /// Mapping tables Ferry needs for this world, as CSV (header line first). See README "Mapping files".
    public enum MappingKind: String, CaseIterable, Sendable {
        case products
        case taxCodes = "tax-codes"
        case currencies
        case paymentMethods = "payment-methods"
        case carriers, shops, discounts
        case orderItems = "order-items"
    }

    public func mappingCSV(_ kind: MappingKind) -> String {
        var lines: [String]
        switch kind {
        case .products:
            lines = ["prestashop_product_id,prestashop_combination_id,reference,netsuite_item_id"]
            lines += skus.map { "\($0.productID),\($0.combinationID),\($0.reference),\($0.netSuiteItemID)" }
        case .taxCodes:
            lines = ["country_iso,tax_category_id,subsidiary_id,netsuite_tax_code_id,rate_percent"]
            lines += netSuiteTaxCodes.map {
                "\($0.countryISO),\($0.taxCategoryID),\($0.subsidiaryID),\($0.id),\($0.rate)"
            }
        case .currencies:
            lines = ["prestashop_currency_iso,netsuite_currency_id"]
            lines += currencies.map { "\($0.isoCode),\($0.netSuiteID)" }
        case .paymentMethods:
            lines = ["prestashop_module,netsuite_payment_method_id"]
            lines += paymentModules.map { "\($0.module),\($0.netSuitePaymentMethodID)" }
        case .carriers:
            lines = ["prestashop_carrier_id,netsuite_ship_method_id,tax_category_id"]
            lines += carriers.map { "\($0.id),\($0.netSuiteShipMethodID),\(carrierTaxCategoryID)" }
        case .shops:
            lines = ["prestashop_shop_id,netsuite_subsidiary_id,netsuite_location_id"]
            lines += ["\(shopID),\(shopSubsidiaryID),\(shopLocationID)"]
        case .discounts:
            lines = ["prestashop_cart_rule_id,netsuite_item_id"]
            lines += ["default,\(netSuiteDiscountItem.id)", "2,\(netSuiteBlackFridayItem.id)"]
        case .orderItems:
            lines = ["purpose,netsuite_item_id,tax_category_id"]
            lines += [
                "wrapping,\(netSuiteWrappingItem.id),\(giftWrappingTaxCategoryID)",
                "rounding,\(netSuiteRoundingItem.id),",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

// MARK: - Helpers

/// SplitMix64: small, fast, and the same on every platform, unlike the system generator.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// EAN-13 with a valid check digit from a 12-digit prefix.
func ean13(prefix: Int64) -> String {
    let digits = String(format: "%012lld", prefix % 1_000_000_000_000).compactMap { $0.wholeNumberValue }
    let sum = digits.enumerated().reduce(0) { $0 + $1.element * ($1.offset % 2 == 0 ? 1 : 3) }
    return digits.map(String.init).joined() + String((10 - sum % 10) % 10)
}

func asciiFold(_ s: String) -> String {
    s.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased()
        .replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "ß", with: "ss")
}

extension Decimal {
    /// Banker's-free rounding to `scale` decimals (half up), as shops and ERPs display money.
    public func rounded(_ scale: Int) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, scale, .plain)
        return result
    }
}
