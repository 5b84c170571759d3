import AsyncHTTPClient
import FerryPrestaShop
import FerryPrestaShopSandbox
import FerryTestSupport
import Foundation
import NIOHTTP1
import PostgresNIO

// MARK: - PrestaShop sandbox

extension PipelineHarness {
    struct OrderLine: Sendable {
        var sku: SandboxWorld.SKUKey
        var quantity: Int
    }

    /// `POST /_sandbox/orders`: a real order in the shop; with `sendWebhook` the shop's webhook module posts it.
    func createOrder(
        customerID: Int,
        addressID: Int? = nil,
        lines: [OrderLine],
        state: Int = 2,
        paymentModule: String? = nil,
        carrierID: Int? = nil,
        sendWebhook: Bool = true
    ) async throws -> Int {
        var body: [String: Any] = [
            "customerId": customerID, "state": state, "sendWebhook": sendWebhook,
            "rows": lines.map {
                ["productId": $0.sku.productID, "productAttributeId": $0.sku.combinationID, "quantity": $0.quantity]
            },
        ]
        if let addressID { body["addressId"] = addressID }
        if let paymentModule { body["paymentModule"] = paymentModule }
        if let carrierID { body["carrierId"] = carrierID }
        let answer = try await sendJSON(.POST, prestaShop.baseURL + "/_sandbox/orders", body)
        guard answer.status == 201, let id = answer.json["id"].int else {
            throw HarnessError("order not created: \(answer.status) \(answer.text)")
        }
        return id
    }

    /// `POST /_sandbox/products`: a product only the shop knows (no mapping row, no NetSuite item).
    func addShopOnlyProduct(name: String, price: String, reference: String) async throws -> Int {
        let answer = try await sendJSON(
            .POST,
            prestaShop.baseURL + "/_sandbox/products",
            ["name": name, "price": price, "reference": reference, "quantity": 100, "taxRulesGroupId": 1]
        )
        guard answer.status == 201, let id = answer.json["id"].int else {
            throw HarnessError("product not created: \(answer.status) \(answer.text)")
        }
        return id
    }

    /// Points the shop's webhook module at `gateway`, signing with this installation's secret.
    func configureWebhook(to gateway: Gateway) async throws {
        let answer = try await sendJSON(
            .POST,
            prestaShop.baseURL + "/_sandbox/webhook",
            [
                "url": gateway.webhookURL, "secret": webhookSecret, "initialBackoffMilliseconds": 100,
                "maxBackoffMilliseconds": 1000, "timeoutMilliseconds": 10_000, "maxAttempts": 20,
            ]
        )
        guard answer.status == 200 else {
            throw HarnessError("webhook not configured: \(answer.status) \(answer.text)")
        }
    }

    /// The shop sends the order's webhook again (as an operator's "resend" would).
    func resendWebhook(orderID: Int) async throws {
        let answer = try await send(.POST, prestaShop.baseURL + "/_sandbox/webhooks/resend/\(orderID)")
        guard answer.status == 202 else { throw HarnessError("resend refused: \(answer.status) \(answer.text)") }
    }

    /// `GET /_sandbox/orders/{id}/history`: current state, state history and webhook attempts.
    func orderHistory(orderID: Int) async throws -> JSONValue {
        let answer = try await get(prestaShop.baseURL + "/_sandbox/orders/\(orderID)/history")
        guard answer.status == 200 else { throw HarnessError("no history for order \(orderID): \(answer.status)") }
        return answer.json
    }

    /// The order as the webservice returns it (`GET /api/orders/{id}?output_format=JSON`), which is exactly what
    /// the shop's webhook posts.
    func shopOrderBody(orderID: Int) async throws -> Data {
        let answer = try await get(
            prestaShop.baseURL
                + "/api/orders/\(orderID)?output_format=JSON&ws_key=\(PrestaShopSandboxConfiguration.defaultAPIKey)"
        )
        guard answer.status == 200 else { throw HarnessError("order \(orderID) not readable: \(answer.status)") }
        return answer.body
    }

    func shopOrder(orderID: Int) async throws -> JSONValue {
        try JSONValue.parse(try await shopOrderBody(orderID: orderID))["order"]
    }

