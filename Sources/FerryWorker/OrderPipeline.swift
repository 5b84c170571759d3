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
/// Exactly once in NetSuite: the sales order and deposit carry external ids derived from the idempotency key; a
/// create is recorded as pending in `order_sync` before it is sent, and what Ferry remembers is built on only while
/// no write has an unknown outcome (``SubmissionRules``): otherwise the record is looked up by external id first. A
/// create that may have committed (timeout, dropped connection, 5xx) or that NetSuite calls a duplicate is resolved
/// by looking up again. NetSuite requests are made by ``NetSuiteOrderSubmitter``; progress is kept in `order_sync`,
/// the final mark in `processed_events`.
public struct OrderPipeline: Sendable {
    public let netSuite: NetSuiteClient
    public let prestaShop: PrestaShopClient
    public let mappings: MappingStore
    public let sync: OrderSyncStore
    /// PrestaShop order state written back once the order is in NetSuite; nil disables write-back.
    public let writeBackStateID: Int?
    let submitter: NetSuiteOrderSubmitter
    private let cache = ReferenceCache()

    public init(
        netSuite: NetSuiteClient,
        prestaShop: PrestaShopClient,
        mappings: MappingStore,
        sync: OrderSyncStore,
        writeBackStateID: Int?
    ) {
        self.netSuite = netSuite
        self.prestaShop = prestaShop
        self.mappings = mappings
        self.sync = sync
        self.writeBackStateID = writeBackStateID
        self.submitter = NetSuiteOrderSubmitter(client: netSuite)
    }

