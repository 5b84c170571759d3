import Logging

extension NetSuiteClient {
    static let suiteQLPath = "/services/rest/query/v1/suiteql"
    static let governancePath = "/services/rest/system/v1/governanceLimits"

    /// Runs one page of a SuiteQL query: `POST /query/v1/suiteql?limit=…&offset=…` with `Prefer: transient`.
    ///
    /// Column names come back lower-case and values usually as strings. Order by a unique column so pages are
    /// stable.
    ///
    /// - Parameters:
    ///   - limit: rows per page, 1...1000.
    ///   - offset: index of the first row.
    public func suiteQL(_ query: String, limit: Int = 1000, offset: Int = 0, logger: Logger) async throws -> SuiteQLPage
    {
        try Self.checkPaging(limit: limit, offset: offset, method: "POST", path: Self.suiteQLPath)
        var request = try jsonRequest(.POST, path: Self.suiteQLPath, body: ["q": .string(query)])
        request.isWrite = false
        request.headers.append(("Prefer", "transient"))
        request.query = [("limit", String(limit)), ("offset", String(offset))]
        let response = try await perform(request, logger: logger)
        guard let page = PageEnvelope(try request.decodeJSON(response)) else {
            throw request.unexpected(response, "SuiteQL answer has no items")
        }
        return SuiteQLPage(
            items: page.items,
            count: page.count,
            hasMore: page.hasMore,
            offset: page.offset,
            totalResults: page.totalResults
        )
    }

    /// Runs a SuiteQL query page by page and returns up to `maxRows` rows.
    ///
    /// NetSuite returns at most 100,000 rows for one query; narrow the query for more.
    ///
    /// - Parameters:
    ///   - maxRows: stop after this many rows.
    ///   - pageSize: rows per request, 1...1000.
    public func suiteQLAll(
        _ query: String,
        maxRows: Int = 100_000,
        pageSize: Int = 1000,
        logger: Logger
    ) async throws -> [JSON] {
        guard maxRows >= 0 else {
            throw NetSuiteError.invalidRequest("maxRows must be >= 0", method: "POST", path: Self.suiteQLPath)
        }
        var rows: [JSON] = []
        var offset = 0
        while rows.count < maxRows {
            let limit = min(pageSize, maxRows - rows.count)
            let page = try await suiteQL(query, limit: limit, offset: offset, logger: logger)
            rows += page.items.prefix(maxRows - rows.count)
            guard page.hasMore, !page.items.isEmpty else { break }
            offset += page.items.count
        }
        return rows
    }

    /// The account's concurrency governance: `GET /system/v1/governanceLimits` (needs an administrator role).
    public func governanceLimits(logger: Logger) async throws -> NetSuiteGovernanceLimits {
        let request = HTTPTransport.Request(method: .GET, path: Self.governancePath, isWrite: false)
        let response = try await perform(request, logger: logger)
        return NetSuiteGovernanceLimits(try request.decodeJSON(response))
    }
}
