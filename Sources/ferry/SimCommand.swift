import ArgumentParser
import Configuration
import FerryConfiguration
import FerryCore
import FerryNetSuiteSandbox
import FerryPrestaShopSandbox
import FerrySandboxData
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run a sandbox of NetSuite or PrestaShop (try mappings without a NetSuite account).",
        subcommands: [NetSuite.self, PrestaShop.self, ExportMappings.self]
    )

    struct NetSuite: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "netsuite",
            abstract: "SuiteTalk REST sandbox: records, SuiteQL, TBA/OAuth 2.0, concurrency limit, faults."
        )

        @Option(help: "Address to bind.") var host = "127.0.0.1"
        @Option(help: "Port to bind (0 picks one).") var port = 18_090
        @Option(help: "Account id (TBA realm).") var account = "1234567_SB1"
        @Option(help: "Account-wide concurrency limit; request limit+1 gets 429.") var concurrencyLimit = 10
        @Option(help: "Latency: none | fixed:<ms> | uniform:<min ms>:<max ms> | lognormal:<median ms>:<p99 ms>.")
        var latency = "lognormal:80:600"
        @Option(help: "OAuth 2.0 client as <client id>:<certificate id>:<public key PEM file>; repeatable.")
        var oauth2Client: [String] = []
        @Option(help: "Seed of the generated world shared with the PrestaShop sandbox.") var seed: UInt64 = 20_261_126

        func run() async throws {
            let reader = ConfigReader.ferryEnvironment()
            bootstrapLogging(reader)
            let logger = Logger(label: "ferry.sim.netsuite")
            var configuration = NetSuiteSandboxConfiguration(
                host: host,
                port: port,
                accountID: account,
                concurrencyLimit: concurrencyLimit,
                latency: try parseLatency(latency),
                dataset: seed == 20_261_126 ? .standard : .generate(seed: seed)
            )
            // Accept the credentials the workers are configured with, so both sides read one environment.
            if let tba = SandboxCredentials(reader: reader).netSuiteTBA {
                configuration.tbaCredentials.append(
                    .init(
                        consumerKey: tba.consumerKey,
                        consumerSecret: tba.consumerSecret,
                        tokenID: tba.tokenID,
                        tokenSecret: tba.tokenSecret
                    )
                )
            }
            for spec in oauth2Client {
                let parts = spec.split(separator: ":", maxSplits: 2).map(String.init)
                guard parts.count == 3, let pem = try? String(contentsOfFile: parts[2], encoding: .utf8) else {
                    throw ValidationError("--oauth2-client must be <client id>:<certificate id>:<readable PEM file>")
                }
                configuration.oauth2Clients.append(
                    .init(clientID: parts[0], certificateID: parts[1], publicKeyPEM: pem)
                )
            }
            let app = buildNetSuiteSandboxApplication(configuration: configuration, logger: logger)
            logger.info(
                "netsuite sandbox starting",
                metadata: ["port": "\(port)", "account": "\(account)", "concurrency_limit": "\(concurrencyLimit)"]
            )
            try await ServiceGroup(
                configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            ).run()
        }
    }

    struct PrestaShop: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "prestashop",
            abstract: "PrestaShop webservice sandbox with an order generator that sends signed webhooks."
        )

        @Option(help: "Address to bind.") var host = "127.0.0.1"
        @Option(help: "Port to bind (0 picks one).") var port = 18_091
        @Option(help: "Webhook URL for generated orders; none sends nothing.") var webhookURL: String?
        @Option(help: "Orders per second placed by the generator (0 = generator off).") var rate: Double = 0
        @Option(help: "Stop after this many generated orders.") var maxOrders: Int?
        @Option(help: "Probability that a webhook is dropped (real shops lose some).") var drop: Double = 0
        @Option(help: "Probability that a webhook is sent twice.") var duplicate: Double = 0
        @Option(help: "Probability that a webhook is delayed by --delay-seconds.") var delay: Double = 0
        @Option(help: "Delay for delayed webhooks.") var delaySeconds: Double = 5
        @Option(help: "Probability that a webhook is held back and sent after the next one.") var reorder: Double = 0
        @Option(help: "Seed of the generated world shared with the NetSuite sandbox.") var seed: UInt64 = 20_261_126

        func run() async throws {
            let reader = ConfigReader.ferryEnvironment()
            bootstrapLogging(reader)
            let logger = Logger(label: "ferry.sim.prestashop")
            let credentials = SandboxCredentials(reader: reader)
            var keys = [PrestaShopSandboxConfiguration.defaultAPIKey: PrestaShopSandboxConfiguration.KeyPermissions.all]
            if let key = credentials.prestaShopKey { keys[key] = .all }
            var webhook: PrestaShopSandboxConfiguration.WebhookConfiguration?
            if let webhookURL {
                guard let secret = credentials.webhookSecret else {
                    throw ValidationError("FERRY_WEBHOOK_SECRET must be set to sign webhooks")
                }
                webhook = .init(
                    url: webhookURL,
                    secret: secret,
                    modes: .init(
                        dropProbability: drop,
                        duplicateProbability: duplicate,
                        delayProbability: delay,
                        delaySeconds: delaySeconds,
                        reorderProbability: reorder
                    )
                )
            }
            let configuration = PrestaShopSandboxConfiguration(
                host: host,
                port: port,
                apiKeys: keys,
                dataset: seed == 20_261_126 ? .standard : .generate(seed: seed),
                webhook: webhook,
                generator: rate > 0 ? .init(ratePerSecond: rate, maxOrders: maxOrders) : nil
            )
            let app = buildPrestaShopSandboxApplication(configuration: configuration, logger: logger)
            logger.info("prestashop sandbox starting", metadata: ["port": "\(port)", "rate": "\(rate)"])
            try await ServiceGroup(
                configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            ).run()
        }
    }

    struct ExportMappings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-mappings",
            abstract: "Write the mapping CSV files that match the sandbox world."
        )
        @Argument var directory: String
        @Option var seed: UInt64 = 20_261_126

        func run() async throws {
            let world = seed == 20_261_126 ? SandboxDataset.standard : .generate(seed: seed)
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for kind in SandboxDataset.MappingKind.allCases {
                let path = (directory as NSString).appendingPathComponent("\(kind.rawValue).csv")
                try world.mappingCSV(kind).write(toFile: path, atomically: true, encoding: .utf8)
                writeLine("wrote \(path)")
            }
        }
    }
}

func parseLatency(_ text: String) throws -> NetSuiteLatency {
    let parts = text.lowercased().split(separator: ":").map(String.init)
    func ms(_ s: String) throws -> Duration {
        guard let v = Double(s), v >= 0 else { throw ValidationError("latency values are milliseconds, found '\(s)'") }
        return .microseconds(Int64(v * 1000))
    }
    switch (parts.first, parts.count) {
    case ("none", 1): return .none
    case ("fixed", 2): return .fixed(try ms(parts[1]))
    case ("uniform", 3): return .uniform(min: try ms(parts[1]), max: try ms(parts[2]))
    case ("lognormal", 3): return .logNormal(median: try ms(parts[1]), p99: try ms(parts[2]))
    default: throw ValidationError("latency must be none, fixed:<ms>, uniform:<min>:<max> or lognormal:<median>:<p99>")
    }
}
