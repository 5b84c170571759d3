import FerryCore
import FerryNetSuite
import FerryPostgres
import FerryPrestaShop
import Foundation
import Logging
import Synchronization

/// What happened to one order.
public enum PipelineOutcome: Sendable, Equatable {
    /// Sales order (and deposit) are in NetSuite and the PrestaShop state was written back (or write-back is off).
    case completed(salesOrderID: String, newlyRecorded: Bool)
    /// In NetSuite, but the PrestaShop write-back failed: retry the write-back only.
    case writeBackPending(salesOrderID: String, message: String)
}

/// The work for one order, from webhook payload to NetSuite and back to PrestaShop, resumable at every step.
///
/// Exactly once in NetSuite: the sales order and deposit carry external ids derived from the idempotency key,
/// every create is preceded by a look-up by external id, and a create that may have committed (timeout,
/// dropped connection) or that NetSuite calls a duplicate is resolved by looking up again. Progress is kept
/// in `order_sync`, the final mark in `processed_events`.
public struct OrderPipeline: Sendable {
    public let netSuite: NetSuiteClient
    public let prestaShop: PrestaShopClient
    public let mappings: MappingStore
    public let sync: OrderSyncStore
    /// PrestaShop order state written back once the order is in NetSuite; nil disables write-back.
    public let writeBackStateID: Int?
    private let cache = ReferenceCache()

    public init(netSuite: NetSuiteClient, prestaShop: PrestaShopClient, mappings: MappingStore, sync: OrderSyncStore, writeBackStateID: Int?) {
        self.netSuite = netSuite
        self.prestaShop = prestaShop
        self.mappings = mappings
        self.sync = sync
        self.writeBackStateID = writeBackStateID
    }

    /// Processes `order`. Throws ``OrderFailure`` with the failure classified for the retry policy.
    public func process(_ order: PrestaShopOrder, receivedAt: Date?, logger: Logger) async throws(OrderFailure) -> PipelineOutcome {
        let key = IdempotencyKey(shopID: order.shopID, orderID: order.id)
        var logger = logger
        logger[metadataKey: "order.id"] = "\(order.id)"
        logger[metadataKey: "customer.id"] = "\(order.customerID)"
        logger[metadataKey: "idempotency_key"] = "\(key)"

        var record: OrderSyncRecord
        do {
            record = try await sync.begin(
                key: key.description, shopID: order.shopID, orderID: order.id, reference: order.reference,
                webhookReceivedAt: receivedAt, logger: logger)
        } catch {
            throw OrderFailure.database(error, stage: "record")
        }

        if record.stage.isInNetSuite, let salesOrderID = record.netSuiteSalesOrderID {
            // Redelivery or duplicate: the order is already in NetSuite. Only the write-back may be left.
            if record.stage == .writtenBack { return .completed(salesOrderID: salesOrderID, newlyRecorded: false) }
            return await writeBack(order: order, key: key, salesOrderID: salesOrderID, newlyRecorded: false, logger: logger)
        }

        // 1. Facts outside the order resource, then the mappings.
        let shopOrder = Self.shopOrder(order)
        let context = try await measureStage("context") { () throws(OrderFailure) in
            try await orderContext(order, logger: logger)
        }
        let deadLetterContext = DeadLetterContext(
            countryISO: context.deliveryCountryISO, currencyISO: context.currencyISO,
            lineTaxCategories: Dictionary(uniqueKeysWithValues: context.lineTaxCategories.map { ("\($0.key)", $0.value) }),
            isPaid: context.isPaid)
        var draft = try await measureStage("transform") { () throws(OrderFailure) -> SalesOrderDraft in
            let resolved: ResolvedMappings
            do {
                resolved = try await mappings.resolve(
                    for: shopOrder, countryISO: context.deliveryCountryISO, currencyISO: context.currencyISO, logger: logger)
            } catch {
                throw OrderFailure.database(error, stage: "transform")
            }
            switch OrderTransform.salesOrder(for: shopOrder, context: context, mappings: resolved) {
            case .success(let draft): return draft
            case .failure(let error):
                switch error {
                case .missingMappings:
                    throw OrderFailure(.orderSpecific, stage: "transform", message: error.description, errorType: "missing_mapping", context: deadLetterContext)
                case .invalidOrder:
                    throw OrderFailure(.permanent, stage: "transform", message: error.description, errorType: "invalid_order", context: deadLetterContext)
                }
            }
        }

        do throws(OrderFailure) {
            // 2. The NetSuite customer: found by our external id or e-mail, or created.
            let customerID = try await measureStage("customer") { [draft] () throws(OrderFailure) in
                try await resolveCustomer(order: order, record: record, subsidiaryID: draft.subsidiaryID, logger: logger)
            }
            draft.customerEntityID = customerID

            // 3. The sales order, exactly once.
            let salesOrderID = try await measureStage("sales_order") { [draft, record] () throws(OrderFailure) in
                try await ensureSalesOrder(draft, record: record, key: key, logger: logger)
            }
            record.netSuiteSalesOrderID = salesOrderID

            // 4. The deposit for the paid amount; a rejected deposit rolls the sales order back.
            let depositID = try await measureStage("deposit") { [draft] () throws(OrderFailure) in
                try await ensureDeposit(draft, salesOrderID: salesOrderID, key: key, logger: logger)
            }

            // 5. Check and mark processed in one transaction.
            let newlyRecorded = try await measureStage("record") { () throws(OrderFailure) -> Bool in
                do {
                    return try await sync.markProcessed(key: key.description, salesOrderID: salesOrderID, depositID: depositID, logger: logger)
                } catch {
                    throw OrderFailure.database(error, stage: "record")
                }
            }
            logger.info("order in NetSuite", metadata: ["netsuite.sales_order_id": "\(salesOrderID)", "netsuite.deposit_id": "\(depositID ?? "none")"])

            // 6. PrestaShop state.
            return await measureStage("write_back") {
                await writeBack(order: order, key: key, salesOrderID: salesOrderID, newlyRecorded: newlyRecorded, logger: logger)
            }
        } catch var failure {
            if failure.context == nil { failure.context = deadLetterContext }
            throw failure
        }
    }