    /// Processes `order`. Throws ``OrderFailure`` with the failure classified for the retry policy.
    public func process(
        _ order: PrestaShopOrder,
        receivedAt: Date?,
        logger: Logger
    ) async throws(OrderFailure) -> PipelineOutcome {
        let key = IdempotencyKey(shopID: order.shopID, orderID: order.id)
        var logger = logger
        logger[metadataKey: "order.id"] = "\(order.id)"
        logger[metadataKey: "customer.id"] = "\(order.customerID)"
        logger[metadataKey: "idempotency_key"] = "\(key)"

        var record: OrderSyncRecord
        do {
            record = try await sync.begin(
                key: key.description,
                shopID: order.shopID,
                orderID: order.id,
                reference: order.reference,
                webhookReceivedAt: receivedAt,
                logger: logger
            )
        } catch {
            throw OrderFailure.database(error, stage: "record")
        }

        if record.stage.isInNetSuite, let salesOrderID = record.netSuiteSalesOrderID {
            // Redelivery or duplicate: the order is already in NetSuite. Only the write-back may be left.
            if record.stage == .writtenBack { return .completed(salesOrderID: salesOrderID, newlyRecorded: false) }
            return await writeBack(
                order: order,
                key: key,
                salesOrderID: salesOrderID,
                newlyRecorded: false,
                logger: logger
            )
        }

        // 1. Facts outside the order resource, then the mappings.
        let shopOrder = Self.shopOrder(order)
        let context = try await measureStage("context") { () throws(OrderFailure) in
            try await orderContext(order, logger: logger)
        }
        let deadLetterContext = DeadLetterContext(
            countryISO: context.deliveryCountryISO,
            currencyISO: context.currencyISO,
            lineTaxCategories: Dictionary(
                uniqueKeysWithValues: context.lineTaxCategories.map { ("\($0.key)", $0.value) }
            ),
            isPaid: context.isPaid,
            cartRules: context.cartRules.isEmpty ? nil : context.cartRules
        )
        var draft = try await measureStage("transform") { () throws(OrderFailure) -> SalesOrderDraft in
            let resolved: ResolvedMappings
            do {
                resolved = try await mappings.resolve(
                    for: shopOrder,
                    countryISO: context.deliveryCountryISO,
                    currencyISO: context.currencyISO,
                    cartRules: context.cartRules,
                    logger: logger
                )
            } catch {
                throw OrderFailure.database(error, stage: "transform")
            }
            switch OrderTransform.salesOrder(for: shopOrder, context: context, mappings: resolved) {
            case .success(let draft): return draft
            case .failure(let error):
                switch error {
                case .missingMappings:
                    throw OrderFailure(
                        .orderSpecific,
                        stage: "transform",
                        message: error.description,
                        errorType: "missing_mapping",
                        context: deadLetterContext
                    )
                case .invalidOrder:
                    throw OrderFailure(
                        .permanent,
                        stage: "transform",
                        message: error.description,
                        errorType: "invalid_order",
                        context: deadLetterContext
                    )
                case .totalMismatch:
                    // NetSuite would book another amount than the customer paid: nothing is sent.
                    throw OrderFailure(
                        .permanent,
                        stage: "transform",
                        message: error.description,
                        errorType: "total_mismatch",
                        context: deadLetterContext
                    )
                }
            }
        }

        do throws(OrderFailure) {
            // 2. The NetSuite customer: found by our external id or e-mail, or created.
            let customerID = try await measureStage("customer") { [draft] () throws(OrderFailure) in
                try await resolveCustomer(
                    order: order,
                    record: record,
                    subsidiaryID: draft.subsidiaryID,
                    logger: logger
                )
            }
            draft.customerEntityID = customerID

            // 3. The sales order, exactly once: built on what Ferry remembers only while no write's outcome is unknown.
            let memory = SubmissionMemory(
                salesOrderID: record.netSuiteSalesOrderID,
                depositID: record.netSuiteDepositID,
                pending: record.pendingWrite
            )
            let salesOrder = try await measureStage("sales_order") { [draft] () throws(OrderFailure) in
                try await ensureSalesOrder(
                    draft,
                    plan: SubmissionRules.salesOrderPlan(memory),
                    key: key,
                    logger: logger
                )
            }

            // 4. The deposit for the paid amount; a refused deposit rolls the sales order back.
            let depositPlan = SubmissionRules.depositPlan(
                memory,
                salesOrder: salesOrder.carriedOut,
                salesOrderID: salesOrder.id
            )
            let depositID = try await measureStage("deposit") { [draft] () throws(OrderFailure) in
                try await ensureDeposit(draft, plan: depositPlan, salesOrderID: salesOrder.id, key: key, logger: logger)
            }
            guard
                SubmissionRules.isComplete(salesOrder: salesOrder.id, deposit: depositID, isPaid: draft.deposit != nil)
            else {
                throw OrderFailure(
                    .systemic,
                    stage: "deposit",
                    message: "deposit not established",
                    errorType: "incomplete"
                )
            }

            // 5. Check and mark processed in one transaction.
            let newlyRecorded = try await measureStage("record") { () throws(OrderFailure) -> Bool in
                do {
                    return try await sync.markProcessed(
                        key: key.description,
                        salesOrderID: salesOrder.id,
                        depositID: depositID,
                        logger: logger
                    )
                } catch {
                    throw OrderFailure.database(error, stage: "record")
                }
            }
            logger.info(
                "order in NetSuite",
                metadata: [
                    "netsuite.sales_order_id": "\(salesOrder.id)", "netsuite.deposit_id": "\(depositID ?? "none")",
                ]
            )

            // 6. PrestaShop state.
            return await measureStage("write_back") {
                await writeBack(
                    order: order,
                    key: key,
                    salesOrderID: salesOrder.id,
                    newlyRecorded: newlyRecorded,
                    logger: logger
                )
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
            // Cart rules live in their own resource; read only when the order has a discount.
            async let cartRules =
                order.totalDiscountsTaxIncl > 0 || order.totalDiscountsTaxExcl > 0
                ? prestaShop.orderCartRules(orderID: order.id, logger: logger) : []
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
                let detail =
                    rows.first { $0.id == row.id }
                    ?? rows.first { $0.productID == row.productID && $0.productAttributeID == row.productAttributeID }
                if let detail { categories[row.id] = detail.taxRulesGroupID }
            }
            return OrderContext(
                deliveryCountryISO: countryISO,
                currencyISO: currencyISO,
                lineTaxCategories: categories,
                isPaid: paid,
                customerEntityID: 0,
                cartRules: try await cartRules.map {
                    ShopOrder.CartRule(
                        id: $0.cartRuleID,
                        name: $0.name,
                        valueTaxIncl: $0.value,
                        valueTaxExcl: $0.valueTaxExcl,
                        freeShipping: $0.freeShipping
                    )
                }
            )
        } catch let error as PrestaShopError {
            throw OrderFailure.prestaShop(error, stage: "context")
        } catch {
            throw OrderFailure.classify(error, stage: "context")
        }
    }