    /// Posts `body` to a gateway as the shop's webhook module would, signed with `secret` at `timestamp`.
    func postWebhook(
        _ body: Data,
        to gateway: Gateway,
        secret: String? = nil,
        timestamp: Date = Date(),
        signature: String? = nil,
        contentType: String = "application/json"
    ) async throws -> HTTPAnswer {
        let signer = WebhookSignature.Signer(secret: secret ?? webhookSecret)
        var headers = signer.headers(body: body, now: timestamp).map { ($0.name, $0.value) }
        if let signature { headers = headers.map { $0.0 == WebhookSignature.signatureHeader ? ($0.0, signature) : $0 } }
        headers.append(("Content-Type", contentType))
        return try await send(.POST, gateway.webhookURL, body: body, headers: headers)
    }
}

// MARK: - NetSuite sandbox (inspection over HTTP, as an operator would)

extension PipelineHarness {
    /// `GET /_sandbox/records/{type}[?externalId=]`: each entry has `id`, `externalId` and the full `record`.
    func netSuiteRecords(
        _ type: String,
        externalID: String? = nil,
        includeSeeded: Bool = false
    ) async throws
        -> [JSONValue]
    {
        var url = netSuite.baseURL + "/_sandbox/records/\(type)"
        var query: [String] = []
        if let externalID { query.append("externalId=\(externalID)") }
        if includeSeeded { query.append("includeSeeded=true") }
        if !query.isEmpty { url += "?" + query.joined(separator: "&") }
        let answer = try await get(url)
        guard answer.status == 200 else { throw HarnessError("records \(type): \(answer.status) \(answer.text)") }
        return answer.json["records"].array
    }

    /// `GET /_sandbox/records/{type}/{id}`.
    func netSuiteRecord(_ type: String, id: String) async throws -> JSONValue? {
        let answer = try await get(netSuite.baseURL + "/_sandbox/records/\(type)/\(id)")
        return answer.status == 200 ? answer.json : nil
    }

    /// `GET /_sandbox/creates/{type}`: successful creates per external id.
    func netSuiteCreates(_ type: String) async throws -> [String: Int] {
        let answer = try await get(netSuite.baseURL + "/_sandbox/creates/\(type)")
        guard answer.status == 200 else { throw HarnessError("creates \(type): \(answer.status)") }
        return answer.json.object.compactMapValues(\.int)
    }

    /// `GET /_sandbox/duplicate-lines`: sales orders with one item on several lines.
    func duplicateLines() async throws -> [JSONValue] {
        try await get(netSuite.baseURL + "/_sandbox/duplicate-lines").json["salesOrders"].array
    }

    func netSuiteFaults() async throws -> JSONValue {
        try await get(netSuite.baseURL + "/_sandbox/faults").json
    }

    /// `POST /_sandbox/faults/commit-then-fail`: the next `count` matching writes are saved, then fail.
    func addCommitThenFail(
        recordType: String,
        failure: String,
        count: Int = 1,
        delaySeconds: Double? = nil
    )
        async throws
    {
        var rule: [String: Any] = ["method": "POST", "recordType": recordType, "failure": failure, "count": count]
        if let delaySeconds { rule["delaySeconds"] = delaySeconds }
        let answer = try await sendJSON(.POST, netSuite.baseURL + "/_sandbox/faults/commit-then-fail", rule)
        guard answer.status == 200 else { throw HarnessError("fault refused: \(answer.status) \(answer.text)") }
    }

    /// `POST /_sandbox/faults/rejections`: matching requests are refused with a NetSuite error, nothing saved.
    func addRejection(recordType: String, count: Int, errorCode: String = "USER_ERROR", detail: String) async throws {
        let answer = try await sendJSON(
            .POST,
            netSuite.baseURL + "/_sandbox/faults/rejections",
            [
                "method": "POST", "recordType": recordType, "status": 400, "errorCode": errorCode, "detail": detail,
                "count": count,
            ]
        )
        guard answer.status == 200 else { throw HarnessError("rejection refused: \(answer.status) \(answer.text)") }
    }

    /// `POST /_sandbox/faults/targeted`: the `nth` request (from now) with `method` to `target` fails as `kind`.
    func addTargetedFault(
        method: String,
        target: String,
        nth: Int = 1,
        kind: String,
        delaySeconds: Double? = nil
    )
        async throws
    {
        var rule: [String: Any] = ["method": method, "target": target, "nth": nth, "kind": kind]
        if let delaySeconds { rule["delaySeconds"] = delaySeconds }
        let answer = try await sendJSON(.POST, netSuite.baseURL + "/_sandbox/faults/targeted", rule)
        guard answer.status == 200 else { throw HarnessError("fault refused: \(answer.status) \(answer.text)") }
    }

