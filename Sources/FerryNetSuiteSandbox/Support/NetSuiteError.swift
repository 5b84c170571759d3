import Foundation
import Hummingbird

/// A NetSuite REST error answer (external-apis.md A7):
/// `{"type", "title", "status", "o:errorDetails": [{"detail", "o:errorCode"[, "o:errorPath"]}]}`.
///
/// Thrown by handlers and turned into a response by Hummingbird, or rendered directly by middleware.
struct NetSuiteError: HTTPResponseError, Sendable {
    struct Detail: Sendable {
        var detail: String
        var code: String
        var path: String?
        var queryParameter: String?
        var header: String?
    }

    let status: HTTPResponse.Status
    var details: [Detail]
    var title: String?

    init(
        _ status: HTTPResponse.Status,
        code: String,
        detail: String,
        path: String? = nil,
        queryParameter: String? = nil,
        header: String? = nil,
        title: String? = nil
    ) {
        self.status = status
        self.details = [Detail(detail: detail, code: code, path: path, queryParameter: queryParameter, header: header)]
        self.title = title
    }

    var body: JSONValue {
        let details: [JSONValue] = details.map { detail in
            var entry: [String: JSONValue] = ["detail": .string(detail.detail), "o:errorCode": .string(detail.code)]
            if let path = detail.path { entry["o:errorPath"] = .string(path) }
            if let parameter = detail.queryParameter { entry["o:errorQueryParam"] = .string(parameter) }
            if let header = detail.header { entry["o:errorHeader"] = .string(header) }
            return .object(entry)
        }
        return .object([
            "type": .string(Self.typeURL(for: status)),
            "title": .string(title ?? Self.status(code: status.code).reasonPhrase),
            "status": .number(Decimal(status.code)),
            "o:errorDetails": .array(details),
        ])
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        makeResponse()
    }

    func makeResponse() -> Response {
        Response.json(body, status: status, contentType: "application/vnd.oracle.resource+json; type=error")
    }

    /// A status with its standard reason phrase; codes outside 100…599 become 500.
    static func status(code: Int) -> HTTPResponse.Status {
        let phrases = [
            400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            409: "Conflict", 413: "Content Too Large", 415: "Unsupported Media Type", 429: "Too Many Requests",
            500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
        ]
        guard (100...599).contains(code) else { return .internalServerError }
        return HTTPResponse.Status(code: code, reasonPhrase: phrases[code] ?? "")
    }

    /// Newer NetSuite releases link the RFC 9110 section of the status (older ones RFC 2616);
    /// clients must not parse it.
    private static func typeURL(for status: HTTPResponse.Status) -> String {
        let section: String
        switch status.code {
        case 400: section = "section-15.5.1"
        case 401: section = "section-15.5.2"
        case 403: section = "section-15.5.4"
        case 404: section = "section-15.5.5"
        case 405: section = "section-15.5.6"
        case 409: section = "section-15.5.10"
        case 415: section = "section-15.5.16"
        case 429: return "https://www.rfc-editor.org/rfc/rfc6585.html#section-4"
        case 503: section = "section-15.6.4"
        default: section = "section-15.6.1"
        }
        return "https://www.rfc-editor.org/rfc/rfc9110.html#\(section)"
    }
}

// MARK: - The catalogue (A7)

extension NetSuiteError {
    static let invalidLoginDetail =
        "Invalid login attempt. For more details, see the Login Audit Trail in the NetSuite UI at "
        + "Setup > Users/Roles > "
        + "User Management > View Login Audit Trail."

    static func invalidLogin() -> NetSuiteError {
        NetSuiteError(.unauthorized, code: "INVALID_LOGIN", detail: invalidLoginDetail)
    }

    static func concurrencyLimitExceeded() -> NetSuiteError {
        NetSuiteError(
            .tooManyRequests,
            code: "CONCURRENCY_LIMIT_EXCEEDED",
            detail: "Concurrent request limit exceeded. Request blocked."
        )
    }

    static func nonexistentID() -> NetSuiteError {
        NetSuiteError(
            .notFound,
            code: "NONEXISTENT_ID",
            detail: "The record instance does not exist. Provide a valid record instance ID."
        )
    }

    static func recordTypeDoesNotExist(_ name: String) -> NetSuiteError {
        NetSuiteError(.notFound, code: "NONEXISTENT_ID", detail: "Record type '\(name)' does not exist.")
    }

    static func duplicateExternalID() -> NetSuiteError {
        NetSuiteError(
            .badRequest,
            code: "USER_ERROR",
            detail: "Error while accessing a resource. This entity already exists."
        )
    }

    static func invalidFieldValue(_ value: String, field: String, path: String) -> NetSuiteError {
        NetSuiteError(
            .badRequest,
            code: "INVALID_CONTENT",
            detail:
                "Error while accessing resource: You have entered an Invalid Field Value \(value) "
                + "for the following field: \(field)",
            path: path
        )
    }

