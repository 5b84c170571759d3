import FerrySandboxData
import Foundation

/// Validation and merging of a request body into a record, NetSuite's way (A2, A4, A13.3–6).
extension RecordStore {
    /// Merges body fields into a record: read-only fields refused, references checked, `null` clears,
    /// sublist lines merged by `line` or appended.
    func apply(_ fields: [String: JSONValue], to record: inout StoredRecord, options: WriteOptions) throws {
        let schema = record.type.schema
        for key in fields.keys.sorted() {
            guard let value = fields[key] else { continue }
            let name = schema.canonicalName(key)
            if schema.readOnly.contains(name) {
                throw NetSuiteError.readOnlyField(name, path: key)
            }
            if let sublist = schema.sublist, name == sublist.name {
                try applySublist(value, sublist: sublist, to: &record, replace: options.replaceSublists.contains(name))
                continue
            }
            if value.isNull {
                record.body[name] = nil
                continue
            }
            guard let kind = schema.fields[name] else {
                guard !options.rejectUnknownFields else {
                    throw NetSuiteError.invalidContent(
                        "Error while accessing a resource. Invalid field name '\(key)' for record "
                            + "'\(record.type.linkName)'.",
                        path: key
                    )
                }
                record.body[name] = value  // custom and unmodelled fields are kept as sent
                continue
            }
            record.body[name] = try normalise(value, kind: kind, field: name, path: key)
        }
    }

    private func applySublist(
        _ value: JSONValue,
        sublist: RecordSchema.Sublist,
        to record: inout StoredRecord,
        replace: Bool
    ) throws {
        if value.isNull {
            if replace { record.lines = [] }
            return
        }
        guard let sent = value["items"]?.arrayValue else {
            throw NetSuiteError.invalidContent(
                "Error while accessing a resource. The sublist '\(sublist.name)' must be an object "
                    + "with an 'items' array.",
                path: sublist.name
            )
        }
        var result = replace ? [] : record.lines
        for (index, element) in sent.enumerated() {
            let path = "\(sublist.name).items[\(index)]"
            guard let lineFields = element.objectValue else {
                throw NetSuiteError.invalidContent(
                    "Error while accessing a resource. A sublist line must be an object.",
                    path: path
                )
            }
            var line: SublistLine
            if let key = lineFields["line"], !key.isNull {
                guard let number = key.lenientNumber.flatMap({ Int(exactly: NSDecimalNumber(decimal: $0)) }),
                    let existing = record.lines.first(where: { $0.line == number })
                else {
                    throw NetSuiteError.invalidFieldValue(key.scalarText ?? "", field: "line", path: "\(path).line")
                }
                line = existing
                result.removeAll { $0.line == number }
            } else {
                // Lines without their key are always appended (A4): what makes naive retries duplicate lines.
                line = SublistLine(line: record.nextLineNumber, fields: [:])
                record.nextLineNumber += 1
            }
            for fieldName in lineFields.keys.sorted() where fieldName != "line" {
                guard let fieldValue = lineFields[fieldName] else { continue }
                if sublist.readOnly.contains(fieldName) {
                    throw NetSuiteError.readOnlyField(fieldName, path: "\(path).\(fieldName)")
                }
                if fieldValue.isNull {
                    line.fields[fieldName] = nil
                } else if let kind = sublist.fields[fieldName] {
                    line.fields[fieldName] = try normalise(
                        fieldValue,
                        kind: kind,
                        field: fieldName,
                        path: "\(path).\(fieldName)"
                    )
                } else {
                    line.fields[fieldName] = fieldValue
                }
            }
            // A changed quantity or rate without an amount means the amount must be worked out again.
            let touchesPrice = lineFields["quantity"] != nil || lineFields["rate"] != nil
            if touchesPrice && lineFields["amount"] == nil { line.fields["amount"] = nil }
            if lineFields["amount"] != nil && lineFields["rate"] == nil { line.fields["rate"] = nil }
            result.append(line)
        }
        if !replace {
            // Keep NetSuite's order: updated lines stay where they were, new ones go to the end.
            result.sort { $0.line < $1.line }
        }
        record.lines = result
    }

    /// Checks one value against its field kind and returns the form the store keeps.
    private func normalise(_ value: JSONValue, kind: FieldKind, field: String, path: String) throws -> JSONValue {
        let invalid = {
            NetSuiteError.invalidFieldValue(
                value.scalarText ?? value.serialized,
                field: field.lowercased(),
                path: path
            )
        }
        switch kind {
        case .opaque:
            return value
        case .text:
            guard case .string = value else { throw invalid() }
            return value
        case .number:
            guard case .number = value else { throw invalid() }
            return value
        case .boolean:
            guard case .bool = value else { throw invalid() }
            return value
        case .date:
            guard let text = value.stringValue, DateText.parseDay(text) != nil else { throw invalid() }
            return value
        case .reference(let target, let label):
            guard let object = value.objectValue else { throw invalid() }
            guard let idValue = object["id"], !idValue.isNull else {
                throw NetSuiteError.invalidContent(
                    "Error while accessing a resource. A reference to '\(label)' must give the internal id as 'id'.",
                    path: path
                )
            }
            guard let idText = idValue.scalarText, let id = Int(idText), referenceExists(target, id: id) else {
                throw NetSuiteError.invalidFieldValue(
                    idValue.scalarText ?? idValue.serialized,
                    field: label,
                    path: path
                )
            }
            return .object(["id": .string(String(id))])
        }
    }

    func referenceExists(_ target: ReferenceTarget, id: Int) -> Bool {
        if let type = target.servedType { return existingRecord(type, id: id) != nil }
        return reference.contains(target, id: id)
    }

