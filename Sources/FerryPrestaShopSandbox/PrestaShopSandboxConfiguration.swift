import FerrySandboxData
import Foundation

/// Everything the PrestaShop sandbox can be told at start. Every field has a default.
public struct PrestaShopSandboxConfiguration: Sendable {
    /// The documented default webservice key (32 characters), with every permission.
    public static let defaultAPIKey = "FERRY0SANDBOX0PRESTASHOP0KEY0001"

    /// HTTP methods a webservice key can be granted per resource.
    public enum WebserviceMethod: String, Sendable, CaseIterable, Hashable {
        case get = "GET"
        case post = "POST"
        case put = "PUT"
        case patch = "PATCH"
        case delete = "DELETE"
        case head = "HEAD"
    }

    /// What one webservice key may do (Advanced Parameters > Webservice in the back office).
    public struct KeyPermissions: Sendable {
        /// An inactive key gets 401, code 20.
        public var active: Bool
        /// Allowed methods per resource; nil grants every method on every resource. An empty map gives code 21.
        public var resources: [String: Set<WebserviceMethod>]?

        public init(active: Bool = true, resources: [String: Set<WebserviceMethod>]? = nil) {
            self.active = active
            self.resources = resources
        }

        /// Every method on every resource.
        public static let all = KeyPermissions()

        /// GET and HEAD on the given resources.
        public static func readOnly(_ resources: [String]) -> KeyPermissions {
            KeyPermissions(resources: Dictionary(uniqueKeysWithValues: resources.map { ($0, [.get, .head]) }))
        }

        func methods(for resource: String) -> Set<WebserviceMethod>? {
            guard let resources else { return Set(WebserviceMethod.allCases) }
            return resources[resource]
        }
    }

    /// Where and how order webhooks are delivered (a queued webhook module with HMAC signatures and retries).
    public struct WebhookConfiguration: Sendable {
        /// Receiver URL; each order is POSTed here once (modes aside). Several comma-separated URLs are used
        /// round-robin per order (gateways behind a load balancer).
        public var url: String
        /// HMAC-SHA256 key for `X-Ferry-Signature`.
        public var secret: String
        /// Attempts per delivery before it counts as failed (default 5).
        public var maxAttempts: Int
        /// Per-attempt timeout (default 3 s).
        public var timeout: Duration
        /// Back-off before the 2nd attempt, doubled each time (default 200 ms), capped by `maxBackoff` (30 s).
        public var initialBackoff: Duration
        public var maxBackoff: Duration
        /// Injected delivery faults.
        public var modes: DeliveryModes
        /// Seed of the mode decisions (default 7).
        public var seed: UInt64
        /// Sends `X-Ferry-Timestamp` and `X-Ferry-Signature` (default true; false plays an unsigned module).
        public var signed: Bool

        public init(
            url: String,
            secret: String,
            maxAttempts: Int = 5,
            timeout: Duration = .seconds(3),
            initialBackoff: Duration = .milliseconds(200),
            maxBackoff: Duration = .seconds(30),
            modes: DeliveryModes = .init(),
            seed: UInt64 = 7,
            signed: Bool = true
        ) {
            self.url = url
            self.secret = secret
            self.maxAttempts = maxAttempts
            self.timeout = timeout
            self.initialBackoff = initialBackoff
            self.maxBackoff = maxBackoff
            self.modes = modes
            self.seed = seed
            self.signed = signed
        }
    }

    /// Probabilities (0…1) of the injected webhook delivery modes, decided once per order.
    public struct DeliveryModes: Sendable, Codable, Equatable {
        /// Never sent ("real shops lose some").
        public var dropProbability: Double
        /// Sent twice.
        public var duplicateProbability: Double
        /// Sent `delaySeconds` late.
        public var delayProbability: Double
        public var delaySeconds: Double
        /// Held back and sent right after the next order's webhook (or after `delaySeconds` if none comes).
        public var reorderProbability: Double

