import FerryCore
import FerryGateway
import FerryNATS
import FerryNetSuite
import FerryObservability
import FerryPostgres
import FerryPrestaShop
import FerryWorker
import Foundation
import Logging
import ServiceLifecycle

/// Configuration from environment variables. Every key, its default and meaning is listed in README
/// ("Configuration"). Secrets are read here and never logged.
struct FerryEnvironment {
    let values: [String: String]

    init(_ values: [String: String] = ProcessInfo.processInfo.environment) { self.values = values }

    func string(_ key: String, default value: String? = nil) -> String? {
        if let v = values[key], !v.isEmpty { return v }
        return value
    }

    func required(_ key: String) throws -> String {
        guard let v = string(key) else { throw ConfigurationError("\(key) is required") }
        return v
    }

    func int(_ key: String, default value: Int) throws -> Int {
        guard let raw = string(key) else { return value }
        guard let v = Int(raw) else { throw ConfigurationError("\(key) must be an integer, found '\(raw)'") }
        return v
    }

    func duration(_ key: String, default value: Duration) throws -> Duration {
        guard let raw = string(key) else { return value }
        guard let v = parseDuration(raw) else { throw ConfigurationError("\(key) must be a duration like 500ms, 5s or 2m, found '\(raw)'") }
        return v
    }

    // MARK: Shared

    var natsURL: String { string("FERRY_NATS_URL", default: "nats://127.0.0.1:4222")! }

    func database() throws -> DatabaseConfiguration {
        var configuration = try DatabaseConfiguration(url: try required("FERRY_DATABASE_URL"))
        configuration.maximumConnections = try int("FERRY_DATABASE_MAX_CONNECTIONS", default: 10)
        return configuration
    }

    func queue() throws -> OrderQueueConfiguration {
        // A namespace gives every stream, subject and consumer its own name (several Ferry installs, or tests,
        // on one NATS server).
        var queue = string("FERRY_QUEUE_NAMESPACE").map { OrderQueueConfiguration.isolated($0) } ?? OrderQueueConfiguration()
        queue.ordersStream = string("FERRY_ORDERS_STREAM", default: queue.ordersStream)!
        queue.deadLetterStream = string("FERRY_DLQ_STREAM", default: queue.deadLetterStream)!
        queue.consumer = string("FERRY_CONSUMER", default: queue.consumer)!
        queue.ackWait = try duration("FERRY_ACK_WAIT", default: queue.ackWait)
        queue.duplicateWindow = try duration("FERRY_DUPLICATE_WINDOW", default: queue.duplicateWindow)
        queue.replicas = try int("FERRY_STREAM_REPLICAS", default: queue.replicas)
        return queue
    }

    // MARK: Gateway

    func gateway() throws -> GatewayConfiguration {
        let secrets = try required("FERRY_WEBHOOK_SECRET").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return GatewayConfiguration(
            host: string("FERRY_GATEWAY_HOST", default: "127.0.0.1")!, port: try int("FERRY_GATEWAY_PORT", default: 8080),
            webhookSecrets: secrets.filter { !$0.isEmpty },
            timestampTolerance: try duration("FERRY_WEBHOOK_TOLERANCE", default: .seconds(300)),
            maxBodyBytes: try int("FERRY_WEBHOOK_MAX_BYTES", default: 1 << 20),
            drainDelay: try duration("FERRY_GATEWAY_DRAIN_DELAY", default: .seconds(5)))
    }

    /// Everything `ferry gateway` reads.
    func gatewayServices() throws -> GatewayServicesConfiguration {
        GatewayServicesConfiguration(
            nats: NATSConnectionOptions(url: natsURL, name: "ferry-gateway"), queue: try queue(), gateway: try gateway())
    }

    // MARK: NetSuite

