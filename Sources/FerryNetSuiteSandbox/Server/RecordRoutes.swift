import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// `/services/rest/record/v1/{type}[/{id}|/eid:{externalId}]` (A2–A4, A13.1–7).
///
/// Writes answer `204` with an empty body and `Location`; reads answer `200`
/// `application/vnd.oracle.resource+json; type=singular`. Rejection rules are applied before anything is read or
/// saved, commit-then-fail rules after a write was saved.
struct RecordRoutes {
    let sandbox: NetSuiteSandbox

    static let singularContentType = "application/vnd.oracle.resource+json; type=singular"
    static let collectionContentType = "application/vnd.oracle.resource+json; type=collection"

    func register(on group: RouterGroup<NetSuiteRequestContext>) {
        group.get("record/v1/:type") { request, context in try await list(request, context) }
        group.post("record/v1/:type") { request, context in try await create(request, context) }
        group.get("record/v1/:type/:id") { request, context in try await read(request, context) }
        group.patch("record/v1/:type/:id") { request, context in try await update(request, context) }
        group.put("record/v1/:type/:id") { request, context in try await upsert(request, context) }
        group.delete("record/v1/:type/:id") { request, context in try await delete(request, context) }
        group.get("record/v1/:type/:id/:sublist") { request, context in try await readSublist(request, context) }
    }

    // MARK: Handlers

    private func create(_ request: Request, _ context: NetSuiteRequestContext) async throws -> Response {
        try await write(request, context) { _ in .create }
    }

    private func upsert(_ request: Request, _ context: NetSuiteRequestContext) async throws -> Response {
        try await write(request, context) { key in
            // Upsert works only with PUT on an eid: URL (A4).
            guard case .externalID(let externalID) = key else { throw NetSuiteError.methodNotAllowed() }
            return .upsert(externalID: externalID)
        }
    }

    private func update(_ request: Request, _ context: NetSuiteRequestContext) async throws -> Response {
        try await write(request, context) { key in .update(try Self.require(key)) }
    }

    private func delete(_ request: Request, _ context: NetSuiteRequestContext) async throws -> Response {
        try await write(request, context) { key in .delete(try Self.require(key)) }
    }

    private static func require(_ key: RecordKey?) throws -> RecordKey {
        guard let key else { throw NetSuiteError.nonexistentID() }
        return key
    }

    /// Parses a write, then runs it now (sync) or as an async job when the client sent `Prefer: respond-async`.
    private func write(
        _ request: Request,
        _ context: NetSuiteRequestContext,
        operation: (RecordKey?) throws -> RecordWrite.Operation
    ) async throws -> Response {
        let type = try recordType(context)
        let key = try context.parameters.get("id").map { try RecordKey.parse($0) }
        let operation = try operation(key)
        var body: JSONValue?
        if case .delete = operation {} else { body = try await parseBody(request, context) }
        let write = RecordWrite(
            method: request.method.rawValue,
            type: type,
            operation: operation,
            body: body,
            options: writeOptions(request),
            baseURL: sandbox.baseURL(for: request)
        )
        if AsyncJobRoutes.prefersAsync(request) {
            return AsyncJobRoutes(sandbox: sandbox).submit(write, request: request) { try await perform($0) }
        }
        let location = try await perform(write)
        return try await answerWrite(request, type, location: location)
    }

    /// Runs a write against the store (rejection rules first) and returns the `Location` of the record written.
    func perform(_ write: RecordWrite) async throws -> String? {
        if let rule = sandbox.injector.takeRejection(method: write.method, recordType: write.type.rawValue) {
            sandbox.logger.debug(
                "sandbox rejected request",
                metadata: ["netsuite.record_type": "\(write.type.rawValue)"]
            )
            throw NetSuiteError(NetSuiteError.status(code: rule.status), code: rule.errorCode, detail: rule.detail)
        }
        let store = sandbox.store
        let record: StoredRecord
        switch write.operation {
        case .create:
            record = try await store.create(write.type, body: write.body ?? .null, options: write.options)
            log("record created", record)
        case .upsert(let externalID):
            let (written, created) = try await store.upsert(
                write.type,
                externalID: externalID,
                body: write.body ?? .null,
                options: write.options
            )
            record = written
            log(created ? "record created" : "record updated", record)
        case .update(let key):
            record = try await store.update(write.type, key, body: write.body ?? .null, options: write.options)
            log("record updated", record)
        case .delete(let key):
            try await store.delete(write.type, key)
            return nil
        }
        return "\(write.baseURL)\(RecordStore.recordPath)/\(record.type.rawValue)/\(record.id)"
    }

    private func read(_ request: Request, _ context: NetSuiteRequestContext) async throws -> Response {
        let type = try recordType(context)
        let key = try recordKey(context)
        try applyRejectionRules(request, type)
        let expand = request.uri.queryParameters["expandSubResources"]?.lowercased() == "true"
        let rendered = try await sandbox.store.renderRecord(
            type,
            key,
            baseURL: sandbox.baseURL(for: request),
            expandSubResources: expand
        )
        return Response.json(rendered, contentType: Self.singularContentType)
    }

    private func readSublist(_ request: Request, _ context: NetSuiteRequestContext) async throws -> Response {
        let type = try recordType(context)
        let key = try recordKey(context)
        guard let sublist = type.schema.sublist, context.parameters.get("sublist") == sublist.name else {
            throw NetSuiteError(
                .notFound,
                code: "NONEXISTENT_FIELD",
                detail: "The requested sublist or subrecord does not exist on this record."
            )
        }
        try applyRejectionRules(request, type)
        let baseURL = sandbox.baseURL(for: request)
        let rendered = try await sandbox.store.renderSublist(type, key, baseURL: baseURL)
        return Response.json(rendered, contentType: Self.collectionContentType)
    }

