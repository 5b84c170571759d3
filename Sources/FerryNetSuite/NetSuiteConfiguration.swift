/// How to reach and authenticate against one NetSuite account (the real one or Ferry's sandbox).
///
/// Every key, with its default:
/// - `baseURL`: scheme, host and optional port (and path prefix) of the account's SuiteTalk domain, e.g.
///   `https://1234567-sb1.suitetalk.api.netsuite.com` or `http://127.0.0.1:8081`. No default: Oracle says to read it
///   from Company Information rather than build it; ``accountHost(forAccountID:)`` gives the usual value.
/// - `accountID`: the account id in NetSuite's spelling (`1234567_SB1`); used as the TBA `realm`.
/// - `auth`: TBA or OAuth 2.0 client credentials, see ``NetSuiteAuthentication``.
/// - `requestTimeout`: 120 s. Whole request, from sending to the last body byte.
/// - `connectTimeout`: 10 s. Used when the client creates its own `HTTPClient`.
/// - `tokenRefreshMargin`: 300 s. OAuth 2.0 tokens are renewed this long before `expires_in` runs out
///   (at most half the token lifetime).
/// - `assertionLifetime`: 300 s. Lifetime (`exp - iat`) of the OAuth 2.0 client assertion JWT; capped at 3600 s.
/// - `maxResponseBodySize`: 64 MiB.
public struct NetSuiteConfiguration: Sendable {
    /// Scheme, host, optional port and optional path prefix of the SuiteTalk REST domain.
    public var baseURL: String
    /// Account id as NetSuite spells it (`1234567_SB1`); the TBA realm.
    public var accountID: String
    /// Credentials.
    public var auth: NetSuiteAuthentication
    /// Time allowed for one HTTP request, including reading the response body.
    public var requestTimeout: Duration
    /// Time allowed to open a connection (only for an `HTTPClient` created by ``NetSuiteClient``).
    public var connectTimeout: Duration
    /// How long before expiry a cached OAuth 2.0 access token is renewed.
    public var tokenRefreshMargin: Duration
    /// `exp - iat` of the OAuth 2.0 client assertion.
    public var assertionLifetime: Duration
    /// Largest response body accepted.
    public var maxResponseBodySize: Int

    /// Creates a configuration for an explicit base URL (the real account domain or a sandbox such as
    /// `http://127.0.0.1:PORT`).
    public init(
        baseURL: String,
        accountID: String,
        auth: NetSuiteAuthentication,
        requestTimeout: Duration = .seconds(120),
        connectTimeout: Duration = .seconds(10),
        tokenRefreshMargin: Duration = .seconds(300),
        assertionLifetime: Duration = .seconds(300),
        maxResponseBodySize: Int = 64 * 1024 * 1024
    ) {
        self.baseURL = baseURL
        self.accountID = accountID
        self.auth = auth
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.tokenRefreshMargin = tokenRefreshMargin
        self.assertionLifetime = assertionLifetime
        self.maxResponseBodySize = maxResponseBodySize
    }

    /// Creates a configuration whose base URL is `https://` + ``accountHost(forAccountID:)``.
    public init(
        accountID: String,
        auth: NetSuiteAuthentication,
        requestTimeout: Duration = .seconds(120),
        connectTimeout: Duration = .seconds(10)
    ) {
        self.init(
            baseURL: "https://" + Self.accountHost(forAccountID: accountID),
            accountID: accountID,
            auth: auth,
            requestTimeout: requestTimeout,
            connectTimeout: connectTimeout
        )
    }

    /// The usual SuiteTalk host of an account: lower-cased, `_` replaced by `-`.
    ///
    /// `1234567_SB1` → `1234567-sb1.suitetalk.api.netsuite.com`.
    public static func accountHost(forAccountID accountID: String) -> String {
        let label = accountID.trimmingWhitespace().lowercased().replacing("_", with: "-")
        return label + ".suitetalk.api.netsuite.com"
    }
}

/// Credentials for SuiteTalk REST.
public enum NetSuiteAuthentication: Sendable {
    /// Token-based authentication (OAuth 1.0a, HMAC-SHA256).
    case tba(consumerKey: String, consumerSecret: String, tokenID: String, tokenSecret: String)
    /// OAuth 2.0 client credentials (machine to machine): a JWT signed with the private key whose certificate was
    /// uploaded to NetSuite; `certificateID` is the id NetSuite showed for it. `scopes` default to `rest_webservices`.
    case oauth2(
        clientID: String,
        certificateID: String,
        privateKeyPEM: String,
        algorithm: NetSuiteJWTAlgorithm = .ps256,
        scopes: [String] = ["rest_webservices"]
    )
}

extension NetSuiteAuthentication: CustomStringConvertible {
    /// Names the method and public identifiers only; secrets and keys are never printed.
    public var description: String {
        switch self {
        case .tba:
            return "tba(<redacted>)"
        case .oauth2(_, let certificateID, _, let algorithm, let scopes):
            return "oauth2(certificateID: \(certificateID), algorithm: \(algorithm.rawValue), scopes: \(scopes))"
        }
    }
}

/// JWS algorithms NetSuite accepts for the OAuth 2.0 client assertion.
public enum NetSuiteJWTAlgorithm: String, Sendable, CaseIterable {
    /// RSASSA-PSS with SHA-256 (RSA key).
    case ps256 = "PS256"
    /// RSASSA-PSS with SHA-384 (RSA key).
    case ps384 = "PS384"
    /// RSASSA-PSS with SHA-512 (RSA key).
    case ps512 = "PS512"
    /// ECDSA P-256 with SHA-256.
    case es256 = "ES256"
    /// ECDSA P-384 with SHA-384.
    case es384 = "ES384"
    /// ECDSA P-521 with SHA-512.
    case es512 = "ES512"
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}

extension NetSuiteConfiguration: CustomStringConvertible {
    /// Base URL, account and auth method; never secrets.
    public var description: String {
        "NetSuiteConfiguration(baseURL: \(baseURL), accountID: \(accountID), auth: \(auth))"
    }
}
