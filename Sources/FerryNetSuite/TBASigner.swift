import Crypto
import Foundation

/// Signs requests with NetSuite token-based authentication: OAuth 1.0a (RFC 5849), HMAC-SHA256.
struct TBASigner: Sendable {
    /// The account id in NetSuite's spelling (`1234567_SB1`).
    let realm: String
    let consumerKey: String
    let consumerSecret: String
    let tokenID: String
    let tokenSecret: String

    /// The `Authorization` header value for one request. `nonce` and `timestamp` are fresh unless injected (tests).
    ///
    /// - Parameters:
    ///   - method: HTTP method.
    ///   - signatureURL: base-string URL: lower-case scheme and host, non-default port, path, no query.
    ///   - query: every query parameter as sent (decoded form).
    func authorization(
        method: String,
        signatureURL: String,
        query: [(name: String, value: String)],
        nonce: String = TBASigner.makeNonce(),
        timestamp: Int = Int(Date().timeIntervalSince1970)
    ) -> String {
        let oauth = oauthParameters(nonce: nonce, timestamp: timestamp)
        let base = Self.signatureBaseString(method: method, url: signatureURL, parameters: oauth + query)
        let signature = self.signature(baseString: base)
        var fields = ["realm=\"\(realm)\""]
        for (name, value) in oauth + [("oauth_signature", signature)] {
            fields.append(name + "=\"" + PercentEncoding.encode(value) + "\"")
        }
        return "OAuth " + fields.joined(separator: ", ")
    }

    /// The `oauth_*` protocol parameters that are signed (everything but `realm` and `oauth_signature`).
    func oauthParameters(nonce: String, timestamp: Int) -> [(name: String, value: String)] {
        [
            ("oauth_consumer_key", consumerKey),
            ("oauth_token", tokenID),
            ("oauth_signature_method", "HMAC-SHA256"),
            ("oauth_timestamp", String(timestamp)),
            ("oauth_nonce", nonce),
            ("oauth_version", "1.0"),
        ]
    }

    /// base64(HMAC-SHA256(enc(consumerSecret) & enc(tokenSecret), baseString)).
    func signature(baseString: String) -> String {
        let key = SymmetricKey(
            data: Data(
                (PercentEncoding.encode(consumerSecret) + "&"
                    + PercentEncoding.encode(tokenSecret)).utf8
            )
        )
        let mac = HMAC<SHA256>.authenticationCode(for: Data(baseString.utf8), using: key)
        return Data(mac).base64EncodedString()
    }

    /// RFC 5849 §3.4.1: `UPPER(method) & enc(url) & enc(normalised parameters)`, where the parameters are encoded,
    /// sorted by name then value (byte order), joined as `name=value` with `&`.
    static func signatureBaseString(
        method: String,
        url: String,
        parameters: [(name: String, value: String)]
    ) -> String {
        let normalized = normalizedParameters(parameters)
        return method.uppercased() + "&" + PercentEncoding.encode(url) + "&" + PercentEncoding.encode(normalized)
    }

    /// RFC 5849 §3.4.1.3.2 parameter normalisation.
    static func normalizedParameters(_ parameters: [(name: String, value: String)]) -> String {
        let encoded = parameters.map { (PercentEncoding.encode($0.name), PercentEncoding.encode($0.value)) }
        let sorted = encoded.sorted { lhs, rhs in
            lhs.0 != rhs.0
                ? Array(lhs.0.utf8).lexicographicallyPrecedes(rhs.0.utf8)
                : Array(lhs.1.utf8).lexicographicallyPrecedes(rhs.1.utf8)
        }
        return sorted.map { $0.0 + "=" + $0.1 }.joined(separator: "&")
    }

    /// 32 random alphanumeric characters.
    static func makeNonce() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<32).map { _ in alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))] })
    }
}
