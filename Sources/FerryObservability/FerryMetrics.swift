import Metrics
import Prometheus

/// The process's Prometheus registry and its text exposition for `/metrics`.
///
/// Bootstrap once, in the executable: `FerryMetrics.shared.bootstrap()`. Libraries only use swift-metrics
/// types (`Counter`, `Timer`, `Gauge`), which are no-ops until then, so tests need no global set-up.
public final class FerryMetrics: Sendable {
    public static let shared = FerryMetrics()

    public let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
    }

    /// Makes swift-metrics report into ``registry``. Call once per process.
    public func bootstrap() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10),
            .seconds(30), .seconds(60), .seconds(300),
        ]
        MetricsSystem.bootstrap(factory)
    }

    /// Prometheus text format (version 0.0.4).
    public func render() -> String { registry.emitToString() }
}
