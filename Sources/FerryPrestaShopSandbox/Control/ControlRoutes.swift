import Foundation
import Hummingbird
import Logging

/// `/_sandbox/…`: health, stats, generator, explicit orders and products, webhook resends, order history, faults.
/// No webservice key; JSON in and out.
struct ControlRoutes: Sendable {
    let store: ShopStore
    let generator: OrderGenerator
    let sender: WebhookSender
    let publisher: OrderPublisher
    let faults: FaultInjector
    let shopVersion: String

    func register(on group: RouterGroup<BasicRequestContext>) {
        group.get("health") { _, _ in
            Self.json(["status": "ok", "shopVersion": shopVersion])
        }
        group.get("stats") { _, _ in
            Self.json(
                ControlModels.StatsResponse(
                    ordersCreated: await store.ordersCreated,
                    generator: await generator.status,
                    webhooks: await sender.stats,
                    webhookConfigured: await sender.isConfigured
                )
            )
        }
        group.post("generator") { request, context in
            let body = try await Self.decode(ControlModels.GeneratorRequest.self, request, context)
            if let modes = body.modes { await sender.setModes(modes) }
            let maxOrders: Int?? = body.maxOrders.map { $0 < 0 ? Int?.none : Int?.some($0) }
            await generator.update(
                running: body.running,
                ratePerSecond: body.ratePerSecond,
                arrivals: body.arrivals,
                maxOrders: maxOrders
            )
            let created = await generator.createOrders(min(max(body.createOrders ?? 0, 0), 10_000))
            return Self.json(
                ControlModels.GeneratorResponse(
                    generator: await generator.status,
                    createdOrderIds: created.map(\.id),
                    modes: await sender.modes
                )
            )
        }
        group.post("webhook") { request, context in
            let body = try await Self.decode(ControlModels.WebhookRequest.self, request, context)
            var webhook = PrestaShopSandboxConfiguration.WebhookConfiguration(url: body.url, secret: body.secret)
            let hour = 3_600_000
            if let attempts = body.maxAttempts { webhook.maxAttempts = min(max(1, attempts), 100) }
            if let timeout = body.timeoutMilliseconds { webhook.timeout = .milliseconds(min(max(1, timeout), hour)) }
            if let backoff = body.initialBackoffMilliseconds {
                webhook.initialBackoff = .milliseconds(min(max(0, backoff), hour))
            }
            if let backoff = body.maxBackoffMilliseconds {
                webhook.maxBackoff = .milliseconds(min(max(0, backoff), hour))
            }
            if let modes = body.modes { webhook.modes = modes }
            if let seed = body.seed { webhook.seed = seed }
            if let signed = body.signed { webhook.signed = signed }
            await sender.configure(webhook)
            return Self.json(["configured": true])
        }
        group.post("orders") { request, context in
            let body = try await Self.decode(ControlModels.OrderRequest.self, request, context)
            let spec = OrderSpec(
                customerID: body.customerId,
                deliveryAddressID: body.addressId,
                invoiceAddressID: body.invoiceAddressId,
                rows: body.rows.map { row in
                    OrderSpec.Row(
                        productID: row.productId,
                        attributeID: row.productAttributeId ?? 0,
                        quantity: row.quantity ?? 1,
                        unitPriceTaxExcl: row.unitPriceTaxExcl?.value,
                        name: row.name,
                        reference: row.reference,
                        taxRulesGroupID: row.taxRulesGroupId
                    )
                },
                paymentModule: body.paymentModule,
                carrierID: body.carrierId,
                stateID: body.state ?? 2,
                date: body.date,
                cartRuleIDs: body.cartRules ?? [],
                giftWrapping: body.giftWrapping ?? false,
                roundType: body.roundType ?? 2
            )
            do {
                let order = try await publisher.create(spec, sendWebhook: body.sendWebhook ?? true)
                return Self.json(
                    ControlModels.OrderResponse(id: order.id, reference: order.reference),
                    status: .created
                )
            } catch let error as OrderSpecError {
                return Self.json(ControlModels.ErrorResponse(error: error.message), status: .badRequest)
            }
        }
        group.post("products") { request, context in
            let body = try await Self.decode(ControlModels.ProductRequest.self, request, context)
            let created = await store.addShopOnlyProduct(
                name: body.name,
                price: body.price.value,
                reference: body.reference ?? "",
                ean13: body.ean13 ?? "",
                taxRulesGroupID: body.taxRulesGroupId ?? 1,
                quantity: min(max(body.quantity ?? 0, 0), Int(Int32.max)),
                combinations: (body.combinations ?? []).map {
                    ($0.reference, $0.priceImpact?.value ?? 0, min(max($0.quantity ?? 0, 0), Int(Int32.max)))
                }
            )
            return Self.json(
                ControlModels.ProductResponse(id: created.productID, combinationIds: created.combinationIDs),
                status: .created
            )
        }
        group.post("webhooks/resend/:orderId") { _, context in
            guard let orderID = context.parameters.get("orderId", as: Int.self) else {
                return Self.json(ControlModels.ErrorResponse(error: "order id must be an integer"), status: .badRequest)
            }
            guard await sender.isConfigured else {
                return Self.json(ControlModels.ErrorResponse(error: "no webhook configured"), status: .conflict)
            }
            guard await publisher.publish(orderID: orderID, applyModes: false) else {
                return Self.json(
                    ControlModels.ErrorResponse(error: "order \(orderID) does not exist"),
                    status: .notFound
                )
            }
            return Self.json(["queued": true], status: .accepted)
        }
        group.get("orders/:orderId/history") { _, context in
            guard let orderID = context.parameters.get("orderId", as: Int.self),
                let timeline = await store.timeline(orderID: orderID)
            else {
                return Self.json(ControlModels.ErrorResponse(error: "order does not exist"), status: .notFound)
            }
            let attempts = await sender.attempts(orderID: orderID)
            return Self.json(
                ControlModels.HistoryResponse(
                    orderId: orderID,
                    currentState: timeline.currentState,
                    history: timeline.history.map {
                        .init(
                            id: $0.id,
                            stateId: $0["id_order_state"].intValue ?? 0,
                            employeeId: $0["id_employee"].intValue ?? 0,
                            date: $0["date_add"].stringValue
                        )
                    },
                    emails: timeline.emails.map { .init(stateId: $0.stateID, template: $0.template, date: $0.date) },
                    webhookAttempts: attempts.map {
                        .init(attempt: $0.attempt, status: $0.status, error: $0.error, date: $0.date)
                    }
                )
            )
        }
        group.get("faults") { _, _ in
            Self.json(faults.faults)
        }
        group.post("faults") { request, context in
            faults.faults = try await Self.decode(PrestaShopSandboxFaults.self, request, context)
            return Self.json(faults.faults)
        }
    }

    // MARK: - JSON

    private static func decode<Body: Decodable>(
        _ type: Body.Type,
        _ request: Request,
        _ context: BasicRequestContext
    ) async throws -> Body {
        let buffer = try await request.body.collect(upTo: 1 << 20)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(Body.self, from: Data(buffer: buffer))
        } catch {
            throw HTTPError(.badRequest, message: "invalid JSON body: \(error)")
        }
    }

    static func json<Body: Encodable>(_ body: Body, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        let data = (try? encoder.encode(body)) ?? Data("{}".utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
