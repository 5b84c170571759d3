import Crypto
import Foundation
import Hummingbird
import Logging

/// The `/api/` webservice: authentication, resource and method checks, reads, writes and output,
/// in the order of `WebserviceRequest::fetch()`.
struct Webservice: Sendable {
    let store: ShopStore
    let auth: WebserviceAuth
    let faults: FaultInjector
    let shopVersion: String
    let shopName: String
    let typing: PrestaShopJSONTyping

    enum Format: Sendable {
        case xml
        case json
    }

    /// What one request resolved to, carried into the output.
    private struct Exchange {
        var format: Format
        var options: RenderOptions
        var authenticated = false
    }

    /// Answers one webservice request. `path` is the part after `/api/` (`orders/5`).
    func respond(
        method httpMethod: String,
        path: String,
        headers: HTTPFields,
        parameters: QueryParameters,
        body: ByteBuffer,
        authority: String?
    ) async -> Response {
        let started = ContinuousClock.now
        let faults = self.faults.faults
        if faults.slowResponseMilliseconds > 0, self.faults.roll(faults.slowResponseProbability) {
            try? await Task.sleep(for: .milliseconds(faults.slowResponseMilliseconds))
        }
        if self.faults.roll(faults.htmlErrorProbability) {
            return Self.phpFatalErrorPage()
        }

        var exchange = Exchange(
            format: Self.format(headers: headers, parameters: parameters),
            options: RenderOptions(typing: typing, apiBaseURL: "http://\(authority ?? "localhost")/api/")
        )
        var response: (status: HTTPResponse.Status, body: String?)
        do {
            response = try await handle(
                method: parameters["ps_method"] ?? httpMethod,
                path: path,
                headers: headers,
                parameters: parameters,
                body: body,
                exchange: &exchange
            )
            if exchange.format == .json, response.body != nil, self.faults.roll(faults.emptyJSONBodyProbability) {
                response.body = ""
            }
        } catch {
            let body = exchange.format == .json ? JSONRenderer.errors([error]) : XMLRenderer.errors([error])
            response = (HTTPResponse.Status(code: error.status), body)
        }

        var fields = HTTPFields()
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        fields[Header.accessTime] = String(Int(Date().timeIntervalSince1970))
        fields[Header.xPoweredBy] = "PrestaShop Webservice"
        fields[Header.executionTime] = Self.phpFloat((seconds * 1_000).rounded() / 1_000)
        if exchange.authenticated { fields[Header.pswsVersion] = shopVersion }
        if response.status.code == 401 && !exchange.authenticated {
            fields[.wwwAuthenticate] =
                "Basic realm=\"Welcome to PrestaShop Webservice, please enter the "
                + "authentication key as the login. No password required.\""
        }
        var buffer = ByteBuffer()
        if let body = response.body {
            fields[.contentType] =
                exchange.format == .json ? "application/json;charset=utf-8" : "text/xml;charset=utf-8"
            if (200..<300).contains(response.status.code), !body.isEmpty {
                fields[Header.contentSHA1] = Insecure.SHA1.hash(data: Data(body.utf8))
                    .map { String(format: "%02x", $0) }.joined()
            }
            if httpMethod != "HEAD" { buffer = ByteBuffer(string: body) }
        }
        return Response(status: response.status, headers: fields, body: .init(byteBuffer: buffer))
    }

    /// Io-Format, then Output-Format, then `output_format`, then `io_format`; only "JSON" selects JSON.
    static func format(headers: HTTPFields, parameters: QueryParameters) -> Format {
        let value =
            headers[Header.ioFormat] ?? headers[Header.outputFormat] ?? parameters["output_format"]
            ?? parameters["io_format"]
        return value == "JSON" ? .json : .xml
    }

    // MARK: - Dispatch

    private func handle(
        method: String,
        path: String,
        headers: HTTPFields,
        parameters: QueryParameters,
        body: ByteBuffer,
        exchange: inout Exchange
    ) async throws(WebserviceError) -> (HTTPResponse.Status, String?) {
        if faults.faults.webserviceDisabled { throw WebserviceError.webserviceDisabled }
        let key = WebserviceAuth.key(
            headers: headers,
            parameters: parameters,
            ignoreAuthorizationHeader: faults.faults.authorizationHeaderIgnored
        )
        let permissions = try auth.authenticate(key)
        exchange.authenticated = true
        exchange.options.languages = try ListQueryParser.languages(parameters)

        let segments = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        let resourceName = segments.first ?? ""
        let idSegment = segments.count > 1 ? segments[1] : ""
        guard !resourceName.isEmpty else {
            guard ["GET", "HEAD"].contains(method) else { throw WebserviceError.methodNotValid(method) }
            return (.ok, rootListing(permissions, exchange: exchange))
        }
        guard let definition = await store.definition(resourceName) else {
            throw WebserviceError.unknownResource(resourceName, available: ResourceCatalog.all.map(\.name))
        }
        try WebserviceAuth.authorize(method: method, resource: definition, permissions: permissions)

        switch method {
        case "GET", "HEAD":
            if idSegment.isEmpty {
                return (.ok, try await list(definition, parameters: parameters, exchange: exchange))
            }
            return (.ok, try await detail(definition, id: idSegment, parameters: parameters, exchange: &exchange))
        case "POST", "PUT", "PATCH":
            let writeMethod = WriteMethod(rawValue: method) ?? .post
            let entities = try Self.entities(body)
            let saved = try await store.save(
                definition.name,
                method: writeMethod,
                entities: entities,
                sendEmail: parameters["sendemail"] == "1"
            )
            let rendered = saved.map { RenderedEntity(record: $0, definition: definition, display: .full) }
            let output =
                exchange.format == .json
                ? JSONRenderer.detail(rendered, definition: definition, asList: false, options: exchange.options)
                : XMLRenderer.detail(rendered, definition: definition, options: exchange.options)
            return (writeMethod == .post ? .created : .ok, output)
        case "DELETE":
            let ids: [String]
            if let list = parameters["id"], list.hasPrefix("["), list.hasSuffix("]") {
                ids = list.dropFirst().dropLast().split(separator: ",").map(String.init)
            } else {
                ids = idSegment.isEmpty ? [] : [idSegment]
            }
            try await store.delete(definition.name, ids: ids)
            return (.ok, nil)
        default:
            throw WebserviceError.methodNotValid(method)
        }
    }

