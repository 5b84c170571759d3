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

/// One Ferry worker in-process over real parts: a nats-server of its own, a fresh migrated database with the
/// shipped mappings, both sandboxes on port 0, and an ``OrderWorkerService`` with a compressed retry schedule
/// consuming the order stream. Orders are published the way the gateway publishes them.
///
/// The database has a fault switch: ``failOrderSyncWrite(_:)`` makes the N-th following write of `order_sync` fail
/// (a trigger raises an error; a sequence counts the writes, so the count survives the failed statement).
struct OrderWorld: Sendable {
    let database: PostgresClient
    let jetStream: JetStream
    let queue: OrderQueueConfiguration
    let netSuite: NetSuiteSandboxServer
    let prestaShopURL: String
    let sync: OrderSyncStore

    static let logger = Logger(label: "ferry.test.worker") { _ in SwiftLogNoOpLogHandler() }
    static let dataset = SandboxDataset.standard
    static let sku = dataset.skus[3]
    /// Shop customers NetSuite has never seen (neither by id nor by e-mail), with an address: each order of the
    /// matrix takes a fresh one, so the customer create is one of its NetSuite calls.
    static let newCustomers: [SandboxDataset.Customer] = {
        let known = Set(dataset.customers.filter { $0.netSuiteID != nil }.map { $0.email.lowercased() })
        return dataset.customers.filter {
            $0.netSuiteID == nil && !$0.addressIDs.isEmpty && !known.contains($0.email.lowercased())
        }
    }()
    /// The NetSuite client's timeout; a `timeoutAfterCommit` fault answers after twice as long.
    static let netSuiteTimeout = Duration.milliseconds(400)
    static let writeBackState = 14

    /// Places a paid order of one ``sku`` for `customer` in the shop (no webhook) and publishes it to the order
    /// stream as the gateway would. Returns the PrestaShop order id.
    /// `extra` adds to the sandbox's order request (`rows`, `cartRules`, `giftWrapping`, `roundType`, `carrierId`).
    func placeOrder(customerID: Int, extra: [String: any Sendable] = [:]) async throws -> Int {
        var body: [String: Any] = [
            "customerId": customerID, "state": 2, "sendWebhook": false,
            "rows": [["productId": Self.sku.productID, "productAttributeId": Self.sku.combinationID, "quantity": 2]],
        ]
        for (key, value) in extra { body[key] = value }
        var request = HTTPClientRequest(url: prestaShopURL + "/_sandbox/orders")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
        let answer = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .created,
            let id = (try JSONSerialization.jsonObject(with: Data(buffer: answer)) as? [String: Any])?["id"] as? Int
        else { throw WorldError("order not created: \(response.status)") }

        let order = try await webserviceOrder(id)
        let key = IdempotencyKey(shopID: 1, orderID: id)
        var headers = NATSHeaders()
        headers[FerryHeader.idempotencyKey] = key.description
        headers[FerryHeader.receivedAt] = String(Int(Date().timeIntervalSince1970 * 1000))
        _ = try await jetStream.publish(
            subject: queue.ordersSubject(shopID: 1),
            payload: order,
            headers: headers,
            msgID: key.description,
            expectStream: queue.ordersStream
        )
        return id
    }

