import Crypto
import FerryCore
import FerryGateway
import FerryNATS
import FerryTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import PropertyBased
import ServiceLifecycleTestKit
import Testing

/// The gateway against a real JetStream (`FERRY_NATS_URL`, started by scripts/test.sh).
@Suite struct GatewayTests {
    static let secret = "whsec-test-current"
    static let oldSecret = "whsec-test-previous"
    let logger = Logger(label: "ferry.test.gateway")

    static func orderJSON(id: Int = 549_085, shop: Int = 1, rows: String? = nil) -> String {
        let orderRows =
            rows ?? """
                [{"id":983222,"product_id":52695,"product_attribute_id":0,"product_quantity":1,"product_name":"Porte Clé",
                  "product_reference":"4589504961513","product_price":"9.775000","unit_price_tax_incl":"11.730000",
                  "unit_price_tax_excl":"9.775000"}]
                """
        return """
            {"order":{"id":\(id),"id_address_delivery":967452,"id_address_invoice":967452,"id_cart":817776,"id_currency":1,
            "id_lang":1,"id_customer":532822,"id_carrier":103,"current_state":2,"module":"ps_wirepayment","valid":"1",
            "date_add":"2024-07-05 16:40:18","date_upd":"2024-07-05 16:40:18","id_shop_group":1,"id_shop":\(shop),
            "payment":"Bank transfer","total_paid":"20.230000","total_paid_tax_incl":"20.230000",
            "total_paid_tax_excl":"16.860000","total_paid_real":"20.230000","total_products":"9.780000",
            "total_products_wt":"11.730000","total_shipping":"8.500000","total_shipping_tax_incl":"8.500000",
            "total_shipping_tax_excl":"7.080000","carrier_tax_rate":"20.000","conversion_rate":"1.000000",
            "reference":"FMHGOYBGK","associations":{"order_rows":\(orderRows)}}}
            """
    }

    static func signedHeaders(_ body: String, secret: String = secret, at time: Date = Date()) -> HTTPFields {
        signedHeaders(bytes: Data(body.utf8), secret: secret, at: time)
    }

    static func signedHeaders(bytes body: Data, secret: String = secret, at time: Date = Date()) -> HTTPFields {
        let timestamp = String(Int(time.timeIntervalSince1970))
        let mac = HMAC<SHA256>.authenticationCode(
            for: Data("\(timestamp).".utf8) + body,
            using: SymmetricKey(data: Data(secret.utf8))
        )
        var headers: HTTPFields = [.contentType: "application/json"]
        headers[HTTPField.Name("X-Ferry-Timestamp")!] = timestamp
        headers[HTTPField.Name("X-Ferry-Signature")!] = "v1=" + mac.map { String(format: "%02x", $0) }.joined()
        return headers
    }

    /// Runs `body` with a live gateway on port 0 over an isolated stream layout.
    func withGateway(
        maxBodyBytes: Int = 1 << 20,
        maxHeaderFields: Int = 100,
        maxHeaderBytes: Int = 16 * 1024,
        drain: GatewayDrain? = nil,
        _ body:
            @Sendable (any TestClientProtocol, JetStream, OrderQueueConfiguration, NATSConnection) async throws -> Void
    ) async throws {
        guard let url = ProcessInfo.processInfo.environment["FERRY_NATS_URL"] else {
            Issue.record("FERRY_NATS_URL is not set: run the suite with scripts/test.sh (it starts nats-server)")
            return
        }
        let connection = try await NATSConnection.connect(
            NATSConnectionOptions(url: url, name: "gateway-test"),
            logger: logger
        )
        let jetStream = try connection.jetStream()
        let queue = OrderQueueConfiguration.isolated(UUID().uuidString.prefix(8).description)
        try await queue.ensure(on: jetStream)
        let publisher = JetStreamOrderPublisher(connection: connection, jetStream: jetStream, queue: queue)
        let app = buildGatewayApplication(
            configuration: GatewayConfiguration(
                port: 0,
                webhookSecrets: [Self.secret, Self.oldSecret],
                maxBodyBytes: maxBodyBytes,
                maxHeaderFields: maxHeaderFields,
                maxHeaderBytes: maxHeaderBytes
            ),
            publisher: publisher,
            drain: drain,
            logger: logger
        )
        do {
            try await app.test(.live) { client in try await body(client, jetStream, queue, connection) }
        } catch {
            try? await jetStream.deleteStream(queue.ordersStream)
            try? await jetStream.deleteStream(queue.deadLetterStream)
            try? await jetStream.deleteStream(queue.replayStream)
            await connection.close()
            throw error
        }
        try? await jetStream.deleteStream(queue.ordersStream)
        try? await jetStream.deleteStream(queue.deadLetterStream)
        try? await jetStream.deleteStream(queue.replayStream)
        await connection.close()
    }