    // MARK: - Steps

    private func orderContext(_ order: PrestaShopOrder, logger: Logger) async throws(OrderFailure) -> OrderContext {
        do {
            async let details = prestaShop.orderDetails(orderID: order.id, logger: logger)
            async let address = prestaShop.address(id: order.deliveryAddressID, logger: logger)
            let countryISO = try await cache.countryISO(id: try await address.countryID) { id throws(PrestaShopError) in
                try await prestaShop.country(id: id, logger: logger).isoCode
            }
            let currencyISO = try await cache.currencyISO(id: order.currencyID) { id throws(PrestaShopError) in
                try await prestaShop.currency(id: id, logger: logger).isoCode
            }
            let paid = try await cache.isPaidState(order.currentState) { () throws(PrestaShopError) in
                try await prestaShop.orderStates(logger: logger).map { ($0.id, $0.isPaid) }
            }
            var categories: [Int: Int] = [:]
            let rows = try await details
            for row in order.rows {
                let detail = rows.first { $0.id == row.id }
                    ?? rows.first { $0.productID == row.productID && $0.productAttributeID == row.productAttributeID }
                if let detail { categories[row.id] = detail.taxRulesGroupID }
            }
            return OrderContext(
                deliveryCountryISO: countryISO, currencyISO: currencyISO, lineTaxCategories: categories, isPaid: paid,
                customerEntityID: 0)
        } catch let error as PrestaShopError {
            throw OrderFailure.prestaShop(error, stage: "context")
        } catch {
            throw OrderFailure.classify(error, stage: "context")
        }
    }

    private func resolveCustomer(order: PrestaShopOrder, record: OrderSyncRecord, subsidiaryID: Int, logger: Logger) async throws(OrderFailure) -> Int {
        if let known = record.netSuiteCustomerID, let id = Int(known) { return id }
        let externalID = customerExternalID(shopID: order.shopID, customerID: order.customerID)
        do {
            let customer = try await prestaShop.customer(id: order.customerID, logger: logger)
            if let id = try await findCustomer(externalID: externalID, email: customer.email, logger: logger) {
                try await sync.advance(key: record.key, to: .customerResolved, customerID: String(id), logger: logger)
                return id
            }
            var body: JSON = [
                "externalId": .string(externalID), "email": .string(customer.email),
                "firstName": .string(customer.firstName), "lastName": .string(customer.lastName),
                "subsidiary": .reference(subsidiaryID),
            ]
            if !customer.company.isEmpty {
                body = mergeObject(body, ["companyName": .string(customer.company), "isPerson": false])
            } else {
                body = mergeObject(body, ["isPerson": true])
            }
            var id: Int
            do {
                id = Int(try await netSuite.create("customer", body: body, logger: logger).id) ?? 0
            } catch let error as NetSuiteError where error.kind == .duplicate || error.mayHaveCommitted {
                // Created by a racing worker or by our own timed-out call: find it.
                guard let found = try await findCustomer(externalID: externalID, email: nil, logger: logger) else { throw error }
                id = found
            }
            try await sync.advance(key: record.key, to: .customerResolved, customerID: String(id), logger: logger)
            logger.info("customer created in NetSuite", metadata: ["netsuite.customer_id": "\(id)", "customer.id": "\(order.customerID)"])
            return id
        } catch let error as PrestaShopError {
            throw OrderFailure.prestaShop(error, stage: "customer")
        } catch {
            throw OrderFailure.classify(error, stage: "customer")
        }
    }

