import FerryCore
import Testing

/// The one rule for building on remembered NetSuite ids, over every combination of what can be remembered.
@Suite struct SubmissionRulesTests {
    static let pendings: [PendingWrite?] = [nil] + PendingWrite.allCases

    @Test(arguments: pendings, [String?.none, "501"])
    func salesOrderPlan(pending: PendingWrite?, remembered: String?) {
        let plan = SubmissionRules.salesOrderPlan(
            SubmissionMemory(salesOrderID: remembered, depositID: nil, pending: pending)
        )
        switch pending {
        case .salesOrderCreate, .salesOrderDelete:
            // Whatever is remembered, the outcome of a sales order write is unknown: ask NetSuite.
            #expect(plan == .lookUpThenCreate)
        case .depositCreate, .customerCreate, nil:
            #expect(plan == (remembered.map { .use($0) } ?? .create))
        }
    }

    @Test func firstCreateNeedsNoLookUp() {
        #expect(SubmissionRules.salesOrderPlan(SubmissionMemory()) == .create)
        #expect(SubmissionRules.depositPlan(SubmissionMemory(), salesOrder: .create, salesOrderID: "7") == .create)
    }

    /// The hole of a rollback whose answer was lost: the remembered id must not be built on.
    @Test func aLostRollbackAnswerIsNeverBuiltOn() {
        let memory = SubmissionMemory(salesOrderID: "501", depositID: nil, pending: .salesOrderDelete)
        #expect(SubmissionRules.salesOrderPlan(memory) == .lookUpThenCreate)
    }

    @Test(arguments: pendings, [String?.none, "900"])
    func depositPlan(pending: PendingWrite?, rememberedDeposit: String?) {
        let memory = SubmissionMemory(salesOrderID: "501", depositID: rememberedDeposit, pending: pending)
        for carriedOut in [RecordPlan.use("501"), .use("777"), .create, .lookUpThenCreate] {
            let plan = SubmissionRules.depositPlan(memory, salesOrder: carriedOut, salesOrderID: "501")
            if pending == .depositCreate {
                #expect(plan == .lookUpThenCreate, "a deposit write with an unknown outcome is looked up")
            } else if carriedOut == .use("501"), let rememberedDeposit {
                #expect(plan == .use(rememberedDeposit))
            } else {
                // A sales order created or found now, or another one than remembered: its deposit is not the one remembered.
                #expect(plan == .create)
            }
        }
    }

    @Test(arguments: [
        (String?.none, String?.none, false, false), (nil, "9", true, false), ("5", nil, false, true),
        ("5", nil, true, false),
        ("5", "9", true, true), ("5", "9", false, true),
    ])
    func completeOnlyWithSalesOrderAndDepositWhenPaid(salesOrder: String?, deposit: String?, paid: Bool, complete: Bool)
    {
        #expect(SubmissionRules.isComplete(salesOrder: salesOrder, deposit: deposit, isPaid: paid) == complete)
    }
}