    func post(_ client: any TestClientProtocol, _ body: String, headers: HTTPFields) async throws -> TestResponse {
        try await client.execute(uri: orderWebhookPath, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: response.body))) as? [String: Any] ?? [:]
    }

    @Test func acceptsASignedOrderOnlyAfterJetStreamStoredIt() async throws {
        try await withGateway { client, jetStream, queue, _ in
            let body = Self.orderJSON()
            let response = try await post(client, body, headers: Self.signedHeaders(body))
            #expect(response.status == .accepted)
            #expect(json(response)["idempotency_key"] as? String == "ps-1-order-549085")
            let info = try await jetStream.streamInfo(queue.ordersStream)
            #expect(info.messages == 1)
            let stored = try #require(try await jetStream.getMessage(stream: queue.ordersStream, sequence: 1))
            #expect(stored.subject == "\(queue.ordersSubjectPrefix).1")
            #expect(String(decoding: stored.data, as: UTF8.self) == body, "the body is stored byte for byte")
            #expect(stored.headers["Nats-Msg-Id"] == "ps-1-order-549085")
            #expect(stored.headers[FerryHeader.idempotencyKey] == "ps-1-order-549085")
            #expect(stored.headers[FerryHeader.receivedAt].flatMap(Int64.init) != nil)
        }
    }

    @Test func theSameWebhookFiveTimesIsStoredOnce() async throws {
        try await withGateway { client, jetStream, queue, _ in
            let body = Self.orderJSON(id: 77)
            var duplicates: [Bool] = []
            for attempt in 0..<5 {
                // Later deliveries carry later timestamps and signatures: still the same order.
                let response = try await post(
                    client,
                    body,
                    headers: Self.signedHeaders(body, at: Date().addingTimeInterval(Double(attempt)))
                )
                #expect(response.status == .accepted)
                duplicates.append(json(response)["duplicate"] as? Bool ?? false)
            }
            #expect(duplicates == [false, true, true, true, true])
            #expect(try await jetStream.streamInfo(queue.ordersStream).messages == 1)
        }
    }

    @Test func acceptsEitherSecretDuringARotation() async throws {
        try await withGateway { client, _, _, _ in
            let body = Self.orderJSON(id: 78)
            let old = try await post(client, body, headers: Self.signedHeaders(body, secret: Self.oldSecret))
            let stranger = try await post(client, body, headers: Self.signedHeaders(body, secret: "someone-else"))
            #expect(old.status == .accepted)
            #expect(stranger.status == .unauthorized)
        }
    }

    @Test func rejectsWithTheRightStatusAndPublishesNothing() async throws {
        try await withGateway(maxBodyBytes: 4096) { client, jetStream, queue, _ in
            let body = Self.orderJSON(id: 79)
            var tampered = Self.signedHeaders(body)
            tampered[HTTPField.Name("X-Ferry-Signature")!] = "v1=" + String(repeating: "0", count: 64)
            var unsigned: HTTPFields = [.contentType: "application/json"]
            unsigned[HTTPField.Name("X-Ferry-Timestamp")!] = String(Int(Date().timeIntervalSince1970))
            var wrongType = Self.signedHeaders(body)
            wrongType[.contentType] = "text/plain"
            let huge = Self.orderJSON(
                id: 80,
                rows: "[" + Array(repeating: "{\"id\":1}", count: 1000).joined(separator: ",") + "]"
            )
            let malformed = "{\"order\": {\"id\": 81,"
            let missingRows = Self.orderJSON(id: 82, rows: "[]")
            let badQuantity = Self.orderJSON(
                id: 83,
                rows: """
                    [{"id":1,"product_id":5,"product_attribute_id":0,"product_quantity":"x","product_name":"A","product_reference":"R",
                      "unit_price_tax_incl":"1.000000","unit_price_tax_excl":"1.000000","product_price":"1.000000"}]
                    """
            )
            let noOrder = "{\"orders\": []}"
            let cases: [(String, HTTPFields, HTTPResponse.Status, String?)] = [
                (body, tampered, .unauthorized, nil),
                (body, unsigned, .unauthorized, nil),
                (body, Self.signedHeaders(body, at: Date().addingTimeInterval(-301)), .unauthorized, nil),
                (body, Self.signedHeaders(body, at: Date().addingTimeInterval(400)), .unauthorized, nil),
                (body, wrongType, .unsupportedMediaType, nil),
                (huge, Self.signedHeaders(huge), .contentTooLarge, nil),
                (malformed, Self.signedHeaders(malformed), .badRequest, "$"),
                (missingRows, Self.signedHeaders(missingRows), .badRequest, "order.associations.order_rows"),
                (
                    badQuantity, Self.signedHeaders(badQuantity), .badRequest,
                    "order.associations.order_rows[0].product_quantity"
                ),
                (noOrder, Self.signedHeaders(noOrder), .badRequest, "order"),
            ]
            for (index, (payload, headers, status, field)) in cases.enumerated() {
                let response = try await post(client, payload, headers: headers)
                #expect(response.status == status, "case \(index)")
                let answer = json(response)
                #expect(answer["error"] is String, "case \(index) answers a JSON error")
                if let field { #expect(answer["field"] as? String == field, "case \(index)") }
            }
            #expect(try await jetStream.streamInfo(queue.ordersStream).messages == 0)
        }
    }

    /// Bodies that are JSON orders in form but can never be real ones: negative or inconsistent amounts, references
    /// PrestaShop cannot have generated.
    @Test func impossibleOrdersGet400NamingTheFieldAndNothingIsPublished() async throws {
        try await withGateway { client, jetStream, queue, _ in
            let cases: [(String, String, String, String)] = [
                (
                    #""total_paid_tax_incl":"20.230000""#, #""total_paid_tax_incl":"-20.230000""#,
                    "order.total_paid_tax_incl", "must not be negative"
                ),
                (
                    #""unit_price_tax_excl":"9.775000""#, #""unit_price_tax_excl":"-9.775000""#,
                    "order.associations.order_rows[0].unit_price_tax_excl", "must not be negative"
                ),
                (
                    #""total_products":"9.780000""#, #""total_products":"19.780000""#, "order.total_products",
                    "is 19.78 but the sum of order_rows"
                ),
                (
                    #""total_paid_tax_incl":"20.230000""#, #""total_paid_tax_incl":"25.230000""#,
                    "order.total_paid_tax_incl",
                    "is 25.23 but products + shipping + wrapping - discounts (tax incl.) is 20.23"
                ),
                (
                    #""total_paid_tax_excl":"16.860000""#, #""total_paid_tax_excl":"16.900000""#,
                    "order.total_paid_tax_excl", "is 16.90 but"
                ),
                (
                    #""total_shipping_tax_incl":"8.500000""#, #""total_shipping_tax_incl":"7.000000""#,
                    "order.total_shipping_tax_incl", "must be at least total_shipping_tax_excl, 7.08"
                ),
                (
                    #""conversion_rate":"1.000000""#, #""conversion_rate":"0.000000""#, "order.conversion_rate",
                    "must be greater than 0"
                ),
                (#""reference":"FMHGOYBGK""#, #""reference":"abc""#, "order.reference", "9 upper-case letters"),
                (#""reference":"FMHGOYBGK""#, #""reference":"ABCDEFGH1""#, "order.reference", "9 upper-case letters"),
                (#""reference":"FMHGOYBGK""#, #""reference":"ABCDEFGHIJ""#, "order.reference", "9 upper-case letters"),
            ]
            for (index, (original, replacement, field, message)) in cases.enumerated() {
                let valid = Self.orderJSON(id: 200 + index)
                #expect(valid.contains(original), "case \(index)")
                let body = valid.replacingOccurrences(of: original, with: replacement)
                let response = try await post(client, body, headers: Self.signedHeaders(body))
                #expect(response.status == .badRequest, "case \(index)")
                let answer = json(response)
                #expect(answer["error"] as? String == "invalid_order", "case \(index)")
                #expect(answer["field"] as? String == field, "case \(index)")
                let text = answer["message"] as? String ?? ""
                #expect(text.hasPrefix(field) && text.contains(message), "case \(index): \(text)")
            }
            #expect(try await jetStream.streamInfo(queue.ordersStream).messages == 0)
            // The same order, untouched, is accepted.
            let body = Self.orderJSON(id: 299)
            #expect(try await post(client, body, headers: Self.signedHeaders(body)).status == .accepted)
        }
    }

    @Test func tooManyOrTooLargeHeadersGet431AndNothingIsPublished() async throws {
        try await withGateway { client, jetStream, queue, _ in
            let body = Self.orderJSON(id: 300)
            var many = Self.signedHeaders(body)
            for index in 0..<200 { many.append(HTTPField(name: HTTPField.Name("X-Extra-\(index)")!, value: "1")) }
            var large = Self.signedHeaders(body)
            large[HTTPField.Name("X-Large")!] = String(repeating: "a", count: 17_000)
            for headers in [many, large] {
                let response = try await post(client, body, headers: headers)
                #expect(response.status == .requestHeaderFieldsTooLarge)
                let answer = json(response)
                #expect(answer["error"] as? String == "headers_too_large")
                #expect(answer["message"] is String)
            }
            #expect(try await jetStream.streamInfo(queue.ordersStream).messages == 0)
            // Under both limits (90 fields, about 12 KiB) the order goes through.
            var some = Self.signedHeaders(body)
            for index in 0..<85 {
                some.append(
                    HTTPField(name: HTTPField.Name("X-Extra-\(index)")!, value: String(repeating: "b", count: 120))
                )
            }
            #expect(try await post(client, body, headers: some).status == .accepted)
            #expect(try await jetStream.streamInfo(queue.ordersStream).messages == 1)
        }
    }

    /// The configured limits answer, also above NIO's own parser limit (80 KiB): the gateway raises the parser's limits
    /// to twice the configured ones.
    @Test func headerLimitsFollowTheConfiguration() async throws {
        try await withGateway(maxHeaderFields: 12, maxHeaderBytes: 200_000) { client, jetStream, queue, _ in
            let body = Self.orderJSON(id: 310)
            var many = Self.signedHeaders(body)
            for index in 0..<12 { many.append(HTTPField(name: HTTPField.Name("X-Extra-\(index)")!, value: "1")) }
            let tooMany = try await post(client, body, headers: many)
            #expect(tooMany.status == .requestHeaderFieldsTooLarge)
            var large = Self.signedHeaders(body)
            large[HTTPField.Name("X-Large")!] = String(repeating: "a", count: 100_000)
            let aboveNIOsLimit = try await post(client, body, headers: large)
            #expect(aboveNIOsLimit.status == .accepted)
            large[HTTPField.Name("X-Large")!] = String(repeating: "a", count: 210_000)
            let tooLarge = try await post(client, body, headers: large)
            #expect(tooLarge.status == .requestHeaderFieldsTooLarge)
            let stored = try await jetStream.streamInfo(queue.ordersStream).messages
            #expect(stored == 1)
        }
    }

    /// Beyond NIO's parser limit (80 KiB by default) no handler runs: the parser answers a bare 400 and closes.
    @Test func beyondTheParserLimitTheServerAnswersABare400() async throws {
        try await withGateway { client, jetStream, queue, _ in
            let body = Self.orderJSON(id: 320)
            var huge = Self.signedHeaders(body)
            huge[HTTPField.Name("X-Huge")!] = String(repeating: "a", count: 90_000)
            let response = try await post(client, body, headers: huge)
            #expect(response.status == .badRequest)
            #expect(response.headers[.connection] == "close")
            let stored = try await jetStream.streamInfo(queue.ordersStream).messages
            #expect(stored == 0)
        }
    }

    /// Extra header fields for a generated webhook: under both limits, over the field count, or over the size.
    struct HeaderNoise: Sendable, CustomStringConvertible {
        var fields: [(String, String)]
        var overLimit: Bool

        var description: String {
            let bytes = fields.reduce(0) { $0 + $1.0.utf8.count + $1.1.utf8.count + 4 }
            return "\(fields.count) extra header fields, \(bytes) bytes\(overLimit ? " (over a limit)" : "")"
        }

        static func random(using rng: inout some RandomNumberGenerator) -> HeaderNoise {
            func token() -> String {
                let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")
                return "X-Noise-"
                    + String(
                        (0..<Int.random(in: 1...20, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
                    )
            }
            func value(_ length: Int) -> String {
                // Visible ASCII: what a client can send in a field value (no leading or trailing blank).
                String(
                    decoding: (0..<max(length, 1)).map { _ in UInt8.random(in: 0x21...0x7E, using: &rng) },
                    as: UTF8.self
                )
            }
            var fields: [(String, String)] = []
            if Int.random(in: 0..<10, using: &rng) == 0 {
                fields.append(("traceparent", value(Int.random(in: 1...80, using: &rng))))
            }
            switch Int.random(in: 0..<10, using: &rng) {
            case 0:
                // More fields than the default limit of 100.
                for _ in 0..<Int.random(in: 120...250, using: &rng) {
                    fields.append((token(), value(Int.random(in: 1...10, using: &rng))))
                }
                return HeaderNoise(fields: fields, overLimit: true)
            case 1:
                // More than the default 16 KiB, below NIO's 80 KiB.
                for _ in 0..<Int.random(in: 0...5, using: &rng) {
                    fields.append((token(), value(Int.random(in: 1...50, using: &rng))))
                }
                fields.append((token(), value(Int.random(in: 17_000...60_000, using: &rng))))
                return HeaderNoise(fields: fields, overLimit: true)
            default:
                // Under both: at most 60 fields and 8 KiB besides the few a client sends.
                for _ in 0..<Int.random(in: 0...60, using: &rng) {
                    fields.append((token(), value(Int.random(in: 1...100, using: &rng))))
                }
                return HeaderNoise(fields: fields, overLimit: false)
            }
        }
    }

    /// Generated bodies (``WebhookBodyCases``: valid PrestaShop-priced orders and mutations of them) with generated
    /// header sets, against the live gateway: 202 only for a valid body under the header limits, 431 over them, 4xx
    /// for every other body, never a 5xx, never a hang, and the stream holds exactly the accepted orders.
    @Test func generatedWebhooksAreAcceptedOnlyWhenValidAndNeverAnswer5xx() async throws {
        try await withGateway { client, jetStream, queue, _ in
            var accepted = 0
            var answered = 0
            let bodies = Generator { rng in WebhookBodyCases.random(using: &rng) }
            let noise = Generator { rng in HeaderNoise.random(using: &rng) }
            await propertyCheck(count: 500, input: bodies, noise) { body, noise in
                var headers = Self.signedHeaders(bytes: body.body)
                for (name, value) in noise.fields {
                    headers.append(HTTPField(name: HTTPField.Name(name)!, value: value))
                }
                let request = headers
                let response = try await withDeadline(.seconds(10)) {
                    try await client.execute(
                        uri: orderWebhookPath,
                        method: .post,
                        headers: request,
                        body: ByteBuffer(bytes: body.body)
                    )
                }
                answered += 1
                let status = Int(response.status.code)
                let answer = String(buffer: response.body)
                #expect(status < 500, "\(status) \(answer) ← \(body); \(noise)")
                if noise.overLimit {
                    #expect(status == 431, "\(status) \(answer) ← \(body); \(noise)")
                } else if body.isValid {
                    #expect(status == 202, "\(status) \(answer) ← \(body); \(noise)")
                } else {
                    #expect((400..<500).contains(status) && status != 431, "\(status) \(answer) ← \(body); \(noise)")
                }
                if status == 202, json(response)["duplicate"] as? Bool == false { accepted += 1 }
            }
            #expect(answered == 500)
            let stored = try await jetStream.streamInfo(queue.ordersStream).messages
            #expect(stored == accepted)
        }
    }

    @Test func answers503WhenJetStreamCannotTakeTheOrderAndReadinessFollows() async throws {
        try await withGateway { client, jetStream, queue, _ in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            try await jetStream.deleteStream(queue.ordersStream)
            let body = Self.orderJSON(id: 90)
            let response = try await post(client, body, headers: Self.signedHeaders(body))
            #expect(response.status == .serviceUnavailable)
            #expect(response.headers[.retryAfter] == "5")
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .serviceUnavailable)
            // Once the stream is back, the same webhook goes through.
            try await queue.ensure(on: jetStream)
            #expect(try await post(client, body, headers: Self.signedHeaders(body)).status == .accepted)
        }
    }

    /// SIGTERM (graceful shutdown) turns the gateway unready at once; webhooks are still accepted during the drain
    /// delay, and the drain service returns only after it, so the HTTP server stops after load balancers moved on.
    @Test func gracefulShutdownTurnsUnreadyButKeepsAcceptingDuringTheDrainDelay() async throws {
        let drain = GatewayDrain()
        try await withGateway(drain: drain) { client, jetStream, queue, _ in
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            let service = GatewayDrainService(drain: drain, delay: .milliseconds(300), logger: logger)
            try await testGracefulShutdown { trigger in
                let started = ContinuousClock.now
                let running = Task { try await service.run() }
                #expect(!drain.isDraining, "ready until the shutdown signal")
                trigger.triggerGracefulShutdown()
                try await waitFor { drain.isDraining }
                let ready = try await client.execute(uri: "/readyz", method: .get)
                #expect(ready.status == .serviceUnavailable)
                #expect(String(buffer: ready.body).contains("draining"))
                let body = Self.orderJSON(id: 91)
                #expect(try await post(client, body, headers: Self.signedHeaders(body)).status == .accepted)
                try await running.value
                #expect(ContinuousClock.now - started >= .milliseconds(300), "the drain service waits out its delay")
            }
            #expect(try await jetStream.streamInfo(queue.ordersStream).messages == 1)
        }
    }

    private func waitFor(_ condition: @Sendable () -> Bool) async throws {
        for _ in 0..<500 where !condition() { try await Task.sleep(for: .milliseconds(10)) }
        #expect(condition())
    }
}
