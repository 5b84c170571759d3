import Configuration
import FerryConfiguration
import FerryCore
import FerryGateway
import FerryNATS
import FerryNetSuite
import FerryObservability
import FerryPostgres
import FerryPrestaShop
import FerryWorker
import Testing

/// Every role's configuration read through `ConfigReader.ferryEnvironment`: the defaults the README lists, Ferry's
/// duration format, and a value Ferry cannot use failing with its key named.
@Suite struct ConfigurationTests {
    /// The keys `ferry worker` requires, with sandbox values.
    static let workerRequired: [String: String] = [
        "FERRY_DATABASE_URL": "postgres://ferry:hunter2@127.0.0.1:5432/ferry?sslmode=disable",
        "FERRY_NETSUITE_ACCOUNT": "1234567_SB1", "FERRY_NETSUITE_CONSUMER_KEY": "ck-key-1",
        "FERRY_NETSUITE_CONSUMER_SECRET": "cs-secret-1", "FERRY_NETSUITE_TOKEN_ID": "ti-token-1",
        "FERRY_NETSUITE_TOKEN_SECRET": "ts-secret-1",
        "FERRY_PRESTASHOP_URL": "http://127.0.0.1:18091", "FERRY_PRESTASHOP_KEY": "FERRY0SANDBOX0PRESTASHOP0KEY0001",
    ]

    static func worker(_ extra: [String: String] = [:]) throws -> WorkerServicesConfiguration {
        try WorkerServicesConfiguration(reader: .ferryEnvironment(workerRequired.merging(extra) { _, new in new }))
    }

    static func gateway(_ extra: [String: String] = [:]) throws -> GatewayServicesConfiguration {
        let environment = ["FERRY_WEBHOOK_SECRET": "whsec"].merging(extra) { _, new in new }
        return try GatewayServicesConfiguration(reader: .ferryEnvironment(environment))
    }

