import Configuration
import FerryConfiguration
import FerryNATS
import FerryObservability
import FerryPostgres
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

// Every command reads its configuration from `ConfigReader.ferryEnvironment()` through the configuration structs'
// `init(reader:)` (each lists its keys); README, section Configuration, lists them all.

/// Bootstraps swift-log for the process (``LoggingConfiguration/init(reader:)``). Every line written inside a span
/// carries its `trace_id` and `span_id` (and `trace_flags`).
func bootstrapLogging(_ reader: ConfigReader) {
    let configuration = LoggingConfiguration(reader: reader)
    let level = configuration.level
    switch configuration.format {
    case .text:
        LoggingSystem.bootstrap(
            { label, provider in
                var handler = StreamLogHandler.standardError(label: label, metadataProvider: provider)
                handler.logLevel = level
                return handler
            },
            metadataProvider: FerryTracing.loggingMetadataProvider
        )
    case .json:
        LoggingSystem.bootstrap(
            { JSONLogHandler(label: $0, level: level, metadataProvider: $1) },
            metadataProvider: FerryTracing.loggingMetadataProvider
        )
    }
}

/// Bootstraps the process's tracer (after logging, before any client is made) from the standard OpenTelemetry
/// variables (``TracingConfiguration/init(reader:serviceName:)``); swift-otel reads the other `OTEL_*` variables
/// itself (headers, sampler, batching). Returns the service that exports spans, to run first in the process's
/// service group, or nil when `OTEL_SDK_DISABLED=true`.
func bootstrapTracing(_ reader: ConfigReader, serviceName: String, logger: Logger) throws -> (any Service)? {
    let configuration: TracingConfiguration
    do {
        configuration = try TracingConfiguration(reader: reader, serviceName: serviceName)
    } catch {
        throw ConfigurationError(error.description)
    }
    return try FerryTracing.bootstrap(configuration, logger: logger)
}

/// Connects to NATS (retrying while the server comes up) and returns the connection and its JetStream context.
func connectNATS(_ reader: ConfigReader, name: String, logger: Logger) async throws -> (NATSConnection, JetStream) {
    let connection = try await NATSConnection.connect(NATSConnectionOptions(reader: reader, name: name), logger: logger)
    return (connection, try connection.jetStream())
}

/// Runs `body` with a running PostgreSQL client and shuts it down afterwards.
func withDatabase<T: Sendable>(
    _ reader: ConfigReader,
    logger: Logger,
    _ body: @Sendable (PostgresClient) async throws -> T
) async throws -> T {
    let client = PostgresClient(
        configuration: try DatabaseConfiguration(reader: reader).clientConfiguration,
        backgroundLogger: logger
    )
    return try await withThrowingTaskGroup(of: Void.self) { group in
        // PostgresNIO warns about every query made before run() has begun (it offers no way to await that): the
        // child says when it starts and goes straight into run(), so the body's queries come after.
        let (started, signal) = AsyncStream<Void>.makeStream()
        group.addTask {
            signal.finish()
            await client.run()
        }
        for await _ in started {}
        defer { group.cancelAll() }
        return try await body(client)
    }
}

/// A service that runs a closure; the group shuts down when it returns.
struct ClosureService: Service {
    let body: @Sendable () async throws -> Void
    func run() async throws { try await body() }
}

func writeLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
