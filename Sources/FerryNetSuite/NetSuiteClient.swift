import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// SuiteTalk REST client for one NetSuite account: records, SuiteQL and governance, with TBA or OAuth 2.0.
///
/// Works unchanged against the real NetSuite and Ferry's NetSuite sandbox; only ``NetSuiteConfiguration/baseURL``
/// differs. Every call throws ``NetSuiteError``. Call ``shutdown()`` when done if the client created its own
/// `HTTPClient`.
public final class NetSuiteClient: Sendable {
    /// The configuration the client was made with.
    public let configuration: NetSuiteConfiguration

    let transport: HTTPTransport
    let ownsHTTPClient: Bool
    let authenticator: Authenticator
    /// When set, every HTTP request holds a slot of the account's concurrency lease.
    let requestGate: NetSuiteRequestGate?

    enum Authenticator: Sendable {
        case tba(TBASigner)
        case oauth2(AccessTokenCache)
    }

    /// Creates a client.
    ///
    /// - Parameters:
    ///   - configuration: account, base URL, credentials and timeouts.
    ///   - httpClient: an `HTTPClient` to share. When `nil`, the client creates one (with the configured connect
    ///     timeout and redirects disabled) and ``shutdown()`` shuts it down.
    ///   - requestGate: the concurrency lease every request must hold a slot of; `nil` for none. With a gate, calls
    ///     can also throw `ConcurrencyLeaseError` (no slot to be had) and `CancellationError` while waiting.
    /// - Throws: ``NetSuiteError`` of kind ``NetSuiteError/Kind-swift.enum/invalidRequest`` for an unusable base
    ///   URL or private key.
    public init(
        configuration: NetSuiteConfiguration,
        httpClient: HTTPClient? = nil,
        requestGate: NetSuiteRequestGate? = nil
    ) throws {
        // Everything that can fail happens before an HTTP client is created, so none is left without a shutdown.
        enum Credentials {
            case tba(TBASigner)
            case oauth2(ClientAssertionSigner)
        }
        let endpoint = try ServiceEndpoint(baseURL: configuration.baseURL)
        let credentials: Credentials
        switch configuration.auth {
        case .tba(let consumerKey, let consumerSecret, let tokenID, let tokenSecret):
            credentials = .tba(
                TBASigner(
                    realm: configuration.accountID,
                    consumerKey: consumerKey,
                    consumerSecret: consumerSecret,
                    tokenID: tokenID,
                    tokenSecret: tokenSecret
                )
            )
        case .oauth2(let clientID, let certificateID, let privateKeyPEM, let algorithm, let scopes):
            credentials = .oauth2(
                try ClientAssertionSigner(
                    clientID: clientID,
                    certificateID: certificateID,
                    privateKeyPEM: privateKeyPEM,
                    algorithm: algorithm,
                    scopes: scopes
                )
            )
        }

        let client: HTTPClient
        if let httpClient {
            client = httpClient
            ownsHTTPClient = false
        } else {
            var httpConfiguration = HTTPClient.Configuration()
            httpConfiguration.timeout = .init(
                connect: TimeAmount(configuration.connectTimeout),
                read: TimeAmount(configuration.requestTimeout)
            )
            httpConfiguration.redirectConfiguration = .disallow
            // Each request gets a client span from HTTPTransport, with the path template instead of the full URL.
            httpConfiguration.tracing.tracer = nil
            client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: httpConfiguration)
            ownsHTTPClient = true
        }
        let transport = HTTPTransport(
            httpClient: client,
            endpoint: endpoint,
            requestTimeout: configuration.requestTimeout,
            maxResponseBodySize: configuration.maxResponseBodySize
        )
        self.transport = transport
        self.configuration = configuration
        self.requestGate = requestGate

