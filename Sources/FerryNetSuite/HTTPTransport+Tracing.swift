import Logging
import NIOHTTP1
import Tracing

extension HTTPTransport {
    /// Sends `request` in a client span (`GET /services/rest/record/v1/customer/{id}`) and passes the trace on in
    /// the request headers. The span names the path template, never ids, query strings or credentials; the order
    /// the request is for comes from the logger's `order.id` and `idempotency_key` metadata.
    func send(_ request: Request, authorization: String?, logger: Logger) async throws -> Response {
        let template = Self.pathTemplate(request.path)
        return try await InstrumentationSystem.tracer.withSpan(
            "\(request.method.rawValue) \(template)",
            ofKind: .client
        ) { span in
            span.attributes["peer.service"] = "netsuite"
            span.attributes["http.request.method"] = request.method.rawValue
            span.attributes["url.template"] = template
            span.attributes["server.address"] = endpoint.host
            for key in ["order.id", "idempotency_key"] {
                if let value = logger[metadataKey: key] { span.attributes[key] = value.description }
            }
            var traced = request
            InstrumentationSystem.instrument.inject(span.context, into: &traced.headers, using: HeaderListInjector())
            let response: Response
            do {
                response = try await sendUntraced(traced, authorization: authorization, logger: logger)
            } catch {
                span.attributes["error.type"] = (error as? NetSuiteError)?.kind.rawValue ?? "\(type(of: error))"
                throw error
            }
            span.attributes["http.response.status_code"] = response.status
            if response.status >= 400 {
                span.attributes["error.type"] = String(response.status)
                span.setStatus(SpanStatus(code: .error))
            }
            return response
        }
    }

    /// The path with internal ids (`/647`) and external ids (`/eid:PS-1-5`) replaced by `{id}` and `{externalId}`.
    static func pathTemplate(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            let lowered = segment.lowercased()
            if lowered.hasPrefix("eid:") || lowered.hasPrefix("eid%3a") { return "{externalId}" }
            if !segment.isEmpty, segment.allSatisfy(\.isNumber) { return "{id}" }
            return String(segment)
        }.joined(separator: "/")
    }
}

/// Adds trace context to a request's header list.
struct HeaderListInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [(String, String)]) {
        carrier.removeAll { $0.0.lowercased() == key.lowercased() }
        carrier.append((key, value))
    }
}