    @Test func workerDefaults() throws {
        let configuration = try Self.worker()
        #expect(configuration.nats.urls == ["nats://127.0.0.1:4222"])
        #expect(configuration.nats.name == "ferry-worker")
        let queue = configuration.worker.queue
        #expect(queue == OrderQueueConfiguration())
        #expect(queue.ackWait == .seconds(60) && queue.duplicateWindow == .seconds(600) && queue.replicas == 1)
        #expect(configuration.database.host == "127.0.0.1" && configuration.database.maximumConnections == 10)
        #expect(
            configuration.netSuite.baseURL == "https://"
                + NetSuiteConfiguration.accountHost(forAccountID: "1234567_SB1")
        )
        #expect(configuration.netSuite.requestTimeout == .seconds(30))
        #expect(configuration.prestaShop.requestTimeout == .seconds(15))
        let worker = configuration.worker
        #expect(worker.maxInFlight == 8 && worker.replayMaxInFlight == 2 && worker.leasePrefetch == 2)
        #expect(worker.retryPolicy.delays == [.seconds(5), .seconds(30), .seconds(120), .seconds(600)])
        #expect(worker.retryPolicy.maxAttempts == 5)
        #expect(worker.retryPolicy.outageHoldDelay == .seconds(5))
        #expect(worker.writeBackRetryDelay == .seconds(10))
        #expect(worker.outageThreshold == 3 && worker.outageProbeInterval == .seconds(1))
        #expect(worker.outageMaxProbeInterval == .seconds(30))
        #expect(worker.leaseCheckInterval == .milliseconds(100))
        #expect(!worker.workerID.isEmpty)
        #expect(configuration.lease.slots == .fixed(8) && configuration.lease.liveReserved == nil)
        #expect(configuration.lease.ttl == .seconds(30))
        #expect(configuration.lease.policy(slots: 8).shares.reservations[.live] == 4)
        #expect(configuration.writeBackStateID == 14)
        #expect(configuration.queueMetricsInterval == .seconds(15))
        #expect(configuration.metricsAddress == nil)
    }

    @Test func workerSettings() throws {
        let configuration = try Self.worker([
            "FERRY_QUEUE_NAMESPACE": "blue", "FERRY_ACK_WAIT": "500ms", "FERRY_DUPLICATE_WINDOW": "2m",
            "FERRY_LEASE_SLOTS": "auto", "FERRY_LEASE_RESERVE": "3", "FERRY_LEASE_LIVE_RESERVED": "5",
            "FERRY_LEASE_TTL": "1h",
            "FERRY_WRITEBACK_STATE_ID": "none", "FERRY_WORKER_METRICS_PORT": "9090",
            "FERRY_WORKER_METRICS_HOST": "0.0.0.0",
            "FERRY_RETRY_SCHEDULE": "1s,2s", "FERRY_WORKER_ID": "w-1", "FERRY_NATS_URL": "nats://nats:4222",
            // Empty counts as unset.
            "FERRY_STREAM_REPLICAS": "",
        ])
        #expect(configuration.worker.queue.ordersStream == OrderQueueConfiguration.isolated("blue").ordersStream)
        #expect(configuration.worker.queue.ackWait == .milliseconds(500))
        #expect(configuration.worker.queue.duplicateWindow == .seconds(120))
        #expect(configuration.worker.queue.replicas == 1)
        #expect(configuration.lease.slots == .auto(reserve: 3) && configuration.lease.liveReserved == 5)
        #expect(configuration.lease.ttl == .seconds(3600))
        #expect(configuration.writeBackStateID == nil)
        #expect(configuration.metricsAddress?.host == "0.0.0.0" && configuration.metricsAddress?.port == 9090)
        #expect(configuration.worker.retryPolicy.delays == [.seconds(1), .seconds(2)])
        #expect(configuration.worker.workerID == "w-1")
        #expect(configuration.nats.urls == ["nats://nats:4222"])
    }

    @Test(arguments: [
        ("FERRY_ACK_WAIT", "banana"), ("FERRY_DUPLICATE_WINDOW", "10 minutes"), ("FERRY_STREAM_REPLICAS", "three"),
        ("FERRY_WORKER_MAX_IN_FLIGHT", "x"), ("FERRY_LEASE_SLOTS", "eight"), ("FERRY_LEASE_TTL", "soon"),
        ("FERRY_LEASE_LIVE_RESERVED", "half"), ("FERRY_DATABASE_MAX_CONNECTIONS", "ten"),
        ("FERRY_NETSUITE_TIMEOUT", "1y"),
        ("FERRY_PRESTASHOP_TIMEOUT", "-5s"), ("FERRY_QUEUE_METRICS_INTERVAL", "often"),
        ("FERRY_WORKER_METRICS_PORT", "x"),
        ("FERRY_RETRY_SCHEDULE", "5s,later"), ("FERRY_WRITEBACK_STATE_ID", "shipped"),
        ("FERRY_NETSUITE_AUTH", "password"),
    ])
    func aWorkerValueFerryCannotUseFailsWithItsKey(key: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) { try Self.worker([key: value]) }
        #expect(error?.description.contains(key) == true, "\(error?.description ?? "")")
    }

    @Test(arguments: [
        "FERRY_DATABASE_URL", "FERRY_NETSUITE_ACCOUNT", "FERRY_NETSUITE_TOKEN_SECRET", "FERRY_PRESTASHOP_URL",
        "FERRY_PRESTASHOP_KEY",
    ])
    func aMissingRequiredWorkerKeyIsNamed(key: String) {
        var environment = Self.workerRequired
        environment[key] = nil
        let error = #expect(throws: ConfigurationError.self) {
            try WorkerServicesConfiguration(reader: .ferryEnvironment(environment))
        }
        #expect(error?.description == "configuration: \(key) is required")
    }

    @Test func gatewayDefaults() throws {
        let configuration = try Self.gateway(["FERRY_WEBHOOK_SECRET": "new, old,,"])
        #expect(configuration.nats.name == "ferry-gateway")
        #expect(configuration.queue == OrderQueueConfiguration())
        let gateway = configuration.gateway
        #expect(gateway.host == "127.0.0.1" && gateway.port == 8080)
        #expect(gateway.webhookSecrets == ["new", "old"])
        #expect(gateway.timestampTolerance == .seconds(300) && gateway.maxBodyBytes == 1 << 20)
        #expect(gateway.drainDelay == .seconds(5) && gateway.publishTimeout == .seconds(5))
        #expect(gateway.maxHeaderFields == 100 && gateway.maxHeaderBytes == 16_384)
    }

    @Test func gatewayHeaderLimits() throws {
        let configuration = try Self.gateway([
            "FERRY_GATEWAY_MAX_HEADER_FIELDS": "40", "FERRY_GATEWAY_MAX_HEADER_BYTES": "8192",
        ])
        #expect(configuration.gateway.maxHeaderFields == 40 && configuration.gateway.maxHeaderBytes == 8192)
    }

    @Test(arguments: [
        ("FERRY_GATEWAY_PORT", "x"), ("FERRY_WEBHOOK_TOLERANCE", "5 min"), ("FERRY_WEBHOOK_MAX_BYTES", "1MB"),
        ("FERRY_GATEWAY_DRAIN_DELAY", "banana"), ("FERRY_ACK_WAIT", "banana"),
        ("FERRY_GATEWAY_MAX_HEADER_FIELDS", "many"), ("FERRY_GATEWAY_MAX_HEADER_BYTES", "16KiB"),
    ])
    func aGatewayValueFerryCannotUseFailsWithItsKey(key: String, value: String) {
        let error = #expect(throws: ConfigurationError.self) { try Self.gateway([key: value]) }
        let kind =
            key.hasSuffix("_PORT") || key.hasSuffix("_BYTES") || key.hasSuffix("_FIELDS")
            ? "an integer" : "a duration like 500ms, 5s or 2m"
        #expect(error?.description == "configuration: \(key) must be \(kind), found '\(value)'")
    }

    @Test func theWebhookSecretIsRequired() {
        let error = #expect(throws: ConfigurationError.self) {
            try GatewayServicesConfiguration(reader: .ferryEnvironment([:]))
        }
        #expect(error?.description == "configuration: FERRY_WEBHOOK_SECRET is required")
    }

    @Test func secretsAreRedacted() {
        let environment = Self.workerRequired.merging(["FERRY_WEBHOOK_SECRET": "whsec-42"]) { $1 }
        let provider = EnvironmentVariablesProvider.ferry(environment)
        let text = provider.debugDescription
        let secrets = [
            "hunter2", "whsec-42", "ck-key-1", "cs-secret-1", "ti-token-1", "ts-secret-1",
            "FERRY0SANDBOX0PRESTASHOP0KEY0001",
        ]
        for secret in secrets {
            #expect(!text.contains(secret), "\(secret) in \(text)")
        }
        #expect(text.contains("FERRY_NETSUITE_ACCOUNT=1234567_SB1"))
        #expect(text.contains("FERRY_WEBHOOK_SECRET=<REDACTED>"))
    }

    @Test func logging() {
        #expect(
            LoggingConfiguration(reader: .ferryEnvironment([:])) == LoggingConfiguration(level: .info, format: .json)
        )
        #expect(
            LoggingConfiguration(reader: .ferryEnvironment(["FERRY_LOG_LEVEL": "debug", "FERRY_LOG_FORMAT": "text"]))
                == LoggingConfiguration(level: .debug, format: .text)
        )
        #expect(LoggingConfiguration(reader: .ferryEnvironment(["FERRY_LOG_LEVEL": "loud"])).level == .info)
    }

    @Test func tracing() throws {
        let environment = ["OTEL_TRACES_EXPORTER": "otlp", "OTEL_SERVICE_NAME": "shop-sync"]
        #expect(
            try TracingConfiguration(reader: .ferryEnvironment(environment), serviceName: "ferry-worker")
                == TracingConfiguration(environment: environment, serviceName: "ferry-worker")
        )
        #expect(throws: TracingConfigurationError.self) {
            try TracingConfiguration(
                reader: .ferryEnvironment(["OTEL_SDK_DISABLED": "maybe"]),
                serviceName: "ferry-worker"
            )
        }
    }
}