        switch credentials {
        case .tba(let signer):
            authenticator = .tba(signer)
        case .oauth2(let signer):
            let fetcher = TokenFetcher(
                transport: transport,
                signer: signer,
                assertionLifetime: configuration.assertionLifetime
            )
            authenticator = .oauth2(
                AccessTokenCache(margin: configuration.tokenRefreshMargin) { logger in
                    try await fetcher.fetch(logger: logger)
                }
            )
        }
    }

    /// Shuts down the `HTTPClient` if this client created it; does nothing for a shared one.
    public func shutdown() async throws {
        if ownsHTTPClient {
            try await transport.httpClient.shutdown()
        }
    }

    /// URL of the OAuth 2.0 token endpoint for this client's base URL, as the JWT `aud` names it (lower-case
    /// scheme and host, default port left out).
    public var tokenEndpointURL: String {
        transport.endpoint.signatureURL(path: TokenFetcher.path)
    }

    /// Whether `externalID` can be used in an `eid:` URL: non-empty and only letters, digits, `_` and `-`.
    public static func isURLSafeExternalID(_ externalID: String) -> Bool {
        !externalID.isEmpty
            && externalID.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    return true
                default:
                    return false
                }
            }
    }

    /// The internal id at the end of a `Location` header
    /// (`https://…/services/rest/record/v1/customer/647` → `647`), or `nil` when there is none.
    public static func internalID(fromLocation location: String) -> String? {
        var text = Substring(location.trimmingWhitespace())
        if let end = text.firstIndex(where: { $0 == "?" || $0 == "#" }) {
            text = text[..<end]
        }
        if let schemeEnd = text.range(of: "://") {
            // Drop scheme and authority: only the path can carry the id.
            let afterAuthority = text[schemeEnd.upperBound...]
            text = afterAuthority.firstIndex(of: "/").map { afterAuthority[$0...] } ?? ""
        }
        guard let segment = text.split(separator: "/", omittingEmptySubsequences: true).last,
            let decoded = PercentEncoding.decode(String(segment)),
            !decoded.isEmpty, !decoded.hasPrefix("eid:"), !decoded.contains(":")
        else { return nil }
        return decoded
    }
}

// MARK: - Sending requests

extension NetSuiteClient {
    /// Sends an authenticated request and returns the 2xx answer; throws ``NetSuiteError`` for anything else.
    /// With OAuth 2.0, a 401 invalidates the token used and the request is retried once with a new one.
    /// With a ``requestGate``, the exchange holds a lease slot and 429s are retried (see ``NetSuiteRequestGate``).
    func perform(_ request: HTTPTransport.Request, logger: Logger) async throws -> HTTPTransport.Response {
        guard let requestGate else { return try await performOnce(request, logger: logger) }
        return try await requestGate.run(logger: logger) { try await self.performOnce(request, logger: logger) }
    }

    private func performOnce(_ request: HTTPTransport.Request, logger: Logger) async throws -> HTTPTransport.Response {
        switch authenticator {
        case .tba(let signer):
            let authorization = signer.authorization(
                method: request.method.rawValue,
                signatureURL: transport.endpoint.signatureURL(path: request.path),
                query: request.query
            )
            let response = try await transport.send(request, authorization: authorization, logger: logger)
            return try request.check(response)
        case .oauth2(let cache):
            var attempt = 1
            while true {
                let token: String
                do {
                    token = try await cache.token(logger: logger)
                } catch {
                    // The request itself was never sent.
                    var failure = HTTPTransport.transportError(error, request: request)
                    failure.mayHaveCommitted = false
                    throw failure
                }
                let response = try await transport.send(request, authorization: "Bearer " + token, logger: logger)
                if response.status == 401, attempt == 1 {
                    logger.debug(
                        "netsuite bearer token rejected, renewing",
                        metadata: ["netsuite.path": "\(request.path)"]
                    )
                    await cache.invalidate(token)
                    attempt += 1
                    continue
                }
                return try request.check(response)
            }
        }
    }
}

/// Fetches OAuth 2.0 access tokens with a signed client assertion (client credentials grant).
struct TokenFetcher: Sendable {
    static let path = "/services/rest/auth/oauth2/v1/token"

    let transport: HTTPTransport
    let signer: ClientAssertionSigner
    let assertionLifetime: Duration

    func fetch(logger: Logger) async throws -> AccessToken {
        let audience = transport.endpoint.signatureURL(path: Self.path)
        let assertion = try signer.assertion(
            audience: audience,
            issuedAt: Int(Date().timeIntervalSince1970),
            lifetime: Int(assertionLifetime.components.seconds)
        )
        let form = PercentEncoding.query([
            ("grant_type", "client_credentials"),
            ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
            ("client_assertion", assertion),
        ])
        let request = HTTPTransport.Request(
            method: .POST,
            path: Self.path,
            headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: Data(form.utf8),
            isWrite: false
        )
        let response = try await transport.send(request, authorization: nil, logger: logger)
        guard (200..<300).contains(response.status) else {
            var error = NetSuiteError.fromResponse(
                status: response.status,
                body: response.body,
                method: "POST",
                path: Self.path
            )
            // The token endpoint answers 400 `invalid_client`/`invalid_grant` for rejected assertions.
            if error.kind == .validation || error.kind == .forbidden || error.kind == .notFound {
                error.kind = .authentication
            }
            throw error
        }
        let json = try request.decodeJSON(response)
        guard let value = json["access_token"]?.stringValue, !value.isEmpty else {
            throw NetSuiteError(
                kind: .unexpectedResponse,
                status: response.status,
                method: "POST",
                path: Self.path,
                message: "token response has no access_token"
            )
        }
        let seconds = json["expires_in"]?.intValue ?? 3600
        return AccessToken(value: value, lifetime: .seconds(max(seconds, 1)))
    }
}
