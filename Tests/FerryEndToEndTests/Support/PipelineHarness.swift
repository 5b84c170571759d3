import AsyncHTTPClient
import FerryNATS
import FerryNetSuiteSandbox
import FerryPostgres
import FerryPrestaShopSandbox
import FerryTestSupport
import Foundation
import Logging
import NIOHTTP1
import PostgresNIO
import Synchronization
import Testing

/// What one pipeline run looks like: the settings the `ferry` processes get and the sandboxes' set-up.
struct PipelineOptions: Sendable {
    /// `FERRY_RETRY_SCHEDULE`: compressed so a dead letter takes seconds.
    var retrySchedule = "200ms,400ms,600ms,800ms"
    /// `FERRY_MAX_ATTEMPTS`; nil = one more than the schedule (5).
    var maxAttempts: Int?
    /// `FERRY_ACK_WAIT`.
    var ackWait = "10s"
    var outageHold = "300ms"
    var outageProbe = "200ms"
    var outageProbeMax = "1s"
    /// `FERRY_NETSUITE_TIMEOUT`.
    var netSuiteTimeout = "15s"
    /// `FERRY_DUPLICATE_WINDOW`; nil = Ferry's default (10 min).
    var duplicateWindow: String?
    var workerMaxInFlight = 4
    /// Anything else for every `ferry` process.
    var environment: [String: String] = [:]
    /// The NetSuite sandbox (port 0, no latency, concurrency limit 10 by default).
    var netSuite = NetSuiteSandboxConfiguration()
    /// Which mapping rows to import.
    var mappings: MappingSelection = .subset(SandboxWorld.defaultSKUs)
    /// The PostgreSQL server the installation's database is created on; nil = `FERRY_DATABASE_URL`. A test that stops
    /// PostgreSQL starts a server of its own (``PrivateStack``).
    var databaseServerURL: String?

    enum MappingSelection: Sendable {
        /// `ferry mappings import-dir sandbox/mappings`: every row of the shipped files.
        case fullDirectory
        /// The shipped files with only these product rows (importing 15,000 products costs seconds per test).
        case subset([SandboxWorld.SKUKey])
    }
}

/// One isolated Ferry installation for one test: its own database, JetStream streams and consumer
/// (`FERRY_QUEUE_NAMESPACE`), both sandboxes in-process on port 0, and `ferry` gateways and workers as child
/// processes. ``run(_:options:_:)`` tears everything down afterwards, also when the test fails.
final class PipelineHarness: Sendable {
    static let logger = Logger(label: "ferry.e2e") { _ in SwiftLogNoOpLogHandler() }

    let namespace: String
    let options: PipelineOptions
    let queue: OrderQueueConfiguration
    let databaseName: String
    let databaseURL: String
    let natsURL: String
    let webhookSecret: String
    let directory: URL
    let netSuite: NetSuiteSandboxServer
    let prestaShop: PrestaShopSandboxServer
    let jetStream: JetStream
    let database: PostgresClient
    let http = HTTPClient.shared
    private let children = Mutex<[FerryProcess]>([])

    private init(
        namespace: String,
        options: PipelineOptions,
        databaseName: String,
        databaseURL: String,
        natsURL: String,
        directory: URL,
        netSuite: NetSuiteSandboxServer,
        prestaShop: PrestaShopSandboxServer,
        jetStream: JetStream,
        database: PostgresClient
    ) {
        self.namespace = namespace
        self.options = options
        self.queue = .isolated(namespace)
        self.databaseName = databaseName
        self.databaseURL = databaseURL
        self.natsURL = natsURL
        self.webhookSecret = "e2e-secret-\(namespace)"
        self.directory = directory
        self.netSuite = netSuite
        self.prestaShop = prestaShop
        self.jetStream = jetStream
        self.database = database
    }

    // MARK: - Life cycle

