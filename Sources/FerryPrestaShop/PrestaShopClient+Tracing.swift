import Logging
import NIOHTTP1
import Tracing

extension PrestaShopClient {
    /// Sends one webservice request in a client span (`GET /api/orders/{id}`) and passes the trace on in the
    /// request headers. The span names the resource template only: no ids, no query string (which may hold the
    /// `ws_key`). The order the request is for comes from the logger's `order.id` and `idempotency_key` metadata.
    func send(
        _ method: Method,
        path: String,
        operation: String,
        query: [(String, String)] = [],
        json: Bool,
        xmlBody: String? = nil,
        logger: Logger?
    ) async throws(PrestaShopError) -> Response {
        let template =
            "/api/"
            + path.split(separator: "/").map { $0.allSatisfy(\.isNumber) ? "{id}" : String($0) }
            .joined(separator: "/")
        let verb = method.httpMethod.rawValue
        let outcome: Result<Response, PrestaShopError> = await InstrumentationSystem.tracer.withSpan(
            "\(verb) \(template)",
            ofKind: .client
        ) { span in
            span.attributes["peer.service"] = "prestashop"
            span.attributes["http.request.method"] = verb
            span.attributes["url.template"] = template
            for key in ["order.id", "idempotency_key"] {
                if let value = (logger ?? backgroundLogger)[metadataKey: key] {
                    span.attributes[key] = value.description
                }
            }
            do throws(PrestaShopError) {
                let response = try await sendUntraced(
                    method,
                    path: path,
                    operation: operation,
                    query: query,
                    json: json,
                    xmlBody: xmlBody,
                    logger: logger
                )
                span.attributes["http.response.status_code"] = response.status
                return .success(response)
            } catch {
                if let status = error.status { span.attributes["http.response.status_code"] = status }
                span.attributes["error.type"] = error.kind.description
                span.setStatus(SpanStatus(code: .error))
                return .failure(error)
            }
        }
        return try outcome.get()
    }
}

/// Adds trace context to AsyncHTTPClient request headers.
struct TraceHeadersInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout HTTPHeaders) {
        carrier.replaceOrAdd(name: key, value: value)
    }
}
