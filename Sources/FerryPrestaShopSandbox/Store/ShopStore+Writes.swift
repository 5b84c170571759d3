import Foundation

/// The methods that write through the webservice.
enum WriteMethod: String, Sendable {
    case post = "POST"
    case put = "PUT"
    case patch = "PATCH"
}

extension ShopStore {
    /// `saveEntityFromXml`: POST creates, PUT replaces (omitted fields are reset), PATCH changes the given fields.
    /// Returns the saved entities, materialised for output.
    func save(
        _ resource: String,
        method: WriteMethod,
        entities: [InputEntity],
        sendEmail: Bool
    ) throws(WebserviceError) -> [Record] {
        guard let definition = definition(resource) else { throw WebserviceError.unableToSave }
        let ids = entities.compactMap(\.id)
        switch method {
        case .put, .patch:
            guard Set(ids).count == ids.count else { throw WebserviceError.idDuplicate }
            guard ids.count == entities.count else { throw WebserviceError.idRequired }
        case .post:
            guard ids.isEmpty else { throw WebserviceError.idForbidden }
        }
        var saved: [Record] = []
        for entity in entities {
            let record = try saveEntity(entity, definition: definition, method: method, sendEmail: sendEmail)
            saved.append(materialize(resource, record))
        }
        return saved
    }

    /// `DELETE /api/{resource}/{id}` or `?id=[1,2]`: all ids must exist (code 87).
    func delete(_ resource: String, ids: [String]) throws(WebserviceError) {
        let numeric = ids.map { ListQueryParser.phpInt($0) }
        let missing = zip(ids, numeric).filter { !exists(resource, id: $0.1) }.map(\.0)
        guard missing.isEmpty, !ids.isEmpty else { throw WebserviceError.idsNotFound(missing) }
        for id in numeric { deleteEntity(resource, id) }
    }

    // MARK: - One entity

    private func saveEntity(
        _ entity: InputEntity,
        definition: ResourceDefinition,
        method: WriteMethod,
        sendEmail: Bool
    ) throws(WebserviceError) -> Record {
        let resource = definition.name
        var record: Record
        let previous: Record?
        if method == .post {
            record = Record(id: 0, fields: [:])
            previous = nil
        } else {
            let id = ListQueryParser.phpInt(entity.id ?? "")
            guard let existing = self.record(resource, id) else { throw WebserviceError.invalidID }
            record = existing
            previous = existing
        }

        var invalidField: String?
        var emptyLanguageField: String?
        var requestedState: Int?
        for field in definition.fields where field.name != "id" {
            let input = entity.values[field.name]
            if method == .patch && input == nil { continue }
            if field.kind == .multilingual {
                var texts: [Int: String] = if case .text(let existing) = record[field.name] { existing } else { [:] }
                switch input {
                case .languages(let given): texts.merge(given) { $1 }
                case .text(let text): texts = Dictionary(uniqueKeysWithValues: ShopSeed.languages.map { ($0, text) })
                case nil: texts = [:]
                }
                record[field.name] = .text(texts)
                if field.required, (texts[1] ?? "").isEmpty, emptyLanguageField == nil {
                    emptyLanguageField = field.name
                }
                continue
            }
            guard let input else {
                if field.required { throw WebserviceError.required(field.name) }
                record[field.name] = .zero(for: field.kind)
                continue
            }
            guard field.writable else { throw WebserviceError.notWritable(field.name) }
            let text: String =
                switch input {
                case .text(let text): text
                case .languages(let texts): texts.sorted { $0.key < $1.key }.first?.value ?? ""
                }
            guard let value = FieldValue.parse(text, kind: field.kind), Self.passes(field, value) else {
                if invalidField == nil { invalidField = field.name }
                continue
            }
            if resource == "orders" && field.name == "current_state" {
                requestedState = value.intValue
                continue
            }
            record[field.name] = value
        }
        if let emptyLanguageField {
            throw WebserviceError.emptyLanguageProperty(definition.className, emptyLanguageField)
        }
        if let invalidField { throw WebserviceError.invalidProperty(definition.className, invalidField) }

        for name in entity.associationNames {
            guard let association = definition.association(named: name) else {
                if name == "i18n" { continue }
                throw WebserviceError.unknownAssociation(name)
            }
            guard !association.readOnly else { continue }
            record.associations[name] = (entity.associations[name] ?? []).map { entry in
                var row: [String: FieldValue] = [:]
                for field in association.fields {
                    if let text = entry[field.name] {
                        row[field.name] = FieldValue.parse(text, kind: field.kind) ?? .null
                    }
                }
                return row
            }
        }

        let timestamp = self.timestamp
        if definition.field(named: "date_upd") != nil { record["date_upd"] = .string(timestamp) }
        if definition.field(named: "date_add") != nil, record["date_add"].rawString(kind: .date).isEmpty {
            record["date_add"] = previous?["date_add"] ?? .string(timestamp)
        }

        switch (resource, method) {
        case ("orders", .post):
            // Order::addWs() runs the payment module's validateOrder() on an existing cart; the sandbox has no carts.
            throw WebserviceError.unableToSave
        case ("orders", _):
            if let requestedState, let previous {
                record["current_state"] = previous["current_state"]
                try applyRequestedState(requestedState, to: &record)
            }
            insert(resource, record)
        case ("order_histories", .post):
            return try addHistory(record, sendEmail: sendEmail)
        case (_, .post):
            record.id = nextID(resource)
            record["id"] = .int(record.id)
            try prepareNew(resource, &record)
            insert(resource, record)
            afterInsert(resource, record)
        default:
            insert(resource, record)
            afterUpdate(resource, record, previous: previous)
        }
        return record
    }

