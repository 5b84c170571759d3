import FerrySandboxData
import Foundation

/// Everything the NetSuite sandbox can be told at start. Every field has a default, so
/// `NetSuiteSandboxConfiguration()` gives a working sandbox on a random loopback port.
///
/// Latency and faults can also be changed while it runs, through the `/_sandbox/` control API.
public struct NetSuiteSandboxConfiguration: Sendable {
    /// One TBA (OAuth 1.0a) integration token: the integration record's consumer key and secret plus an access token.
    public struct TBACredential: Sendable, Hashable {
        public var consumerKey: String
        public var consumerSecret: String
        public var tokenID: String
        public var tokenSecret: String

        public init(consumerKey: String, consumerSecret: String, tokenID: String, tokenSecret: String) {
            self.consumerKey = consumerKey
            self.consumerSecret = consumerSecret
            self.tokenID = tokenID
            self.tokenSecret = tokenSecret
        }

        /// The credential every sandbox accepts unless told otherwise. Not a secret: it only opens the sandbox.
        ///
        /// consumer key `ferry-sandbox-consumer-key`, consumer secret `ferry-sandbox-consumer-secret`,
        /// token id `ferry-sandbox-token-id`, token secret `ferry-sandbox-token-secret`.
        public static let sandboxDefault = TBACredential(
            consumerKey: "ferry-sandbox-consumer-key",
            consumerSecret: "ferry-sandbox-consumer-secret",
            tokenID: "ferry-sandbox-token-id",
            tokenSecret: "ferry-sandbox-token-secret"
        )
    }

    /// One OAuth 2.0 client-credentials (M2M) mapping: the integration's client id, the certificate id NetSuite
    /// showed when the public key was uploaded (the JWT `kid`), and that public key.
    public struct OAuth2Client: Sendable, Hashable {
        public var clientID: String
        public var certificateID: String
        /// PEM of an RSA or EC public key (`-----BEGIN PUBLIC KEY-----`), or of an X.509 certificate holding one.
        public var publicKeyPEM: String

        public init(clientID: String, certificateID: String, publicKeyPEM: String) {
            self.clientID = clientID
            self.certificateID = certificateID
            self.publicKeyPEM = publicKeyPEM
        }
    }

    /// Interface to bind. Default `127.0.0.1`.
    public var host: String
    /// Port to bind; 0 picks a free one (read it back from ``NetSuiteSandboxServer/port``). Default 0.
    public var port: Int
    /// The account id in the `_SB1` form; it is also the TBA realm. Default `1234567_SB1`.
    public var accountID: String
    /// Account-wide concurrency limit shared by every request to a NetSuite path. Default 10.
    public var concurrencyLimit: Int
    /// Optional concurrency limit reserved for this integration (A8).
    /// Default nil: the integration uses the account pool.
    public var integrationConcurrencyLimit: Int?
    /// Accepted TBA credentials. Default: ``TBACredential/sandboxDefault``.
    public var tbaCredentials: [TBACredential]
    /// How far a TBA `oauth_timestamp` may be from the sandbox clock. Default 5 minutes.
    public var tbaTimestampTolerance: Duration
    /// Accepted OAuth 2.0 M2M clients. Default none.
    public var oauth2Clients: [OAuth2Client]
    /// Lifetime of issued bearer tokens (`expires_in`). Default 3600 s.
    public var accessTokenLifetime: Duration
    /// When false, NetSuite paths skip authentication entirely. Default true.
    public var requireAuthentication: Bool
    /// Base URL clients use to reach the sandbox (e.g. behind a proxy), used for the TBA base string, the JWT audience,
    /// `Location` headers and links. Default nil: taken from the request's `Host` header as `http://<host>`.
    public var publicBaseURL: String?
    /// Delay added to every NetSuite request, inside the concurrency window. Default none.
    public var latency: NetSuiteLatency
    /// Faults active from the start. Default none.
    public var faults: NetSuiteFaults
    /// Change notifications posted like a User Event script. Default none.
    public var webhook: NetSuiteWebhook?
    /// The generated world the account is seeded with. Default ``SandboxDataset/standard``.
    public var dataset: SandboxDataset
    /// Seed for latency samples and fault rates, so a run can be repeated. Default 1.
    public var randomSeed: UInt64
    /// The sandbox's clock, for TBA timestamps, token expiry and record dates. Default the system clock.
    public var clock: @Sendable () -> Date

