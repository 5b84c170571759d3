import Instrumentation

/// Writes trace context (W3C `traceparent`, `tracestate`, or whatever the bootstrapped instrument uses) into
/// NATS message headers: `InstrumentationSystem.instrument.inject(context, into: &headers, using: NATSHeadersInjector())`.
public struct NATSHeadersInjector: Injector {
    public init() {}

    public func inject(_ value: String, forKey key: String, into carrier: inout NATSHeaders) {
        carrier[key] = value
    }
}

/// Reads trace context from NATS message headers, so a consumer's span continues the publisher's trace.
public struct NATSHeadersExtractor: Extractor {
    public init() {}

    public func extract(key: String, from carrier: NATSHeaders) -> String? {
        carrier[key]
    }
}
