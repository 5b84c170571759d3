import Logging
import OTel
import ServiceLifecycle
import Tracing

/// A tracer made from a ``TracingConfiguration`` and the service that exports its spans.
public struct TracingBackend: Sendable {
    public let tracer: any Tracer
    /// Batches and exports finished spans; run it in the process's `ServiceGroup`, listed first so that it stops
    /// last and flushes what the other services traced.
    public let service: any Service
    public let exporter: TracingConfiguration.Exporter
}

/// Ferry's tracing set-up over swift-otel: W3C trace context, OTLP over HTTP when chosen, nothing exported by
/// default. Libraries only use the swift-distributed-tracing API (`InstrumentationSystem.tracer`), which is a
/// no-op until the executable calls ``bootstrap(_:logger:)``; tests bind an in-memory tracer with `withTracer`.
public enum FerryTracing {
    /// Adds `trace_id`, `span_id` and `trace_flags` of the current span to every log line written inside one.
    public static let loggingMetadataProvider: Logger.MetadataProvider = OTel.makeLoggingMetadataProvider()

    /// Makes the tracer and its export service without bootstrapping anything; `nil` when tracing is disabled.
    public static func makeBackend(_ configuration: TracingConfiguration, logger: Logger) throws -> TracingBackend? {
        guard configuration.enabled else { return nil }
        let backend = try OTel.makeTracingBackend(configuration: otelConfiguration(configuration, logger: logger))
        return TracingBackend(tracer: backend.factory, service: backend.service, exporter: configuration.exporter)
    }

    /// Bootstraps the process's `InstrumentationSystem` with the tracer of ``makeBackend(_:logger:)`` and returns
    /// its service (`nil` when tracing is disabled). Call once, in the executable, before any client is made.
    public static func bootstrap(_ configuration: TracingConfiguration, logger: Logger) throws -> (any Service)? {
        guard let backend = try makeBackend(configuration, logger: logger) else { return nil }
        InstrumentationSystem.bootstrap(backend.tracer)
        logger.info("tracing started", metadata: ["otel.exporter": "\(backend.exporter.rawValue)"])
        return backend.service
    }

    static func otelConfiguration(_ configuration: TracingConfiguration, logger: Logger) -> OTel.Configuration {
        var otel = OTel.Configuration.default
        otel.serviceName = configuration.serviceName
        otel.diagnosticLogger = .custom(logger)
        otel.metrics.enabled = false
        otel.logs.enabled = false
        otel.traces.enabled = true
        switch configuration.exporter {
        case .none: otel.traces.exporter = .none
        case .otlpHTTP: otel.traces.exporter = .otlp
        }
        if let endpoint = configuration.endpoint { otel.traces.otlpExporter.endpoint = endpoint }
        return otel
    }
}
