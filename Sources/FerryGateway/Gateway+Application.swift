import FerryCore
import FerryNATS
import FerryObservability
import FerryPrestaShop
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import NIOCore
import Tracing

/// The webhook path PrestaShop posts orders to.
public let orderWebhookPath = "/webhooks/prestashop/orders"

/// Builds the gateway: `POST /webhooks/prestashop/orders`, `/healthz`, `/readyz`, `/metrics`.
///
/// Stateless: it verifies, validates, publishes and answers, so any number of gateways can run at once.
/// A webhook is answered `202` only after JetStream acknowledged the publish (a duplicate is `202` too);
/// nothing is published for a request answered with a 4xx.
public func buildGatewayApplication(
    configuration: GatewayConfiguration,
    publisher: some OrderPublisher,
    metrics: FerryMetrics? = nil,
    drain: GatewayDrain? = nil,
    now: @escaping @Sendable () -> Date = { Date() },
    onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in },
    logger: Logger
) -> some ApplicationProtocol {
    let router = buildGatewayRouter(
        configuration: configuration,
        publisher: publisher,
        metrics: metrics,
        drain: drain,
        now: now,
        logger: logger
    )
    // NIO's HTTP/1 parser refuses a header section over 80 KiB, or over 1000 fields in Hummingbird, with a bare 400 and
    // a closed connection, before any handler runs. Below those, the handler answers 431 from the configured limits.
    // Configured limits above half of the parser's raise the parser's to twice them, so that a request just over the
    // configured limits still gets its 431.
    let decoder = HTTP1Channel.Configuration.DecoderConfiguration(
        maxHeaderFieldSize: max(80 * 1024, 2 * configuration.maxHeaderBytes),
        maxHeaderListSize: max(80 * 1024, 2 * configuration.maxHeaderBytes),
        maxHeaderFieldCount: max(1000, 2 * configuration.maxHeaderFields)
    )
    return Application(
        router: router,
        server: .http1(configuration: .init(httpDecoderConfiguration: decoder)),
        configuration: .init(
            address: .hostname(configuration.host, port: configuration.port),
            serverName: "ferry-gateway"
        ),
        onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
        logger: logger
    )
}

/// The gateway's routes, for ``buildGatewayApplication`` and for router-level tests.
public func buildGatewayRouter(
    configuration: GatewayConfiguration,
    publisher: some OrderPublisher,
    metrics: FerryMetrics? = nil,
    drain: GatewayDrain? = nil,
    now: @escaping @Sendable () -> Date = { Date() },
    logger: Logger
) -> Router<BasicRequestContext> {
    let router = Router()
    let verifier = WebhookSignature.Verifier(
        secrets: configuration.webhookSecrets,
        tolerance: configuration.timestampTolerance,
        now: now
    )
    let handler = OrderWebhookHandler(configuration: configuration, verifier: verifier, publisher: publisher, now: now)

    router.post(RouterPath(orderWebhookPath)) { request, context in
        let response = await handler.handleInSpan(request: request, logger: context.logger)
        Counter(label: "ferry_gateway_requests_total", dimensions: [("status", String(response.status.code))])
            .increment()
        return response
    }
    router.get("/healthz") { _, _ in jsonResponse(.ok, ["status": "ok"]) }
    router.get("/readyz") { _, _ in
        if drain?.isDraining == true { return jsonResponse(.serviceUnavailable, ["status": "draining"]) }
        return await publisher.isReady()
            ? jsonResponse(.ok, ["status": "ready"])
            : jsonResponse(.serviceUnavailable, ["status": "queue unavailable"])
    }
    router.get("/metrics") { _, _ in
        Response(
            status: .ok,
            headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(string: metrics?.renderWithHelp() ?? ""))
        )
    }
    return router
}

struct OrderWebhookHandler: Sendable {
    let configuration: GatewayConfiguration
    let verifier: WebhookSignature.Verifier
    let publisher: any OrderPublisher
    let now: @Sendable () -> Date

    static let timestampHeader = HTTPField.Name("X-Ferry-Timestamp")!
    static let signatureHeader = HTTPField.Name("X-Ferry-Signature")!

