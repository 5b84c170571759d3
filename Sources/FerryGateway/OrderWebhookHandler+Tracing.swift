import FerryNATS
import HTTPTypes
import Hummingbird
import Logging
import Tracing

extension OrderWebhookHandler {
    /// Handles one webhook in a server span that continues the sender's trace (`traceparent`) when there is one.
    /// The order message carries the span's context, so the worker's span joins the same trace.
    func handleInSpan(request: Request, logger: Logger) async -> Response {
        var parent = InstrumentationContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        return await InstrumentationSystem.tracer.withSpan("POST \(orderWebhookPath)", context: parent, ofKind: .server)
        { span in
            span.attributes["http.request.method"] = "POST"
            span.attributes["http.route"] = orderWebhookPath
            let response = await handle(request: request, logger: logger, span: span)
            span.attributes["http.response.status_code"] = Int(response.status.code)
            // Server spans are errors only for 5xx: a rejected webhook is the sender's fault, not ours.
            if response.status.code >= 500 { span.setStatus(SpanStatus(code: .error)) }
            return response
        }
    }

    /// The trace headers for the order message: the current span's context as the tracer writes it, or, when no
    /// tracer is bootstrapped, the sender's own `traceparent`/`tracestate` passed on unchanged.
    static func messageTraceHeaders(incoming: HTTPFields) -> [String: String] {
        var headers = NATSHeaders()
        InstrumentationSystem.instrument.inject(
            InstrumentationContext.current ?? .topLevel,
            into: &headers,
            using: NATSHeadersInjector()
        )
        if headers[FerryHeader.traceParent] == nil {
            for name in [FerryHeader.traceParent, FerryHeader.traceState] {
                if let field = HTTPField.Name(name), let value = incoming[field] { headers[name] = value }
            }
        }
        var result: [String: String] = [:]
        for (name, values) in headers { result[name] = values.first }
        return result
    }
}

/// Reads trace context from HTTP request headers.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { carrier[$0] }
    }
}
