import Foundation

/// How ``PrestaShopClient`` reaches one shop.
///
/// | setting | default | meaning |
/// |---|---|---|
/// | `baseURL` | (required) | shop root (`https://shop.example.com`, `http://127.0.0.1:8080`); `/api/` is appended |
/// | `apiKey` | (required) | the 32-character webservice key; never logged |
/// | `authentication` | `.basic` | key as Basic user name, or `.queryParameter` (`ws_key`) for CGI hosts |
/// | `requestTimeout` | 30 s | whole-request deadline |
/// | `maxResponseBytes` | 32 MiB | larger answers fail with `invalidResponse` |
/// | `shopTimeZone` | UTC | time zone of `date_add`/`date_upd` (the shop's `PS_TIMEZONE`) |
/// | `stockUpdateMethod` | `.automatic` | PATCH, falling back to GET-modify-PUT when the shop answers 405 |
/// | `shopID` | nil | adds `id_shop=N` (multistore context) to every request |
public struct PrestaShopClientConfiguration: Sendable, CustomStringConvertible {
    /// Where the key goes.
    public enum Authentication: Sendable, Hashable {
        /// `Authorization: Basic base64("KEY:")`: the key as user name, empty password.
        case basic
        /// `?ws_key=KEY`, for hosts whose PHP-CGI strips the `Authorization` header. The key then travels in
        /// the URL (and so in the shop's access logs); Ferry itself never logs URLs.
        case queryParameter
    }

    /// How ``PrestaShopClient/updateStockQuantity(stockAvailableID:quantity:logger:)`` writes.
    public enum StockUpdateMethod: Sendable, Hashable {
        /// PATCH (8.x); after a 405 the client switches to GET-modify-PUT for its lifetime.
        case automatic
        /// PATCH only.
        case patch
        /// GET the whole row, change `quantity`, PUT it back (1.7).
        case put
    }

    /// Shop root URL; the client appends `/api/`. A path prefix (`https://example.com/shop`) is kept.
    public var baseURL: String
    /// The webservice key.
    public var apiKey: String
    /// Where the key goes.
    public var authentication: Authentication
    /// Deadline for each request.
    public var requestTimeout: Duration
    /// The largest answer read.
    public var maxResponseBytes: Int
    /// The shop's time zone, for the `date_upd` filter.
    public var shopTimeZone: TimeZone
    /// How stock quantities are written.
    public var stockUpdateMethod: StockUpdateMethod
    /// Multistore context (`id_shop`), or nil for the default shop.
    public var shopID: Int?

    /// Creates a configuration; see the table above for defaults.
    public init(
        baseURL: String,
        apiKey: String,
        authentication: Authentication = .basic,
        requestTimeout: Duration = .seconds(30),
        maxResponseBytes: Int = 32 * 1024 * 1024,
        shopTimeZone: TimeZone = TimeZone(identifier: "UTC") ?? .current,
        stockUpdateMethod: StockUpdateMethod = .automatic,
        shopID: Int? = nil
    ) {
        self.baseURL = baseURL
        self.apiKey = apiKey
        self.authentication = authentication
        self.requestTimeout = requestTimeout
        self.maxResponseBytes = maxResponseBytes
        self.shopTimeZone = shopTimeZone
        self.stockUpdateMethod = stockUpdateMethod
        self.shopID = shopID
    }

    /// Describes the configuration without the key.
    public var description: String {
        "PrestaShopClientConfiguration(baseURL: \(baseURL), apiKey: <redacted>, authentication: \(authentication), "
            + "requestTimeout: \(requestTimeout), shopTimeZone: \(shopTimeZone.identifier))"
    }
}
