import Foundation
import HTTPTypes
import Hummingbird

/// `POST /services/rest/query/v1/suiteql` (A5, A13.8) and `GET /services/rest/system/v1/governanceLimits` (A8).
struct QueryRoutes {
    let sandbox: NetSuiteSandbox

    static let preferHeader = HTTPField.Name("Prefer")!

    func register(on group: RouterGroup<NetSuiteRequestContext>) {
        group.post("query/v1/suiteql") { request, context in try await suiteQL(request, context) }
        group.get("system/v1/governanceLimits") { request, _ in governanceLimits(request) }
    }

    /// Requires `Prefer: transient`; body `{"q": "SELECT …"}`; answers a page of
    /// `{links, count, hasMore, offset, totalResults, items: [{links: [], <column>: "<string>"}]}`.
    private func suiteQL(_ request: Request, _ context: NetSuiteRequestContext) async throws -> Response {
        let preferences = request.headers[values: Self.preferHeader].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard preferences.contains("transient") else {
            throw NetSuiteError(
                .badRequest,
                code: "INVALID_HEADER",
                detail: "Invalid header value. The 'Prefer: transient' header is required for "
                    + "SuiteQL queries.",
                header: "Prefer"
            )
        }
        let paging = try Paging(request: request)
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard let body = try? JSONValue.parse(Data(buffer.readableBytesView)) else {
            throw NetSuiteError.malformedJSON()
        }
        guard let text = body["q"]?.stringValue, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw NetSuiteError.invalidContent(
                "Error while accessing a resource. The request body must hold the query "
                    + "as 'q'.",
                path: "q"
            )
        }
        let rows: [SuiteQLRow]
        do {
            let query = try SuiteQLParser.parse(text)
            rows = try await sandbox.store.runSuiteQL(query)
        } catch let error as SuiteQLError {
            throw NetSuiteError.invalidSearchQuery(error.reason)
        }
        let items: [JSONValue] = paging.page(rows).map { row in
            var item: [String: JSONValue] = ["links": .array([])]
            for (name, value) in row { item[name] = .string(value) }
            return .object(item)
        }
        let url = "\(sandbox.baseURL(for: request))/services/rest/query/v1/suiteql"
        return Response.json(paging.envelope(items: items, totalResults: rows.count, url: url))
    }

    /// The account's concurrency figures:
    /// ```json
    /// {"links": [{"rel": "self", "href": "…/services/rest/system/v1/governanceLimits"}],
    ///  "accountConcurrencyLimit": 10,
    ///  "accountUnallocatedConcurrencyLimit": 10,
    ///  "integrationLimitType": "accountLimit"}
    /// ```
    /// `accountUnallocatedConcurrencyLimit` is the account limit minus what is reserved for this integration.
    /// With a reservation configured, `integrationLimitType` is `integrationSpecific` and
    /// `integrationConcurrencyLimit` carries the reserved number; without one the type is `accountLimit` and the
    /// field is absent (Oracle article_0625010817).
    private func governanceLimits(_ request: Request) -> Response {
        let snapshot = sandbox.governor.snapshot()
        let reserved = snapshot.integrationLimit ?? 0
        var fields: [String: JSONValue] = [
            "links": RecordStore.links([
                "self": "\(sandbox.baseURL(for: request))/services/rest/system/v1/governanceLimits"
            ]),
            "accountConcurrencyLimit": .number(Decimal(snapshot.accountLimit)),
            "accountUnallocatedConcurrencyLimit": .number(Decimal(max(0, snapshot.accountLimit - reserved))),
            "integrationLimitType": .string(snapshot.integrationLimit == nil ? "accountLimit" : "integrationSpecific"),
        ]
        if let limit = snapshot.integrationLimit { fields["integrationConcurrencyLimit"] = .number(Decimal(limit)) }
        let body: JSONValue = .object(fields)
        return Response.json(body, contentType: RecordRoutes.singularContentType)
    }
}

/// `POST /services/rest/auth/oauth2/v1/token` (A9.2): form-encoded client-credentials grant with a JWT assertion.
///
/// Success: `200 {"access_token": "…", "token_type": "bearer", "expires_in": "3600"}` (NetSuite sends
/// `expires_in` as a string). Failure: `400 {"error": "invalid_request" | "unsupported_grant_type" |
/// "invalid_client" | "invalid_grant" | "invalid_scope", "error_description": "…"}`.
struct TokenRoutes {
    let sandbox: NetSuiteSandbox

    static let tokenPath = "/services/rest/auth/oauth2/v1/token"

    func register(on group: RouterGroup<NetSuiteRequestContext>) {
        group.post("auth/oauth2/v1/token") { request, context in try await token(request, context) }
    }

    private func token(_ request: Request, _ context: NetSuiteRequestContext) async throws -> Response {
        var request = request
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/x-www-form-urlencoded") else {
            return Self.error(.invalidRequest("the body must be application/x-www-form-urlencoded"))
        }
        let buffer = try await request.collectBody(upTo: 1024 * 1024)
        var form: [String: String] = [:]
        for (name, value) in TBASignature.queryParameters(String(buffer: buffer)) where form[name] == nil {
            form[name] = value
        }
        let audience = "\(sandbox.baseURL(for: request))\(Self.tokenPath)"
        do {
            let issued = try sandbox.oauth2.issueToken(form: form, audience: audience)
            sandbox.logger.debug("access token issued")
            return Response.json(
                .object([
                    "access_token": .string(issued.accessToken),
                    "token_type": .string("bearer"),
                    "expires_in": .string(String(Int(issued.lifetime.seconds))),
                ])
            )
        } catch {
            sandbox.logger.debug(
                "token request refused",
                metadata: [
                    "error": "\(error.code)",
                    "reason": "\(error.description)",
                ]
            )
            return Self.error(error)
        }
    }

    private static func error(_ error: OAuth2Service.TokenError) -> Response {
        Response.json(
            .object(["error": .string(error.code), "error_description": .string(error.description)]),
            status: .badRequest
        )
    }
}
