import Foundation
import Testing

/// NetSuite calls that fail in the ways that make "exactly once" hard: a create that is saved and then
/// answered with a dropped connection, a 502, or nothing until the client gave up; a worker killed while
/// inside such a call; a deposit NetSuite refuses.
@Suite("End to end: NetSuite failures")
struct NetSuiteFailureTests {
    enum CommitThenFail: String, CaseIterable, Sendable {
        case dropConnection, badGateway, delay
    }

    /// The customer, sales order and deposit creates are each saved by NetSuite and then fail: Ferry looks them up by
    /// external id instead of creating them again, so each exists once, and the order spends no attempt.
    @Test(arguments: CommitThenFail.allCases)
    func createSavedThenFailedIsNotRepeated(_ failure: CommitThenFail) async throws {
        var options = PipelineOptions()
        // For `delay`: the answer comes after the client's timeout.
        options.netSuiteTimeout = "1500ms"
        try await PipelineHarness.run(options: options) { h in
            let gateway = try await h.startGateway()
            try await h.startWorker()
            try await h.configureWebhook(to: gateway)
            for type in ["customer", "salesOrder", "customerDeposit"] {
                try await h.addCommitThenFail(
                    recordType: type,
                    failure: failure.rawValue,
                    count: 1,
                    delaySeconds: failure == .delay ? 4 : nil
                )
            }
            let customer = SandboxWorld.newCustomers[2]
            let order = try await h.createOrder(
                customerID: customer.id,
                lines: [.init(sku: SandboxWorld.defaultSKUs[1], quantity: 1)]
            )
            try await h.waitUntilWrittenBack([order], timeout: .seconds(90))

            // Every fault fired (the rules are used up), and yet one of each.
            #expect(try await h.netSuiteFaults()["commitThenFail"].array.isEmpty, "all three faults fired")
            try await h.expectInNetSuiteExactlyOnce(orderID: order)
            #expect(try await h.netSuiteCreates("customer")["PS-1-CUST-\(customer.id)"] == 1)
            #expect(try await h.netSuiteCreates("salesOrder") == ["PS-1-\(order)": 1])
            #expect(try await h.netSuiteCreates("customerDeposit") == ["PS-1-\(order)-DEP": 1])
            let stats = try await h.netSuiteStats()
            switch failure {
            case .dropConnection: #expect(stats["droppedConnections"].int == 3)
            case .badGateway: #expect(stats["requestsByStatus"]["502"].int == 3)
            case .delay: break
            }
            // Not the order's fault: no attempt spent, nothing dead-lettered.
            #expect(try await h.syncRow(orderID: order)?.attempts == 0)
            #expect(try await h.deadLettersInStream() == 0)
        }
    }

