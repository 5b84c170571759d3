import FerrySandboxData
import Foundation

/// The account's data: records, external-id indexes, inventory, and the bookkeeping the control API reports
/// (creates per external id).
///
/// All methods are synchronous inside the actor, so a write validates and commits without interleaving.
actor RecordStore {
    /// Options a write request carries in its query string and headers.
    struct WriteOptions: Sendable {
        /// Sublists named in `?replace=` are replaced rather than appended to.
        var replaceSublists: Set<String> = []
        /// `X-NetSuite-PropertyNameValidation: Error`: unknown body fields are refused instead of kept.
        var rejectUnknownFields = false
    }

    let reference: ReferenceData
    let dataset: SandboxDataset
    private let clock: @Sendable () -> Date

    private var records: [RecordType: [Int: StoredRecord]] = [:]
    /// Ids per type in creation order (ascending, as ids only grow).
    private var ids: [RecordType: [Int]] = [:]
    private var externalIDs: [RecordType: [String: Int]] = [:]
    private var createsByExternalID: [RecordType: [String: Int]] = [:]
    private var nextTransactionID = 5_001
    private var nextCustomerID: Int
    private var nextItemID: Int
    private(set) var inventory: InventoryBook
    private var pricingIndex: [Int: [Int]]?
    /// Bumped by every change, so cached SuiteQL results know when they are stale.
    private(set) var version = 0
    /// The last SuiteQL results, so paging through a large result does not re-run the query per page.
    var suiteQLCache: [(query: SuiteQLQuery, version: Int, rows: [SuiteQLRow])] = []

    init(dataset: SandboxDataset, clock: @escaping @Sendable () -> Date) {
        self.dataset = dataset
        self.clock = clock
        reference = ReferenceData(dataset: dataset)
        inventory = InventoryBook(balances: dataset.inventory)

        let seededAt = Date(timeIntervalSince1970: 1_640_995_200)
        var items: [Int: StoredRecord] = [:]
        items.reserveCapacity(dataset.skus.count)
        var itemIDs: [Int] = []
        var itemExternalIDs: [String: Int] = [:]
        let productNames = Dictionary(
            dataset.products.map { ($0.id, $0.name) },
            uniquingKeysWith: { first, _ in first }
        )
        for sku in dataset.skus where items[sku.netSuiteItemID] == nil {
            let name = productNames[sku.productID] ?? sku.reference
            let body: [String: JSONValue] = [
                "itemId": .string(sku.reference),
                "displayName": .string(sku.attributeLabel.isEmpty ? name : "\(name) - \(sku.attributeLabel)"),
                "externalId": .string(sku.netSuiteExternalID),
                "upcCode": .string(sku.ean13),
            ]
            items[sku.netSuiteItemID] = StoredRecord(
                type: .inventoryItem,
                id: sku.netSuiteItemID,
                body: body,
                created: seededAt,
                lastModified: seededAt,
                seeded: true
            )
            itemIDs.append(sku.netSuiteItemID)
            itemExternalIDs[sku.netSuiteExternalID] = sku.netSuiteItemID
        }

        // Items that are not products: discount, gift wrapping, rounding (discount and other-charge items in NetSuite).
        for charge in dataset.netSuiteChargeItems where items[charge.id] == nil {
            items[charge.id] = StoredRecord(
                type: .inventoryItem,
                id: charge.id,
                body: ["itemId": .string(charge.itemID), "displayName": .string(charge.displayName)],
                created: seededAt,
                lastModified: seededAt,
                seeded: true
            )
            itemIDs.append(charge.id)
        }

        // Customers keyed in by hand before Ferry: no externalId, found by email.
        var customers: [Int: StoredRecord] = [:]
        var customerIDs: [Int] = []
        let countries = Dictionary(dataset.countries.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let addresses = Dictionary(dataset.addresses.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for customer in dataset.customers {
            guard let id = customer.netSuiteID, customers[id] == nil else { continue }
            let country = customer.addressIDs.first.flatMap { addresses[$0] }.flatMap { countries[$0.countryID] }
            let currency = country.flatMap { dataset.currency(id: $0.currencyID) }?.netSuiteID ?? 1
            var body: [String: JSONValue] = [
                "entityId": .string(customer.company ?? "\(customer.firstName) \(customer.lastName)"),
                "email": .string(customer.email),
                "firstName": .string(customer.firstName),
                "lastName": .string(customer.lastName),
                "isPerson": .bool(customer.company == nil),
                "subsidiary": .object(["id": .string(String(dataset.shopSubsidiaryID))]),
                "currency": .object(["id": .string(String(currency))]),
            ]
            if let company = customer.company { body["companyName"] = .string(company) }
            customers[id] = StoredRecord(
                type: .customer,
                id: id,
                body: body,
                created: customer.dateAdd,
                lastModified: customer.dateAdd,
                seeded: true
            )
            customerIDs.append(id)
        }

        records = [.inventoryItem: items, .customer: customers, .salesOrder: [:], .customerDeposit: [:]]
        ids = [
            .inventoryItem: itemIDs.sorted(), .customer: customerIDs.sorted(), .salesOrder: [], .customerDeposit: [],
        ]
        externalIDs = [.inventoryItem: itemExternalIDs, .customer: [:], .salesOrder: [:], .customerDeposit: [:]]
        nextItemID = (itemIDs.max() ?? 0) + 1
        nextCustomerID = max((customerIDs.max() ?? 0) + 1, 1_000)
    }

    var now: Date { clock() }

    // MARK: - Reading

    func record(_ type: RecordType, _ key: RecordKey) throws -> StoredRecord {
        switch key {
        case .internalID(let id):
            if let record = records[type]?[id] { return record }
            // Another transaction type under the same id: NetSuite says the type is wrong, not that it is missing.
            if type.isTransaction,
                RecordType.allCases.contains(where: { $0 != type && $0.isTransaction && records[$0]?[id] != nil })
            {
                throw NetSuiteError.wrongTransactionType()
            }
            throw NetSuiteError.nonexistentID()
        case .externalID(let externalID):
            guard let id = externalIDs[type]?[externalID], let record = records[type]?[id] else {
                throw NetSuiteError.nonexistentID()
            }
            return record
        }
    }

    func existingRecord(_ type: RecordType, id: Int) -> StoredRecord? {
        records[type]?[id]
    }

    /// Records of a type in id order.
    func allRecords(_ type: RecordType, includeSeeded: Bool = true) -> [StoredRecord] {
        let table = records[type] ?? [:]
        return (ids[type] ?? []).compactMap { table[$0] }.filter { includeSeeded || !$0.seeded }
    }

    func orderedIDs(_ type: RecordType) -> [Int] { ids[type] ?? [] }

    func recordTable(_ type: RecordType) -> [Int: StoredRecord] { records[type] ?? [:] }

    func internalID(_ type: RecordType, externalID: String) -> Int? { externalIDs[type]?[externalID] }

    func externalIDIndex(_ type: RecordType) -> [String: Int] { externalIDs[type] ?? [:] }

    /// How many successful creates each external id got, per record type (POST and upserts that created).
    func createCounts() -> [RecordType: [String: Int]] { createsByExternalID }

    // MARK: - Writing

    /// `POST /record/v1/{type}`.
    func create(_ type: RecordType, body: JSONValue, options: WriteOptions) throws -> StoredRecord {
        let fields = try Self.bodyObject(body)
        if let externalID = fields["externalId"]?.stringValue, externalIDs[type]?[externalID] != nil {
            throw NetSuiteError.duplicateExternalID()
        }
        let now = clock()
        var record = StoredRecord(type: type, id: peekNextID(type), body: [:], created: now, lastModified: now)
        try apply(fields, to: &record, options: options)
        try complete(&record, isCreate: true)
        commitCreate(record)
        return record
    }

    /// `PUT /record/v1/{type}/eid:{externalId}`: updates the record with that external id, or creates it.
    func upsert(
        _ type: RecordType,
        externalID: String,
        body: JSONValue,
        options: WriteOptions
    ) throws -> (record: StoredRecord, created: Bool) {
        var fields = try Self.bodyObject(body)
        if let sent = fields["externalId"], sent != .string(externalID) {
            throw NetSuiteError.invalidFieldValue(sent.scalarText ?? "null", field: "externalid", path: "externalId")
        }
        fields["externalId"] = .string(externalID)
        if let id = externalIDs[type]?[externalID] {
            return (try update(type, .internalID(id), fields: fields, options: options), false)
        }
        return (try create(type, body: .object(fields), options: options), true)
    }

    /// `PATCH /record/v1/{type}/{id}`: omitted fields stay, `null` clears, sublist lines without `line` are appended.
    func update(_ type: RecordType, _ key: RecordKey, body: JSONValue, options: WriteOptions) throws -> StoredRecord {
        try update(type, key, fields: try Self.bodyObject(body), options: options)
    }

    private func update(
        _ type: RecordType,
        _ key: RecordKey,
        fields: [String: JSONValue],
        options: WriteOptions
    ) throws -> StoredRecord {
        let existing = try record(type, key)
        if let newExternalID = fields["externalId"]?.stringValue, newExternalID != existing.externalID,
            externalIDs[type]?[newExternalID] != nil
        {
            throw NetSuiteError.duplicateExternalID()
        }
        var record = existing
        try apply(fields, to: &record, options: options)
        try complete(&record, isCreate: false)
        record.lastModified = max(clock(), existing.lastModified)
        record.seeded = existing.seeded && record.body == existing.body

        if let old = existing.externalID { externalIDs[type]?[old] = nil }
        if let new = record.externalID { externalIDs[type, default: [:]][new] = record.id }
        inventory.applyDemand(of: existing, sign: -1)
        inventory.applyDemand(of: record, sign: 1)
        records[type, default: [:]][record.id] = record
        version += 1
        return record
    }

    /// `DELETE /record/v1/{type}/{id}`. Refused while other records depend on it (A4, A13.7).
    func delete(_ type: RecordType, _ key: RecordKey) throws {
        let record = try record(type, key)
        guard !hasDependents(record) else { throw NetSuiteError.dependentRecords() }
        records[type]?[record.id] = nil
        ids[type]?.removeAll { $0 == record.id }
        if let externalID = record.externalID { externalIDs[type]?[externalID] = nil }
        inventory.applyDemand(of: record, sign: -1)
        version += 1
    }

    private func hasDependents(_ record: StoredRecord) -> Bool {
        switch record.type {
        case .salesOrder:
            return records[.customerDeposit, default: [:]].values.contains { $0.referenceID("salesOrder") == record.id }
        case .customer:
            return records[.salesOrder, default: [:]].values.contains { $0.referenceID("entity") == record.id }
                || records[.customerDeposit, default: [:]].values.contains { $0.referenceID("customer") == record.id }
        case .inventoryItem:
            return records[.salesOrder, default: [:]].values.contains { order in
                order.lines.contains { $0.referenceID("item") == record.id }
            }
        case .customerDeposit:
            return false
        }
    }

    private func peekNextID(_ type: RecordType) -> Int {
        switch type {
        case .salesOrder, .customerDeposit: nextTransactionID
        case .customer: nextCustomerID
        case .inventoryItem: nextItemID
        }
    }

    private func commitCreate(_ record: StoredRecord) {
        switch record.type {
        case .salesOrder, .customerDeposit: nextTransactionID = record.id + 1
        case .customer: nextCustomerID = record.id + 1
        case .inventoryItem: nextItemID = record.id + 1
        }
        records[record.type, default: [:]][record.id] = record
        ids[record.type, default: []].append(record.id)
        if let externalID = record.externalID {
            externalIDs[record.type, default: [:]][externalID] = record.id
            createsByExternalID[record.type, default: [:]][externalID, default: 0] += 1
        }
        inventory.applyDemand(of: record, sign: 1)
        version += 1
    }

    static func bodyObject(_ body: JSONValue) throws -> [String: JSONValue] {
        guard let fields = body.objectValue else { throw NetSuiteError.malformedJSON() }
        return fields
    }

    // MARK: - Inventory and prices

    /// Sets or shifts quantities of an item at a location, as a receipt, adjustment or transfer would.
    func adjustInventory(
        item: Int,
        location: Int,
        setOnHand: Decimal?,
        deltaOnHand: Decimal?,
        setOnOrder: Decimal?
    ) throws -> InventoryLevel {
        guard records[.inventoryItem]?[item] != nil else {
            throw NetSuiteError.invalidFieldValue(String(item), field: "item", path: "item")
        }
        guard reference.locations[location] != nil else {
            throw NetSuiteError.invalidFieldValue(String(location), field: "location", path: "location")
        }
        let key = ItemLocation(item: item, location: location)
        version += 1
        inventory.modify(key) { level in
            if let setOnHand { level.onHand = setOnHand }
            if let deltaOnHand { level.onHand += deltaOnHand }
            if let setOnOrder { level.onOrder = setOnOrder }
        }
        if var itemRecord = records[.inventoryItem]?[item] {
            itemRecord.lastModified = clock()
            records[.inventoryItem]?[item] = itemRecord
        }
        return inventory.level(key) ?? InventoryLevel(onHand: 0)
    }

    /// Indices into `dataset.pricing` per item, built on first use so start-up stays fast.
    func pricingIndexByItem() -> [Int: [Int]] {
        if let pricingIndex { return pricingIndex }
        var index: [Int: [Int]] = [:]
        index.reserveCapacity(dataset.skus.count)
        for (position, price) in dataset.pricing.enumerated() {
            index[price.itemID, default: []].append(position)
        }
        pricingIndex = index
        return index
    }

    func pricingRows(item: Int) -> [Int] {
        pricingIndexByItem()[item] ?? []
    }

    /// The unit price of an item at a price level in a currency, from the `pricing` table.
    func unitPrice(item: Int, priceLevel: Int, currency: Int) -> Decimal? {
        pricingRows(item: item).lazy.map { self.dataset.pricing[$0] }
            .first { $0.priceLevelID == priceLevel && $0.currencyNetSuiteID == currency }?.unitPrice
    }
}
