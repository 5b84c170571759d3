import FerryTestSupport
import Foundation
import PostgresNIO
import Testing

/// Many orders at once, and what the NetSuite lease looks like while they run.
extension PipelineHarness {
    /// Has the PrestaShop sandbox's generator place `count` orders, then posts their signed webhooks ourselves,
    /// `concurrency` at a time, alternately to each gateway. Returns each order's id and whether it is paid.
    func postGeneratedOrders(_ count: Int, to gateways: [Gateway], concurrency: Int = 16) async throws -> [Int: Bool] {
        let created = try await sendJSON(.POST, prestaShop.baseURL + "/_sandbox/generator", ["createOrders": count])
        let orders = created.json["createdOrderIds"].array.compactMap(\.int)
        guard orders.count == count else { throw HarnessError("generator created \(orders.count) of \(count) orders") }
        return try await postWebhooks(for: orders, to: gateways, concurrency: concurrency)
    }

    /// Posts the signed webhooks of existing shop orders, `concurrency` at a time, alternately to each gateway.
    func postWebhooks(for orders: [Int], to gateways: [Gateway], concurrency: Int = 16) async throws -> [Int: Bool] {
        try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
            var paid: [Int: Bool] = [:]
            var next = 0
            func post(_ index: Int) {
                let order = orders[index]
                let gateway = gateways[index % gateways.count]
                group.addTask {
                    let body = try await self.shopOrderBody(orderID: order)
                    let state = try JSONValue.parse(body)["order"]["current_state"].int ?? 0
                    let answer = try await self.postWebhook(body, to: gateway)
                    guard answer.status == 202 else {
                        throw HarnessError("webhook \(order): \(answer.status) \(answer.text)")
                    }
                    return (order, self.isPaid(state: state))
                }
            }
            while next < min(concurrency, orders.count) {
                post(next)
                next += 1
            }
            for try await (order, isPaid) in group {
                paid[order] = isPaid
                if next < orders.count {
                    post(next)
                    next += 1
                }
            }
            return paid
        }
    }

    /// Lease slots held now (unexpired, by the database server's clock), by one holder or by all.
    func leaseSlotsHeld(by holder: String? = nil) async throws -> Int {
        let filter = holder.map { " AND holder = '\($0.replacingOccurrences(of: "'", with: "''"))'" } ?? ""
        return try await count(
            "SELECT count(*)::int FROM netsuite_lease_slots WHERE token IS NOT NULL AND expires_at > now()\(filter)"
        )
    }

    /// Orders whose sales order (and deposit) NetSuite has and whose processed mark is written.
    func ordersInNetSuite() async throws -> Int {
        try await count("SELECT count(*)::int FROM order_sync WHERE recorded_at IS NOT NULL")
    }

    /// Seconds from the gateway's receipt of each order's webhook to its processed mark, for the given orders.
    func endToEndSeconds(_ orderIDs: [Int]) async throws -> [Double] {
        let keys = orderIDs.map { "'\(Self.key($0))'" }.joined(separator: ",")
        let rows = try await database.query(
            PostgresQuery(
                unsafeSQL: """
                    SELECT extract(epoch FROM recorded_at - webhook_received_at)::float8 FROM order_sync
                    WHERE recorded_at IS NOT NULL AND webhook_received_at IS NOT NULL AND idempotency_key IN (\(keys))
                    """
            ),
            logger: Self.logger
        )
        var result: [Double] = []
        for try await seconds in rows.decode(Double.self) { result.append(seconds) }
        return result
    }

    /// The sandbox's counters: requests answered, 429s, the most requests admitted at once.
    func netSuiteCounters() async throws -> (requests: Int, rejected: Int, maxConcurrent: Int) {
        let stats = try await netSuiteStats()
        return (stats["requestsTotal"].int ?? 0, stats["rejectedConcurrency"].int ?? 0, stats["maxConcurrent"].int ?? 0)
    }

    /// Checks what every load test expects at the end: each order once in NetSuite (one create per external id,
    /// lines present, no duplicated lines), each paid order's deposit once and linked to its sales order, customers
    /// Ferry created once each, every order recorded, no dead letter.
    func expectEachOrderExactlyOnce(_ paid: [Int: Bool], sourceLocation: SourceLocation = #_sourceLocation) async throws
    {
        let orders = Array(paid.keys)
        let salesOrders = try await netSuiteRecords("salesOrder")
        #expect(salesOrders.count == orders.count, sourceLocation: sourceLocation)
        #expect(
            Set(salesOrders.compactMap { $0["externalId"].string }) == Set(orders.map { "PS-1-\($0)" }),
            sourceLocation: sourceLocation
        )
        let creates = try await netSuiteCreates("salesOrder")
        #expect(creates.count == orders.count, sourceLocation: sourceLocation)
        #expect(
            creates.values.allSatisfy { $0 == 1 },
            "creates per externalId: \(creates.filter { $0.value != 1 })",
            sourceLocation: sourceLocation
        )
        #expect(try await duplicateLines().isEmpty, sourceLocation: sourceLocation)
        for record in salesOrders {
            let rows = record["record"]["item"]["items"].array
            #expect(!rows.isEmpty && rows.allSatisfy { ($0["quantity"].int ?? 0) > 0 }, sourceLocation: sourceLocation)
        }
        let salesOrderIDs = Dictionary(
            uniqueKeysWithValues: salesOrders.compactMap { record in
                record["externalId"].string.flatMap { eid in record["id"].string.map { (eid, $0) } }
            }
        )
        let paidOrders = paid.filter(\.value).map(\.key)
        let deposits = try await netSuiteRecords("customerDeposit")
        #expect(
            Set(deposits.compactMap { $0["externalId"].string }) == Set(paidOrders.map { "PS-1-\($0)-DEP" }),
            sourceLocation: sourceLocation
        )
        #expect(
            try await netSuiteCreates("customerDeposit").values.allSatisfy { $0 == 1 },
            sourceLocation: sourceLocation
        )
        for deposit in deposits {
            let eid = deposit["externalId"].string ?? ""
            #expect(
                deposit["record"]["salesOrder"].referenceID == salesOrderIDs[String(eid.dropLast(4))],
                sourceLocation: sourceLocation
            )
        }
        let customers = try await netSuiteRecords("customer")
        #expect(
            Set(customers.compactMap { $0["externalId"].string }).count == customers.count,
            sourceLocation: sourceLocation
        )
        #expect(
            try await count("SELECT count(*)::int FROM processed_events") == orders.count,
            sourceLocation: sourceLocation
        )
        #expect(try await deadLettersInStream() == 0, sourceLocation: sourceLocation)
    }
}