    private static func passes(_ field: FieldDefinition, _ value: FieldValue) -> Bool {
        switch field.validation {
        case .none: return true
        case .email:
            let text = value.stringValue
            guard let at = text.firstIndex(of: "@") else { return false }
            return at > text.startIndex && text[text.index(after: at)...].contains(".") && !text.contains(" ")
        }
    }

    /// `Order::setWsCurrentState()`: a new state goes through the state machine and always e-mails.
    private func applyRequestedState(_ stateID: Int, to order: inout Record) throws(WebserviceError) {
        guard stateID != 0 else { return }
        guard orderState(stateID) != nil else { throw WebserviceError.invalidProperty("Order", "current_state") }
        _ = changeState(of: &order, to: stateID, sendEmail: true)
    }

    /// `OrderHistory::addWs()`: changes the order's state and stores the history row; the same state is a no-op.
    private func addHistory(_ history: Record, sendEmail: Bool) throws(WebserviceError) -> Record {
        let orderID = history["id_order"].intValue ?? 0
        let stateID = history["id_order_state"].intValue ?? 0
        guard var order = record("orders", orderID), orderState(stateID) != nil else {
            throw WebserviceError.unableToSave
        }
        if order["current_state"].intValue == stateID,
            let last = (historiesByOrder[orderID] ?? []).reversed().compactMap({ record("order_histories", $0) })
                .first(where: { $0["id_order_state"].intValue == stateID })
        {
            return last
        }
        let row = changeState(
            of: &order,
            to: stateID,
            sendEmail: sendEmail,
            employeeID: history["id_employee"].intValue ?? 0
        )
        insert("orders", order)
        return row ?? history
    }

    /// Fills what `ObjectModel::add()` and the class' `add()` override set on creation.
    private func prepareNew(_ resource: String, _ record: inout Record) throws(WebserviceError) {
        switch resource {
        case "customers":
            if record["secure_key"].stringValue.isEmpty { record["secure_key"] = .string(randomHex(32)) }
            let password = record["passwd"].stringValue
            if !password.hasPrefix("$2y$") { record["passwd"] = .string(CatalogueRows.passwordHash(password)) }
            if record.associations["groups"] == nil { record.associations["groups"] = [["id": .int(3)]] }
        case "combinations":
            guard let productID = record["id_product"].intValue, exists("products", id: productID) else {
                throw WebserviceError.invalidProperty("Combination", "id_product")
            }
        default:
            break
        }
    }

    private func afterInsert(_ resource: String, _ record: Record) {
        switch resource {
        case "products":
            addStockRow(StockKey(productID: record.id, attributeID: 0))
        case "combinations":
            let productID = record["id_product"].intValue ?? 0
            combinationsByProduct[productID, default: []].append(record.id)
            addStockRow(StockKey(productID: productID, attributeID: record.id))
            syncProductStock(productID)
        case "addresses":
            if let customerID = record["id_customer"].intValue {
                addressesByCustomer[customerID, default: []].append(record.id)
            }
        default:
            break
        }
    }

    private func afterUpdate(_ resource: String, _ record: Record, previous: Record?) {
        switch resource {
        case "stock_availables":
            let attribute = record["id_product_attribute"].intValue ?? 0
            if attribute != 0 { syncProductStock(record["id_product"].intValue ?? 0) }
        case "customers":
            let password = record["passwd"].stringValue
            if !password.isEmpty, !password.hasPrefix("$2y$") {
                var updated = record
                updated["passwd"] = .string(CatalogueRows.passwordHash(password))
                insert(resource, updated)
            }
        default:
            break
        }
    }

    func addStockRow(_ key: StockKey, quantity: Int = 0) {
        guard stockIndex[key] == nil else { return }
        let id = nextID("stock_availables")
        insert("stock_availables", Record(id: id, fields: CatalogueRows.stockFields(key: key, quantity: quantity)))
        stockIndex[key] = id
    }

    private func deleteEntity(_ resource: String, _ id: Int) {
        switch resource {
        case "addresses":
            // Address::delete() keeps addresses used by orders and flags them deleted.
            if isAddressUsed(id), var address = record(resource, id) {
                address["deleted"] = .bool(true)
                insert(resource, address)
                return
            }
        case "products":
            for attribute in [0] + (combinationsByProduct[id] ?? []) {
                let key = StockKey(productID: id, attributeID: attribute)
                if let stockID = stockIndex.removeValue(forKey: key) { tables["stock_availables"]?.delete(stockID) }
                if attribute != 0 { tables["combinations"]?.delete(attribute) }
            }
            combinationsByProduct[id] = nil
        case "combinations":
            let productID = record(resource, id)?["id_product"].intValue ?? 0
            if let stockID = stockIndex.removeValue(forKey: StockKey(productID: productID, attributeID: id)) {
                tables["stock_availables"]?.delete(stockID)
            }
            combinationsByProduct[productID]?.removeAll { $0 == id }
            tables[resource]?.delete(id)
            syncProductStock(productID)
            return
        default:
            break
        }
        tables[resource]?.delete(id)
    }

    private func isAddressUsed(_ id: Int) -> Bool {
        guard let orders = tables["orders"] else { return false }
        return orders.ids.contains { orderID in
            guard let order = orders.record(orderID) else { return false }
            return order["id_address_delivery"].intValue == id || order["id_address_invoice"].intValue == id
        }
    }
}