    private func list(
        _ definition: ResourceDefinition,
        parameters: QueryParameters,
        exchange: Exchange
    ) async throws(WebserviceError) -> String {
        let query = try ListQueryParser.parseList(parameters, definition: definition)
        if let schema = query.schema {
            let blank = RenderedEntity(blank: definition)
            return exchange.format == .json
                ? JSONRenderer.schema(blank, definition: definition)
                : XMLRenderer.schema(blank, definition: definition, synopsis: schema == "synopsis")
        }
        let records = await store.list(definition.name, query: query)
        let rendered = records.map { RenderedEntity(record: $0, definition: definition, display: query.display) }
        let idsOnly = !query.displayGiven || query.display == .minimum
        return exchange.format == .json
            ? JSONRenderer.list(
                rendered,
                definition: definition,
                idsOnly: !query.displayGiven,
                options: exchange.options
            )
            : XMLRenderer.list(rendered, definition: definition, idsOnly: idsOnly, options: exchange.options)
    }

    private func detail(
        _ definition: ResourceDefinition,
        id: String,
        parameters: QueryParameters,
        exchange: inout Exchange
    ) async throws(WebserviceError) -> String {
        let query = try ListQueryParser.parseDetail(parameters, definition: definition)
        guard let record = await store.detail(definition.name, id: ListQueryParser.phpInt(id)) else {
            throw WebserviceError.idsNotFound([id])
        }
        let rendered = [RenderedEntity(record: record, definition: definition, display: query.display)]
        return exchange.format == .json
            ? JSONRenderer.detail(
                rendered,
                definition: definition,
                asList: query.displayGiven,
                options: exchange.options
            )
            : XMLRenderer.detail(rendered, definition: definition, options: exchange.options)
    }

    private func rootListing(
        _ permissions: PrestaShopSandboxConfiguration.KeyPermissions,
        exchange: Exchange
    ) -> String {
        let resources: [(ResourceDefinition, Set<String>)] = ResourceCatalog.all.compactMap { definition in
            guard let methods = permissions.methods(for: definition.name), !methods.isEmpty else { return nil }
            return (definition, Set(methods.map(\.rawValue)).subtracting(definition.forbiddenMethods))
        }
        return exchange.format == .json
            ? JSONRenderer.resourceList(resources.map(\.0.name))
            : XMLRenderer.resourceList(resources, shopName: shopName, options: exchange.options)
    }

    // MARK: - Input

    /// Parses a write body as `SimpleXMLElement` would; a leading `xml=` (form post) is stripped.
    static func entities(_ body: ByteBuffer) throws(WebserviceError) -> [InputEntity] {
        var text = String(buffer: body)
        if text.hasPrefix("xml=") {
            text = QueryParameters.decode(text.dropFirst(4)[...])
        }
        switch XMLInputParser.parseDocument(Data(text.utf8)) {
        case .failure(.malformed(let detail)):
            throw WebserviceError.xmlParse(detail, body: text)
        case .success(let root):
            let entities = XMLInputParser.entities(in: root)
            guard !entities.isEmpty else { throw WebserviceError.xmlParse("no resource node in the body", body: text) }
            return entities
        }
    }

    // MARK: - Faults

    /// What a PHP fatal error looks like through Apache: a 500 with an HTML page.
    static func phpFatalErrorPage() -> Response {
        let html = """
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>Oops, something went wrong.</title></head>
            <body><br />
            <b>Fatal error</b>:  Uncaught PrestaShopException: Internal error in \
            /var/www/html/classes/webservice/WebserviceOutputJSON.php:153
            Stack trace:
            #0 /var/www/html/classes/webservice/WebserviceRequest.php(1812): WebserviceOutputBuilder->getContent()
            #1 {main}
              thrown in <b>/var/www/html/classes/webservice/WebserviceOutputJSON.php</b> on line <b>153</b><br />
            </body></html>

            """
        var headers = HTTPFields()
        headers[.contentType] = "text/html; charset=UTF-8"
        return Response(
            status: .internalServerError,
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: html))
        )
    }

    /// PHP's float-to-string: `0.012`, `0`, `1.5`.
    static func phpFloat(_ value: Double) -> String {
        if value == value.rounded() { return String(Int(value)) }
        var text = String(format: "%.3f", value)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }
}

/// PrestaShop's own header names (literals, so the force unwraps cannot fail).
private enum Header {
    typealias Name = HTTPFields.Element.Name
    static let accessTime = Name("Access-Time")!
    static let xPoweredBy = Name("X-Powered-By")!
    static let executionTime = Name("Execution-Time")!
    static let pswsVersion = Name("PSWS-Version")!
    static let contentSHA1 = Name("Content-Sha1")!
    static let ioFormat = Name("Io-Format")!
    static let outputFormat = Name("Output-Format")!
}