    public init(
        host: String = "127.0.0.1",
        port: Int = 0,
        accountID: String = "1234567_SB1",
        concurrencyLimit: Int = 10,
        integrationConcurrencyLimit: Int? = nil,
        tbaCredentials: [TBACredential] = [.sandboxDefault],
        tbaTimestampTolerance: Duration = .seconds(300),
        oauth2Clients: [OAuth2Client] = [],
        accessTokenLifetime: Duration = .seconds(3600),
        requireAuthentication: Bool = true,
        publicBaseURL: String? = nil,
        latency: NetSuiteLatency = .none,
        faults: NetSuiteFaults = NetSuiteFaults(),
        webhook: NetSuiteWebhook? = nil,
        dataset: SandboxDataset = .standard,
        randomSeed: UInt64 = 1,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.host = host
        self.port = port
        self.accountID = accountID
        self.concurrencyLimit = concurrencyLimit
        self.integrationConcurrencyLimit = integrationConcurrencyLimit
        self.tbaCredentials = tbaCredentials
        self.tbaTimestampTolerance = tbaTimestampTolerance
        self.oauth2Clients = oauth2Clients
        self.accessTokenLifetime = accessTokenLifetime
        self.requireAuthentication = requireAuthentication
        self.publicBaseURL = publicBaseURL
        self.latency = latency
        self.faults = faults
        self.webhook = webhook
        self.dataset = dataset
        self.randomSeed = randomSeed
        self.clock = clock
    }
}

// MARK: - Latency

/// Per-request delay distribution (A13.13).
///
/// JSON form (control API `PUT /_sandbox/latency`):
/// `{"kind":"none"}`, `{"kind":"fixed","milliseconds":50}`,
/// `{"kind":"uniform","minMilliseconds":10,"maxMilliseconds":200}`,
/// `{"kind":"logNormal","medianMilliseconds":120,"p99Milliseconds":2000}`.
public enum NetSuiteLatency: Sendable, Equatable, Codable {
    case none
    case fixed(Duration)
    case uniform(min: Duration, max: Duration)
    /// Log-normal with the given median and 99th percentile, the usual shape of a busy SaaS API.
    case logNormal(median: Duration, p99: Duration)

    private enum CodingKeys: String, CodingKey {
        case kind, milliseconds, minMilliseconds, maxMilliseconds, medianMilliseconds, p99Milliseconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let kind = try container.decode(String.self, forKey: .kind)
        func milliseconds(_ key: CodingKeys) throws -> Duration {
            let value = try container.decode(Double.self, forKey: key)
            guard value >= 0, value.isFinite else {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "must be >= 0")
            }
            return .milliseconds(value)
        }
        switch kind {
        case "none": self = .none
        case "fixed": self = .fixed(try milliseconds(.milliseconds))
        case "uniform":
            self = .uniform(min: try milliseconds(.minMilliseconds), max: try milliseconds(.maxMilliseconds))
        case "logNormal":
            self = .logNormal(median: try milliseconds(.medianMilliseconds), p99: try milliseconds(.p99Milliseconds))
        default:
            throw DecodingError.dataCorruptedError(forKey: .kind, in: container, debugDescription: "unknown kind")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .none:
            try container.encode("none", forKey: .kind)
        case .fixed(let delay):
            try container.encode("fixed", forKey: .kind)
            try container.encode(delay.milliseconds, forKey: .milliseconds)
        case .uniform(let min, let max):
            try container.encode("uniform", forKey: .kind)
            try container.encode(min.milliseconds, forKey: .minMilliseconds)
            try container.encode(max.milliseconds, forKey: .maxMilliseconds)
        case .logNormal(let median, let p99):
            try container.encode("logNormal", forKey: .kind)
            try container.encode(median.milliseconds, forKey: .medianMilliseconds)
            try container.encode(p99.milliseconds, forKey: .p99Milliseconds)
        }
    }

    /// One sample, given a uniform generator.
    func sample(using generator: inout some RandomNumberGenerator) -> Duration {
        switch self {
        case .none:
            return .zero
        case .fixed(let delay):
            return delay
        case .uniform(let min, let max):
            guard max > min else { return min }
            let fraction = Double.random(in: 0..<1, using: &generator)
            return .milliseconds(min.milliseconds + (max.milliseconds - min.milliseconds) * fraction)
        case .logNormal(let median, let p99):
            let medianMS = Swift.max(median.milliseconds, 0.001)
            let mu = Foundation.log(medianMS)
            let sigma = Swift.max(0, (Foundation.log(Swift.max(p99.milliseconds, medianMS)) - mu) / 2.326_347_874)
            // Box-Muller: one standard normal from two uniforms.
            let u1 = Swift.max(Double.random(in: 0..<1, using: &generator), .leastNonzeroMagnitude)
            let u2 = Double.random(in: 0..<1, using: &generator)
            let normal = (-2 * Foundation.log(u1)).squareRoot() * cos(2 * .pi * u2)
            return .milliseconds(exp(mu + sigma * normal))
        }
    }
}

extension Duration {
    /// The duration in (fractional) milliseconds.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1_000 + Double(attoseconds) / 1e15
    }

    var seconds: Double { milliseconds / 1_000 }
}
