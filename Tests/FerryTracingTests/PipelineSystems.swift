import AsyncHTTPClient
import FerryCore
import FerryNATS
import FerryNetSuite
import FerryNetSuiteSandbox
import FerryPostgres
import FerryPrestaShop
import FerryPrestaShopSandbox
import FerrySandboxData
import FerryTestSupport
import FerryWorker
import Foundation
import Logging
import NIOCore
import PostgresNIO
import Testing

/// Everything one order needs, in-process: a nats-server of its own, a fresh migrated database with the shipped
/// mappings (only the ordered product's row), both sandboxes on port 0, and the worker's configuration over them
/// (the test builds the worker with ``buildWorkerServices(configuration:logger:)``, as `ferry worker` does).
struct PipelineSystems: Sendable {
    let connection: NATSConnection
    let jetStream: JetStream
    let queue: OrderQueueConfiguration
    let worker: WorkerServicesConfiguration
    let prestaShopURL: String

    static let logger = Logger(label: "ferry.test.tracing") { _ in SwiftLogNoOpLogHandler() }
    static let dataset = SandboxDataset.standard
    static let sku = dataset.skus[0]
    /// A customer NetSuite already knows (found by e-mail), with an address.
    static let customer = dataset.customers.first { $0.netSuiteID != nil && !$0.addressIDs.isEmpty }!

    /// `POST /_sandbox/orders`: one line of ``sku`` for ``customer``, no webhook (the test posts it itself).
    func createShopOrder() async throws -> Int {
        let body: [String: Any] = [
            "customerId": Self.customer.id, "state": 2, "sendWebhook": false,
            "rows": [["productId": Self.sku.productID, "productAttributeId": Self.sku.combinationID, "quantity": 1]],
        ]
        var request = HTTPClientRequest(url: prestaShopURL + "/_sandbox/orders")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let answer = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONValue.parse(Data(buffer: answer))
        guard response.status == .created, let id = json["id"].int else {
            throw SetupError("order not created: \(response.status)")
        }
        return id
    }

    /// The order as the webservice returns it, which is what the shop's webhook module posts.
    func shopOrderBody(orderID: Int) async throws -> [UInt8] {
        let url =
            prestaShopURL
            + "/api/orders/\(orderID)?output_format=JSON&ws_key=\(PrestaShopSandboxConfiguration.defaultAPIKey)"
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        guard response.status == .ok else { throw SetupError("order \(orderID) not readable: \(response.status)") }
        return Array(buffer: try await response.body.collect(upTo: 1 << 20))
    }
}

/// Sets up ``PipelineSystems``, runs `body`, and takes everything down again, also when `body` throws.
func withPipeline<T: Sendable>(_ body: (PipelineSystems) async throws -> T) async throws -> T {
    let logger = PipelineSystems.logger
    let testDatabase = try await TestDatabase.create(logger: logger)
    let database = testDatabase.client

    let outcome: Result<T, any Error>
    do {
        outcome = .success(
            try await withNATSServer { nats in
                _ = try await MappingStore(client: database).importRows(
                    try shippedMappings(
                        onlyProduct: (PipelineSystems.sku.productID, PipelineSystems.sku.combinationID)
                    ),
                    logger: logger
                )

                let netSuiteSandbox = try await NetSuiteSandboxServer.start(
                    configuration: NetSuiteSandboxConfiguration(),
                    logger: logger
                )
                let prestaShopSandbox = try await PrestaShopSandboxServer.start(
                    configuration: PrestaShopSandboxConfiguration(),
                    logger: logger
                )
                let credential = NetSuiteSandboxConfiguration.TBACredential.sandboxDefault
                let connection = try await NATSConnection.connect(
                    NATSConnectionOptions(url: nats.url, name: "tracing-test"),
                    logger: logger
                )
                let queue = OrderQueueConfiguration.isolated(randomHex(4))
                let worker = WorkerServicesConfiguration(
                    nats: NATSConnectionOptions(url: nats.url, name: "tracing-test-worker"),
                    database: try DatabaseConfiguration(url: testDatabase.url),
                    netSuite: NetSuiteConfiguration(
                        baseURL: netSuiteSandbox.baseURL,
                        accountID: NetSuiteSandboxConfiguration().accountID,
                        auth: .tba(
                            consumerKey: credential.consumerKey,
                            consumerSecret: credential.consumerSecret,
                            tokenID: credential.tokenID,
                            tokenSecret: credential.tokenSecret
                        ),
                        requestTimeout: .seconds(30),
                        connectTimeout: .seconds(5)
                    ),
                    prestaShop: PrestaShopClientConfiguration(
                        baseURL: prestaShopSandbox.baseURL,
                        apiKey: PrestaShopSandboxConfiguration.defaultAPIKey
                    ),
                    worker: WorkerConfiguration(queue: queue, workerID: "tracing-test", fetchWait: .milliseconds(200)),
                    writeBackStateID: 14
                )
                let result: Result<T, any Error>
                do {
                    let jetStream = try connection.jetStream()
                    try await queue.ensure(on: jetStream)
                    let systems = PipelineSystems(
                        connection: connection,
                        jetStream: jetStream,
                        queue: queue,
                        worker: worker,
                        prestaShopURL: prestaShopSandbox.baseURL
                    )
                    result = .success(try await body(systems))
                } catch {
                    result = .failure(error)
                }
                await connection.close()
                try? await prestaShopSandbox.shutdown()
                try? await netSuiteSandbox.shutdown()
                return try result.get()
            }
        )
    } catch {
        outcome = .failure(error)
    }
    await testDatabase.drop()
    return try outcome.get()
}

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(60), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

struct SetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
