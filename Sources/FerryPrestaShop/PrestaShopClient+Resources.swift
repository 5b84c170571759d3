import Foundation
import Logging

// MARK: - Orders

extension PrestaShopClient {
    /// `GET /api/orders/{id}`: one order with its rows.
    ///
    /// - Throws: ``PrestaShopError``; ``PrestaShopError/Kind/notFound`` (code 87) for an unknown id.
    public func order(id: Int, logger: Logger? = nil) async throws(PrestaShopError) -> PrestaShopOrder {
        try await single(resource: "orders", element: "order", id: id, logger: logger, PrestaShopOrder.init(reading:))
    }

    /// `GET /api/orders?display=full&date=1&filter[date_upd]=[from,to]&sort=[date_upd_ASC,id_ASC]&limit=offset,limit`:
    /// one page of the orders modified in the window (both ends inclusive, one-second resolution).
    ///
    /// The dates are formatted in ``PrestaShopClientConfiguration/shopTimeZone``. `date_upd` has one-second
    /// resolution, so pollers should overlap windows and de-duplicate by (id, `date_upd`). An empty page comes
    /// back as a bare `[]` from the shop and as an empty array from here.
    ///
    /// - Parameters:
    ///   - window: the `date_upd` interval.
    ///   - limit: page size (> 0); the webservice has no default limit.
    ///   - offset: rows to skip (>= 0).
    public func orders(
        updatedBetween window: ClosedRange<Date>,
        limit: Int = 100,
        offset: Int = 0,
        logger: Logger? = nil
    ) async throws(PrestaShopError) -> [PrestaShopOrder] {
        let operation = "GET orders"
        guard limit > 0, offset >= 0 else { throw localValidationError(operation) }
        let zone = configuration.shopTimeZone
        let from = PrestaShopDateTime.format(window.lowerBound, timeZone: zone)
        let to = PrestaShopDateTime.format(window.upperBound, timeZone: zone)
        return try await list(
            resource: "orders",
            query: [
                ("display", "full"),
                ("date", "1"),
                ("filter[date_upd]", "[\(from),\(to)]"),
                ("sort", "[date_upd_ASC,id_ASC]"),
                ("limit", "\(offset),\(limit)"),
            ],
            logger: logger,
            PrestaShopOrder.init(reading:)
        )
    }

    /// `GET /api/order_details?filter[id_order]=[N]&display=full`: the order's lines with their historic tax data.
    public func orderDetails(
        orderID: Int,
        logger: Logger? = nil
    ) async throws(PrestaShopError)
        -> [PrestaShopOrderDetail]
    {
        guard orderID > 0 else { throw localValidationError("GET order_details") }
        return try await list(
            resource: "order_details",
            query: [("display", "full"), ("filter[id_order]", "[\(orderID)]"), ("sort", "[id_ASC]")],
            logger: logger,
            PrestaShopOrderDetail.init(reading:)
        )
    }

    /// `GET /api/order_cart_rules?filter[id_order]=[N]&display=full`: the cart rules applied to the order.
    public func orderCartRules(
        orderID: Int,
        logger: Logger? = nil
    ) async throws(PrestaShopError)
        -> [PrestaShopOrderCartRule]
    {
        guard orderID > 0 else { throw localValidationError("GET order_cart_rules") }
        return try await list(
            resource: "order_cart_rules",
            query: [("display", "full"), ("filter[id_order]", "[\(orderID)]"), ("sort", "[id_ASC]")],
            logger: logger,
            PrestaShopOrderCartRule.init(reading:)
        )
    }

    /// `GET /api/order_states?display=full`: every order state with its flags.
    public func orderStates(logger: Logger? = nil) async throws(PrestaShopError) -> [PrestaShopOrderState] {
        try await list(
            resource: "order_states",
            query: [("display", "full"), ("sort", "[id_ASC]")],
            logger: logger,
            PrestaShopOrderState.init(reading:)
        )
    }

