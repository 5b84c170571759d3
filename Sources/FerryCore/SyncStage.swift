/// Where one order stands on its way into NetSuite. Stored per order; the worker resumes from it.
public enum SyncStage: String, Sendable, Codable, CaseIterable, Comparable {
    /// The webhook was accepted and the worker has seen the message.
    case received
    /// The NetSuite customer was found or created.
    case customerResolved = "customer_resolved"
    /// The sales order exists in NetSuite.
    case salesOrderCreated = "sales_order_created"
    /// The customer deposit exists in NetSuite (or the order is unpaid and needs none).
    case depositCreated = "deposit_created"
    /// Sales order and deposit recorded as processed: the order is in NetSuite.
    case recorded
    /// The PrestaShop order state was written back.
    case writtenBack = "written_back"
    /// Attempts ran out or the payload can never succeed; an operator has it in the dead-letter subject.
    case deadLettered = "dead_lettered"

    public static func < (lhs: SyncStage, rhs: SyncStage) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }

    /// True once NetSuite holds the order (sales order and, when paid, its deposit).
    public var isInNetSuite: Bool { self == .recorded || self == .writtenBack }
}

/// One failed attempt, as kept for the dead-letter entry and `ferry dlq show`.
public struct AttemptRecord: Sendable, Equatable, Codable {
    public var attempt: Int
    /// Unix seconds, with fractions.
    public var at: Double
    public var stage: String
    public var errorClass: String
    public var message: String
    public var netSuiteErrorCode: String?

    public init(
        attempt: Int,
        at: Double,
        stage: String,
        errorClass: String,
        message: String,
        netSuiteErrorCode: String?
    ) {
        self.attempt = attempt
        self.at = at
        self.stage = stage
        self.errorClass = errorClass
        self.message = message
        self.netSuiteErrorCode = netSuiteErrorCode
    }
}
