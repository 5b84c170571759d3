import FerrySandboxData
import Foundation
import Logging

/// The shop's data: every resource table, the order state machine and the e-mail log.
///
/// One actor serialises all reads and writes, as PrestaShop's database would for one shop.
actor ShopStore {
    let dataset: SandboxDataset
    let dates: ShopDateFormat
    let now: @Sendable () -> Date
    var tables: [String: ResourceTable]
    /// (product, combination) → stock_availables id.
    var stockIndex: [StockKey: Int]
    var combinationsByProduct: [Int: [Int]]
    var addressesByCustomer: [Int: [Int]]
    var detailsByOrder: [Int: [Int]] = [:]
    var historiesByOrder: [Int: [Int]] = [:]
    var paymentsByReference: [String: [Int]] = [:]
    var emails: [SentEmail] = []
    var references: Set<String> = []
    var random: SplitMix64
    var nextCartID = 100
    var nextInvoiceNumber = 1
    var nextDeliveryNumber = 1
    private(set) var ordersCreated = 0

    /// An e-mail PrestaShop would have sent to the customer on a state change.
    struct SentEmail: Sendable {
        let orderID: Int
        let stateID: Int
        let template: String
        let date: String
    }

    init(
        dataset: SandboxDataset,
        orderStates: [SandboxDataset.OrderState],
        timeZone: TimeZone,
        seed: UInt64,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.dataset = dataset
        self.dates = ShopDateFormat(timeZone: timeZone)
        self.now = now
        let seedOutput = ShopSeed(dataset: dataset, orderStates: orderStates, dates: dates).build()
        tables = seedOutput.tables
        stockIndex = seedOutput.stockIndex
        combinationsByProduct = seedOutput.combinationsByProduct
        var addressesByCustomer: [Int: [Int]] = [:]
        for address in dataset.addresses { addressesByCustomer[address.customerID, default: []].append(address.id) }
        self.addressesByCustomer = addressesByCustomer
        random = SplitMix64(seed: seed)
    }

    var timestamp: String { dates.string(from: now()) }

    // MARK: - Reads

    func definition(_ resource: String) -> ResourceDefinition? {
        tables[resource]?.definition
    }

    /// One entity with its computed fields and associations, or nil when it does not exist.
    func detail(_ resource: String, id: Int) -> Record? {
        guard let record = tables[resource]?.record(id) else { return nil }
        return materialize(resource, record)
    }

    func exists(_ resource: String, id: Int) -> Bool {
        tables[resource]?.contains(id) ?? false
    }

    /// The rows a list request returns, after filter, sort and limit.
    ///
    /// Filters and sort keys never use computed fields, so only the returned page is materialised.
    func list(_ resource: String, query: ListQuery) -> [Record] {
        guard let table = tables[resource] else { return [] }
        var records: [Record]
        if query.filters.isEmpty && query.sort.isEmpty {
            records = page(table.ids, query.limit).map { Record(id: $0, fields: [:]) }
            guard query.display != .minimum else { return records }
            return records.compactMap { table.record($0.id).map { materialize(resource, $0) } }
        }
        tables[resource]?.cacheSeedRows()
        let cached = tables[resource] ?? table
        records = cached.ids.compactMap { cached.record($0) }
        records = records.filter { RecordMatcher.matches($0, query.filters, languages: query.languages) }
        records = RecordMatcher.sorted(records, by: query.sort, languages: query.languages)
        return page(records, query.limit).map { materialize(resource, $0) }
    }

    private func page<Element>(_ items: [Element], _ limit: (offset: Int, count: Int)?) -> [Element] {
        guard let limit else { return items }
        let start = min(limit.offset, items.count)
        let end = limit.count >= items.count - start ? items.count : start + limit.count
        return Array(items[start..<end])
    }

    /// Adds what PrestaShop computes on read: stock quantities, product associations, order rows.
    func materialize(_ resource: String, _ record: Record) -> Record {
        var record = record
        switch resource {
        case "products":
            let combinations = combinationsByProduct[record.id] ?? []
            record["quantity"] = .int(stockQuantity(StockKey(productID: record.id, attributeID: 0)))
            record["id_default_combination"] = .int(combinations.first ?? 0)
            record.associations["combinations"] = combinations.map { ["id": .int($0)] }
            record.associations["stock_availables"] = ([0] + combinations).compactMap { attribute in
                stockIndex[StockKey(productID: record.id, attributeID: attribute)].map {
                    ["id": .int($0), "id_product_attribute": .int(attribute)]
                }
            }
            if record.associations["categories"] == nil { record.associations["categories"] = [["id": .int(2)]] }
        case "combinations":
            let productID = record["id_product"].intValue ?? 0
            record["quantity"] = .int(stockQuantity(StockKey(productID: productID, attributeID: record.id)))
        case "orders":
            let details = tables["order_details"]
            record.associations["order_rows"] = (detailsByOrder[record.id] ?? []).compactMap { details?.record($0) }
                .map(Self.orderRow)
        default:
            break
        }
        return record
    }

    private static func orderRow(_ detail: Record) -> [String: FieldValue] {
        [
            "id": .int(detail.id), "product_id": detail["product_id"],
            "product_attribute_id": detail["product_attribute_id"], "product_quantity": detail["product_quantity"],
            "product_name": detail["product_name"], "product_reference": detail["product_reference"],
            "product_ean13": detail["product_ean13"], "product_isbn": detail["product_isbn"],
            "product_upc": detail["product_upc"], "product_price": detail["product_price"],
            "id_customization": detail["id_customization"], "unit_price_tax_incl": detail["unit_price_tax_incl"],
            "unit_price_tax_excl": detail["unit_price_tax_excl"],
        ]
    }

    func stockQuantity(_ key: StockKey) -> Int {
        guard let id = stockIndex[key] else { return 0 }
        return tables["stock_availables"]?.record(id)?["quantity"].intValue ?? 0
    }

    // MARK: - Table helpers

    func record(_ resource: String, _ id: Int) -> Record? {
        tables[resource]?.record(id)
    }

    func insert(_ resource: String, _ record: Record) {
        tables[resource]?.insert(record)
    }

    func nextID(_ resource: String) -> Int {
        tables[resource]?.nextID() ?? 0
    }

    /// The order state row as a dataset state (flags), if it exists.
    func orderState(_ id: Int) -> Record? {
        record("order_states", id)
    }

    /// Tax rate, tax id and tax name for a tax rules group in a country, from `tax_rules` and `taxes`.
    func tax(group: Int, country: Int) -> (rate: Decimal, taxID: Int, name: String)? {
        guard let rules = tables["tax_rules"], let taxes = tables["taxes"] else { return nil }
        for id in rules.ids {
            guard let rule = rules.record(id), rule["id_tax_rules_group"].intValue == group,
                rule["id_country"].intValue == country, let taxID = rule["id_tax"].intValue,
                let tax = taxes.record(taxID)
            else { continue }
            let name: String = if case .text(let names) = tax["name"] { names[1] ?? "" } else { "" }
            return (tax["rate"].decimalValue ?? 0, taxID, name)
        }
        return nil
    }

    /// Re-computes the combination-0 stock row of a product with combinations as the sum of its combinations.
    func syncProductStock(_ productID: Int) {
        let combinations = combinationsByProduct[productID] ?? []
        guard !combinations.isEmpty, let rowID = stockIndex[StockKey(productID: productID, attributeID: 0)],
            var row = record("stock_availables", rowID)
        else { return }
        let total = combinations.reduce(0) { $0 + stockQuantity(StockKey(productID: productID, attributeID: $1)) }
        row["quantity"] = .int(total)
        insert("stock_availables", row)
    }

    func adjustStock(_ key: StockKey, by delta: Int) {
        guard let rowID = stockIndex[key], var row = record("stock_availables", rowID) else { return }
        row["quantity"] = .int((row["quantity"].intValue ?? 0) + delta)
        insert("stock_availables", row)
        if key.attributeID != 0 { syncProductStock(key.productID) }
    }

    func noteOrderCreated() {
        ordersCreated += 1
    }

    /// Nine upper-case letters, unique in the shop.
    func newReference() -> String {
        while true {
            let letters = (0..<9).map { _ in Character(UnicodeScalar(UInt8(65 + random.next() % 26))) }
            let reference = String(letters)
            if references.insert(reference).inserted { return reference }
        }
    }

    func randomHex(_ count: Int) -> String {
        (0..<count).map { _ in String(random.next() % 16, radix: 16) }.joined()
    }
}
