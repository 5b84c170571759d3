import FerrySandboxData
import Foundation

/// The SuiteQL tables the sandbox exposes (A5, A11), read from the store's current state.
///
/// - `transaction`: id, tranid, externalid, type (`SalesOrd`/`CustDep`), entity, trandate, total, foreigntotal,
///   currency, subsidiary, memo, otherrefnum, salesorder (deposits), createddate, lastmodifieddate;
/// - `customer`: id, entityid, externalid, email, firstname, lastname, companyname, isperson (`T`/`F`),
///   subsidiary, currency, phone, datecreated, lastmodifieddate;
/// - `item`: id, itemid, externalid, displayname, description, itemtype (`InvtPart`), upccode, isinactive,
///   lastmodifieddate;
/// - `inventoryitemlocations`: item, location, quantityonhand, quantityavailable, quantitycommitted,
///   quantityonorder, quantitybackordered;
/// - `pricing`: item, pricelevel, currency, quantity, unitprice, saleunit;
/// - `location`, `subsidiary`, `currency`, `pricelevel`: id, name (+ subsidiary / currency / symbol).
///
/// Values print as SuiteQL over REST prints them: strings, dates as `M/D/YYYY` (use `TO_CHAR` for a time).
extension RecordStore {
    func runSuiteQL(_ query: SuiteQLQuery) throws -> [SuiteQLRow] {
        if let cached = suiteQLCache.first(where: { $0.query == query && $0.version == version }) {
            return cached.rows
        }
        guard let table = suiteQLTable(query.table) else {
            throw SuiteQLError(reason: "Record '\(query.table)' was not found.")
        }
        let rows = try SuiteQLExecutor.run(query, on: table)
        suiteQLCache.removeAll { $0.version != version }
        suiteQLCache.append((query, version, rows))
        if suiteQLCache.count > 4 { suiteQLCache.removeFirst() }
        return rows
    }

    func suiteQLTable(_ name: String) -> SuiteQLTable? {
        switch name {
        case "transaction": transactionTable()
        case "customer": customerTable()
        case "item": itemTable()
        case "inventoryitemlocations": inventoryTable()
        case "pricing": pricingTable()
        case "location", "subsidiary", "currency", "pricelevel": listTable(name)
        default: nil
        }
    }

    // MARK: Tables

    private func transactionTable() -> SuiteQLTable {
        let columns = [
            "id", "tranid", "externalid", "type", "entity", "trandate", "total", "foreigntotal", "currency",
            "subsidiary", "memo", "otherrefnum", "salesorder", "createddate", "lastmodifieddate",
        ]
        let orders = recordTable(.salesOrder)
        let deposits = recordTable(.customerDeposit)
        let orderIDs = orderedIDs(.salesOrder)
        let depositIDs = orderedIDs(.customerDeposit)
        let orderExternalIDs = externalIDIndex(.salesOrder)
        let depositExternalIDs = externalIDIndex(.customerDeposit)
        let row = { (record: StoredRecord) -> [SQLValue] in
            let total = self.totals(of: record).map { SQLValue.number($0.total) } ?? .null
            return [
                .number(Decimal(record.id)), Self.text(record.text("tranId")), Self.text(record.externalID),
                .text(record.type.transactionTypeCode ?? ""),
                Self.reference(record, record.type == .salesOrder ? "entity" : "customer"),
                Self.day(record.text("tranDate")), total, total, Self.reference(record, "currency"),
                Self.reference(record, "subsidiary"), Self.text(record.text("memo")),
                Self.text(record.text("otherRefNum")), Self.reference(record, "salesOrder"),
                .date(record.created), .date(record.lastModified),
            ]
        }
        return SuiteQLTable(name: "transaction", columns: columns) { visit in
            // Both id lists ascend and share one sequence: merge them to scan in id order.
            var orderIndex = 0
            var depositIndex = 0
            while orderIndex < orderIDs.count || depositIndex < depositIDs.count {
                let takeOrder =
                    depositIndex >= depositIDs.count
                    || (orderIndex < orderIDs.count && orderIDs[orderIndex] < depositIDs[depositIndex])
                if takeOrder {
                    if let record = orders[orderIDs[orderIndex]] { visit(row(record)) }
                    orderIndex += 1
                } else {
                    if let record = deposits[depositIDs[depositIndex]] { visit(row(record)) }
                    depositIndex += 1
                }
            }
        } lookup: { column, keys in
            switch column {
            case "id":
                return keys.compactMap(Int.init).compactMap { orders[$0] ?? deposits[$0] }.map(row)
            case "externalid":
                return keys.flatMap { key in
                    [orderExternalIDs[key].flatMap { orders[$0] }, depositExternalIDs[key].flatMap { deposits[$0] }]
                        .compactMap { $0 }
                }.map(row)
            default:
                return nil
            }
        }
    }