    private func resolveCustomer(
        order: PrestaShopOrder,
        record: OrderSyncRecord,
        subsidiaryID: Int,
        logger: Logger
    ) async throws(OrderFailure) -> Int {
        if let known = record.netSuiteCustomerID, let id = Int(known) { return id }
        let externalID = customerExternalID(shopID: order.shopID, customerID: order.customerID)
        do {
            let customer = try await prestaShop.customer(id: order.customerID, logger: logger)
            if let id = try await submitter.findCustomer(externalID: externalID, email: customer.email, logger: logger)
            {
                try await sync.advance(key: record.key, to: .customerResolved, customerID: String(id), logger: logger)
                return id
            }
            let request = CustomerRequest(
                externalID: externalID,
                email: customer.email,
                firstName: customer.firstName,
                lastName: customer.lastName,
                company: customer.company,
                subsidiaryID: subsidiaryID
            )
            let established = try await submitter.createCustomer(
                request,
                announce: {
                    try await sync.recordPendingWrite(key: record.key, .customerCreate, logger: logger)
                },
                logger: logger
            )
            guard let id = Int(established.id) else {
                throw OrderFailure(
                    .systemic,
                    stage: "customer",
                    message: "customer id is not numeric",
                    errorType: "netsuite_unexpected_response"
                )
            }
            try await sync.advance(key: record.key, to: .customerResolved, customerID: established.id, logger: logger)
            if established.how == .created {
                logger.info("customer created in NetSuite", metadata: ["netsuite.customer_id": "\(id)"])
            } else {
                logger.info("customer found in NetSuite after a create", metadata: ["netsuite.customer_id": "\(id)"])
            }
            return id
        } catch let error as PrestaShopError {
            throw OrderFailure.prestaShop(error, stage: "customer")
        } catch {
            throw OrderFailure.classify(error, stage: "customer")
        }
    }

    /// The sales order as established in this attempt, and how (which the deposit's plan depends on).
    struct EstablishedSalesOrder {
        var id: String
        /// The plan as carried out: `.use` for a remembered id, `.create` for one created now, `.lookUpThenCreate`
        /// for one a look-up found.
        var carriedOut: RecordPlan
    }

    private func ensureSalesOrder(
        _ draft: SalesOrderDraft,
        plan: RecordPlan,
        key: IdempotencyKey,
        logger: Logger
    ) async throws(OrderFailure) -> EstablishedSalesOrder {
        do {
            let established = try await submitter.establish(
                plan,
                type: "salesOrder",
                externalID: draft.externalID,
                body: SalesOrderRequest(draft),
                announce: {
                    try await sync.recordPendingWrite(key: key.description, .salesOrderCreate, logger: logger)
                },
                logger: logger
            )
            switch established.how {
            case .remembered:
                return EstablishedSalesOrder(id: established.id, carriedOut: .use(established.id))
            case .created, .resolvedAfterCreate:
                try await sync.advance(
                    key: key.description,
                    to: .salesOrderCreated,
                    salesOrderID: established.id,
                    logger: logger
                )
                return EstablishedSalesOrder(id: established.id, carriedOut: .create)
            case .found:
                try await sync.advance(
                    key: key.description,
                    to: .salesOrderCreated,
                    salesOrderID: established.id,
                    logger: logger
                )
                return EstablishedSalesOrder(id: established.id, carriedOut: .lookUpThenCreate)
            }
        } catch {
            throw OrderFailure.classify(error, stage: "sales_order")
        }
    }

    private func ensureDeposit(
        _ draft: SalesOrderDraft,
        plan: RecordPlan,
        salesOrderID: String,
        key: IdempotencyKey,
        logger: Logger
    ) async throws(OrderFailure) -> String? {
        guard let deposit = draft.deposit else { return nil }
        do {
            let established = try await submitter.establish(
                plan,
                type: "customerDeposit",
                externalID: deposit.externalID,
                body: CustomerDepositRequest(draft, deposit: deposit, salesOrderID: salesOrderID),
                announce: { try await sync.recordPendingWrite(key: key.description, .depositCreate, logger: logger) },
                logger: logger
            )
            if established.how != .remembered {
                try await sync.advance(
                    key: key.description,
                    to: .depositCreated,
                    depositID: established.id,
                    logger: logger
                )
            }
            return established.id
        } catch let error as NetSuiteError
            where error.method == "POST"
            && OrderFailure.netSuite(error, stage: "deposit").failureClass == .orderSpecific
        {
            // NetSuite refused the deposit itself (a failed look-up is not a refusal: it is retried as it is).
            throw await rollBack(salesOrderID: salesOrderID, refusal: error, key: key, logger: logger)
        } catch {
            throw OrderFailure.classify(error, stage: "deposit")
        }
    }