    func handle(request: Request, logger: Logger, span: (any Span)? = nil) async -> Response {
        let receivedAt = now()
        var logger = logger
        logger[metadataKey: "stage"] = "gateway"

        // Checked here rather than in a middleware, like the body's size: a 431 is then counted, logged and traced
        // like every other answer to a webhook.
        let headerFields = request.headers.count + (request.head.authority == nil ? 0 : 1)
        if headerFields > configuration.maxHeaderFields {
            return reject(
                .requestHeaderFieldsTooLarge,
                "headers_too_large",
                "the request has more than \(configuration.maxHeaderFields) header fields",
                logger: logger
            )
        }
        if Self.headerBytes(request) > configuration.maxHeaderBytes {
            return reject(
                .requestHeaderFieldsTooLarge,
                "headers_too_large",
                "the request's header fields exceed \(configuration.maxHeaderBytes) bytes",
                logger: logger
            )
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > configuration.maxBodyBytes {
            return reject(
                .contentTooLarge,
                "payload_too_large",
                "the body exceeds \(configuration.maxBodyBytes) bytes",
                logger: logger
            )
        }
        guard let contentType = request.headers[.contentType],
            contentType.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
                == "application/json"
        else {
            return reject(
                .unsupportedMediaType,
                "unsupported_media_type",
                "Content-Type must be application/json",
                logger: logger
            )
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch is NIOTooManyBytesError {
            return reject(
                .contentTooLarge,
                "payload_too_large",
                "the body exceeds \(configuration.maxBodyBytes) bytes",
                logger: logger
            )
        } catch {
            return reject(.badRequest, "unreadable_body", "the request body could not be read", logger: logger)
        }
        let bytes = Array(body.readableBytesView)

        do {
            try verifier.verify(
                timestamp: request.headers[Self.timestampHeader],
                signature: request.headers[Self.signatureHeader],
                body: bytes
            )
        } catch {
            return reject(.unauthorized, "invalid_signature", error.description, logger: logger)
        }

        let order: PrestaShopOrder
        do {
            order = try PrestaShopOrder.validated(from: bytes)
        } catch {
            return jsonResponse(
                .badRequest,
                ["error": "invalid_order", "field": error.path, "message": error.description],
                logger: logger
            )
        }

        let key = IdempotencyKey(shopID: order.shopID, orderID: order.id)
        logger[metadataKey: "order.id"] = "\(order.id)"
        logger[metadataKey: "customer.id"] = "\(order.customerID)"
        logger[metadataKey: "idempotency_key"] = "\(key)"
        span?.attributes["order.id"] = order.id
        span?.attributes["shop.id"] = order.shopID
        span?.attributes["idempotency_key"] = key.description
        let extra = Self.messageTraceHeaders(incoming: request.headers)
        do {
            let outcome = try await publisher.publish(key: key, body: bytes, receivedAt: receivedAt, headers: extra)
            Counter(
                label: "ferry_gateway_orders_total",
                dimensions: [("result", outcome.duplicate ? "duplicate" : "accepted")]
            ).increment()
            logger.info(
                outcome.duplicate ? "duplicate webhook acknowledged" : "order accepted",
                metadata: ["queue.sequence": "\(outcome.sequence)"]
            )
            return jsonResponse(
                .accepted,
                [
                    "status": "accepted", "idempotency_key": key.description, "duplicate": outcome.duplicate,
                    "sequence": outcome.sequence,
                ]
            )
        } catch {
            Counter(label: "ferry_gateway_orders_total", dimensions: [("result", "queue_unavailable")]).increment()
            logger.error("order not queued", metadata: ["error.type": "\(queueErrorType(error))"])
            var response = jsonResponse(
                .serviceUnavailable,
                [
                    "error": "queue_unavailable", "message": "the order could not be stored; retry later",
                ]
            )
            response.headers[.retryAfter] = "5"
            return response
        }
    }

    /// The header section's size as sent: `Name: value` and CRLF per field, `Host` included.
    static func headerBytes(_ request: Request) -> Int {
        var bytes = request.head.authority.map { "Host: ".utf8.count + $0.utf8.count + 2 } ?? 0
        for field in request.headers {
            bytes += field.name.rawName.utf8.count + field.value.utf8.count + 4
        }
        return bytes
    }

    private func reject(_ status: HTTPResponse.Status, _ code: String, _ message: String, logger: Logger) -> Response {
        logger.warning("webhook rejected", metadata: ["error.type": "\(code)", "http.status": "\(status.code)"])
        return jsonResponse(status, ["error": code, "message": message])
    }

    private func queueErrorType(_ error: any Error) -> String {
        (error as? NATSError).map { "nats_\($0.shortForm)" } ?? "\(type(of: error))"
    }
}

func jsonResponse(_ status: HTTPResponse.Status, _ fields: [String: Any], logger: Logger? = nil) -> Response {
    if status.code >= 400, status.code < 500, let logger {
        logger.warning(
            "webhook rejected",
            metadata: ["error.type": "\(fields["error"] ?? "")", "http.status": "\(status.code)"]
        )
    }
    let data = (try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])) ?? Data("{}".utf8)
    return Response(
        status: status,
        headers: [.contentType: "application/json"],
        body: .init(byteBuffer: ByteBuffer(bytes: data))
    )
}