    func netSuite() throws -> NetSuiteConfiguration {
        let account = try required("FERRY_NETSUITE_ACCOUNT")
        let url = string("FERRY_NETSUITE_URL") ?? "https://" + NetSuiteConfiguration.accountHost(forAccountID: account)
        let auth: NetSuiteAuthentication
        switch string("FERRY_NETSUITE_AUTH", default: "tba")!.lowercased() {
        case "tba":
            auth = .tba(
                consumerKey: try required("FERRY_NETSUITE_CONSUMER_KEY"), consumerSecret: try required("FERRY_NETSUITE_CONSUMER_SECRET"),
                tokenID: try required("FERRY_NETSUITE_TOKEN_ID"), tokenSecret: try required("FERRY_NETSUITE_TOKEN_SECRET"))
        case "oauth2":
            let pem: String
            if let path = string("FERRY_NETSUITE_PRIVATE_KEY_FILE") {
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                    throw ConfigurationError("FERRY_NETSUITE_PRIVATE_KEY_FILE cannot be read")
                }
                pem = text
            } else {
                pem = try required("FERRY_NETSUITE_PRIVATE_KEY")
            }
            let algorithmName = string("FERRY_NETSUITE_JWT_ALGORITHM", default: "PS256")!
            guard let algorithm = NetSuiteJWTAlgorithm(rawValue: algorithmName.uppercased()) else {
                throw ConfigurationError("FERRY_NETSUITE_JWT_ALGORITHM must be one of PS256, PS384, PS512, ES256, ES384, ES512")
            }
            auth = .oauth2(
                clientID: try required("FERRY_NETSUITE_CLIENT_ID"), certificateID: try required("FERRY_NETSUITE_CERTIFICATE_ID"),
                privateKeyPEM: pem, algorithm: algorithm,
                scopes: string("FERRY_NETSUITE_SCOPES", default: "rest_webservices")!.split(separator: ",").map(String.init))
        case let other:
            throw ConfigurationError("FERRY_NETSUITE_AUTH must be tba or oauth2, found '\(other)'")
        }
        return NetSuiteConfiguration(
            baseURL: url, accountID: account, auth: auth, requestTimeout: try duration("FERRY_NETSUITE_TIMEOUT", default: .seconds(30)))
    }

    // MARK: PrestaShop

    func prestaShop() throws -> PrestaShopClientConfiguration {
        PrestaShopClientConfiguration(
            baseURL: try required("FERRY_PRESTASHOP_URL"), apiKey: try required("FERRY_PRESTASHOP_KEY"),
            requestTimeout: try duration("FERRY_PRESTASHOP_TIMEOUT", default: .seconds(15)))
    }

    // MARK: Worker

    func worker(queue: OrderQueueConfiguration) throws -> WorkerConfiguration {
        let schedule = string("FERRY_RETRY_SCHEDULE", default: "5s,30s,2m,10m")!
        guard var policy = RetryPolicy(schedule: schedule) else {
            throw ConfigurationError("FERRY_RETRY_SCHEDULE must be a list of durations like 5s,30s,2m,10m, found '\(schedule)'")
        }
        policy.maxAttempts = try int("FERRY_MAX_ATTEMPTS", default: policy.maxAttempts)
        policy.outageHoldDelay = try duration("FERRY_OUTAGE_HOLD", default: policy.outageHoldDelay)
        return WorkerConfiguration(
            queue: queue, workerID: string("FERRY_WORKER_ID", default: ProcessInfo.processInfo.hostName + "-\(getpid())")!,
            maxInFlight: try int("FERRY_WORKER_MAX_IN_FLIGHT", default: 8), retryPolicy: policy,
            writeBackRetryDelay: try duration("FERRY_WRITEBACK_RETRY", default: .seconds(10)),
            outageThreshold: try int("FERRY_OUTAGE_THRESHOLD", default: 3),
            outageProbeInterval: try duration("FERRY_OUTAGE_PROBE", default: .seconds(1)),
            outageMaxProbeInterval: try duration("FERRY_OUTAGE_PROBE_MAX", default: .seconds(30)),
            leaseCheckInterval: try duration("FERRY_LEASE_CHECK_INTERVAL", default: .milliseconds(100)),
            replayMaxInFlight: try int("FERRY_WORKER_REPLAY_IN_FLIGHT", default: 2),
            leasePrefetch: try int("FERRY_WORKER_LEASE_PREFETCH", default: 2))
    }

    /// Everything `ferry worker` reads.
    func workerServices() throws -> WorkerServicesConfiguration {
        let netSuite = try netSuite()
        let slots: WorkerLeaseConfiguration.Slots =
            string("FERRY_LEASE_SLOTS") == "auto"
            ? .auto(reserve: try int("FERRY_LEASE_RESERVE", default: 2)) : .fixed(try int("FERRY_LEASE_SLOTS", default: 8))
        let liveReserved = try string("FERRY_LEASE_LIVE_RESERVED").map { _ in try int("FERRY_LEASE_LIVE_RESERVED", default: 0) }
        let metricsPort = try int("FERRY_WORKER_METRICS_PORT", default: 0)
        return WorkerServicesConfiguration(
            nats: NATSConnectionOptions(url: natsURL, name: "ferry-worker"), database: try database(), netSuite: netSuite,
            prestaShop: try prestaShop(), worker: try worker(queue: try queue()),
            lease: WorkerLeaseConfiguration(
                slots: slots, liveReserved: liveReserved, ttl: try duration("FERRY_LEASE_TTL", default: .seconds(30))),
            writeBackStateID: try writeBackStateID(),
            queueMetricsInterval: try duration("FERRY_QUEUE_METRICS_INTERVAL", default: QueueMetricsService.defaultInterval),
            metricsAddress: metricsPort > 0 ? (string("FERRY_WORKER_METRICS_HOST", default: "127.0.0.1")!, metricsPort) : nil)
    }

    /// PrestaShop state written back when an order is in NetSuite; `none` turns write-back off.
    func writeBackStateID() throws -> Int? {
        let raw = string("FERRY_WRITEBACK_STATE_ID", default: "14")!
        if raw == "none" || raw == "0" { return nil }
        guard let id = Int(raw), id > 0 else { throw ConfigurationError("FERRY_WRITEBACK_STATE_ID must be a state id or none") }
        return id
    }

    // MARK: Logging

    /// Every line written inside a span carries its `trace_id` and `span_id` (and `trace_flags`).
    func bootstrapLogging() {
        let level = string("FERRY_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .info
        if string("FERRY_LOG_FORMAT", default: "json") == "text" {
            LoggingSystem.bootstrap({ label, provider in
                var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                handler.logLevel = level
                return handler
            }, metadataProvider: FerryTracing.loggingMetadataProvider)
        } else {
            LoggingSystem.bootstrap(
                { JSONLogHandler(label: $0, level: level, metadataProvider: $1) },
                metadataProvider: FerryTracing.loggingMetadataProvider)
        }
    }

    // MARK: Tracing

    /// From the standard OpenTelemetry variables (defaults and meaning: ``TracingConfiguration``): `OTEL_TRACES_EXPORTER`
    /// (`none` unless set to `otlp`), `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
    /// `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL`, `OTEL_SERVICE_NAME`, `OTEL_SDK_DISABLED`.
    /// swift-otel reads the other `OTEL_*` variables itself (headers, sampler, batching).
    func tracing(serviceName: String) throws -> TracingConfiguration {
        do {
            return try TracingConfiguration(environment: values, serviceName: serviceName)
        } catch {
            throw ConfigurationError(error.description)
        }
    }

    /// Bootstraps the process's tracer (after logging, before any client is made); returns the service that
    /// exports spans, to run first in the process's service group, or nil when `OTEL_SDK_DISABLED=true`.
    func bootstrapTracing(serviceName: String, logger: Logger) throws -> (any Service)? {
        try FerryTracing.bootstrap(try tracing(serviceName: serviceName), logger: logger)
    }
}

struct ConfigurationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = "configuration: " + description }
}
