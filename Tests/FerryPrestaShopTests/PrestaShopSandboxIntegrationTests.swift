import AsyncHTTPClient
import FerryPrestaShopSandbox
import FerrySandboxData
import Foundation
import Logging
import Testing

@testable import FerryPrestaShop

/// A small world, generated once: the sandbox builds its shop from it on every start.
private let smallDataset = SandboxDataset.generate(productCount: 200, customerCount: 40)
private let quietLogger = Logger(label: "test.prestashop.sandbox") { _ in SwiftLogNoOpLogHandler() }

/// A running sandbox and a client pointed at it.
private struct SandboxContext {
    let server: PrestaShopSandboxServer
    let client: PrestaShopClient
    let configuration: PrestaShopSandboxConfiguration

    /// Creates an order through the control API (`POST /_sandbox/orders`), without a webhook.
    func createOrder(
        customerID: Int,
        rows: [(productID: Int, attributeID: Int, quantity: Int)],
        state: Int = 2,
        sendWebhook: Bool = false
    ) async throws -> (id: Int, reference: String) {
        let rowsJSON = rows.map {
            #"{"productId":\#($0.productID),"productAttributeId":\#($0.attributeID),"quantity":\#($0.quantity)}"#
        }.joined(separator: ",")
        let body =
            #"{"customerId":\#(customerID),"rows":[\#(rowsJSON)],"state":\#(state),"sendWebhook":\#(sendWebhook)}"#
        var request = HTTPClientRequest(url: server.baseURL + "/_sandbox/orders")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(Array(body.utf8))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let text = String(decoding: bytes.readableBytesView, as: UTF8.self)
        try #require(response.status.code == 201, "control API answered \(response.status.code): \(text)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        return (try #require(object["id"] as? Int), try #require(object["reference"] as? String))
    }
}

/// Starts a sandbox (port 0) with `configure` applied, runs `body` with a client, and shuts both down.
private func withSandbox(
    apiKey: String = PrestaShopSandboxConfiguration.defaultAPIKey,
    authentication: PrestaShopClientConfiguration.Authentication = .basic,
    configure: (inout PrestaShopSandboxConfiguration) -> Void = { _ in },
    _ body: (SandboxContext) async throws -> Void
) async throws {
    var configuration = PrestaShopSandboxConfiguration(dataset: smallDataset)
    configure(&configuration)
    let server = try await PrestaShopSandboxServer.start(configuration: configuration, logger: quietLogger)
    let client: PrestaShopClient
    do {
        client = try PrestaShopClient(
            configuration: PrestaShopClientConfiguration(
                baseURL: server.baseURL,
                apiKey: apiKey,
                authentication: authentication,
                requestTimeout: .seconds(30),
                shopTimeZone: configuration.timeZone
            ),
            httpClient: .shared
        )
    } catch {
        try await server.shutdown()
        throw error
    }
    do {
        try await body(SandboxContext(server: server, client: client, configuration: configuration))
    } catch {
        try await server.shutdown()
        throw error
    }
    try await server.shutdown()
}

private var simpleSKU: SandboxDataset.SKU { smallDataset.skus.first { $0.combinationID == 0 }! }
private var combinationSKU: SandboxDataset.SKU { smallDataset.skus.first { $0.combinationID != 0 }! }
private var firstCustomer: SandboxDataset.Customer { smallDataset.customers[0] }

@Suite("PrestaShopClient against the PrestaShop sandbox")
struct PrestaShopSandboxIntegrationTests {
    @Test(arguments: [PrestaShopJSONTyping.v8, .v17])
    func readsAndValidatesAnOrderCreatedThroughTheControlAPI(typing: PrestaShopJSONTyping) async throws {
        try await withSandbox(configure: { $0.jsonTyping = typing }) { sandbox in
            let created = try await sandbox.createOrder(
                customerID: firstCustomer.id,
                rows: [
                    (simpleSKU.productID, 0, 2),
                    (combinationSKU.productID, combinationSKU.combinationID, 1),
                ]
            )
            let order = try await sandbox.client.order(id: created.id)
            try order.validate()
            #expect(order.id == created.id)
            #expect(order.reference == created.reference)
            #expect(order.reference.count == 9 && order.reference.allSatisfy { $0.isUppercase })
            #expect(order.customerID == firstCustomer.id)
            #expect(order.currentState == 2)
            #expect(order.shopID == 1)
            #expect(order.rows.count == 2)
            #expect(order.rows[0].productID == simpleSKU.productID)
            #expect(order.rows[0].productAttributeID == 0)
            #expect(order.rows[0].quantity == 2)
            #expect(order.rows[1].productAttributeID == combinationSKU.combinationID)
            #expect(order.totalPaidTaxIncl == order.totalProductsWithTax + order.totalShippingTaxIncl)
            #expect(order.totalPaidTaxExcl == order.totalProducts + order.totalShippingTaxExcl)
            #expect(order.totalPaidTaxIncl > 0)
            let rowsTotal = order.rows.reduce(Decimal(0)) { $0 + $1.unitPriceTaxExcl * Decimal($1.quantity) }
            #expect(rowsTotal == order.totalProducts)
            #expect(PrestaShopDateTime.parse(order.dateAdd, timeZone: sandbox.configuration.timeZone) != nil)

            let details = try await sandbox.client.orderDetails(orderID: order.id)
            #expect(details.map(\.productID) == order.rows.map(\.productID))
            #expect(details.allSatisfy { $0.orderID == order.id && $0.taxRate >= 0 })

            let customer = try await sandbox.client.customer(id: order.customerID)
            #expect(customer.email == firstCustomer.email)
            let address = try await sandbox.client.address(id: order.deliveryAddressID)
            #expect(address.customerID == firstCustomer.id)
            let country = try await sandbox.client.country(id: address.countryID)
            #expect(country.isoCode == smallDataset.country(id: address.countryID)?.isoCode)
            let currency = try await sandbox.client.currency(id: order.currencyID)
            #expect(currency.isoCode == smallDataset.currency(id: order.currencyID)?.isoCode)
            #expect(sandbox.client.shopVersion == sandbox.configuration.shopVersion)
        }
    }