    /// `POST /api/order_histories`: moves the order to a new state, as the back office does (stock movements,
    /// payment records, hooks). The same state twice is a no-op in the shop.
    ///
    /// - Parameters:
    ///   - sendEmail: adds `sendemail=1`, so the shop e-mails the customer when the state has a template.
    /// - Returns: the created history row, or nil when the shop answered 201 with a body that cannot be read
    ///   (the change is done either way, so this is not an error).
    @discardableResult
    public func addOrderHistory(
        orderID: Int,
        stateID: Int,
        sendEmail: Bool = false,
        logger: Logger? = nil
    ) async throws(PrestaShopError) -> PrestaShopOrderHistory? {
        let operation = "POST order_histories"
        guard orderID > 0, stateID > 0 else { throw localValidationError(operation) }
        let body = PrestaShopXMLElement.document(
            resource: "order_history",
            fields: [.field("id_order", String(orderID)), .field("id_order_state", String(stateID))]
        ).serializedDocument()
        let response = try await send(
            .post,
            path: "order_histories",
            operation: operation,
            query: sendEmail ? [("sendemail", "1")] : [],
            json: false,
            xmlBody: body,
            logger: logger
        )
        guard let root = PrestaShopXMLElement.parse(response.body), root.name == "prestashop",
            let element = root.child("order_history"),
            let object = try? element.jsonValue().root.object()
        else { return nil }
        return try? PrestaShopOrderHistory(
            reading: PrestaShopObjectReader(members: object.members, path: "order_history")
        )
    }
}

// MARK: - Stock

extension PrestaShopClient {
    /// `GET /api/stock_availables?filter[id_product]=[P]&filter[id_product_attribute]=[C]&display=full`.
    ///
    /// - Parameters:
    ///   - combinationID: the combination (`id_product_attribute`); 0 for the product row itself; nil for all
    ///     rows of the product.
    public func stockAvailables(
        productID: Int,
        combinationID: Int? = nil,
        logger: Logger? = nil
    ) async throws(PrestaShopError) -> [PrestaShopStockAvailable] {
        guard productID > 0, (combinationID ?? 0) >= 0 else { throw localValidationError("GET stock_availables") }
        var query = [("display", "full"), ("filter[id_product]", "[\(productID)]")]
        if let combinationID { query.append(("filter[id_product_attribute]", "[\(combinationID)]")) }
        query.append(("sort", "[id_ASC]"))
        return try await list(
            resource: "stock_availables",
            query: query,
            logger: logger,
            PrestaShopStockAvailable.init(reading:)
        )
    }

    /// Sets the quantity of one `stock_availables` row.
    ///
    /// With ``PrestaShopClientConfiguration/StockUpdateMethod/automatic`` it sends a PATCH with `id` and
    /// `quantity` (8.x); when the shop answers 405 (1.7 has no PATCH) or reports a 1.x `PSWS-Version`, it reads
    /// the whole row as XML, changes `quantity` and PUTs it back, and keeps doing so. The webservice has no
    /// conditional requests, so a sale between that GET and PUT can be overwritten.
    public func updateStockQuantity(
        stockAvailableID: Int,
        quantity: Int,
        logger: Logger? = nil
    ) async throws(PrestaShopError) {
        guard stockAvailableID > 0 else { throw localValidationError("PATCH stock_availables") }
        let usePatch: Bool
        switch configuration.stockUpdateMethod {
        case .patch: usePatch = true
        case .put: usePatch = false
        case .automatic: usePatch = !state.withLock { $0.patchUnsupported }
        }
        if usePatch {
            let body = PrestaShopXMLElement.document(
                resource: "stock_available",
                fields: [.field("id", String(stockAvailableID)), .field("quantity", String(quantity))]
            ).serializedDocument()
            do {
                _ = try await send(
                    .patch,
                    path: "stock_availables/\(stockAvailableID)",
                    operation: "PATCH stock_availables",
                    json: false,
                    xmlBody: body,
                    logger: logger
                )
                return
            } catch  where error.kind == .methodNotAllowed && configuration.stockUpdateMethod == .automatic {
                state.withLock { $0.patchUnsupported = true }
                (logger ?? backgroundLogger).info(
                    "prestashop PATCH not supported, using GET-modify-PUT",
                    metadata: ["prestashop.status": "\(error.status ?? 0)"]
                )
            }
        }
        try await putStockQuantity(stockAvailableID: stockAvailableID, quantity: quantity, logger: logger)
    }