    private func findCustomer(externalID: String, email: String?, logger: Logger) async throws -> Int? {
        let byExternalID = try await netSuite.suiteQL(
            "SELECT id FROM customer WHERE externalid = '\(suiteQLLiteral(externalID))'", limit: 1, logger: logger)
        if let id = byExternalID.items.first?["id"]?.intValue { return id }
        guard let email, !email.isEmpty else { return nil }
        let byEmail = try await netSuite.suiteQL(
            "SELECT id FROM customer WHERE LOWER(email) = '\(suiteQLLiteral(email.lowercased()))' ORDER BY id", limit: 1, logger: logger)
        return byEmail.items.first?["id"]?.intValue
    }

    private func ensureSalesOrder(_ draft: SalesOrderDraft, record: OrderSyncRecord, key: IdempotencyKey, logger: Logger) async throws(OrderFailure) -> String {
        do {
            if let known = record.netSuiteSalesOrderID { return known }
            let id = try await createOnce("salesOrder", externalID: draft.externalID, body: Self.salesOrderBody(draft), logger: logger)
            try await sync.advance(key: key.description, to: .salesOrderCreated, salesOrderID: id, logger: logger)
            return id
        } catch {
            throw OrderFailure.classify(error, stage: "sales_order")
        }
    }

    private func ensureDeposit(_ draft: SalesOrderDraft, salesOrderID: String, key: IdempotencyKey, logger: Logger) async throws(OrderFailure) -> String? {
        guard let deposit = draft.deposit else { return nil }
        do {
            let id = try await createOnce(
                "customerDeposit", externalID: deposit.externalID,
                body: Self.depositBody(draft, deposit: deposit, salesOrderID: salesOrderID), logger: logger)
            try await sync.advance(key: key.description, to: .depositCreated, depositID: id, logger: logger)
            return id
        } catch let error as NetSuiteError where OrderFailure.netSuite(error, stage: "deposit").failureClass == .orderSpecific {
            // NetSuite refused the payment: roll the sales order back so it never stands without its payment.
            let refusal = OrderFailure.netSuite(error, stage: "deposit")
            do {
                try await netSuite.delete("salesOrder", id: salesOrderID, logger: logger)
            } catch let deleteError as NetSuiteError where deleteError.kind == .notFound {
                // Already gone.
            } catch {
                logger.error("sales order rollback failed", metadata: ["netsuite.sales_order_id": "\(salesOrderID)", "error.type": "\(type(of: error))"])
                throw OrderFailure.classify(error, stage: "rollback")
            }
            do {
                try await sync.clearSalesOrder(key: key.description, logger: logger)
            } catch {
                throw OrderFailure.database(error, stage: "rollback")
            }
            logger.warning("deposit refused, sales order rolled back", metadata: ["netsuite.sales_order_id": "\(salesOrderID)", "error.type": "\(refusal.errorType)"])
            var failure = refusal
            failure.message = "deposit refused (\(refusal.message)); sales order \(salesOrderID) rolled back"
            throw failure
        } catch {
            throw OrderFailure.classify(error, stage: "deposit")
        }
    }

    /// Looks the record up by external id, creates it only when absent, and resolves "maybe committed"
    /// answers by looking up again. Never creates a second record for one external id.
    private func createOnce(_ type: String, externalID: String, body: JSON, logger: Logger) async throws -> String {
        if let existing = try await netSuite.internalID(of: type, externalID: externalID, logger: logger) {
            logger.info("record already in NetSuite", metadata: ["netsuite.record": "\(type)", "netsuite.id": "\(existing)"])
            return existing
        }
        do {
            return try await netSuite.create(type, body: body, logger: logger).id
        } catch let error as NetSuiteError where error.kind == .duplicate || error.mayHaveCommitted {
            if let existing = try await netSuite.internalID(of: type, externalID: externalID, logger: logger) {
                logger.info("create resolved by look-up", metadata: ["netsuite.record": "\(type)", "error.type": "\(error.kind.rawValue)"])
                return existing
            }
            throw error
        }
    }

    private func writeBack(order: PrestaShopOrder, key: IdempotencyKey, salesOrderID: String, newlyRecorded: Bool, logger: Logger) async -> PipelineOutcome {
        guard let state = writeBackStateID else {
            try? await sync.markWrittenBack(key: key.description, logger: logger)
            return .completed(salesOrderID: salesOrderID, newlyRecorded: newlyRecorded)
        }
        do {
            try await prestaShop.addOrderHistory(orderID: order.id, stateID: state, sendEmail: false, logger: logger)
            try await sync.markWrittenBack(key: key.description, logger: logger)
            return .completed(salesOrderID: salesOrderID, newlyRecorded: newlyRecorded)
        } catch {
            logger.warning("PrestaShop write-back failed", metadata: ["stage": "write_back", "error.type": "\(type(of: error))"])
            return .writeBackPending(salesOrderID: salesOrderID, message: String(describing: error))
        }
    }

