/// How a Ferry process traces, read from the standard OpenTelemetry environment variables.
///
/// Spans are always made (so trace context crosses the NATS hop and every log line written inside a span carries
/// `trace_id` and `span_id`), but nothing leaves the process unless an exporter is chosen: Ferry's default for
/// `OTEL_TRACES_EXPORTER` is `none`, where the OpenTelemetry default is `otlp`.
///
/// | Variable | Default | Meaning |
/// |---|---|---|
/// | `OTEL_TRACES_EXPORTER` | `none` | `otlp` exports spans with OTLP over HTTP; `none` exports nothing |
/// | `OTEL_EXPORTER_OTLP_ENDPOINT` | `http://localhost:4318` | collector base URL (`/v1/traces` is appended) |
/// | `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` | — | full traces URL, wins over the base URL |
/// | `OTEL_EXPORTER_OTLP_PROTOCOL`, `…_TRACES_PROTOCOL` | `http/protobuf` | or `http/json`; `grpc` is not built in |
/// | `OTEL_SERVICE_NAME` | `ferry-<role>` | the `service.name` resource attribute |
/// | `OTEL_SDK_DISABLED` | `false` | `true`: no spans at all; an incoming `traceparent` is still passed on |
///
/// swift-otel reads the rest of the standard variables itself (`OTEL_EXPORTER_OTLP_HEADERS`,
/// `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`, `OTEL_RESOURCE_ATTRIBUTES` …).
public struct TracingConfiguration: Sendable, Equatable {
    /// Where finished spans go.
    public enum Exporter: String, Sendable, Equatable {
        /// Nowhere: spans live only for context propagation and log correlation.
        case none
        /// OTLP over HTTP to a collector.
        case otlpHTTP
    }

    /// Whether spans are made at all.
    public var enabled: Bool
    public var exporter: Exporter
    /// The `service.name` of exported spans.
    public var serviceName: String
    /// The collector's full traces URL; `nil` leaves it to `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` or the default.
    public var endpoint: String?

    public init(serviceName: String, enabled: Bool = true, exporter: Exporter = .none, endpoint: String? = nil) {
        self.serviceName = serviceName
        self.enabled = enabled
        self.exporter = exporter
        self.endpoint = endpoint
    }

    /// Reads the variables above from `environment`.
    ///
    /// - Throws: ``TracingConfigurationError`` for a value Ferry cannot honour (an unknown exporter, the gRPC
    ///   protocol, a malformed boolean), so a typo fails at start-up instead of silently dropping spans.
    public init(environment: [String: String], serviceName: String) throws(TracingConfigurationError) {
        func value(_ key: String) -> String? {
            guard let raw = environment[key]?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        self.init(serviceName: value("OTEL_SERVICE_NAME") ?? serviceName)
        switch value("OTEL_SDK_DISABLED")?.lowercased() {
        case nil, "false": enabled = true
        case "true": enabled = false
        case let other?: throw TracingConfigurationError("OTEL_SDK_DISABLED must be true or false, found '\(other)'")
        }
        switch value("OTEL_TRACES_EXPORTER")?.lowercased() {
        case nil, "none": exporter = .none
        case "otlp": exporter = .otlpHTTP
        case let other?: throw TracingConfigurationError("OTEL_TRACES_EXPORTER must be otlp or none, found '\(other)'")
        }
        if enabled, exporter == .otlpHTTP,
            let wire = value("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") ?? value("OTEL_EXPORTER_OTLP_PROTOCOL"),
            !["http/protobuf", "http/json"].contains(wire.lowercased())
        {
            throw TracingConfigurationError(
                "OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf or http/json (Ferry exports over HTTP), found '\(wire)'"
            )
        }
    }
}

/// A tracing setting Ferry cannot honour.
public struct TracingConfigurationError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