    /// NetSuite refused the payment: the sales order is deleted so it never stands without its payment. The sales
    /// order is forgotten (and the delete recorded as pending) *before* the delete is sent. Returns the failure to
    /// throw: the refusal when the rollback went through (permanent when NetSuite will refuse it again as it is), or
    /// the rollback's own failure.
    private func rollBack(
        salesOrderID: String,
        refusal error: NetSuiteError,
        key: IdempotencyKey,
        logger: Logger
    ) async -> OrderFailure {
        let refusal = OrderFailure.depositRefusal(error)
        var logger = logger
        logger[metadataKey: "netsuite.sales_order_id"] = "\(salesOrderID)"
        do {
            try await sync.beginRollback(key: key.description, logger: logger)
        } catch {
            // Without the record of the rollback a lost answer could leave a deleted sales order remembered: hold the
            // order until the database answers, and roll back then.
            return OrderFailure.database(error, stage: "rollback")
        }
        do {
            try await submitter.deleteSalesOrder(id: salesOrderID, logger: logger)
        } catch {
            let failure = OrderFailure.classify(error, stage: "rollback")
            logger.error("sales order rollback failed", metadata: ["error.type": "\(failure.errorType)"])
            return failure
        }
        try? await sync.settlePendingWrite(key: key.description, logger: logger)
        logger.warning("deposit refused, sales order rolled back", metadata: ["error.type": "\(refusal.errorType)"])
        var failure = refusal
        failure.message = "deposit refused (\(refusal.message)); sales order \(salesOrderID) rolled back"
        return failure
    }

    private func writeBack(
        order: PrestaShopOrder,
        key: IdempotencyKey,
        salesOrderID: String,
        newlyRecorded: Bool,
        logger: Logger
    ) async -> PipelineOutcome {
        guard let state = writeBackStateID else {
            try? await sync.markWrittenBack(key: key.description, logger: logger)
            return .completed(salesOrderID: salesOrderID, newlyRecorded: newlyRecorded)
        }
        do {
            try await prestaShop.addOrderHistory(orderID: order.id, stateID: state, sendEmail: false, logger: logger)
            try await sync.markWrittenBack(key: key.description, logger: logger)
            return .completed(salesOrderID: salesOrderID, newlyRecorded: newlyRecorded)
        } catch {
            logger.warning(
                "PrestaShop write-back failed",
                metadata: ["stage": "write_back", "error.type": "\(type(of: error))"]
            )
            return .writeBackPending(salesOrderID: salesOrderID, message: String(describing: error))
        }
    }

    // MARK: - Wire shapes

    static func shopOrder(_ order: PrestaShopOrder) -> ShopOrder {
        ShopOrder(
            id: order.id,
            shopID: order.shopID,
            reference: order.reference,
            customerID: order.customerID,
            deliveryAddressID: order.deliveryAddressID,
            currencyID: order.currencyID,
            carrierID: order.carrierID,
            paymentModule: order.module,
            currentState: order.currentState,
            dateAdd: order.dateAdd,
            totalPaidTaxIncl: order.totalPaidTaxIncl,
            totalShippingTaxExcl: order.totalShippingTaxExcl,
            totalShippingTaxIncl: order.totalShippingTaxIncl,
            totalDiscountsTaxExcl: order.totalDiscountsTaxExcl,
            totalDiscountsTaxIncl: order.totalDiscountsTaxIncl,
            totalWrappingTaxExcl: order.totalWrappingTaxExcl,
            totalWrappingTaxIncl: order.totalWrappingTaxIncl,
            conversionRate: order.conversionRate,
            lines: order.rows.map {
                ShopOrder.Line(
                    rowID: $0.id,
                    productID: $0.productID,
                    combinationID: $0.productAttributeID,
                    reference: $0.reference,
                    name: $0.name,
                    quantity: $0.quantity,
                    unitPriceTaxExcl: $0.unitPriceTaxExcl,
                    unitPriceTaxIncl: $0.unitPriceTaxIncl
                )
            }
        )
    }
}

/// Country, currency and order-state look-ups change rarely: cached for the life of the process.
final class ReferenceCache: Sendable {
    private let countries = Mutex<[Int: String]>([:])
    private let currencies = Mutex<[Int: String]>([:])
    private let paidStates = Mutex<[Int: Bool]?>(nil)

    func countryISO(
        id: Int,
        load: (Int) async throws(PrestaShopError) -> String
    ) async throws(PrestaShopError) -> String {
        if let hit = countries.withLock({ $0[id] }) { return hit }
        let value = try await load(id)
        countries.withLock { $0[id] = value }
        return value
    }

    func currencyISO(
        id: Int,
        load: (Int) async throws(PrestaShopError) -> String
    ) async throws(PrestaShopError) -> String {
        if let hit = currencies.withLock({ $0[id] }) { return hit }
        let value = try await load(id)
        currencies.withLock { $0[id] = value }
        return value
    }

    func isPaidState(
        _ id: Int,
        load: () async throws(PrestaShopError) -> [(Int, Bool)]
    ) async throws(PrestaShopError) -> Bool {
        if let states = paidStates.withLock({ $0 }), let paid = states[id] { return paid }
        let loaded = Dictionary(try await load(), uniquingKeysWith: { a, _ in a })
        paidStates.withLock { $0 = loaded }
        return loaded[id] ?? false
    }
}