    /// Whether every targeted fault set has fired.
    func targetedFaultsFired() async throws -> Bool {
        try await netSuiteFaults()["targeted"].array.allSatisfy { $0["fired"] == .bool(true) }
    }

    func clearNetSuiteFaults() async throws {
        let answer = try await send(.DELETE, netSuite.baseURL + "/_sandbox/faults")
        guard answer.status == 200 else { throw HarnessError("faults not cleared: \(answer.status)") }
    }

    /// `PUT /_sandbox/maintenance`: every NetSuite path answers 503 for `seconds` (nil: until ended).
    func startMaintenance(seconds: Double?) async throws {
        let answer = try await sendJSON(
            .PUT,
            netSuite.baseURL + "/_sandbox/maintenance",
            seconds.map { ["durationSeconds": $0] } ?? [:]
        )
        guard answer.status == 200 else { throw HarnessError("maintenance refused: \(answer.status)") }
    }

    /// `DELETE /_sandbox/maintenance`.
    func endMaintenance() async throws {
        let answer = try await send(.DELETE, netSuite.baseURL + "/_sandbox/maintenance")
        guard answer.status == 200 else { throw HarnessError("maintenance not ended: \(answer.status)") }
    }

    func netSuiteStats() async throws -> JSONValue {
        try await get(netSuite.baseURL + "/_sandbox/stats").json
    }
}

// MARK: - PostgreSQL

extension PipelineHarness {
    /// One `order_sync` row.
    struct SyncRow: Sendable {
        var stage: String
        var attempts: Int
        var lastErrorClass: String?
        var salesOrderID: String?
        var depositID: String?
    }

    static func key(_ orderID: Int) -> String { "ps-1-order-\(orderID)" }

    func syncRow(orderID: Int) async throws -> SyncRow? {
        let rows = try await database.query(
            """
            SELECT stage, attempts, last_error_class, netsuite_sales_order_id, netsuite_deposit_id
            FROM order_sync WHERE idempotency_key = \(Self.key(orderID))
            """,
            logger: Self.logger
        )
        for try await (stage, attempts, errorClass, salesOrder, deposit) in rows.decode(
            (String, Int, String?, String?, String?).self
        ) {
            return SyncRow(
                stage: stage,
                attempts: attempts,
                lastErrorClass: errorClass,
                salesOrderID: salesOrder,
                depositID: deposit
            )
        }
        return nil
    }

    /// Counted attempts of one order: number and time (unix seconds), oldest first.
    func attempts(orderID: Int) async throws -> [(attempt: Int, at: Double)] {
        let rows = try await database.query(
            """
            SELECT attempt, extract(epoch FROM at)::float8 FROM order_attempts
            WHERE idempotency_key = \(Self.key(orderID)) ORDER BY attempt
            """,
            logger: Self.logger
        )
        var result: [(attempt: Int, at: Double)] = []
        for try await (attempt, at) in rows.decode((Int, Double).self) { result.append((attempt, at)) }
        return result
    }

    /// `SELECT count(*)` of an SQL expression written by the test itself (no outside input).
    func count(_ sql: String) async throws -> Int {
        for try await n in try await database.query(PostgresQuery(unsafeSQL: sql), logger: Self.logger).decode(Int.self)
        {
            return n
        }
        return 0
    }

    func processedEvents(orderID: Int) async throws -> Int {
        try await count("SELECT count(*)::int FROM processed_events WHERE idempotency_key = '\(Self.key(orderID))'")
    }

    /// Waits until every order is in NetSuite and written back to the shop (`order_sync.stage = written_back`).
    func waitUntilWrittenBack(_ orderIDs: [Int], timeout: Duration = .seconds(60)) async throws {
        let keys = orderIDs.map { "'\(Self.key($0))'" }.joined(separator: ",")
        var done = 0
        try await waitUntil(
            "\(orderIDs.count) orders are written back (\(done) so far)",
            timeout: timeout,
            poll: .milliseconds(200)
        ) {
            done = try await self.count(
                "SELECT count(*)::int FROM order_sync WHERE stage = 'written_back' AND idempotency_key IN (\(keys))"
            )
            return done == orderIDs.count
        }
    }
}