        public init(
            dropProbability: Double = 0,
            duplicateProbability: Double = 0,
            delayProbability: Double = 0,
            delaySeconds: Double = 5,
            reorderProbability: Double = 0
        ) {
            self.dropProbability = dropProbability
            self.duplicateProbability = duplicateProbability
            self.delayProbability = delayProbability
            self.delaySeconds = delaySeconds
            self.reorderProbability = reorderProbability
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            let defaults = DeliveryModes()
            dropProbability =
                try container.decodeIfPresent(Double.self, forKey: .dropProbability) ?? defaults.dropProbability
            duplicateProbability =
                try container.decodeIfPresent(Double.self, forKey: .duplicateProbability)
                ?? defaults.duplicateProbability
            delayProbability =
                try container.decodeIfPresent(Double.self, forKey: .delayProbability)
                ?? defaults.delayProbability
            delaySeconds = try container.decodeIfPresent(Double.self, forKey: .delaySeconds) ?? defaults.delaySeconds
            reorderProbability =
                try container.decodeIfPresent(Double.self, forKey: .reorderProbability)
                ?? defaults.reorderProbability
        }
    }

    /// The order generator: customers placing orders at a rate.
    public struct GeneratorConfiguration: Sendable {
        public enum Arrivals: String, Sendable, Codable {
            /// Exponential gaps with mean 1 / rate.
            case poisson
            /// Exactly 1 / rate apart.
            case fixed
        }

        /// Orders per second (default 1).
        public var ratePerSecond: Double
        public var arrivals: Arrivals
        /// Stop after this many generated orders (default: never).
        public var maxOrders: Int?
        /// Start placing orders when the server starts (default true).
        public var autostart: Bool
        /// Seed of customer, address, SKU, payment and carrier choices (default 42).
        public var seed: UInt64
        /// Initial order state → weight. Default: 2 "Payment accepted" 85 %, 11 "Remote payment accepted" 10 %,
        /// 10 "Awaiting bank wire payment" 5 %.
        public var stateWeights: [Int: Double]
        /// Send one webhook per generated order (default true; needs ``PrestaShopSandboxConfiguration/webhook``).
        public var sendWebhooks: Bool
        /// Share of orders with a cart rule (default 0.2): 10 % and 15 % vouchers, 10 € off, free shipping, and now
        /// and then a percentage with free shipping.
        public var promotionShare: Double
        /// Share of orders with gift wrapping (default 0.05).
        public var wrappingShare: Double
        /// `round_type` → weight (default per line 80 %, per item 10 %, on the total 10 %).
        public var roundTypeWeights: [Int: Double]

        public init(
            ratePerSecond: Double = 1,
            arrivals: Arrivals = .poisson,
            maxOrders: Int? = nil,
            autostart: Bool = true,
            seed: UInt64 = 42,
            stateWeights: [Int: Double] = [2: 0.85, 11: 0.10, 10: 0.05],
            sendWebhooks: Bool = true,
            promotionShare: Double = 0.2,
            wrappingShare: Double = 0.05,
            roundTypeWeights: [Int: Double] = [2: 0.8, 1: 0.1, 3: 0.1]
        ) {
            self.promotionShare = promotionShare
            self.wrappingShare = wrappingShare
            self.roundTypeWeights = roundTypeWeights
            self.ratePerSecond = ratePerSecond
            self.arrivals = arrivals
            self.maxOrders = maxOrders
            self.autostart = autostart
            self.seed = seed
            self.stateWeights = stateWeights
            self.sendWebhooks = sendWebhooks
        }
    }

