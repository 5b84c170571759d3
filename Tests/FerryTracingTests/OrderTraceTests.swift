import AsyncHTTPClient
import FerryCore
import FerryGateway
import FerryNATS
import FerryNetSuite
import FerryNetSuiteSandbox
import FerryObservability
import FerryPostgres
import FerryPrestaShop
import FerryPrestaShopSandbox
import FerrySandboxData
import FerryTestSupport
import FerryWorker
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InMemoryTracing
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import Testing
import Tracing

/// One trace per order, across the real NATS hop: a signed webhook with the shop's `traceparent` reaches the
/// gateway, JetStream carries the gateway span's context to the worker, and the worker's NetSuite and PrestaShop
/// requests (both sandboxes, a real PostgreSQL) are spans of the same trace. The in-memory tracer is bound to the
/// test's task with `withTracer`; nothing is bootstrapped.
@Suite struct OrderTraceTests {
    static let secret = "whsec-tracing-test"
    let quiet = Logger(label: "ferry.test.tracing") { _ in SwiftLogNoOpLogHandler() }

    @Test func oneTracePerOrderFromWebhookToNetSuiteAndPrestaShop() async throws {
        let tracer = W3CInMemoryTracer()
        let lines = CapturedLines()
        let incoming = TraceParent.random()
        let shop = try #require(TraceParent(incoming))

        let orderID = try await withTracer(tracer) {
            try await withPipeline { systems in
                try await sendOrder(through: systems, traceParent: incoming, tracer: tracer, lines: lines)
            }
        }

        let spans = tracer.finishedSpans
        let gateway = try #require(spans.first { $0.operationName == "POST \(orderWebhookPath)" })
        let process = try #require(spans.first { $0.operationName == "order.process" })

        // The gateway continues the shop's trace; the worker's span is the gateway span's child.
        #expect(gateway.kind == .server)
        #expect(gateway.traceID == shop.traceID)
        #expect(gateway.parentSpanID == shop.spanID)
        #expect(gateway.attributes.get("order.id") == .int64(Int64(orderID)))
        #expect(gateway.attributes.get("shop.id") == .int64(1))
        #expect(gateway.attributes.get("idempotency_key") == .string("ps-1-order-\(orderID)"))
        #expect(gateway.attributes.get("http.response.status_code") == .int64(202))
        #expect(process.kind == .consumer)
        #expect(process.traceID == shop.traceID)
        #expect(process.parentSpanID == gateway.spanID)
        #expect(process.attributes.get("order.id") == .int64(Int64(orderID)))
        #expect(process.attributes.get("ferry.result") == .string("submitted"))
        #expect(process.attributes.get("messaging.message.delivery_count") == .int64(1))

        // Each pipeline stage is a child span of order.process; every NetSuite and PrestaShop request of the order is
        // a client span under one of them.
        let stages = spans.filter { $0.operationName.hasPrefix("order.stage.") && $0.traceID == shop.traceID }
        #expect(
            Set(stages.map(\.operationName)).isSuperset(of: [
                "order.stage.context", "order.stage.transform", "order.stage.customer", "order.stage.sales_order",
                "order.stage.deposit", "order.stage.record", "order.stage.write_back",
            ]),
            "\(stages.map(\.operationName))"
        )
        #expect(stages.allSatisfy { $0.parentSpanID == process.spanID })
        let stageIDs = Set(stages.map(\.spanID))
        let clients = spans.filter { $0.kind == .client && $0.traceID == shop.traceID }
        let netSuite = Set(
            clients.filter { $0.attributes.get("peer.service") == .string("netsuite") }.map(\.operationName)
        )
        let prestaShop = Set(
            clients.filter { $0.attributes.get("peer.service") == .string("prestashop") }.map(\.operationName)
        )
        #expect(
            netSuite.isSuperset(of: [
                "POST /services/rest/record/v1/salesOrder", "POST /services/rest/record/v1/customerDeposit",
            ]),
            "\(netSuite)"
        )
        // A first attempt sends its creates without looking the records up first (SubmissionRules).
        #expect(!netSuite.contains("GET /services/rest/record/v1/salesOrder/{externalId}"), "\(netSuite)")
        #expect(prestaShop.isSuperset(of: ["GET /api/addresses/{id}", "POST /api/order_histories"]), "\(prestaShop)")
        for span in clients {
            #expect(stageIDs.contains(span.parentSpanID ?? ""), "\(span.operationName)")
            #expect(span.attributes.get("order.id") == .string("\(orderID)"), "\(span.operationName)")
            #expect(span.attributes.get("http.response.status_code") != nil, "\(span.operationName)")
            #expect(!span.operationName.contains("?") && !span.operationName.contains("ws_key"))
        }

        // JSON lines written inside the spans carry their ids; the worker's start-up line has none.
        let accepted = try #require(lines.lines(withMessage: "order accepted").first)
        #expect(accepted["trace_id"] as? String == shop.traceID)
        #expect(accepted["span_id"] as? String == gateway.spanID)
        let inNetSuite = try #require(lines.lines(withMessage: "order in NetSuite").first)
        #expect(inNetSuite["trace_id"] as? String == shop.traceID)
        #expect(inNetSuite["span_id"] as? String == process.spanID)
        let started = try #require(lines.lines(withMessage: "worker started").first)
        #expect(started["trace_id"] == nil && started["span_id"] == nil)
    }

    /// The shop creates an order and posts its signed webhook with `traceParent` to the gateway, which queues it in
    /// JetStream; a worker takes it and runs the whole pipeline. Returns the order id.
    private func sendOrder(
        through systems: PipelineSystems,
        traceParent: String,
        tracer: W3CInMemoryTracer,
        lines: CapturedLines
    ) async throws -> Int {
        let orderID = try await systems.createShopOrder()
        let body = try await systems.shopOrderBody(orderID: orderID)

        let publisher = JetStreamOrderPublisher(
            connection: systems.connection,
            jetStream: systems.jetStream,
            queue: systems.queue
        )
        let router = buildGatewayRouter(
            configuration: GatewayConfiguration(webhookSecrets: [Self.secret]),
            publisher: publisher,
            logger: quiet
        )
        try await Application(router: router, logger: lines.logger(label: "ferry.gateway")).test(.router) { client in
            var headers: HTTPFields = [.contentType: "application/json"]
            for (name, value) in WebhookSignature.Signer(secret: Self.secret).headers(body: body) {
                headers[HTTPField.Name(name)!] = value
            }
            headers[HTTPField.Name("traceparent")!] = traceParent
            let response = try await client.execute(
                uri: orderWebhookPath,
                method: .post,
                headers: headers,
                body: ByteBuffer(bytes: body)
            )
            #expect(response.status == .accepted)
        }

        // The worker as `ferry worker` builds it (clients, lease, services), run until the order is done.
        let worker = try await buildWorkerServices(
            configuration: systems.worker,
            logger: lines.logger(label: "ferry.worker")
        )
        let group = worker.serviceGroup(gracefulShutdownSignals: [], logger: quiet)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let done = await eventually { tracer.finishedSpans.contains { $0.operationName == "order.process" } }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            #expect(done, "the worker finished no order.process span")
        }
        return orderID
    }

    /// Without a tracer (tracing disabled) the gateway still passes the shop's trace context on unchanged.
    @Test func withoutATracerTheIncomingTraceparentIsPassedOn() async throws {
        let incoming = TraceParent.random()
        try await withNATSServer { server in
            let connection = try await NATSConnection.connect(
                NATSConnectionOptions(url: server.url, name: "tracing-test"),
                logger: quiet
            )
            let jetStream = try connection.jetStream()
            let queue = OrderQueueConfiguration.isolated(randomHex(4))
            try await queue.ensure(on: jetStream)
            let publisher = JetStreamOrderPublisher(connection: connection, jetStream: jetStream, queue: queue)
            let router = buildGatewayRouter(
                configuration: GatewayConfiguration(webhookSecrets: [Self.secret]),
                publisher: publisher,
                logger: quiet
            )
            let body = Array(Self.minimalOrder.utf8)
            try await Application(router: router).test(.router) { client in
                var headers: HTTPFields = [.contentType: "application/json"]
                for (name, value) in WebhookSignature.Signer(secret: Self.secret).headers(body: body) {
                    headers[HTTPField.Name(name)!] = value
                }
                headers[HTTPField.Name("traceparent")!] = incoming
                headers[HTTPField.Name("tracestate")!] = "shop=1"
                let response = try await client.execute(
                    uri: orderWebhookPath,
                    method: .post,
                    headers: headers,
                    body: ByteBuffer(bytes: body)
                )
                #expect(response.status == .accepted)
            }
            let subscription = try await jetStream.pullSubscribe(stream: queue.ordersStream, consumer: queue.consumer)
            let message = try await subscription.fetch(batch: 1, timeout: .seconds(5)).first
            await subscription.unsubscribe()
            #expect(message?.headers["traceparent"] == incoming)
            #expect(message?.headers["tracestate"] == "shop=1")
            await connection.close()
        }
    }

    static let minimalOrder = """
        {"order":{"id":77,"id_address_delivery":1,"id_address_invoice":1,"id_cart":1,"id_currency":1,"id_lang":1,
        "id_customer":1,"id_carrier":1,"current_state":2,"module":"ps_wirepayment","valid":"1",
        "date_add":"2024-07-05 16:40:18","date_upd":"2024-07-05 16:40:18","id_shop_group":1,"id_shop":1,
        "payment":"Bank transfer","total_paid":"1.000000","total_paid_tax_incl":"1.000000","total_paid_tax_excl":"1.000000",
        "total_paid_real":"1.000000","total_products":"1.000000","total_products_wt":"1.000000","total_shipping":"0.000000",
        "total_shipping_tax_incl":"0.000000","total_shipping_tax_excl":"0.000000","carrier_tax_rate":"0.000",
        "conversion_rate":"1.000000","reference":"TRACEABCD","associations":{"order_rows":[{"id":1,"product_id":1,
        "product_attribute_id":0,"product_quantity":1,"product_name":"P","product_reference":"R","product_price":"1.000000",
        "unit_price_tax_incl":"1.000000","unit_price_tax_excl":"1.000000"}]}}}
        """
}
