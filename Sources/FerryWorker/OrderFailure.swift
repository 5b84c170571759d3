import FerryCore
import FerryNetSuite
import FerryPostgres
import FerryPrestaShop

/// A failed attempt at one order, classified for the retry policy.
public struct OrderFailure: Error, Sendable, CustomStringConvertible {
    public var failureClass: FailureClass
    /// For systemic failures caused by NetSuite: what kind, so the outage detector can count it.
    /// nil for systemic trouble elsewhere (PrestaShop, PostgreSQL), which holds the order but does not pause NetSuite work.
    public var netSuiteTrouble: SystemicFailure?
    /// Where it failed: `context`, `transform`, `customer`, `sales_order`, `deposit`, `rollback`, `record`, `payload`.
    public var stage: String
    /// Short, payload-free, secret-free.
    public var message: String
    public var netSuiteErrorCode: String?
    /// A label for metrics and logs (`netsuite_validation`, `missing_mapping` …).
    public var errorType: String
    /// Order facts looked up before the failure, kept with a dead letter for `ferry mappings check`.
    public var context: DeadLetterContext?

    public var description: String { "\(stage): \(message)" }

    /// What ``MessageDisposition`` needs to know of this failure.
    public var disposition: MessageDisposition.Failure {
        MessageDisposition.Failure(
            failureClass,
            netSuiteTrouble: netSuiteTrouble,
            netSuiteAnswered: netSuiteErrorCode != nil
        )
    }

    public init(
        _ failureClass: FailureClass,
        stage: String,
        message: String,
        errorType: String,
        netSuiteTrouble: SystemicFailure? = nil,
        netSuiteErrorCode: String? = nil,
        context: DeadLetterContext? = nil
    ) {
        self.failureClass = failureClass
        self.stage = stage
        self.message = message
        self.errorType = errorType
        self.netSuiteTrouble = netSuiteTrouble
        self.netSuiteErrorCode = netSuiteErrorCode
        self.context = context
    }

    /// NetSuite answers, classified: NetSuite-wide trouble holds the order without spending an attempt;
    /// answers about this order spend one.
    static func netSuite(_ error: NetSuiteError, stage: String) -> OrderFailure {
        let message = [error.errorCode, error.detail ?? error.message].compactMap { $0 }.joined(separator: ": ")
        let text = message.isEmpty ? error.kind.rawValue : message
        let type = "netsuite_\(error.kind.rawValue)"
        switch error.kind {
        case .concurrencyLimit:
            return .init(
                .systemic,
                stage: stage,
                message: text,
                errorType: type,
                netSuiteTrouble: .concurrencyLimit,
                netSuiteErrorCode: error.errorCode
            )
        case .authentication:
            // Under overload NetSuite answers slow 401s: treat as NetSuite-wide, never as this order's fault.
            return .init(
                .systemic,
                stage: stage,
                message: text,
                errorType: type,
                netSuiteTrouble: .overload,
                netSuiteErrorCode: error.errorCode
            )
        case .maintenance:
            return .init(
                .systemic,
                stage: stage,
                message: text,
                errorType: type,
                netSuiteTrouble: .maintenance,
                netSuiteErrorCode: error.errorCode
            )
        case .serverError, .unexpectedResponse:
            return .init(
                .systemic,
                stage: stage,
                message: text,
                errorType: type,
                netSuiteTrouble: .serverError,
                netSuiteErrorCode: error.errorCode
            )
        case .timeout:
            return .init(.systemic, stage: stage, message: text, errorType: type, netSuiteTrouble: .timeout)
        case .connection, .cancelled:
            return .init(.systemic, stage: stage, message: text, errorType: type, netSuiteTrouble: .connection)
        case .validation, .duplicate, .notFound, .cannotDelete, .forbidden, .invalidRequest:
            return .init(
                .orderSpecific,
                stage: stage,
                message: text,
                errorType: type,
                netSuiteErrorCode: error.errorCode
            )
        }
    }

