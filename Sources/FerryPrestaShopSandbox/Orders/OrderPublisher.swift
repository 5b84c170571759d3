/// Creates orders and hands their webhook to the sender: the body is exactly what
/// `GET /api/orders/{id}?output_format=JSON` returns at that moment.
struct OrderPublisher: Sendable {
    let store: ShopStore
    let sender: WebhookSender
    let typing: PrestaShopJSONTyping

    func create(_ spec: OrderSpec, sendWebhook: Bool) async throws(OrderSpecError) -> CreatedOrder {
        let order = try await store.createOrder(spec)
        if sendWebhook { await publish(orderID: order.id, applyModes: true) }
        return order
    }

    /// Queues the order's webhook; false when the order does not exist.
    @discardableResult
    func publish(orderID: Int, applyModes: Bool) async -> Bool {
        guard let body = await orderJSON(orderID) else { return false }
        await sender.enqueue(orderID: orderID, body: body, applyModes: applyModes)
        return true
    }

    func orderJSON(_ orderID: Int) async -> String? {
        guard let record = await store.detail("orders", id: orderID) else { return nil }
        let definition = ResourceCatalog.orders
        return JSONRenderer.detail(
            [RenderedEntity(record: record, definition: definition, display: .full)],
            definition: definition,
            asList: false,
            options: RenderOptions(typing: typing)
        )
    }
}