    // MARK: - Wire shapes

    static func shopOrder(_ order: PrestaShopOrder) -> ShopOrder {
        ShopOrder(
            id: order.id, shopID: order.shopID, reference: order.reference, customerID: order.customerID,
            deliveryAddressID: order.deliveryAddressID, currencyID: order.currencyID, carrierID: order.carrierID,
            paymentModule: order.module, currentState: order.currentState, dateAdd: order.dateAdd,
            totalPaidTaxIncl: order.totalPaidTaxIncl, totalShippingTaxExcl: order.totalShippingTaxExcl,
            totalShippingTaxIncl: order.totalShippingTaxIncl, totalDiscountsTaxExcl: order.totalDiscountsTaxExcl,
            lines: order.rows.map {
                ShopOrder.Line(
                    rowID: $0.id, productID: $0.productID, combinationID: $0.productAttributeID, reference: $0.reference,
                    name: $0.name, quantity: $0.quantity, unitPriceTaxExcl: $0.unitPriceTaxExcl, unitPriceTaxIncl: $0.unitPriceTaxIncl)
            })
    }

    static func salesOrderBody(_ draft: SalesOrderDraft) -> JSON {
        [
            "externalId": .string(draft.externalID),
            "entity": .reference(draft.customerEntityID),
            "subsidiary": .reference(draft.subsidiaryID),
            "currency": .reference(draft.currencyID),
            "location": .reference(draft.locationID),
            "shipMethod": .reference(draft.shipMethodID),
            "tranDate": .string(draft.tranDate),
            "otherRefNum": .string(draft.otherRefNum),
            "memo": .string(draft.memo),
            "shippingCost": .number(draft.shippingCost),
            "item": ["items": .array(draft.lines.map { line in
                [
                    "item": .reference(line.itemID), "quantity": .number(Decimal(line.quantity)),
                    "rate": .number(line.rate), "taxCode": .reference(line.taxCodeID),
                ]
            })],
        ]
    }

    static func depositBody(_ draft: SalesOrderDraft, deposit: SalesOrderDraft.Deposit, salesOrderID: String) -> JSON {
        [
            "externalId": .string(deposit.externalID),
            "customer": .reference(draft.customerEntityID),
            "salesOrder": .reference(salesOrderID),
            "subsidiary": .reference(draft.subsidiaryID),
            "currency": .reference(draft.currencyID),
            "paymentMethod": .reference(deposit.paymentMethodID),
            "payment": .number(deposit.amount),
            "tranDate": .string(draft.tranDate),
            "memo": .string("Payment of PrestaShop order \(draft.otherRefNum)"),
        ]
    }
}

/// Escapes a string for a single-quoted SuiteQL literal.
func suiteQLLiteral(_ value: String) -> String { value.replacingOccurrences(of: "'", with: "''") }

func mergeObject(_ base: JSON, _ extra: [String: JSON]) -> JSON {
    guard case .object(var fields) = base else { return base }
    for (key, value) in extra { fields[key] = value }
    return .object(fields)
}

/// Country, currency and order-state look-ups change rarely: cached for the life of the process.
final class ReferenceCache: Sendable {
    private let countries = Mutex<[Int: String]>([:])
    private let currencies = Mutex<[Int: String]>([:])
    private let paidStates = Mutex<[Int: Bool]?>(nil)

    func countryISO(id: Int, load: (Int) async throws(PrestaShopError) -> String) async throws(PrestaShopError) -> String {
        if let hit = countries.withLock({ $0[id] }) { return hit }
        let value = try await load(id)
        countries.withLock { $0[id] = value }
        return value
    }

    func currencyISO(id: Int, load: (Int) async throws(PrestaShopError) -> String) async throws(PrestaShopError) -> String {
        if let hit = currencies.withLock({ $0[id] }) { return hit }
        let value = try await load(id)
        currencies.withLock { $0[id] = value }
        return value
    }

    func isPaidState(_ id: Int, load: () async throws(PrestaShopError) -> [(Int, Bool)]) async throws(PrestaShopError) -> Bool {
        if let states = paidStates.withLock({ $0 }), let paid = states[id] { return paid }
        let loaded = Dictionary(try await load(), uniquingKeysWith: { a, _ in a })
        paidStates.withLock { $0 = loaded }
        return loaded[id] ?? false
    }
}
