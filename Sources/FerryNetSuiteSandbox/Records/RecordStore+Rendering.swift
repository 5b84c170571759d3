import FerrySandboxData
import Foundation

/// Read-only totals NetSuite computes on transactions (A13.3).
struct TransactionTotals: Sendable, Equatable {
    var subTotal: Decimal
    var taxTotal: Decimal
    var total: Decimal
}

/// Records as NetSuite renders them (A3): `links`, references as `{links, id, refName}`, computed totals, and the
/// item sublist as a link unless `expandSubResources=true`.
extension RecordStore {
    static let recordPath = "/services/rest/record/v1"

    nonisolated static func href(_ baseURL: String, _ type: RecordType, _ id: Int) -> String {
        "\(baseURL)\(recordPath)/\(type.linkName)/\(id)"
    }

    /// Sales order: sum of line amounts (discount lines are negative), tax per line from its tax code's rate (rounded
    /// per line), plus shipping and handling, plus shipping tax from the shipping tax code (rounded once), which is part
    /// of the tax total. Deposit: the payment.
    nonisolated func totals(of record: StoredRecord) -> TransactionTotals? {
        switch record.type {
        case .salesOrder:
            var subTotal = Decimal(0)
            var taxTotal = Decimal(0)
            for line in record.lines {
                let amount = line.number("amount") ?? 0
                subTotal += amount
                if let taxCode = line.referenceID("taxCode"), let rate = reference.taxRate(taxCodeID: taxCode) {
                    taxTotal += (amount * rate / 100).rounded(2)
                }
            }
            let shipping = record.number("shippingCost") ?? 0
            if let taxCode = record.referenceID("shippingTaxCode"), let rate = reference.taxRate(taxCodeID: taxCode) {
                taxTotal += (shipping * rate / 100).rounded(2)
            }
            let charges = shipping + (record.number("handlingCost") ?? 0)
            return TransactionTotals(subTotal: subTotal, taxTotal: taxTotal, total: subTotal + taxTotal + charges)
        case .customerDeposit:
            let payment = record.number("payment") ?? 0
            return TransactionTotals(subTotal: payment, taxTotal: 0, total: payment)
        case .customer, .inventoryItem:
            return nil
        }
    }

    func refName(_ type: RecordType, id: Int) -> String? {
        guard let record = existingRecord(type, id: id) else { return nil }
        switch type {
        case .customer: return record.text("entityId")
        case .inventoryItem: return record.text("itemId")
        case .salesOrder: return "Sales Order #\(record.text("tranId") ?? String(id))"
        case .customerDeposit: return "Customer Deposit #\(record.text("tranId") ?? String(id))"
        }
    }

    func render(_ record: StoredRecord, baseURL: String, expandSubResources: Bool) -> JSONValue {
        let schema = record.type.schema
        var output: [String: JSONValue] = [:]
        for (name, value) in record.body {
            if case .reference(let target, _)? = schema.fields[name] {
                output[name] = renderReference(value, target: target, baseURL: baseURL)
            } else {
                output[name] = value
            }
        }
        let selfLink = Self.href(baseURL, record.type, record.id)
        output["links"] = Self.links(["self": selfLink])
        output["id"] = .string(String(record.id))
        output["createdDate"] = .string(DateText.timestamp(record.created))
        output["lastModifiedDate"] = .string(DateText.timestamp(record.lastModified))
        if record.type == .customer {
            output["dateCreated"] = output["createdDate"]
            output["createdDate"] = nil
        }
        if let totals = totals(of: record) {
            if record.type == .salesOrder {
                output["subTotal"] = .number(totals.subTotal)
                output["taxTotal"] = .number(totals.taxTotal)
            }
            output["total"] = .number(totals.total)
        }
        if let sublist = schema.sublist {
            output[sublist.name] =
                expandSubResources
                ? renderSublist(record, baseURL: baseURL)
                : .object(["links": Self.links(["self": "\(selfLink)/\(sublist.name)"])])
        }
        return .object(output)
    }

    /// The `item` sublist as a collection of lines (what `/…/{id}/item` and `expandSubResources=true` return).
    func renderSublist(_ record: StoredRecord, baseURL: String) -> JSONValue {
        guard let sublist = record.type.schema.sublist else { return .null }
        let sublistLink = "\(Self.href(baseURL, record.type, record.id))/\(sublist.name)"
        let items: [JSONValue] = record.lines.map { line in
            var output: [String: JSONValue] = [:]
            for (name, value) in line.fields {
                if case .reference(let target, _)? = sublist.fields[name] {
                    output[name] = renderReference(value, target: target, baseURL: baseURL)
                } else {
                    output[name] = value
                }
            }
            output["line"] = .number(Decimal(line.line))
            output["links"] = Self.links(["self": "\(sublistLink)/\(line.line)"])
            return .object(output)
        }
        return .object([
            "links": Self.links(["self": sublistLink]),
            "items": .array(items),
            "count": .number(Decimal(items.count)),
            "totalResults": .number(Decimal(items.count)),
            "offset": .number(0),
            "hasMore": .bool(false),
        ])
    }

    private func renderReference(_ value: JSONValue, target: ReferenceTarget, baseURL: String) -> JSONValue {
        guard let idText = value["id"]?.scalarText, let id = Int(idText) else { return value }
        var output: [String: JSONValue] = ["id": .string(idText)]
        if let type = target.servedType {
            output["links"] = Self.links(["self": Self.href(baseURL, type, id)])
            if let name = refName(type, id: id) { output["refName"] = .string(name) }
        } else {
            output["links"] = .array([])
            if let name = reference.refName(target, id: id) { output["refName"] = .string(name) }
        }
        return .object(output)
    }

    nonisolated static func links(_ relations: KeyValuePairs<String, String>) -> JSONValue {
        .array(relations.map { .object(["rel": .string($0.key), "href": .string($0.value)]) })
    }
}

// MARK: - Queries used by the routes

extension RecordStore {
    func renderRecord(
        _ type: RecordType,
        _ key: RecordKey,
        baseURL: String,
        expandSubResources: Bool
    ) throws -> JSONValue {
        render(try record(type, key), baseURL: baseURL, expandSubResources: expandSubResources)
    }

    func renderSublist(_ type: RecordType, _ key: RecordKey, baseURL: String) throws -> JSONValue {
        renderSublist(try record(type, key), baseURL: baseURL)
    }

    /// Ids of the records that pass every `<field> IS <value>` filter, in id order. Text compares without regard
    /// to case, references by their id.
    func filteredIDs(_ type: RecordType, filters: [CollectionFilter]) -> [Int] {
        guard !filters.isEmpty else { return orderedIDs(type) }
        var candidates = orderedIDs(type)
        if let external = filters.first(where: { $0.field.lowercased() == "externalid" }) {
            candidates = internalID(type, externalID: external.value).map { [$0] } ?? []
        }
        let table = recordTable(type)
        return candidates.filter { id in
            guard let record = table[id] else { return false }
            return filters.allSatisfy { filter in
                if filter.field.lowercased() == "id" { return filter.value == String(id) }
                guard let value = record.body.first(where: { $0.key.lowercased() == filter.field.lowercased() })?.value
                else { return false }
                switch value {
                case .string(let text): return text.lowercased() == filter.value.lowercased()
                case .number(let number): return Decimal(string: filter.value) == number
                case .bool(let flag): return ["true", "t"].contains(filter.value.lowercased()) == flag
                case .object: return value["id"]?.scalarText == filter.value
                default: return false
                }
            }
        }
    }
}
