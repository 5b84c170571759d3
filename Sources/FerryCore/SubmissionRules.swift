/// A NetSuite write Ferry sent for an order and whose outcome it does not know: recorded in the order's sync
/// state *before* the request goes out and cleared once NetSuite's answer is known. A process killed inside the
/// call, a timeout, a dropped connection, a 5xx after commit or a cancelled request all leave it set.
public enum PendingWrite: String, Sendable, Codable, CaseIterable {
    case customerCreate = "customer.create"
    case salesOrderCreate = "salesOrder.create"
    case depositCreate = "customerDeposit.create"
    /// The rollback of a sales order whose deposit NetSuite refused.
    case salesOrderDelete = "salesOrder.delete"
}

/// What Ferry remembers of an order's NetSuite records (`order_sync`).
public struct SubmissionMemory: Sendable, Equatable {
    public var salesOrderID: String?
    public var depositID: String?
    public var pending: PendingWrite?

    public init(salesOrderID: String? = nil, depositID: String? = nil, pending: PendingWrite? = nil) {
        self.salesOrderID = salesOrderID
        self.depositID = depositID
        self.pending = pending
    }
}

/// How one of an order's NetSuite records is established.
public enum RecordPlan: Sendable, Equatable {
    /// The remembered internal id is a fact: build on it.
    case use(String)
    /// Nothing was ever sent for this record: create it without asking first. A racing worker's record is still
    /// found, because NetSuite refuses a second record with the same external id and the refusal is resolved by a
    /// look-up.
    case create
    /// A write's outcome is unknown, so whatever Ferry remembers is only a hint: ask NetSuite by external id, and
    /// create only if it holds nothing.
    case lookUpThenCreate
}

/// The one rule for building on what Ferry remembers of NetSuite, used by every step of an order's submission:
///
/// - A remembered id is a fact only while no write of the order has an unknown outcome. After a timeout, a dropped
///   connection, a 5xx, a failed rollback or a killed process, the record that write concerned is re-established by
///   a look-up by external id before anything is built on it.
/// - A rollback forgets the sales order (and its deposit) *before* the delete is sent, so a lost answer can never
///   leave a remembered id of a deleted sales order behind.
/// - A deposit belongs to one sales order: a sales order created in this attempt voids any remembered deposit.
/// - PrestaShop is written back only when NetSuite holds the sales order and, for a paid order, its deposit, both
///   established in this attempt by one of the plans above (``isComplete(salesOrder:deposit:isPaid:)``).
public enum SubmissionRules {
    /// How to establish the sales order.
    public static func salesOrderPlan(_ memory: SubmissionMemory) -> RecordPlan {
        switch memory.pending {
        case .salesOrderCreate, .salesOrderDelete:
            return .lookUpThenCreate
        case .depositCreate, .customerCreate, nil:
            if let id = memory.salesOrderID { return .use(id) }
            return .create
        }
    }

    /// How to establish the deposit, once the sales order is established by `salesOrder` (the plan that was
    /// carried out) and `salesOrderID` is its id.
    public static func depositPlan(
        _ memory: SubmissionMemory,
        salesOrder: RecordPlan,
        salesOrderID: String
    ) -> RecordPlan {
        if memory.pending == .depositCreate { return .lookUpThenCreate }
        switch salesOrder {
        case .create:
            // A new sales order has no deposit yet.
            return .create
        case .lookUpThenCreate:
            // The sales order may be one a killed process created; no deposit was sent for it (that would have
            // left `depositCreate` pending), but a racing worker may have: creating is safe, a duplicate is resolved.
            return .create
        case .use(let id):
            if id == salesOrderID, let deposit = memory.depositID { return .use(deposit) }
            return .create
        }
    }

    /// Whether NetSuite holds the whole order, so it may be recorded as processed and written back to PrestaShop.
    public static func isComplete(salesOrder: String?, deposit: String?, isPaid: Bool) -> Bool {
        guard salesOrder != nil else { return false }
        return !isPaid || deposit != nil
    }
}