    // MARK: - Completing a record

    /// Defaults, required fields, line amounts and cross-record rules, after the body was merged.
    func complete(_ record: inout StoredRecord, isCreate: Bool) throws {
        switch record.type {
        case .salesOrder: try completeSalesOrder(&record, isCreate: isCreate)
        case .customerDeposit: try completeDeposit(&record, isCreate: isCreate)
        case .customer: try completeCustomer(&record, isCreate: isCreate)
        case .inventoryItem: try completeItem(&record, isCreate: isCreate)
        }
    }

    private func completeSalesOrder(_ record: inout StoredRecord, isCreate: Bool) throws {
        guard let customerID = record.referenceID("entity"), let customer = existingRecord(.customer, id: customerID)
        else { throw NetSuiteError.missingValue("Customer", path: "entity") }
        if isCreate {
            setDefault(&record, "tranId", .string("SO\(record.id)"))
            setDefault(&record, "tranDate", .string(DateText.day(now)))
        }
        if record.body["subsidiary"] == nil {
            record.body["subsidiary"] = customer.body["subsidiary"] ?? .object(["id": .string("1")])
        }
        if record.body["currency"] == nil {
            record.body["currency"] = customer.body["currency"] ?? .object(["id": .string("1")])
        }
        guard !record.lines.isEmpty else {
            throw NetSuiteError(
                .badRequest,
                code: "USER_ERROR",
                detail: "You must enter at least one line item for this transaction.",
                path: "item"
            )
        }
        let currency = record.referenceID("currency") ?? 1
        for index in record.lines.indices {
            var line = record.lines[index]
            guard let item = line.referenceID("item") else {
                throw NetSuiteError.missingValue("Item", path: "item.items[\(index)].item")
            }
            let quantity = line.number("quantity") ?? 1
            line.fields["quantity"] = .number(quantity)
            if line.fields["rate"] == nil {
                if let amount = line.number("amount"), quantity != 0 {
                    line.fields["rate"] = .number(amount / quantity)
                } else {
                    let level = line.referenceID("price").flatMap { $0 > 0 ? $0 : nil } ?? 1
                    let price = unitPrice(item: item, priceLevel: level, currency: currency) ?? 0
                    line.fields["rate"] = .number(price)
                }
            }
            if line.fields["amount"] == nil {
                line.fields["amount"] = .number(((line.number("rate") ?? 0) * quantity).rounded(2))
            }
            record.lines[index] = line
        }
    }

    private func completeDeposit(_ record: inout StoredRecord, isCreate: Bool) throws {
        guard let customerID = record.referenceID("customer"), let customer = existingRecord(.customer, id: customerID)
        else { throw NetSuiteError.missingValue("Customer", path: "customer") }
        guard let payment = record.number("payment") else {
            throw NetSuiteError.missingValue("Payment Amount", path: "payment")
        }
        guard payment > 0 else {
            throw NetSuiteError.invalidFieldValue(payment.plainDescription, field: "payment", path: "payment")
        }
        let order = record.referenceID("salesOrder").flatMap { existingRecord(.salesOrder, id: $0) }
        if let order, order.referenceID("entity") != customerID {
            // A deposit can only be made against one of the customer's own orders.
            throw NetSuiteError.invalidFieldValue(String(order.id), field: "salesorder", path: "salesOrder")
        }
        if isCreate {
            setDefault(&record, "tranId", .string("DEP\(record.id)"))
            setDefault(&record, "tranDate", .string(DateText.day(now)))
        }
        if record.body["currency"] == nil {
            record.body["currency"] =
                order?.body["currency"] ?? customer.body["currency"] ?? .object(["id": .string("1")])
        }
        if record.body["subsidiary"] == nil {
            record.body["subsidiary"] =
                order?.body["subsidiary"] ?? customer.body["subsidiary"]
                ?? .object(["id": .string("1")])
        }
    }

    private func completeCustomer(_ record: inout StoredRecord, isCreate: Bool) throws {
        let company = record.text("companyName")
        let first = record.text("firstName")
        let last = record.text("lastName")
        if record.body["isPerson"]?.boolValue == true {
            guard first != nil else { throw NetSuiteError.missingValue("First Name", path: "firstName") }
            guard last != nil else { throw NetSuiteError.missingValue("Last Name", path: "lastName") }
        } else if company == nil && (first == nil || last == nil) {
            throw NetSuiteError.missingValue("Company Name", path: "companyName")
        }
        if isCreate {
            setDefault(&record, "isPerson", .bool(company == nil))
        }
        if record.body["entityId"] == nil {
            record.body["entityId"] = .string(company ?? [first, last].compactMap { $0 }.joined(separator: " "))
        }
        if record.body["subsidiary"] == nil {
            record.body["subsidiary"] = .object(["id": .string(String(dataset.shopSubsidiaryID))])
        }
        if record.body["currency"] == nil {
            let subsidiary = record.referenceID("subsidiary").flatMap { reference.subsidiaries[$0] }
            record.body["currency"] = .object(["id": .string(String(subsidiary?.currencyNetSuiteID ?? 1))])
        }
    }

    private func completeItem(_ record: inout StoredRecord, isCreate: Bool) throws {
        guard let itemID = record.text("itemId"), !itemID.isEmpty else {
            throw NetSuiteError.missingValue("Item Name/Number", path: "itemId")
        }
        if record.body["displayName"] == nil { record.body["displayName"] = .string(itemID) }
    }

    private func setDefault(_ record: inout StoredRecord, _ field: String, _ value: JSONValue) {
        if record.body[field] == nil { record.body[field] = value }
    }
}