    /// `GET /api/orders/{id}?output_format=JSON`: the body the shop's webhook carries.
    func webserviceOrder(_ id: Int) async throws -> [UInt8] {
        let url =
            prestaShopURL
            + "/api/orders/\(id)?output_format=JSON&ws_key=\(PrestaShopSandboxConfiguration.defaultAPIKey)"
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        guard response.status == .ok else { throw WorldError("order \(id) not readable: \(response.status)") }
        return Array(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    /// The order's current PrestaShop state.
    func shopState(_ id: Int) async throws -> Int? {
        let body = try await webserviceOrder(id)
        let json = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        let order = json?["order"] as? [String: Any]
        return (order?["current_state"] as? String).flatMap(Int.init) ?? order?["current_state"] as? Int
    }

    /// The counted attempts and their error classes.
    func attemptClasses(_ key: String) async throws -> [String] {
        var classes: [String] = []
        for try await errorClass in try await database.query(
            "SELECT error_class FROM order_attempts WHERE idempotency_key = \(key) ORDER BY attempt",
            logger: Self.logger
        ).decode(String.self) {
            classes.append(errorClass)
        }
        return classes
    }

    /// The `n`-th write of `order_sync` from now fails; nil switches the fault off.
    func failOrderSyncWrite(_ n: Int?) async throws {
        _ = try await database.query("SELECT setval('ferry_test_write_count', 1, false)", logger: Self.logger)
        _ = try await database.query("UPDATE ferry_test_write_fault SET fail_at = \(n)", logger: Self.logger)
    }

    /// Dead letters of `key` in the dead-letter stream.
    func deadLetters(_ key: String) async throws -> [DeadLetterEntry] {
        try await DeadLetterQueue(jetStream: jetStream, queue: queue).list().map(\.entry).filter {
            $0.idempotencyKey == key
        }
    }

    static let faultStatements = [
        "CREATE SEQUENCE ferry_test_write_count",
        "CREATE TABLE ferry_test_write_fault (fail_at bigint)",
        "INSERT INTO ferry_test_write_fault VALUES (NULL)",
        """
        CREATE FUNCTION ferry_test_write_fault() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF nextval('ferry_test_write_count') = (SELECT fail_at FROM ferry_test_write_fault) THEN
                RAISE EXCEPTION 'injected fault: PostgreSQL unavailable for this write';
            END IF;
            RETURN NEW;
        END $$
        """,
        """
        CREATE TRIGGER ferry_test_write_fault BEFORE INSERT OR UPDATE ON order_sync
        FOR EACH ROW EXECUTE FUNCTION ferry_test_write_fault()
        """,
    ]
}

/// Sets up an ``OrderWorld`` with its worker running, runs `body`, and takes everything down again.
func withOrderWorld<T: Sendable>(_ body: (OrderWorld) async throws -> T) async throws -> T {
    let logger = OrderWorld.logger
    let testDatabase = try await TestDatabase.create(logger: logger)
    let database = testDatabase.client

    let outcome: Result<T, any Error>
    do {
        outcome = .success(
            try await withNATSServer { nats in
                for statement in OrderWorld.faultStatements {
                    _ = try await database.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                _ = try await MappingStore(client: database).importRows(
                    try shippedMappings(onlyProduct: (OrderWorld.sku.productID, OrderWorld.sku.combinationID)),
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
                    NATSConnectionOptions(url: nats.url, name: "worker-test"),
                    logger: logger
                )
                var queue = OrderQueueConfiguration.isolated(uniqueSuffix(8))
                queue.ackWait = .seconds(10)
                // The worker as `ferry worker` builds it (clients, lease, services), with a compressed retry schedule.
                let configuration = WorkerServicesConfiguration(
                    nats: NATSConnectionOptions(url: nats.url, name: "fault-matrix-worker"),
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
                        requestTimeout: OrderWorld.netSuiteTimeout,
                        connectTimeout: .seconds(5)
                    ),
                    prestaShop: PrestaShopClientConfiguration(
                        baseURL: prestaShopSandbox.baseURL,
                        apiKey: PrestaShopSandboxConfiguration.defaultAPIKey
                    ),
                    worker: WorkerConfiguration(
                        queue: queue,
                        workerID: "fault-matrix",
                        maxInFlight: 4,
                        fetchWait: .milliseconds(100),
                        retryPolicy: RetryPolicy(
                            delays: Array(repeating: .milliseconds(10), count: 4),
                            outageHoldDelay: .milliseconds(20)
                        ),
                        writeBackRetryDelay: .milliseconds(20),
                        concurrencyRetryDelay: .milliseconds(20),
                        outageProbeInterval: .milliseconds(20),
                        outageMaxProbeInterval: .milliseconds(100)
                    ),
                    writeBackStateID: OrderWorld.writeBackState
                )
                let result: Result<T, any Error>
                do {
                    let jetStream = try connection.jetStream()
                    try await queue.ensure(on: jetStream)
                    let world = OrderWorld(
                        database: database,
                        jetStream: jetStream,
                        queue: queue,
                        netSuite: netSuiteSandbox,
                        prestaShopURL: prestaShopSandbox.baseURL,
                        sync: OrderSyncStore(client: database)
                    )
                    let worker = try await buildWorkerServices(configuration: configuration, logger: logger)
                    let group = worker.serviceGroup(gracefulShutdownSignals: [], logger: logger)
                    let answer: Result<T, any Error> = try await withThrowingTaskGroup(of: Void.self) { tasks in
                        tasks.addTask { try await group.run() }
                        let answer: Result<T, any Error>
                        do {
                            answer = .success(try await body(world))
                        } catch {
                            answer = .failure(error)
                        }
                        await group.triggerGracefulShutdown()
                        try await tasks.waitForAll()
                        return answer
                    }
                    result = answer
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

struct WorldError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Lower-case hex for database and stream names of one test.
func uniqueSuffix(_ length: Int) -> String {
    String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(length))
}