    private func putStockQuantity(stockAvailableID: Int, quantity: Int, logger: Logger?) async throws(PrestaShopError) {
        let path = "stock_availables/\(stockAvailableID)"
        let current = try await send(.get, path: path, operation: "GET stock_availables", json: false, logger: logger)
        guard let root = PrestaShopXMLElement.parse(current.body), root.name == "prestashop",
            let index = root.children.firstIndex(where: { $0.name == "stock_available" })
        else {
            throw invalidResponse(
                PrestaShopPayloadError(path: "prestashop.stock_available", problem: .missing),
                status: current.status,
                operation: "GET stock_availables"
            )
        }
        var row = root.children[index]
        if let quantityIndex = row.children.firstIndex(where: { $0.name == "quantity" }) {
            row.children[quantityIndex].text = String(quantity)
            row.children[quantityIndex].attributes = [:]
        } else {
            row.children.append(.field("quantity", String(quantity)))
        }
        if !row.children.contains(where: { $0.name == "id" }) {
            row.children.insert(.field("id", String(stockAvailableID)), at: 0)
        }
        // Links (`xlink:href`) are output decoration; the body carries values only.
        row.children = row.children.map { field in
            var field = field
            field.attributes = [:]
            return field
        }
        let document = PrestaShopXMLElement.document(resource: "stock_available", fields: row.children)
        _ = try await send(
            .put,
            path: path,
            operation: "PUT stock_availables",
            json: false,
            xmlBody: document.serializedDocument(),
            logger: logger
        )
    }
}

// MARK: - Customers, addresses, countries, currencies

extension PrestaShopClient {
    /// `GET /api/customers/{id}`.
    public func customer(id: Int, logger: Logger? = nil) async throws(PrestaShopError) -> PrestaShopCustomer {
        try await single(
            resource: "customers",
            element: "customer",
            id: id,
            logger: logger,
            PrestaShopCustomer.init(reading:)
        )
    }

    /// `GET /api/addresses/{id}`.
    public func address(id: Int, logger: Logger? = nil) async throws(PrestaShopError) -> PrestaShopAddress {
        try await single(
            resource: "addresses",
            element: "address",
            id: id,
            logger: logger,
            PrestaShopAddress.init(reading:)
        )
    }

    /// `GET /api/countries/{id}`.
    public func country(id: Int, logger: Logger? = nil) async throws(PrestaShopError) -> PrestaShopCountry {
        try await single(
            resource: "countries",
            element: "country",
            id: id,
            logger: logger,
            PrestaShopCountry.init(reading:)
        )
    }

    /// `GET /api/currencies/{id}`.
    public func currency(id: Int, logger: Logger? = nil) async throws(PrestaShopError) -> PrestaShopCurrency {
        try await single(
            resource: "currencies",
            element: "currency",
            id: id,
            logger: logger,
            PrestaShopCurrency.init(reading:)
        )
    }
}

// MARK: - Helpers

extension PrestaShopClient {
    /// A request refused before sending (an id <= 0 or a bad page size).
    func localValidationError(_ operation: String) -> PrestaShopError {
        PrestaShopError(kind: .validation, operation: operation, redacting: configuration.apiKey)
    }

    /// `GET /api/<resource>/<id>` → `{"<element>": {…}}`.
    func single<Value>(
        resource: String,
        element: String,
        id: Int,
        logger: Logger?,
        _ decode: (PrestaShopObjectReader) throws(PrestaShopPayloadError) -> Value
    ) async throws(PrestaShopError) -> Value {
        let operation = "GET \(resource)"
        guard id > 0 else { throw localValidationError(operation) }
        let response = try await send(.get, path: "\(resource)/\(id)", operation: operation, json: true, logger: logger)
        do throws(PrestaShopPayloadError) {
            let document = try PrestaShopJSON.parse(response.body)
            return try decode(try document.root.object().field(element).object())
        } catch {
            throw invalidResponse(error, status: response.status, operation: operation)
        }
    }

    /// `GET /api/<resource>?…` → `{"<resource>": [{…}, …]}`, or a bare `[]` when nothing matches.
    func list<Value>(
        resource: String,
        query: [(String, String)],
        logger: Logger?,
        _ decode: (PrestaShopObjectReader) throws(PrestaShopPayloadError) -> Value
    ) async throws(PrestaShopError) -> [Value] {
        let operation = "GET \(resource)"
        let response = try await send(
            .get,
            path: resource,
            operation: operation,
            query: query,
            json: true,
            logger: logger
        )
        do throws(PrestaShopPayloadError) {
            let document = try PrestaShopJSON.parse(response.body)
            if case .array(let elements) = document, elements.isEmpty { return [] }
            var values: [Value] = []
            let field = try document.root.object().field(resource)
            guard field.value != nil else { throw PrestaShopPayloadError(path: resource, problem: .missing) }
            for element in try field.list() {
                values.append(try decode(try element.object()))
            }
            return values
        } catch {
            throw invalidResponse(error, status: response.status, operation: operation)
        }
    }
}
