import Configuration
import FerryConfiguration

extension TracingConfiguration {
    /// The standard OpenTelemetry variables Ferry reads itself (the table at ``TracingConfiguration``).
    static let keys = [
        "OTEL_SERVICE_NAME", "OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    ]

    /// Reads the variables of the table at ``TracingConfiguration`` through `reader`, with the rules of
    /// ``init(environment:serviceName:)``.
    ///
    /// - Configuration keys:
    ///   - `OTEL_TRACES_EXPORTER` (string, default: `none`): `otlp` or `none`
    ///   - `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (strings, default:
    ///     `http://localhost:4318`): the collector's base URL, or the full traces URL
    ///   - `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_EXPORTER_OTLP_TRACES_PROTOCOL` (strings, default: `http/protobuf`)
    ///   - `OTEL_SERVICE_NAME` (string, default: `serviceName`)
    ///   - `OTEL_SDK_DISABLED` (bool, default: `false`)
    ///
    /// - Throws: ``TracingConfigurationError`` for a value Ferry cannot honour.
    public init(reader: ConfigReader, serviceName: String) throws(TracingConfigurationError) {
        var environment: [String: String] = [:]
        for key in Self.keys {
            if let value = reader.string(key) { environment[key] = value }
        }
        try self.init(environment: environment, serviceName: serviceName)
    }
}
