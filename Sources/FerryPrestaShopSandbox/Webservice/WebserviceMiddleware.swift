import Foundation
import Hummingbird

/// Sends `/api`, `/api/…` and `/webservice/dispatcher.php?url=…` to the webservice; everything else goes on
/// to the router (the control API).
struct WebserviceMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext

    let webservice: Webservice
    /// Largest write body accepted.
    let maxBodySize = 16 << 20

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws -> Response {
        let path = request.uri.path
        let parameters = QueryParameters(rawQuery: request.uri.query)
        let resourcePath: String
        if path == "/api" || path == "/api/" {
            resourcePath = ""
        } else if path.hasPrefix("/api/") {
            resourcePath = String(path.dropFirst("/api/".count)).removingPercentEncoding ?? ""
        } else if path == "/webservice/dispatcher.php" {
            resourcePath = parameters["url"] ?? ""
        } else {
            return try await next(request, context)
        }
        let body = try await request.body.collect(upTo: maxBodySize)
        return await webservice.respond(
            method: request.method.rawValue,
            path: resourcePath,
            headers: request.headers,
            parameters: parameters,
            body: body,
            authority: request.head.authority
        )
    }
}
