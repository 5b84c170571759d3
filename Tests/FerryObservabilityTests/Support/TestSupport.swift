import FerryNATS
import FerryPostgres
import FerryTestSupport
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