    /// A worker is `kill -9`ed while NetSuite holds its sales order create (saved, answer delayed). Another worker
    /// gets the message once the ack deadline passes and finds the sales order instead of creating a second.
    @Test func workerKilledInsideNetSuiteCallIsRedeliveredAndNotDuplicated() async throws {
        var options = PipelineOptions()
        options.ackWait = "3s"
        try await PipelineHarness.run(options: options) { h in
            let gateway = try await h.startGateway()
            let first = try await h.startWorker("worker-1")
            try await h.configureWebhook(to: gateway)
            try await h.addCommitThenFail(recordType: "salesOrder", failure: "delay", count: 1, delaySeconds: 120)

            let order = try await h.createOrder(
                customerID: SandboxWorld.existingCustomer.id,
                lines: [.init(sku: SandboxWorld.defaultSKUs[4], quantity: 2)]
            )
            // The sales order is saved and worker 1 is waiting inside the call.
            try await waitUntil("the sales order is saved while worker 1 waits for the answer") {
                try await h.netSuiteCreates("salesOrder")["PS-1-\(order)"] == 1
            }
            #expect(try await h.netSuiteStats()["inFlight"].int ?? 0 >= 1)
            #expect(try await h.unfinishedMessages() == 1)

            await first.kill9()
            #expect(first.terminationReason == .uncaughtSignal)
            #expect(first.exitStatus == SIGKILL)

            let second = try await h.startWorker("worker-2")
            try await h.waitUntilWrittenBack([order], timeout: .seconds(60))
            try await h.expectInNetSuiteExactlyOnce(orderID: order)
            #expect(try await h.netSuiteRecords("salesOrder").count == 1)
            #expect(
                second.logLines(message: "record already in NetSuite").contains {
                    $0["netsuite.record"].string == "salesOrder"
                },
                "worker 2 found the sales order worker 1 left behind"
            )
            try await waitUntil("the consumer has nothing left") { try await h.unfinishedMessages() == 0 }
            #expect(try await h.deadLettersInStream() == 0)
        }
    }

    /// NetSuite refuses the deposit for a reason that goes away by itself (the record was being changed): the sales
    /// order is deleted again (never left without its payment) and the order retried. While the refusal lasts no sales
    /// order stands in NetSuite; once it is lifted, one of each.
    @Test func transientlyRefusedDepositRollsTheSalesOrderBackUntilNetSuiteAcceptsIt() async throws {
        var options = PipelineOptions()
        options.retrySchedule = "300ms"
        options.maxAttempts = 100
        try await PipelineHarness.run(options: options) { h in
            let gateway = try await h.startGateway()
            let first = try await h.startWorker("worker-1")
            try await h.configureWebhook(to: gateway)
            try await h.addRejection(
                recordType: "customerDeposit",
                count: 1000,
                errorCode: "RCRD_HAS_BEEN_CHANGED",
                detail: "Record has been changed since you retrieved it."
            )

            let order = try await h.createOrder(
                customerID: SandboxWorld.existingCustomer.id,
                lines: [.init(sku: SandboxWorld.defaultSKUs[6], quantity: 1)]
            )
            try await waitUntil("the order failed on its deposit at least twice") {
                try await h.attempts(orderID: order).count >= 2
            }
            // Stop the worker (it finishes what it holds) and look at NetSuite between attempts.
            await first.stop(grace: .seconds(20))
            #expect(first.exitStatus == 0, "graceful stop")

            let externalID = "PS-1-\(order)"
            #expect(
                try await h.netSuiteRecords("salesOrder", externalID: externalID).isEmpty,
                "no sales order left behind"
            )
            #expect(try await h.netSuiteRecords("customerDeposit").isEmpty)
            #expect(
                try await h.netSuiteCreates("salesOrder")[externalID] ?? 0 >= 2,
                "a sales order was created and rolled back on each attempt"
            )
            let row = try #require(try await h.syncRow(orderID: order))
            #expect(row.stage != "written_back" && row.stage != "recorded")
            #expect(row.salesOrderID == nil)
            #expect(row.lastErrorClass == "order_specific")
            #expect(try await h.processedEvents(orderID: order) == 0)
            #expect(try await h.orderHistory(orderID: order)["currentState"].int == 2, "not written back")

            try await h.clearNetSuiteFaults()
            try await h.startWorker("worker-2")
            try await h.waitUntilWrittenBack([order], timeout: .seconds(60))
            let final = try await h.expectInNetSuiteExactlyOnce(orderID: order, checkSalesOrderCreates: false)
            #expect(final.deposit != nil)
            #expect(try await h.netSuiteRecords("salesOrder").count == 1)
            #expect(try await h.netSuiteRecords("customerDeposit").count == 1)
            #expect(try await h.deadLettersInStream() == 0)
            #expect(try await h.syncRow(orderID: order)?.lastErrorClass == nil, "the last error is cleared on success")
        }
    }

    /// NetSuite refuses the deposit as invalid (its verdict on what Ferry sent: the same on every retry). The sales
    /// order is rolled back once and the order dead-lettered at once instead of creating and deleting a sales order
    /// on every attempt; once the cause is fixed, a resubmission puts it into NetSuite once.
    @Test func deterministicallyRefusedDepositIsRolledBackOnceAndDeadLettered() async throws {
        try await PipelineHarness.run { h in
            let gateway = try await h.startGateway()
            try await h.startWorker()
            try await h.configureWebhook(to: gateway)
            try await h.addRejection(
                recordType: "customerDeposit",
                count: 1000,
                detail: "Payment method is not valid for this subsidiary."
            )

            let order = try await h.createOrder(
                customerID: SandboxWorld.existingCustomer.id,
                lines: [.init(sku: SandboxWorld.defaultSKUs[5], quantity: 1)]
            )
            try await waitUntil("the order is dead-lettered") { try await h.deadLettersInStream() == 1 }
            let externalID = "PS-1-\(order)"
            #expect(
                try await h.netSuiteCreates("salesOrder")[externalID] == 1,
                "one sales order created and rolled back"
            )
            #expect(try await h.netSuiteRecords("salesOrder", externalID: externalID).isEmpty)
            #expect(try await h.netSuiteRecords("customerDeposit").isEmpty)
            #expect(try await h.attempts(orderID: order).count == 1, "dead-lettered at once")
            #expect(try await h.orderHistory(orderID: order)["currentState"].int == 2, "not written back")
            let list = try await h.ferry("dlq", "list")
            #expect(
                list.output.contains("netsuite_deposit_refused") || list.output.contains("deposit refused"),
                "\(list.output)"
            )

            try await h.clearNetSuiteFaults()
            let resubmit = try await h.ferry("dlq", "resubmit", "--all")
            #expect(resubmit.status == 0, "\(resubmit)")
            try await h.waitUntilWrittenBack([order], timeout: .seconds(60))
            try await h.expectInNetSuiteExactlyOnce(orderID: order, checkSalesOrderCreates: false)
            #expect(try await h.netSuiteCreates("salesOrder")[externalID] == 2)
        }
    }
}
