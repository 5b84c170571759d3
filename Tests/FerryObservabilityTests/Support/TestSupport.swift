import FerryTestSupport
import FerryNATS
import FerryPostgres
import Foundation
import Logging
import Metrics
import PostgresNIO
import Prometheus
import Testing

let quietLogger = Logger(label: "ferry.observability.test") { _ in SwiftLogNoOpLogHandler() }

/// A registry of its own and a swift-metrics factory writing into it: no global bootstrap.
struct TestMetrics {
    let registry = PrometheusCollectorRegistry()
    var factory: PrometheusMetricsFactory {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [.milliseconds(100), .seconds(1), .seconds(5)]
        return factory
    }

    var text: String { registry.emitToString() }

    /// The value of the one sample line that starts with `series` (name plus labels as rendered), if any.
    func value(_ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.dropFirst(series.count + 1))
        }
        return nil
    }
}

/// Runs `body` with a fresh nats-server, a connection and its JetStream context.
func withJetStream<T>(_ body: (NATSServerProcess, JetStream) async throws -> T) async throws -> T {
    try await withNATSServer { server in
        var options = NATSConnectionOptions(url: server.url, name: "ferry-observability-test")
        options.reconnectWait = .milliseconds(100)
        options.connectTimeout = .seconds(2)
        let connection = try await NATSConnection.connect(options, logger: quietLogger)
        do {
            let result = try await body(server, try connection.jetStream())
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }
}

func uniqueSuffix() -> String { String(UUID().uuidString.prefix(8)) }

/// Polls `condition` until it holds or `timeout` passes; returns whether it held.
func eventually(timeout: Duration = .seconds(15), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}

/// A fresh, migrated database on the PostgreSQL that `scripts/test.sh` starts (`FERRY_DATABASE_URL`); dropped after.
func withTestDatabase<T: Sendable>(_ body: @Sendable (PostgresClient) async throws -> T) async throws -> T {
    guard let url = ProcessInfo.processInfo.environment["FERRY_DATABASE_URL"] else {
        throw SetupError("FERRY_DATABASE_URL is not set: run the suite with scripts/test.sh (it starts PostgreSQL)")
    }
    let server = try DatabaseConfiguration(url: url)
    let name = "ferry_test_obs_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
    let admin = PostgresClient(configuration: server.clientConfiguration, backgroundLogger: quietLogger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await admin.run() }
        defer { group.cancelAll() }
        try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: quietLogger)
        let client = PostgresClient(
            configuration: server.with(database: name).clientConfiguration, backgroundLogger: quietLogger)
        let result: Result<T, any Error> = await withTaskGroup(of: Void.self) { inner in
            inner.addTask { await client.run() }
            defer { inner.cancelAll() }
            do {
                try await Migrations.migrate(client, logger: quietLogger)
                return .success(try await body(client))
            } catch {
                return .failure(error)
            }
        }
        _ = try? await admin.query(
            PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: quietLogger)
        return try result.get()
    }
}

struct SetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