    private func customerTable() -> SuiteQLTable {
        let columns = [
            "id", "entityid", "externalid", "email", "firstname", "lastname", "companyname", "isperson",
            "subsidiary", "currency", "phone", "datecreated", "lastmodifieddate",
        ]
        let customers = recordTable(.customer)
        let ids = orderedIDs(.customer)
        let externalIDs = externalIDIndex(.customer)
        let row = { (record: StoredRecord) -> [SQLValue] in
            [
                .number(Decimal(record.id)), Self.text(record.text("entityId")), Self.text(record.externalID),
                Self.text(record.text("email")), Self.text(record.text("firstName")),
                Self.text(record.text("lastName")), Self.text(record.text("companyName")),
                .text(record.body["isPerson"]?.boolValue == true ? "T" : "F"),
                Self.reference(record, "subsidiary"), Self.reference(record, "currency"),
                Self.text(record.text("phone")), .date(record.created), .date(record.lastModified),
            ]
        }
        return SuiteQLTable(name: "customer", columns: columns) { visit in
            for id in ids { if let record = customers[id] { visit(row(record)) } }
        } lookup: { column, keys in
            switch column {
            case "id": return keys.compactMap(Int.init).compactMap { customers[$0] }.map(row)
            case "externalid":
                return keys.compactMap { externalIDs[$0].flatMap { customers[$0] } }.map(row)
            default: return nil
            }
        }
    }

    private func itemTable() -> SuiteQLTable {
        let columns = [
            "id", "itemid", "externalid", "displayname", "description", "itemtype", "upccode", "isinactive",
            "lastmodifieddate",
        ]
        let items = recordTable(.inventoryItem)
        let ids = orderedIDs(.inventoryItem)
        let externalIDs = externalIDIndex(.inventoryItem)
        let row = { (record: StoredRecord) -> [SQLValue] in
            [
                .number(Decimal(record.id)), Self.text(record.text("itemId")), Self.text(record.externalID),
                Self.text(record.text("displayName")), Self.text(record.text("description")), .text("InvtPart"),
                Self.text(record.text("upcCode")), .text(record.body["isInactive"]?.boolValue == true ? "T" : "F"),
                .date(record.lastModified),
            ]
        }
        return SuiteQLTable(name: "item", columns: columns) { visit in
            for id in ids { if let record = items[id] { visit(row(record)) } }
        } lookup: { column, keys in
            switch column {
            case "id": return keys.compactMap(Int.init).compactMap { items[$0] }.map(row)
            case "externalid":
                return keys.compactMap { externalIDs[$0].flatMap { items[$0] } }.map(row)
            default: return nil
            }
        }
    }

    private func inventoryTable() -> SuiteQLTable {
        let columns = [
            "item", "location", "quantityonhand", "quantityavailable", "quantitycommitted", "quantityonorder",
            "quantitybackordered",
        ]
        let book = inventory
        let row = { (key: ItemLocation) -> [SQLValue] in
            let level = book.level(key) ?? InventoryLevel(onHand: 0)
            return [
                .number(Decimal(key.item)), .number(Decimal(key.location)), .number(level.onHand),
                .number(level.available), .number(level.committed), .number(level.onOrder), .number(level.backordered),
            ]
        }
        return SuiteQLTable(name: "inventoryitemlocations", columns: columns) { visit in
            for key in book.order { visit(row(key)) }
        } lookup: { column, keys in
            guard column == "item" else { return nil }
            return keys.compactMap(Int.init).flatMap { item in
                (book.locationsByItem[item] ?? []).map { row(ItemLocation(item: item, location: $0)) }
            }
        }
    }

    private func pricingTable() -> SuiteQLTable {
        let columns = ["item", "pricelevel", "currency", "quantity", "unitprice", "saleunit"]
        let prices = dataset.pricing
        let row = { (price: SandboxDataset.ItemPrice) -> [SQLValue] in
            [
                .number(Decimal(price.itemID)), .number(Decimal(price.priceLevelID)),
                .number(Decimal(price.currencyNetSuiteID)), .number(0), .number(price.unitPrice), .null,
            ]
        }
        let positions = pricingIndexByItem()
        return SuiteQLTable(name: "pricing", columns: columns) { visit in
            for price in prices { visit(row(price)) }
        } lookup: { column, keys in
            guard column == "item" else { return nil }
            return keys.compactMap(Int.init).flatMap { item in (positions[item] ?? []).map { row(prices[$0]) } }
        }
    }

    private func listTable(_ name: String) -> SuiteQLTable {
        let columns: [String]
        let rows: [[SQLValue]]
        switch name {
        case "location":
            columns = ["id", "name", "subsidiary"]
            rows = dataset.locations.map {
                [.number(Decimal($0.id)), .text($0.name), .number(Decimal($0.subsidiaryID))]
            }
        case "subsidiary":
            columns = ["id", "name", "currency"]
            rows = dataset.subsidiaries.map {
                [.number(Decimal($0.id)), .text($0.name), .number(Decimal($0.currencyNetSuiteID))]
            }
        case "currency":
            columns = ["id", "name", "symbol"]
            rows = dataset.currencies.map { [.number(Decimal($0.netSuiteID)), .text($0.name), .text($0.isoCode)] }
        default:
            columns = ["id", "name"]
            rows = dataset.priceLevels.map { [.number(Decimal($0.id)), .text($0.name)] }
        }
        return SuiteQLTable(name: name, columns: columns) { visit in
            rows.forEach(visit)
        } lookup: { _, _ in
            nil
        }
    }

    // MARK: Cells

    private static func text(_ value: String?) -> SQLValue {
        value.map(SQLValue.text) ?? .null
    }

    private static func day(_ value: String?) -> SQLValue {
        value.flatMap(DateText.parseDay).map(SQLValue.date) ?? .null
    }

    private static func reference(_ record: StoredRecord, _ field: String) -> SQLValue {
        record.referenceID(field).map { .number(Decimal($0)) } ?? .null
    }
}
