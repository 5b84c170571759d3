import Foundation
import Hummingbird

/// `limit`/`offset` paging of collections and SuiteQL results (A3, A5): at most 1000 per page, default 1000.
struct Paging: Sendable, Equatable {
    static let maximumLimit = 1_000

    var limit: Int
    var offset: Int

    /// Reads `limit` and `offset` from the query string; bad values are `400 INVALID_PARAMETER`.
    init(request: Request) throws {
        let parameters = request.uri.queryParameters
        limit = Self.maximumLimit
        offset = 0
        if let text = parameters["limit"] {
            guard let value = Int(text), (1...Self.maximumLimit).contains(value) else {
                throw NetSuiteError.invalidQueryParameter("limit", value: String(text))
            }
            limit = value
        }
        if let text = parameters["offset"] {
            guard let value = Int(text), value >= 0 else {
                throw NetSuiteError.invalidQueryParameter("offset", value: String(text))
            }
            offset = value
        }
    }

    /// The page envelope: `{links, count, hasMore, offset, totalResults, items}`.
    ///
    /// Links: `first` and `prev` when not on the first page, `next` when there is more, `last` when there are
    /// results, and always `self`.
    func envelope(items: [JSONValue], totalResults: Int, url: String, extraQuery: String = "") -> JSONValue {
        func href(_ offset: Int) -> String { "\(url)?\(extraQuery)limit=\(limit)&offset=\(offset)" }
        let hasMore = offset + items.count < totalResults
        var links: [(String, String)] = []
        if offset > 0 {
            links.append(("first", href(0)))
            links.append(("prev", href(max(0, offset - limit))))
        }
        if hasMore { links.append(("next", href(offset + limit))) }
        if totalResults > 0 { links.append(("last", href(((totalResults - 1) / limit) * limit))) }
        links.append(("self", href(offset)))
        return .object([
            "links": .array(links.map { .object(["rel": .string($0.0), "href": .string($0.1)]) }),
            "count": .number(Decimal(items.count)),
            "hasMore": .bool(hasMore),
            "offset": .number(Decimal(offset)),
            "totalResults": .number(Decimal(totalResults)),
            "items": .array(items),
        ])
    }

    func page<Element>(_ all: [Element]) -> ArraySlice<Element> {
        guard offset < all.count else { return [] }
        return all[offset..<min(all.count, offset + limit)]
    }
}