    @Test func ordersUpdatedBetweenPagesAndReturnsEmptyPages() async throws {
        try await withSandbox { sandbox in
            var ids: [Int] = []
            for index in 0..<3 {
                ids.append(
                    try await sandbox.createOrder(
                        customerID: firstCustomer.id,
                        rows: [(simpleSKU.productID, 0, index + 1)]
                    ).id
                )
            }
            let window = Date().addingTimeInterval(-3_600)...Date().addingTimeInterval(3_600)
            let first = try await sandbox.client.orders(updatedBetween: window, limit: 2, offset: 0)
            let second = try await sandbox.client.orders(updatedBetween: window, limit: 2, offset: 2)
            let third = try await sandbox.client.orders(updatedBetween: window, limit: 2, offset: 4)
            #expect(first.count == 2)
            #expect(second.count == 1)
            #expect(third.isEmpty)
            #expect((first + second).map(\.id) == ids)
            #expect(first[0].rows.first?.quantity == 1)
            for order in first + second { try order.validate() }

            // 2000-01-01, long before any order of the sandbox.
            let past = Date(timeIntervalSince1970: 946_684_800)...Date(timeIntervalSince1970: 946_771_200)
            #expect(try await sandbox.client.orders(updatedBetween: past).isEmpty)
        }
    }

    @Test func addOrderHistoryChangesTheCurrentState() async throws {
        try await withSandbox { sandbox in
            let created = try await sandbox.createOrder(
                customerID: firstCustomer.id,
                rows: [(simpleSKU.productID, 0, 1)]
            )
            let history = try await sandbox.client.addOrderHistory(orderID: created.id, stateID: 4, sendEmail: true)
            #expect(history?.orderID == created.id)
            #expect(history?.orderStateID == 4)
            #expect((history?.id ?? 0) > 0)
            let reread = try await sandbox.client.order(id: created.id)
            #expect(reread.currentState == 4)
            #expect(reread.isValid)
        }
    }

    @Test func orderStatesCarryTheirFlags() async throws {
        try await withSandbox { sandbox in
            let states = try await sandbox.client.orderStates()
            #expect(states.map(\.id) == SandboxDataset.defaultOrderStates.map(\.id))
            for (state, expected) in zip(states, SandboxDataset.defaultOrderStates) {
                #expect(state.isPaid == expected.paid)
                #expect(state.isShipped == expected.shipped)
                #expect(state.isLogable == expected.logable)
                #expect(state.name.text == expected.name || state.name.values.values.contains(expected.name))
            }
        }
    }

    @Test(arguments: ["8.1.7", "1.7.8.11"])
    func stockUpdateRoundTrip(shopVersion: String) async throws {
        try await withSandbox(configure: { $0.shopVersion = shopVersion }) { sandbox in
            for sku in [simpleSKU, combinationSKU] {
                let rows = try await sandbox.client.stockAvailables(
                    productID: sku.productID,
                    combinationID: sku.combinationID
                )
                let row = try #require(rows.first)
                #expect(rows.count == 1)
                #expect(row.productID == sku.productID)
                #expect(row.productAttributeID == sku.combinationID)
                let target = row.quantity + 17
                try await sandbox.client.updateStockQuantity(stockAvailableID: row.id, quantity: target)
                let reread = try await sandbox.client.stockAvailables(
                    productID: sku.productID,
                    combinationID: sku.combinationID
                )
                #expect(reread.first?.quantity == target)
                #expect(reread.first?.shopID == row.shopID)
                #expect(reread.first?.outOfStock == row.outOfStock)
                #expect(reread.first?.location == row.location)
            }
            let all = try await sandbox.client.stockAvailables(productID: combinationSKU.productID)
            #expect(all.count >= 2)
        }
    }

