import ArgumentParser
import AsyncHTTPClient
import Configuration
import FerryConfiguration
import FerryNATS
import FerryPostgres
import Foundation
import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle

/// Ferry's main job on one machine: both sandboxes, gateways and workers as separate processes, with the
/// PrestaShop sandbox placing orders, and a live summary. `scripts/dev.sh` starts NATS and PostgreSQL first.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run sandboxes, gateway and workers locally with generated orders and a live summary."
    )

    @Option(help: "Orders per second placed by the PrestaShop sandbox.") var rate: Double = 5
    @Option(help: "Stop after this many seconds (default: run until Ctrl-C).") var duration: Int?
    @Option(help: "Worker processes.") var workers = 2
    @Option(help: "Gateway processes; the shop spreads webhooks over them like a load balancer.") var gateways = 2
    @Option(
        help:
            "First port: gateways = base, base+1 …, NetSuite sandbox = base+10, PrestaShop sandbox = base+11, worker n metrics = base+20+n."
    ) var basePort = 18_080
    @Option(help: "Directory for the processes' logs.") var logDirectory = ".dev/logs"
    @Option(help: "Directory with the mapping CSV files to import.") var mappings = "sandbox/mappings"
    @Option(help: "NetSuite sandbox latency (see ferry sim netsuite --help).") var netsuiteLatency = "lognormal:80:600"
    @Option(help: "Probability that the shop drops a webhook.") var dropWebhooks: Double = 0.01
    @Option(help: "Probability that the shop sends a webhook twice.") var duplicateWebhooks: Double = 0.02

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        bootstrapLogging(.ferryEnvironment(environment))
        let logger = Logger(label: "ferry.dev")
        let gatewayPort = basePort
        let netSuitePort = basePort + 10
        let prestaShopPort = basePort + 11
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)

        // One environment for every child, so workers and sandboxes agree on credentials.
        var childEnv = environment
        let defaults: [String: String] = [
            "FERRY_WEBHOOK_SECRET": "dev-webhook-secret", "FERRY_GATEWAY_PORT": "\(gatewayPort)",
            "FERRY_GATEWAY_DRAIN_DELAY": "1s",
            "FERRY_NETSUITE_URL": "http://127.0.0.1:\(netSuitePort)", "FERRY_NETSUITE_ACCOUNT": "1234567_SB1",
            "FERRY_NETSUITE_AUTH": "tba", "FERRY_NETSUITE_CONSUMER_KEY": "ferry-sandbox-consumer-key",
            "FERRY_NETSUITE_CONSUMER_SECRET": "ferry-sandbox-consumer-secret",
            "FERRY_NETSUITE_TOKEN_ID": "ferry-sandbox-token-id",
            "FERRY_NETSUITE_TOKEN_SECRET": "ferry-sandbox-token-secret",
            "FERRY_PRESTASHOP_URL": "http://127.0.0.1:\(prestaShopPort)",
            "FERRY_PRESTASHOP_KEY": "FERRY0SANDBOX0PRESTASHOP0KEY0001",
        ]
        for (key, value) in defaults where childEnv[key] == nil { childEnv[key] = value }
        let runReader = ConfigReader.ferryEnvironment(childEnv)

        writeLine("ferry dev: migrating and importing the sandbox mappings")
        _ = try await withDatabase(runReader, logger: logger) { client in
            try await Migrations.migrate(client, logger: logger)
        }
        for kind in ["products", "tax-codes", "currencies", "payment-methods", "carriers", "shops"] {
            _ = try await importFile(kind: .init(rawValue: kind)!, path: "\(mappings)/\(kind).csv", reader: runReader)
        }

        let processes = ChildProcesses(environment: childEnv, logDirectory: logDirectory)
        do {
            try processes.spawn(
                "netsuite-sandbox",
                ["sim", "netsuite", "--port", "\(netSuitePort)", "--latency", netsuiteLatency]
            )
            let gatewayPorts = (0..<max(1, min(gateways, 9))).map { gatewayPort + $0 }
            for (n, port) in gatewayPorts.enumerated() {
                try processes.spawn(
                    "gateway-\(n + 1)",
                    ["gateway"],
                    extraEnvironment: ["FERRY_GATEWAY_PORT": "\(port)"]
                )
            }
            for n in 1...max(1, workers) {
                try processes.spawn(
                    "worker-\(n)",
                    ["worker"],
                    extraEnvironment: [
                        "FERRY_WORKER_ID": "dev-worker-\(n)", "FERRY_WORKER_METRICS_PORT": "\(basePort + 20 + n)",
                    ]
                )
            }
            try processes.spawn(
                "prestashop-sandbox",
                [
                    "sim", "prestashop", "--port", "\(prestaShopPort)", "--rate", "\(rate)",
                    "--webhook-url",
                    gatewayPorts.map { "http://127.0.0.1:\($0)/webhooks/prestashop/orders" }.joined(separator: ","),
                    "--drop", "\(dropWebhooks)", "--duplicate", "\(duplicateWebhooks)",
                ]
            )
            writeLine(
                "ferry dev: gateways :\(gatewayPorts.map(String.init).joined(separator: ",:")), NetSuite sandbox :\(netSuitePort), PrestaShop sandbox :\(prestaShopPort), \(workers) workers; logs in \(logDirectory)/"
            )
            writeLine("ferry dev: \(rate) orders/s; Ctrl-C stops everything")

            var quiet = logger
            quiet.logLevel = .error  // the summary reconnects every tick; its connection logs are noise
            let summary = DevSummary(reader: runReader, netSuiteURL: "http://127.0.0.1:\(netSuitePort)", logger: quiet)
            let start = ContinuousClock.now
            let deadline = duration.map { start + .seconds($0) }
            let service = ClosureService {
                while !Task.isShuttingDownGracefully {
                    try? await Task.sleep(for: .seconds(2))
                    let line = await summary.line(elapsed: ContinuousClock.now - start)
                    writeLine(line)
                    for dead in processes.exited() {
                        writeLine("ferry dev: \(dead) exited; see \(logDirectory)/\(dead).log")
                    }
                    if let deadline, ContinuousClock.now >= deadline { break }
                }
            }
            try await ServiceGroup(
                configuration: .init(
                    services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                    gracefulShutdownSignals: [.sigterm, .sigint],
                    logger: logger
                )
            ).run()
            writeLine("ferry dev: stopping")
            await processes.stopAll()
            writeLine(await summary.line(elapsed: ContinuousClock.now - start))
            await summary.shutdown()
        } catch {
            await processes.stopAll()
            throw error
        }
    }
}