    static func readOnlyField(_ field: String, path: String) -> NetSuiteError {
        NetSuiteError(
            .badRequest,
            code: "INVALID_CONTENT",
            detail: "Error while accessing a resource. You cannot set the read-only field '\(field)'.",
            path: path
        )
    }

    static func invalidContent(_ detail: String, path: String? = nil) -> NetSuiteError {
        NetSuiteError(.badRequest, code: "INVALID_CONTENT", detail: detail, path: path)
    }

    static func missingValue(_ label: String, path: String) -> NetSuiteError {
        NetSuiteError(.badRequest, code: "USER_ERROR", detail: "Please enter value(s) for: \(label)", path: path)
    }

    static func malformedJSON() -> NetSuiteError {
        NetSuiteError(
            .badRequest,
            code: "INVALID_CONTENT",
            detail: "Invalid content in the request body. The request body must be a valid JSON object."
        )
    }

    static func invalidExternalIDInURL(_ value: String) -> NetSuiteError {
        NetSuiteError(
            .badRequest,
            code: "INVALID_ID",
            detail:
                "The external ID '\(value)' contains characters that are not allowed in a URL. Only letters, numbers, "
                + "underscores and hyphens are supported; use a query with q=externalId IS \"...\" instead."
        )
    }

    static func dependentRecords() -> NetSuiteError {
        NetSuiteError(
            .badRequest,
            code: "THIS_RECORD_CANNOT_BE_DELETED_BECAUSE_IT_HAS_DEPENDENT_RECORDS",
            detail: "This record cannot be deleted because it has dependent records."
        )
    }

    static func wrongTransactionType() -> NetSuiteError {
        NetSuiteError(
            .badRequest,
            code: "USER_ERROR",
            detail: "Error while accessing a resource. Transaction type specified is incorrect."
        )
    }

    static func invalidSearchQuery(_ reason: String) -> NetSuiteError {
        NetSuiteError(
            .badRequest,
            code: "INVALID_PARAMETER",
            detail: "Invalid search query. Detailed unprocessed description follows. Search error occurred: \(reason)",
            queryParameter: "q"
        )
    }

    static func invalidQueryParameter(_ name: String, value: String) -> NetSuiteError {
        NetSuiteError(
            .badRequest,
            code: "INVALID_PARAMETER",
            detail: "Invalid query parameter value: '\(value)' for parameter '\(name)'.",
            queryParameter: name
        )
    }

    static func methodNotAllowed() -> NetSuiteError {
        NetSuiteError(
            .methodNotAllowed,
            code: "INVALID_REQUEST",
            detail: "The HTTP method is not supported for this resource."
        )
    }
}

// MARK: - Gateway pages

/// The HTML pages a load balancer or the maintenance page serve instead of NetSuite's JSON.
/// Clients must not assume every error body is JSON (A13.16).
enum GatewayPage {
    static func response(status: HTTPResponse.Status) -> Response {
        let html: String
        switch status.code {
        case 502:
            html = page(
                title: "502 Bad Gateway",
                body: "<h1>502 Bad Gateway</h1><p>The server returned an invalid or "
                    + "incomplete response.</p>"
            )
        case 503:
            html = page(
                title: "503 Service Unavailable",
                body: "<h1>Service Unavailable</h1><p>The server is "
                    + "temporarily unable to service your request. Please try again later.</p>"
            )
        case 504:
            html = page(title: "504 Gateway Timeout", body: "<h1>504 Gateway Timeout</h1>")
        default:
            html = page(title: "\(status.code) \(status.reasonPhrase)", body: "<h1>\(status.reasonPhrase)</h1>")
        }
        return Response.text(html, status: status, contentType: "text/html; charset=UTF-8")
    }

    static func maintenance() -> Response {
        let html = page(
            title: "NetSuite - Scheduled Maintenance",
            body: "<h1>NetSuite is undergoing scheduled maintenance</h1><p>We apologize for the inconvenience. "
                + "Please try again later.</p>"
        )
        return Response.text(html, status: .serviceUnavailable, contentType: "text/html; charset=UTF-8")
    }

    private static func page(title: String, body: String) -> String {
        "<!DOCTYPE html>\n<html><head><title>\(title)</title></head><body>\(body)<hr><address>nginx</address>"
            + "</body></html>\n"
    }
}

// MARK: - Response helpers

extension Response {
    static func json(
        _ value: JSONValue,
        status: HTTPResponse.Status = .ok,
        contentType: String = "application/json; charset=UTF-8"
    ) -> Response {
        text(value.serialized, status: status, contentType: contentType)
    }

    static func text(_ text: String, status: HTTPResponse.Status, contentType: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = contentType
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func noContent(location: String? = nil) -> Response {
        var headers = HTTPFields()
        if let location { headers[.location] = location }
        return Response(status: .noContent, headers: headers)
    }
}