    /// NetSuite error codes of refusals that can go away by themselves (a record another process was changing or
    /// had locked). Every other refusal of a deposit is NetSuite's verdict on what Ferry sent, and it says the same
    /// on every retry until someone changes a mapping or NetSuite's settings.
    static let transientRefusalCodes: Set<String> = [
        "RCRD_HAS_BEEN_CHANGED", "RCRD_LOCKED_BY_WF", "RECORD_LOCKED", "SSS_REQUEST_LIMIT_EXCEEDED", "UNEXPECTED_ERROR",
    ]

    /// A refused deposit (after its sales order was rolled back). A deterministic refusal is permanent: retrying
    /// would create and delete a sales order on every attempt for the same answer, so the order goes to the
    /// dead-letter subject at once, for an operator to fix the cause and resubmit. A transient one is retried.
    static func depositRefusal(_ error: NetSuiteError) -> OrderFailure {
        var failure = OrderFailure.netSuite(error, stage: "deposit")
        let transient = error.errorCode.map { transientRefusalCodes.contains($0) } ?? false
        if !transient, error.kind == .validation || error.kind == .forbidden || error.kind == .invalidRequest {
            failure.failureClass = .permanent
            failure.errorType = "netsuite_deposit_refused"
        }
        return failure
    }

    static func prestaShop(_ error: PrestaShopError, stage: String) -> OrderFailure {
        let type = "prestashop_\(error.shortForm)"
        if error.isRetryable || error.kind == .authentication || error.kind == .rateLimited {
            return .init(.systemic, stage: stage, message: error.description, errorType: type)
        }
        return .init(.orderSpecific, stage: stage, message: error.description, errorType: type)
    }

    static func database(_ error: any Error, stage: String) -> OrderFailure {
        let message = (error as? DatabaseError)?.message ?? "database unavailable"
        return .init(.systemic, stage: stage, message: message, errorType: "database")
    }

    static func classify(_ error: any Error, stage: String) -> OrderFailure {
        switch error {
        case let failure as OrderFailure: failure
        case let netSuite as NetSuiteError: .netSuite(netSuite, stage: stage)
        case let prestaShop as PrestaShopError: .prestaShop(prestaShop, stage: stage)
        case is DatabaseError: .database(error, stage: stage)
        case let lease as ConcurrencyLeaseError:
            // No slot in time, or the lease store is unreachable: hold the order, spend nothing, and do not
            // count it as NetSuite trouble.
            .init(.systemic, stage: stage, message: lease.description, errorType: lease.shortForm)
        case is CancellationError: .init(.systemic, stage: stage, message: "cancelled", errorType: "cancelled")
        default: .init(.systemic, stage: stage, message: String(describing: type(of: error)), errorType: "unexpected")
        }
    }
}

/// Facts about an order that the dead-letter entry keeps so `ferry mappings check` can re-run the transform.
public struct DeadLetterContext: Sendable, Codable, Equatable {
    public var countryISO: String
    public var currencyISO: String
    /// Tax category per order row id, as strings (JSON object keys).
    public var lineTaxCategories: [String: Int]
    public var isPaid: Bool
    /// The order's cart rules (absent in dead letters written before discounts were mapped).
    public var cartRules: [ShopOrder.CartRule]?

    /// Keys that survive the dead-letter entry's snake_case round trip (`countryISO` → `country_iso` → `countryIso`).
    enum CodingKeys: String, CodingKey {
        case countryISO = "countryIso"
        case currencyISO = "currencyIso"
        case lineTaxCategories, isPaid, cartRules
    }

    public init(
        countryISO: String,
        currencyISO: String,
        lineTaxCategories: [String: Int],
        isPaid: Bool,
        cartRules: [ShopOrder.CartRule]? = nil
    ) {
        self.countryISO = countryISO
        self.currencyISO = currencyISO
        self.lineTaxCategories = lineTaxCategories
        self.isPaid = isPaid
        self.cartRules = cartRules
    }

    public var orderContext: OrderContext {
        OrderContext(
            deliveryCountryISO: countryISO,
            currencyISO: currencyISO,
            lineTaxCategories: Dictionary(
                uniqueKeysWithValues: lineTaxCategories.compactMap { k, v in Int(k).map { ($0, v) } }
            ),
            isPaid: isPaid,
            customerEntityID: 0,
            cartRules: cartRules ?? []
        )
    }
}