    /// Bind address (default 127.0.0.1).
    public var host: String
    /// Bind port; 0 picks a free one (default 0).
    public var port: Int
    /// Webservice keys and their permissions (default: ``defaultAPIKey`` with everything).
    public var apiKeys: [String: KeyPermissions]
    /// The generated world (default ``SandboxDataset/standard``).
    public var dataset: SandboxDataset
    /// Order states of the shop (default ``SandboxDataset/defaultOrderStates``).
    public var orderStates: [SandboxDataset.OrderState]
    /// Webhook delivery; nil sends none (default nil).
    public var webhook: WebhookConfiguration?
    /// Order generator; nil starts none, the control API can still start one (default nil).
    public var generator: GeneratorConfiguration?
    /// `PSWS-Version` (default 8.1.7).
    public var shopVersion: String
    /// `shopName` of `GET /api/` (default "Ferry Sandbox").
    public var shopName: String
    /// JSON typing: 8.x numbers for ids, or 1.7 "everything is a string" (default `.v8`).
    public var jsonTyping: PrestaShopJSONTyping
    /// Shop time zone of `date_add`/`date_upd` (default Europe/Paris).
    public var timeZone: TimeZone
    /// Faults active from the start (default none).
    public var faults: PrestaShopSandboxFaults
    /// Seed of order references and ids chosen by the shop (default 1).
    public var seed: UInt64

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        apiKeys: [String: KeyPermissions] = [PrestaShopSandboxConfiguration.defaultAPIKey: .all],
        dataset: SandboxDataset = .standard,
        orderStates: [SandboxDataset.OrderState] = SandboxDataset.defaultOrderStates,
        webhook: WebhookConfiguration? = nil,
        generator: GeneratorConfiguration? = nil,
        shopVersion: String = "8.1.7",
        shopName: String = "Ferry Sandbox",
        jsonTyping: PrestaShopJSONTyping = .v8,
        timeZone: TimeZone = TimeZone(identifier: "Europe/Paris") ?? .gmt,
        faults: PrestaShopSandboxFaults = .init(),
        seed: UInt64 = 1
    ) {
        self.host = host
        self.port = port
        self.apiKeys = apiKeys
        self.dataset = dataset
        self.orderStates = orderStates
        self.webhook = webhook
        self.generator = generator
        self.shopVersion = shopVersion
        self.shopName = shopName
        self.jsonTyping = jsonTyping
        self.timeZone = timeZone
        self.faults = faults
        self.seed = seed
    }
}

/// Failure modes of real shops that the webservice can play, switchable at runtime (`POST /_sandbox/faults`).
public struct PrestaShopSandboxFaults: Sendable, Codable, Equatable {
    /// Delay added to webservice responses (shared hosting), applied with `slowResponseProbability`.
    public var slowResponseMilliseconds: Int
    public var slowResponseProbability: Double
    /// Probability of a 500 with a PHP fatal-error HTML page instead of XML/JSON.
    public var htmlErrorProbability: Double
    /// Probability of a 200 with an empty body for JSON output (8.0.0 regression, PS#27465).
    public var emptyJSONBodyProbability: Double
    /// CGI mode: the `Authorization` header never reaches PHP, so only `ws_key` works.
    public var authorizationHeaderIgnored: Bool
    /// Webservice switched off in the back office: 503, code 22.
    public var webserviceDisabled: Bool

    public init(
        slowResponseMilliseconds: Int = 0,
        slowResponseProbability: Double = 1,
        htmlErrorProbability: Double = 0,
        emptyJSONBodyProbability: Double = 0,
        authorizationHeaderIgnored: Bool = false,
        webserviceDisabled: Bool = false
    ) {
        self.slowResponseMilliseconds = slowResponseMilliseconds
        self.slowResponseProbability = slowResponseProbability
        self.htmlErrorProbability = htmlErrorProbability
        self.emptyJSONBodyProbability = emptyJSONBodyProbability
        self.authorizationHeaderIgnored = authorizationHeaderIgnored
        self.webserviceDisabled = webserviceDisabled
    }

    /// Missing keys keep their default, so a control request can name only what it changes.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = PrestaShopSandboxFaults()
        slowResponseMilliseconds =
            try container.decodeIfPresent(Int.self, forKey: .slowResponseMilliseconds)
            ?? defaults.slowResponseMilliseconds
        slowResponseProbability =
            try container.decodeIfPresent(Double.self, forKey: .slowResponseProbability)
            ?? defaults.slowResponseProbability
        htmlErrorProbability =
            try container.decodeIfPresent(Double.self, forKey: .htmlErrorProbability)
            ?? defaults.htmlErrorProbability
        emptyJSONBodyProbability =
            try container.decodeIfPresent(Double.self, forKey: .emptyJSONBodyProbability)
            ?? defaults.emptyJSONBodyProbability
        authorizationHeaderIgnored =
            try container.decodeIfPresent(Bool.self, forKey: .authorizationHeaderIgnored)
            ?? defaults.authorizationHeaderIgnored
        webserviceDisabled =
            try container.decodeIfPresent(Bool.self, forKey: .webserviceDisabled)
            ?? defaults.webserviceDisabled
    }
}
