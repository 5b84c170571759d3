/// A record NetSuite created or updated: its type and internal id (from the `Location` header).
public struct NetSuiteRecordRef: Sendable, Hashable {
    /// Record type as used in the request path (`salesOrder`).
    public var type: String
    /// Internal id, a numeric string (`"1504"`).
    public var id: String

    /// Creates a reference.
    public init(type: String, id: String) {
        self.type = type
        self.id = id
    }
}

/// One page of a SuiteQL result.
public struct SuiteQLPage: Sendable, Hashable {
    /// Rows: objects with lower-case column names; values usually arrive as strings, null columns are left out.
    /// The per-row `links` member is removed.
    public var items: [JSON]
    /// Rows on this page.
    public var count: Int
    /// Whether more rows follow this page.
    public var hasMore: Bool
    /// Offset of this page's first row.
    public var offset: Int
    /// Rows the query matches in total (capped by NetSuite at 100,000).
    public var totalResults: Int

    /// Creates a page.
    public init(items: [JSON], count: Int, hasMore: Bool, offset: Int, totalResults: Int) {
        self.items = items
        self.count = count
        self.hasMore = hasMore
        self.offset = offset
        self.totalResults = totalResults
    }
}

/// One page of a record collection (`GET /record/v1/{type}`): ids of matching records.
public struct NetSuiteCollectionPage: Sendable, Hashable {
    /// Items, each at least `{"id": "…"}` (the `links` member is removed).
    public var items: [JSON]
    /// Items on this page.
    public var count: Int
    /// Whether more items follow this page.
    public var hasMore: Bool
    /// Offset of this page's first item.
    public var offset: Int
    /// Items the collection query matches in total.
    public var totalResults: Int

    /// Internal ids of the items on this page.
    public var ids: [String] { items.compactMap(\.id) }

    /// Creates a page.
    public init(items: [JSON], count: Int, hasMore: Bool, offset: Int, totalResults: Int) {
        self.items = items
        self.count = count
        self.hasMore = hasMore
        self.offset = offset
        self.totalResults = totalResults
    }
}

/// The answer of `GET /services/rest/system/v1/governanceLimits` (Oracle article_0625010817):
/// `{"accountConcurrencyLimit": 5, "accountUnallocatedConcurrencyLimit": 3, "integrationConcurrencyLimit": 2,
/// "integrationLimitType": "integrationSpecific"}`; `integrationConcurrencyLimit` only for `integrationSpecific`.
public struct NetSuiteGovernanceLimits: Sendable, Hashable {
    /// Concurrent requests the whole account may have in flight.
    public var accountConcurrencyLimit: Int?
    /// The part of the account limit not reserved for specific integrations; shared by all the others.
    public var accountUnallocatedConcurrencyLimit: Int?
    /// The limit reserved for this integration, when one is (`integrationSpecific`).
    public var integrationConcurrencyLimit: Int?
    /// `integrationSpecific`, `accountLimit` or `internal`.
    public var integrationLimitType: String?
    /// The whole answer, for fields not modelled here.
    public var raw: JSON

    /// Parses the answer; unknown or missing fields stay `nil`.
    public init(_ json: JSON) {
        accountConcurrencyLimit = json["accountConcurrencyLimit"]?.intValue
        accountUnallocatedConcurrencyLimit = json["accountUnallocatedConcurrencyLimit"]?.intValue
        integrationConcurrencyLimit = json["integrationConcurrencyLimit"]?.intValue
        integrationLimitType = json["integrationLimitType"]?.stringValue
        raw = json
    }

    /// How many requests this integration may have in flight: its reserved limit when it has one, otherwise the
    /// unallocated pool (which other integrations share), otherwise the account limit.
    public var availableConcurrency: Int? {
        integrationConcurrencyLimit ?? accountUnallocatedConcurrencyLimit ?? accountConcurrencyLimit
    }
}

/// Paging envelope shared by collections and SuiteQL: `{links, count, hasMore, offset, totalResults, items}`.
struct PageEnvelope {
    var items: [JSON]
    var count: Int
    var hasMore: Bool
    var offset: Int
    var totalResults: Int

    init?(_ json: JSON) {
        guard let rawItems = json["items"]?.arrayValue else { return nil }
        items = rawItems.map { item in
            guard case .object(var members) = item else { return item }
            members["links"] = nil
            return .object(members)
        }
        count = json["count"]?.intValue ?? rawItems.count
        hasMore = json["hasMore"]?.boolValue ?? false
        offset = json["offset"]?.intValue ?? 0
        totalResults = json["totalResults"]?.intValue ?? rawItems.count
    }
}
