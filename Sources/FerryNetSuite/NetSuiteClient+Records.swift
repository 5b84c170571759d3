import Foundation
import Logging
import NIOHTTP1

extension NetSuiteClient {
    static let recordBasePath = "/services/rest/record/v1/"

    /// Creates a record: `POST /record/v1/{type}`. NetSuite answers 204 with the new internal id in `Location`.
    ///
    /// Send an `externalId` in `body`: a create has no idempotency key, and a timeout or dropped connection
    /// (``NetSuiteError/mayHaveCommitted``) may have created the record anyway.
    public func create(_ type: String, body: JSON, logger: Logger) async throws -> NetSuiteRecordRef {
        try await create(
            type,
            request: try jsonRequest(.POST, path: try Self.recordPath(type), body: body),
            logger: logger
        )
    }

    /// Creates a record from an `Encodable` request body (``SalesOrderRequest``, ``CustomerDepositRequest``, …);
    /// otherwise as ``create(_:body:logger:)``.
    public func create(_ type: String, encoding body: some Encodable, logger: Logger) async throws -> NetSuiteRecordRef
    {
        let path = try Self.recordPath(type)
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            data = try encoder.encode(body)
        } catch {
            throw NetSuiteError.invalidRequest("body cannot be encoded as JSON", method: "POST", path: path)
        }
        let request = HTTPTransport.Request(
            method: .POST,
            path: path,
            headers: [("Content-Type", "application/json")],
            body: data,
            isWrite: true
        )
        return try await create(type, request: request, logger: logger)
    }

    private func create(
        _ type: String,
        request: HTTPTransport.Request,
        logger: Logger
    ) async throws -> NetSuiteRecordRef {
        let response = try await perform(request, logger: logger)
        guard let location = response.headers.first(name: "Location"),
            let id = Self.internalID(fromLocation: location)
        else {
            throw request.unexpected(response, "create answered without a usable Location header")
        }
        return NetSuiteRecordRef(type: type, id: id)
    }

    /// Reads a record by internal id: `GET /record/v1/{type}/{id}`.
    ///
    /// - Parameters:
    ///   - expandSubResources: include sublists (`item.items`) and subrecords instead of links.
    ///   - fields: only these body fields (NetSuite's `fields` parameter); `nil` for all.
    public func get(
        _ type: String,
        id: String,
        expandSubResources: Bool = false,
        fields: [String]? = nil,
        logger: Logger
    ) async throws -> JSON {
        try await getRecord(
            type,
            segment: try Self.internalIDSegment(id),
            expandSubResources: expandSubResources,
            fields: fields,
            logger: logger
        )
    }

    /// Reads a record by external id: `GET /record/v1/{type}/eid:{externalID}`.
    ///
    /// External ids with characters other than letters, digits, `_` and `-` cannot go in a URL; they are looked up
    /// with a collection query (`q=externalId IS "…"`) first. Throws ``NetSuiteError/Kind-swift.enum/notFound``
    /// when no record has the external id.
    public func get(
        _ type: String,
        externalID: String,
        expandSubResources: Bool = false,
        logger: Logger
    ) async throws -> JSON {
        if Self.isURLSafeExternalID(externalID) {
            return try await getRecord(
                type,
                segment: "eid:" + externalID,
                expandSubResources: expandSubResources,
                fields: nil,
                logger: logger
            )
        }
        guard let id = try await findByQuery(type, externalID: externalID, logger: logger) else {
            throw NetSuiteError(
                kind: .notFound,
                method: "GET",
                path: try Self.recordPath(type),
                message: "no record with this external id"
            )
        }
        return try await get(type, id: id, expandSubResources: expandSubResources, logger: logger)
    }

    /// The internal id of the record with `externalID`, or `nil` when there is none. Use it after a write failed
    /// with ``NetSuiteError/mayHaveCommitted`` to learn whether the record exists.
    public func internalID(of type: String, externalID: String, logger: Logger) async throws -> String? {
        if Self.isURLSafeExternalID(externalID) {
            do {
                let record = try await getRecord(
                    type,
                    segment: "eid:" + externalID,
                    expandSubResources: false,
                    fields: nil,
                    logger: logger
                )
                guard let id = record.id else {
                    throw NetSuiteError(
                        kind: .unexpectedResponse,
                        method: "GET",
                        path: try Self.recordPath(type),
                        message: "record has no id"
                    )
                }
                return id
            } catch let error as NetSuiteError where error.kind == .notFound {
                return nil
            }
        }
        return try await findByQuery(type, externalID: externalID, logger: logger)
    }

    /// Creates or updates the record with `externalID`: `PUT /record/v1/{type}/eid:{externalID}`.
    ///
    /// - Parameters:
    ///   - replaceSublists: sublists whose lines are replaced by the ones sent (`?replace=item`). Without it NetSuite
    ///     **appends** lines on update, so a replayed upsert of a sales order would duplicate them: pass `["item"]`.
    /// - Throws: ``NetSuiteError/Kind-swift.enum/invalidRequest`` when `externalID` is not URL-safe (upsert only
    ///   exists in the `eid:` form).
    public func upsert(
        _ type: String,
        externalID: String,
        body: JSON,
        replaceSublists: [String] = [],
        logger: Logger
    ) async throws -> NetSuiteRecordRef {
        let typePath = try Self.recordPath(type)
        guard Self.isURLSafeExternalID(externalID) else {
            throw NetSuiteError.invalidRequest(
                "external id has characters other than letters, digits, '_' and '-'; upsert needs an eid: URL",
                method: "PUT",
                path: typePath
            )
        }
        var request = try jsonRequest(.PUT, path: typePath + "/eid:" + externalID, body: body)
        request.query = try Self.replaceQuery(replaceSublists)
        let response = try await perform(request, logger: logger)
        if let location = response.headers.first(name: "Location"), let id = Self.internalID(fromLocation: location) {
            return NetSuiteRecordRef(type: type, id: id)
        }
        // The write succeeded; learn the internal id from the external id.
        guard let id = try await internalID(of: type, externalID: externalID, logger: logger) else {
            throw request.unexpected(response, "upsert succeeded but the record cannot be found by external id")
        }
        return NetSuiteRecordRef(type: type, id: id)
    }

    /// Updates fields of a record: `PATCH /record/v1/{type}/{id}`. Omitted fields stay; `.null` clears a field.
    ///
    /// - Parameter replaceSublists: sublists replaced by the lines sent (`?replace=item`); otherwise lines without
    ///   a `line` key are appended.
    @discardableResult
    public func patch(
        _ type: String,
        id: String,
        body: JSON,
        replaceSublists: [String] = [],
        logger: Logger
    ) async throws -> NetSuiteRecordRef {
        var request = try jsonRequest(
            .PATCH,
            path: try Self.recordPath(type) + "/" + Self.internalIDSegment(id),
            body: body
        )
        request.query = try Self.replaceQuery(replaceSublists)
        let response = try await perform(request, logger: logger)
        let location = response.headers.first(name: "Location").flatMap(Self.internalID(fromLocation:))
        return NetSuiteRecordRef(type: type, id: location ?? id)
    }

    /// Deletes a record: `DELETE /record/v1/{type}/{id}`. Records with dependent records fail with
    /// ``NetSuiteError/Kind-swift.enum/cannotDelete``.
    public func delete(_ type: String, id: String, logger: Logger) async throws {
        let request = HTTPTransport.Request(
            method: .DELETE,
            path: try Self.recordPath(type) + "/" + Self.internalIDSegment(id),
            isWrite: true
        )
        _ = try await perform(request, logger: logger)
    }

    /// One page of a record collection: `GET /record/v1/{type}?q=…&limit=…&offset=…`.
    ///
    /// - Parameter query: NetSuite's collection filter, e.g. `externalId IS "PS-1"` or `email START_WITH "a"`.
    public func list(
        _ type: String,
        query: String? = nil,
        limit: Int = 1000,
        offset: Int = 0,
        logger: Logger
    ) async throws -> NetSuiteCollectionPage {
        let path = try Self.recordPath(type)
        try Self.checkPaging(limit: limit, offset: offset, method: "GET", path: path)
        var request = HTTPTransport.Request(method: .GET, path: path, isWrite: false)
        if let query {
            request.query.append(("q", query))
        }
        request.query += [("limit", String(limit)), ("offset", String(offset))]
        let response = try await perform(request, logger: logger)
        guard let page = PageEnvelope(try request.decodeJSON(response)) else {
            throw request.unexpected(response, "collection answer has no items")
        }
        return NetSuiteCollectionPage(
            items: page.items,
            count: page.count,
            hasMore: page.hasMore,
            offset: page.offset,
            totalResults: page.totalResults
        )
    }

    // MARK: - Helpers

    private func getRecord(
        _ type: String,
        segment: String,
        expandSubResources: Bool,
        fields: [String]?,
        logger: Logger
    ) async throws -> JSON {
        var request = HTTPTransport.Request(
            method: .GET,
            path: try Self.recordPath(type) + "/" + segment,
            isWrite: false
        )
        if expandSubResources {
            request.query.append(("expandSubResources", "true"))
        }
        if let fields, !fields.isEmpty {
            request.query.append(("fields", fields.joined(separator: ",")))
        }
        let response = try await perform(request, logger: logger)
        return try request.decodeJSON(response)
    }

    /// Looks an external id up with `q=externalId IS "…"`; for ids that cannot go in an `eid:` URL.
    private func findByQuery(_ type: String, externalID: String, logger: Logger) async throws -> String? {
        guard !externalID.isEmpty, !externalID.contains("\""), !externalID.contains("\\") else {
            throw NetSuiteError.invalidRequest(
                "external id is empty or contains a quote or backslash and cannot be looked up",
                method: "GET",
                path: try Self.recordPath(type)
            )
        }
        let page = try await list(type, query: "externalId IS \"\(externalID)\"", limit: 2, offset: 0, logger: logger)
        return page.ids.first
    }

    func jsonRequest(_ method: HTTPMethod, path: String, body: JSON) throws -> HTTPTransport.Request {
        let data: Data
        do {
            data = try body.encoded()
        } catch {
            throw NetSuiteError.invalidRequest("body cannot be encoded as JSON", method: method.rawValue, path: path)
        }
        return HTTPTransport.Request(
            method: method,
            path: path,
            headers: [("Content-Type", "application/json")],
            body: data,
            isWrite: true
        )
    }

    /// `/services/rest/record/v1/{type}`; the type must be letters, digits and `_`.
    static func recordPath(_ type: String) throws -> String {
        guard !type.isEmpty,
            type.utf8.allSatisfy({ byte in
                (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
            })
        else {
            throw NetSuiteError.invalidRequest("record type must be letters, digits and '_'")
        }
        return recordBasePath + type
    }

    /// An internal id as a path segment. Internal ids are numeric strings; `eid:` forms go through the
    /// external-id methods.
    static func internalIDSegment(_ id: String) throws -> String {
        guard isURLSafeExternalID(id) else {
            throw NetSuiteError.invalidRequest("internal id must be letters, digits, '_' and '-'")
        }
        return id
    }

    static func replaceQuery(_ sublists: [String]) throws -> [(name: String, value: String)] {
        guard !sublists.isEmpty else { return [] }
        guard sublists.allSatisfy(isURLSafeExternalID) else {
            throw NetSuiteError.invalidRequest("sublist names must be letters, digits, '_' and '-'")
        }
        return [("replace", sublists.joined(separator: ","))]
    }

    static func checkPaging(limit: Int, offset: Int, method: String, path: String) throws {
        guard (1...1000).contains(limit), offset >= 0 else {
            throw NetSuiteError.invalidRequest("limit must be 1...1000 and offset >= 0", method: method, path: path)
        }
    }
}