    /// Sets up a fresh installation, runs `body`, and removes every trace: child processes (SIGTERM, then
    /// SIGKILL), sandboxes, streams, database. When `body` throws, the children's log tails are printed.
    static func run<T: Sendable>(
        _ label: String = #function,
        options: PipelineOptions = PipelineOptions(),
        _ body: @Sendable (PipelineHarness) async throws -> T
    ) async throws -> T {
        let environment = ProcessInfo.processInfo.environment
        guard let natsURL = environment["FERRY_NATS_URL"],
            options.databaseServerURL != nil || environment["FERRY_DATABASE_URL"] != nil
        else {
            throw HarnessError(
                "FERRY_NATS_URL and FERRY_DATABASE_URL must be set: run the suite with scripts/test.sh, "
                    + "or source the env file printed by scripts/stack.sh start"
            )
        }
        _ = try FerryBinary.locate()
        let namespace = "e2e" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(10).lowercased()
        let databaseName = "ferry_\(namespace)"
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("ferry-e2e/\(namespace)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)

        let testDatabase = try await TestDatabase.create(
            name: databaseName,
            serverURL: options.databaseServerURL,
            migrate: false,
            logger: logger
        )
        let database = testDatabase.client
        let databaseURL = testDatabase.url

        var netSuite: NetSuiteSandboxServer?
        var prestaShop: PrestaShopSandboxServer?
        var connection: NATSConnection?
        var harness: PipelineHarness?
        let outcome: Result<T, any Error>
        do {
            netSuite = try await NetSuiteSandboxServer.start(configuration: options.netSuite, logger: logger)
            prestaShop = try await PrestaShopSandboxServer.start(
                configuration: PrestaShopSandboxConfiguration(
                    generator: .init(ratePerSecond: 1, autostart: false, sendWebhooks: false)
                ),
                logger: logger
            )
            var natsOptions = NATSConnectionOptions(url: natsURL, name: "ferry-e2e-\(namespace)")
            natsOptions.connectTimeout = .seconds(5)
            connection = try await NATSConnection.connect(natsOptions, logger: logger)
            let made = PipelineHarness(
                namespace: namespace,
                options: options,
                databaseName: databaseName,
                databaseURL: databaseURL,
                natsURL: natsURL,
                directory: directory,
                netSuite: netSuite!,
                prestaShop: prestaShop!,
                jetStream: try connection!.jetStream(),
                database: database
            )
            harness = made
            try await made.prepareDatabase()
            outcome = .success(try await body(made))
        } catch {
            outcome = .failure(error)
        }

        // Tear down in dependency order; every step is bounded so a hung shutdown cannot hang the run.
        if let harness {
            if case .failure(let error) = outcome { harness.report(error: error, label: label) }
            await harness.stopAll()
            await bounded("delete streams", .seconds(15)) {
                try? await harness.jetStream.deleteStream(harness.queue.ordersStream)
                try? await harness.jetStream.deleteStream(harness.queue.deadLetterStream)
                try? await harness.jetStream.deleteStream(harness.queue.replayStream)
            }
        }
        if let connection { await bounded("close NATS", .seconds(10)) { await connection.close() } }
        if let prestaShop {
            await bounded("stop the PrestaShop sandbox", .seconds(15)) { try? await prestaShop.shutdown() }
        }
        if let netSuite { await bounded("stop the NetSuite sandbox", .seconds(15)) { try? await netSuite.shutdown() } }
        await testDatabase.drop()
        let keep = ProcessInfo.processInfo.environment["FERRY_E2E_KEEP_LOGS"] != nil
        if !keep, case .success = outcome { try? FileManager.default.removeItem(at: directory) }
        return try outcome.get()
    }

    private func report(error: any Error, label: String) {
        var text = "=== \(label) failed: \(error)\n=== logs kept in \(directory.path)\n"
        for child in children.withLock({ $0 }) {
            text += "--- \(child.name) (\(child.isRunning ? "running" : "exited \(child.exitStatus ?? -1)"))\n"
            text += child.logTail(30) + "\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// Stops every child still running: SIGTERM, then SIGKILL after a short grace.
    /// Every `ferry` process started so far whose name starts with `prefix` (`worker` for all workers).
    func processes(named prefix: String) -> [FerryProcess] {
        children.withLock { $0.filter { $0.name.hasPrefix(prefix) } }
    }

    func stopAll() async {
        let all = children.withLock { $0 }
        await withTaskGroup(of: Void.self) { group in
            for child in all { group.addTask { await child.stop(grace: .seconds(5)) } }
        }
    }

    private func prepareDatabase() async throws {
        let migrate = try await ferry("migrate")
        guard migrate.status == 0 else { throw HarnessError("ferry migrate failed: \(migrate)") }
        let mappings: URL
        switch options.mappings {
        case .fullDirectory:
            mappings = SandboxWorld.mappingsDirectory
        case .subset(let skus):
            mappings = try SandboxWorld.writeMappings(products: skus, to: directory.appendingPathComponent("mappings"))
        }
        let imported = try await ferry("mappings", "import-dir", mappings.path)
        guard imported.status == 0 else { throw HarnessError("ferry mappings import-dir failed: \(imported)") }
    }

    // MARK: - Ferry processes

    /// The environment every `ferry` process of this installation gets (nothing is inherited except
    /// `FERRY_E2E_CHILD_<NAME>` variables, passed on as `<NAME>`, e.g. `FERRY_E2E_CHILD_FERRY_LOG_LEVEL=debug`).
    var environment: [String: String] {
        var env: [String: String] = [
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": FileManager.default.temporaryDirectory.path,
            "FERRY_LOG_FORMAT": "json",
            "FERRY_LOG_LEVEL": "info",
            "FERRY_NATS_URL": natsURL,
            "FERRY_DATABASE_URL": databaseURL,
            "FERRY_DATABASE_MAX_CONNECTIONS": "4",
            "FERRY_QUEUE_NAMESPACE": namespace,
            "FERRY_ACK_WAIT": options.ackWait,
            "FERRY_WEBHOOK_SECRET": webhookSecret,
            "FERRY_GATEWAY_HOST": "127.0.0.1",
            "FERRY_GATEWAY_DRAIN_DELAY": "200ms",
            "FERRY_GATEWAY_PORT": "0",
            "FERRY_NETSUITE_URL": netSuite.baseURL,
            "FERRY_NETSUITE_ACCOUNT": options.netSuite.accountID,
            "FERRY_NETSUITE_AUTH": "tba",
            "FERRY_NETSUITE_CONSUMER_KEY": NetSuiteSandboxConfiguration.TBACredential.sandboxDefault.consumerKey,
            "FERRY_NETSUITE_CONSUMER_SECRET": NetSuiteSandboxConfiguration.TBACredential.sandboxDefault.consumerSecret,
            "FERRY_NETSUITE_TOKEN_ID": NetSuiteSandboxConfiguration.TBACredential.sandboxDefault.tokenID,
            "FERRY_NETSUITE_TOKEN_SECRET": NetSuiteSandboxConfiguration.TBACredential.sandboxDefault.tokenSecret,
            "FERRY_NETSUITE_TIMEOUT": options.netSuiteTimeout,
            "FERRY_PRESTASHOP_URL": prestaShop.baseURL,
            "FERRY_PRESTASHOP_KEY": PrestaShopSandboxConfiguration.defaultAPIKey,
            "FERRY_RETRY_SCHEDULE": options.retrySchedule,
            "FERRY_OUTAGE_HOLD": options.outageHold,
            "FERRY_OUTAGE_PROBE": options.outageProbe,
            "FERRY_OUTAGE_PROBE_MAX": options.outageProbeMax,
            "FERRY_WORKER_MAX_IN_FLIGHT": String(options.workerMaxInFlight),
            "FERRY_WRITEBACK_RETRY": "1s",
        ]
        if let maxAttempts = options.maxAttempts { env["FERRY_MAX_ATTEMPTS"] = String(maxAttempts) }
        if let window = options.duplicateWindow { env["FERRY_DUPLICATE_WINDOW"] = window }
        env.merge(options.environment) { _, new in new }
        // For debugging: FERRY_E2E_CHILD_<NAME>=value in the test's environment gives every child <NAME>=value.
        for (key, value) in ProcessInfo.processInfo.environment where key.hasPrefix("FERRY_E2E_CHILD_") {
            env[String(key.dropFirst("FERRY_E2E_CHILD_".count))] = value
        }
        return env
    }

    /// Runs a one-shot `ferry` command (migrate, mappings, dlq …) against this installation.
    func ferry(_ arguments: String..., environment extra: [String: String] = [:]) async throws -> CommandResult {
        try await FerryProcess.run(
            arguments: arguments,
            environment: environment.merging(extra) { _, new in new },
            directory: directory
        )
    }

    private func spawn(
        _ name: String,
        _ arguments: [String],
        environment extra: [String: String]
    ) throws
        -> FerryProcess
    {
        let child = try FerryProcess.spawn(
            name: name,
            arguments: arguments,
            environment: environment.merging(extra) { _, new in new },
            logFile: directory.appendingPathComponent("\(name).log")
        )
        children.withLock { $0.append(child) }
        return child
    }

    /// A running gateway and the URL its webhook endpoint listens on.
    struct Gateway: Sendable {
        let process: FerryProcess
        let port: Int
        var webhookURL: String { "http://127.0.0.1:\(port)/webhooks/prestashop/orders" }
    }

    /// Starts `ferry gateway` on a free port and waits until `/readyz` says it can take orders.
    func startGateway(_ name: String = "gateway", environment extra: [String: String] = [:]) async throws -> Gateway {
        let child = try spawn(name, ["gateway"], environment: extra)
        var port: Int?
        try await waitUntil("\(name) logs the port it listens on", timeout: .seconds(30), poll: .milliseconds(50)) {
            guard child.isRunning else { throw HarnessError("\(name) exited: \(child.logTail())") }
            port = child.logLines(message: "gateway listening").first?["port"].int
            return port != nil
        }
        let gateway = Gateway(process: child, port: port!)
        try await waitUntil("\(name) is ready", timeout: .seconds(30)) {
            (try? await self.get("http://127.0.0.1:\(gateway.port)/readyz").status) == 200
        }
        return gateway
    }

    /// Starts `ferry worker` and waits until it has bound to the consumer.
    @discardableResult
    func startWorker(_ name: String = "worker", environment extra: [String: String] = [:]) async throws -> FerryProcess
    {
        let child = try spawn(name, ["worker"], environment: ["FERRY_WORKER_ID": name].merging(extra) { _, new in new })
        try await waitUntil("\(name) has started", timeout: .seconds(30), poll: .milliseconds(50)) {
            guard child.isRunning else { throw HarnessError("\(name) exited: \(child.logTail())") }
            return !child.logLines(message: "worker started").isEmpty
        }
        return child
    }

    // MARK: - HTTP

    struct HTTPAnswer: Sendable {
        var status: Int
        var body: Data
        var json: JSONValue { (try? JSONValue.parse(body)) ?? .null }
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func send(
        _ method: HTTPMethod,
        _ url: String,
        body: Data? = nil,
        headers: [(String, String)] = [],
        timeout: Duration = .seconds(30)
    ) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            if !headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                request.headers.add(name: "Content-Type", value: "application/json")
            }
            request.body = .bytes(body)
        }
        let response = try await http.execute(request, timeout: .init(timeout))
        let collected = try await response.body.collect(upTo: 64 << 20)
        return HTTPAnswer(status: Int(response.status.code), body: Data(buffer: collected))
    }

    func get(_ url: String) async throws -> HTTPAnswer { try await send(.GET, url) }

    func sendJSON(_ method: HTTPMethod, _ url: String, _ object: [String: Any]) async throws -> HTTPAnswer {
        try await send(method, url, body: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
    }

    // MARK: - JetStream

    /// Messages in the orders stream (each accepted webhook once; JetStream drops duplicates in its window).
    func ordersInStream() async throws -> UInt64 { try await jetStream.streamInfo(queue.ordersStream).messages }

    func deadLettersInStream() async throws -> UInt64 {
        try await jetStream.streamInfo(queue.deadLetterStream).messages
    }

    /// Messages not yet acknowledged or terminated: waiting, in flight, or parked for a retry.
    func unfinishedMessages() async throws -> UInt64 {
        let info = try await jetStream.consumerInfo(stream: queue.ordersStream, consumer: queue.consumer)
        return info.numPending + UInt64(info.numAckPending)
    }
}

extension Duration {
    /// Fractional seconds.
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