/// The live summary: what the gateway accepted, what is in NetSuite, retrying, dead-lettered.
final class DevSummary: Sendable {
    let reader: ConfigReader
    let netSuiteURL: String
    let logger: Logger
    let http = HTTPClient(eventLoopGroupProvider: .singleton)

    init(reader: ConfigReader, netSuiteURL: String, logger: Logger) {
        self.reader = reader
        self.netSuiteURL = netSuiteURL
        self.logger = logger
    }

    func line(elapsed: Duration) async -> String {
        var parts = ["t=\(elapsed.components.seconds)s"]
        if let (connection, jetStream) = try? await connectNATS(reader, name: "ferry-dev-summary", logger: logger) {
            let queue = (try? OrderQueueConfiguration(reader: reader)) ?? OrderQueueConfiguration()
            let accepted = (try? await jetStream.streamInfo(queue.ordersStream).messages) ?? 0
            let dead = (try? await jetStream.streamInfo(queue.deadLetterStream).messages) ?? 0
            let pending = try? await jetStream.consumerInfo(stream: queue.ordersStream, consumer: queue.consumer)
            parts.append("received=\(accepted)")
            parts.append("queue=\(pending.map { "\($0.numPending)+\($0.numAckPending)" } ?? "?")")
            parts.append("dlq=\(dead)")
            await connection.close()
        }
        if let s = try? await withDatabase(
            reader,
            logger: logger,
            { client in try await OrderSyncStore(client: client).summary(logger: logger) }
        ) {
            parts.append(
                "in_netsuite=\(s.inNetSuite) written_back=\(s.writtenBack) retrying=\(s.retrying) dead_lettered=\(s.deadLettered)"
            )
        }
        if let response = try? await http.execute(
            HTTPClientRequest(url: netSuiteURL + "/_sandbox/stats"),
            timeout: .seconds(2)
        ),
            let body = try? await response.body.collect(upTo: 1 << 20),
            let stats = try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
        {
            parts.append(
                "netsuite: max_concurrent=\(stats["maxConcurrent"] ?? "?")/\(stats["concurrencyLimit"] ?? "?") 429s=\(stats["rejectedConcurrency"] ?? "?")"
            )
        }
        return parts.joined(separator: " ")
    }

    func shutdown() async { try? await http.shutdown() }
}

/// The dev command's child processes: the same `ferry` binary, one role each, logs to files.
final class ChildProcesses: @unchecked Sendable {
    private let lock = NSLock()
    private var children: [(name: String, process: Process)] = []
    private var reported: Set<String> = []
    let environment: [String: String]
    let logDirectory: String

    init(environment: [String: String], logDirectory: String) {
        self.environment = environment
        self.logDirectory = logDirectory
    }

    static var executable: URL {
        let path =
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return URL(fileURLWithPath: path)
    }

    func spawn(_ name: String, _ arguments: [String], extraEnvironment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        process.environment = environment.merging(extraEnvironment) { _, new in new }
        let logPath = "\(logDirectory)/\(name).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        lock.withLock { children.append((name, process)) }
    }

    /// Names of children that exited since the last call.
    func exited() -> [String] {
        lock.withLock {
            let dead = children.filter { !$0.process.isRunning && !reported.contains($0.name) }.map(\.name)
            reported.formUnion(dead)
            return dead
        }
    }

    /// SIGTERM to every child (graceful drain), SIGKILL to any still running after 15 s.
    func stopAll() async {
        let all = lock.withLock { children }
        for child in all.reversed() where child.process.isRunning { child.process.terminate() }
        let deadline = ContinuousClock.now + .seconds(15)
        while all.contains(where: { $0.process.isRunning }), ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(100))
        }
        for child in all where child.process.isRunning { kill(child.process.processIdentifier, SIGKILL) }
    }
}