    /// `GET /record/v1/{type}`: ids and self links, paged, optionally filtered with `q=<field> IS <value>`.
    private func list(_ request: Request, _ context: NetSuiteRequestContext) async throws -> Response {
        let type = try recordType(context)
        try applyRejectionRules(request, type)
        let paging = try Paging(request: request)
        let filters = try CollectionFilter.parse(request.uri.queryParameters["q"].map(String.init))
        let baseURL = sandbox.baseURL(for: request)
        let ids = await sandbox.store.filteredIDs(type, filters: filters)
        let items: [JSONValue] = paging.page(ids).map { id in
            .object([
                "links": RecordStore.links(["self": RecordStore.href(baseURL, type, id)]),
                "id": .string(String(id)),
            ])
        }
        var extraQuery = ""
        if let q = request.uri.queryParameters["q"] { extraQuery = "q=\(TBASignature.percentEncode(String(q)))&" }
        let envelope = paging.envelope(
            items: items,
            totalResults: ids.count,
            url: "\(baseURL)\(RecordStore.recordPath)/\(type.linkName)",
            extraQuery: extraQuery
        )
        return Response.json(envelope, contentType: Self.collectionContentType)
    }

    // MARK: Helpers

    private func recordType(_ context: NetSuiteRequestContext) throws -> RecordType {
        let name = context.parameters.get("type") ?? ""
        guard let type = RecordType(pathSegment: name) else { throw NetSuiteError.recordTypeDoesNotExist(name) }
        return type
    }

    private func recordKey(_ context: NetSuiteRequestContext) throws -> RecordKey {
        try RecordKey.parse(context.parameters.get("id") ?? "")
    }

    private func parseBody(_ request: Request, _ context: NetSuiteRequestContext) async throws -> JSONValue {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        guard let value = try? JSONValue.parse(Data(buffer.readableBytesView)) else {
            throw NetSuiteError.malformedJSON()
        }
        return value
    }

    private func writeOptions(_ request: Request) -> RecordStore.WriteOptions {
        var options = RecordStore.WriteOptions()
        for value in request.uri.queryParameters.getAll("replace") {
            options.replaceSublists.formUnion(
                value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            )
        }
        let validation = request.headers[HTTPField.Name("X-NetSuite-PropertyNameValidation")!]
        options.rejectUnknownFields = validation?.lowercased() == "error"
        return options
    }

    private func applyRejectionRules(_ request: Request, _ type: RecordType) throws {
        guard let rule = sandbox.injector.takeRejection(method: request.method.rawValue, recordType: type.rawValue)
        else { return }
        sandbox.logger.debug("sandbox rejected request", metadata: ["netsuite.record_type": "\(type.rawValue)"])
        throw NetSuiteError(NetSuiteError.status(code: rule.status), code: rule.errorCode, detail: rule.detail)
    }

    /// The answer to a saved write, unless a commit-then-fail rule replaces it.
    private func answerWrite(_ request: Request, _ type: RecordType, location: String?) async throws -> Response {
        let response = Response.noContent(location: location)
        guard let rule = sandbox.injector.takeCommitThenFail(method: request.method.rawValue, recordType: type.rawValue)
        else { return response }
        sandbox.logger.debug(
            "sandbox failing a saved write",
            metadata: [
                "netsuite.record_type": "\(type.rawValue)", "fault": "\(rule.failure.rawValue)",
            ]
        )
        switch rule.failure {
        case .dropConnection:
            return GatewayMiddleware.dropping(response)
        case .badGateway:
            return GatewayPage.response(status: .badGateway)
        case .serviceUnavailable:
            return GatewayPage.response(status: .serviceUnavailable)
        case .delay:
            try await Task.sleep(for: .milliseconds(max(0, rule.delaySeconds ?? 30) * 1_000))
            return response
        }
    }

    private func log(_ message: Logger.Message, _ record: StoredRecord) {
        sandbox.logger.debug(
            message,
            metadata: [
                "netsuite.record_type": "\(record.type.rawValue)", "netsuite.id": "\(record.id)",
                "netsuite.external_id": "\(record.externalID ?? "")",
            ]
        )
    }
}

/// A parsed record write: what runs at once for a sync request, or later for an async job.
struct RecordWrite: Sendable {
    enum Operation: Sendable {
        case create
        case upsert(externalID: String)
        case update(RecordKey)
        case delete(RecordKey)
    }

    var method: String
    var type: RecordType
    var operation: Operation
    var body: JSONValue?
    var options: RecordStore.WriteOptions
    /// The base URL the client used, for the `Location` of the result.
    var baseURL: String
}

/// The `q` filter of a record collection: `<field> IS <value>` conditions joined with `AND` (A3). Values may be
/// quoted with `"`. Other operators are refused as an invalid search query.
struct CollectionFilter: Sendable, Equatable {
    var field: String
    var value: String

    static func parse(_ query: String?) throws -> [CollectionFilter] {
        guard let query, !query.trimmingCharacters(in: .whitespaces).isEmpty else { return [] }
        var filters: [CollectionFilter] = []
        for clause in query.components(separatedBy: " AND ") {
            let parts = clause.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 2)
            guard parts.count == 3, parts[1].uppercased() == "IS" else {
                throw NetSuiteError(
                    .badRequest,
                    code: "INVALID_PARAMETER",
                    detail: "Invalid search query. Search error occurred: the sandbox supports only "
                        + "'<field> IS <value>' conditions joined with AND.",
                    queryParameter: "q"
                )
            }
            var value = String(parts[2])
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            filters.append(CollectionFilter(field: String(parts[0]), value: value))
        }
        return filters
    }
}