    @Test func wrongKeyIsAnAuthenticationError() async throws {
        try await withSandbox(apiKey: "WRONGKEYWRONGKEYWRONGKEYWRONGKEY") { sandbox in
            let error = try #require(await prestaShopError { try await sandbox.client.order(id: 1) })
            #expect(error.kind == .authentication)
            #expect(error.status == 401)
            #expect(!error.codes.isEmpty)
            #expect(!error.description.contains("WRONGKEYWRONGKEYWRONGKEYWRONGKEY"))
        }
    }

    @Test func strippedAuthorizationHeaderNeedsTheWsKeyMode() async throws {
        try await withSandbox(configure: { $0.faults.authorizationHeaderIgnored = true }) { sandbox in
            let created = try await sandbox.createOrder(
                customerID: firstCustomer.id,
                rows: [(simpleSKU.productID, 0, 1)]
            )
            let error = try #require(await prestaShopError { try await sandbox.client.order(id: created.id) })
            #expect(error.kind == .authentication)
            let wsKeyClient = try PrestaShopClient(
                configuration: .init(
                    baseURL: sandbox.server.baseURL,
                    apiKey: PrestaShopSandboxConfiguration.defaultAPIKey,
                    authentication: .queryParameter
                ),
                httpClient: .shared
            )
            #expect(try await wsKeyClient.order(id: created.id).id == created.id)
        }
    }

    @Test func unknownIDIsNotFoundWithCode87() async throws {
        try await withSandbox { sandbox in
            let error = try #require(await prestaShopError { try await sandbox.client.order(id: 987_654) })
            #expect(error.kind == .notFound)
            #expect(error.status == 404)
            #expect(error.codes == [87])
            let customerError = try #require(await prestaShopError { try await sandbox.client.customer(id: 987_654) })
            #expect(customerError.codes == [87])
        }
    }

    @Test func htmlFatalErrorPageIsAServerError() async throws {
        try await withSandbox(configure: { $0.faults.htmlErrorProbability = 1 }) { sandbox in
            let error = try #require(await prestaShopError { try await sandbox.client.order(id: 1) })
            #expect(error.kind == .server)
            #expect((500...599).contains(error.status ?? 0))
            #expect(error.codes.isEmpty)
            #expect(error.isRetryable)
            let listError = try #require(await prestaShopError { try await sandbox.client.orderStates() })
            #expect(listError.kind == .server)
        }
    }

    @Test func emptyJSONBodyIsAnInvalidResponse() async throws {
        try await withSandbox(configure: { $0.faults.emptyJSONBodyProbability = 1 }) { sandbox in
            let error = try #require(await prestaShopError { try await sandbox.client.orderStates() })
            #expect(error.kind == .invalidResponse)
            #expect(error.status == 200)
        }
    }

    @Test func sandboxWebhookPassesTheVerifierAndTheValidation() async throws {
        let secret = "whsec_ferry_integration"
        let receiver = try await StubHTTPServer.start { _ in .json(200, "{}") }
        do {
            try await withSandbox(configure: {
                $0.webhook = .init(url: receiver.baseURL + "/webhooks/prestashop", secret: secret)
            }) { sandbox in
                let created = try await sandbox.createOrder(
                    customerID: firstCustomer.id,
                    rows: [(simpleSKU.productID, 0, 3)],
                    sendWebhook: true
                )
                let deadline = ContinuousClock.now + .seconds(20)
                while receiver.requests.isEmpty, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                let delivery = try #require(receiver.requests.first)
                #expect(delivery.method == "POST")
                let body = Data(delivery.body.utf8)
                try WebhookSignature.Verifier(secrets: ["old-secret", secret]).verify(
                    timestamp: delivery.headers["x-ferry-timestamp"],
                    signature: delivery.headers["x-ferry-signature"],
                    body: body
                )
                #expect(throws: WebhookSignatureError.signatureMismatch) {
                    try WebhookSignature.Verifier(secrets: ["old-secret"]).verify(
                        timestamp: delivery.headers["x-ferry-timestamp"],
                        signature: delivery.headers["x-ferry-signature"],
                        body: body
                    )
                }
                let order = try PrestaShopOrder.validated(from: body)
                #expect(order.id == created.id)
                #expect(order.rows.first?.quantity == 3)
                #expect(order == (try await sandbox.client.order(id: created.id)))
            }
        } catch {
            try? await receiver.shutdown()
            throw error
        }
        try await receiver.shutdown()
    }

    @Test func disabledWebserviceIsAServerErrorWithCode22() async throws {
        try await withSandbox(configure: { $0.faults.webserviceDisabled = true }) { sandbox in
            let error = try #require(await prestaShopError { try await sandbox.client.orderStates() })
            #expect(error.kind == .server)
            #expect(error.status == 503)
            #expect(error.codes == [22])
        }
    }
}
