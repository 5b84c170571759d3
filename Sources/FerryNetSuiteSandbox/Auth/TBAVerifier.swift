import Crypto
import Foundation
import Synchronization

/// Checks `Authorization: OAuth …` headers the way NetSuite does for Token-Based Authentication (A9.1, A13.10):
/// realm = account id, HMAC-SHA256 only, known consumer and token, timestamp inside the window, nonce never
/// reused for the same consumer and token, and a signature over method, base URI and all query parameters.
final class TBAVerifier: Sendable {
    /// Why a header was refused. Logged by the sandbox; the client only ever sees `401 INVALID_LOGIN`.
    struct Failure: Error, Sendable, Equatable {
        var reason: String
    }

    private struct NonceKey: Hashable {
        var consumerKey: String
        var token: String
        var nonce: String
    }

    private let accountID: String
    private let credentials: [String: NetSuiteSandboxConfiguration.TBACredential]
    private let tolerance: TimeInterval
    private let clock: @Sendable () -> Date
    /// Nonces seen, with the time they were seen; entries older than the timestamp window are dropped, since a
    /// request that old is refused by its timestamp anyway.
    private let seenNonces = Mutex<[NonceKey: Date]>([:])

    init(
        accountID: String,
        credentials: [NetSuiteSandboxConfiguration.TBACredential],
        tolerance: Duration,
        clock: @escaping @Sendable () -> Date
    ) {
        self.accountID = accountID
        self.credentials = Dictionary(
            credentials.map { ("\($0.consumerKey)&\($0.tokenID)", $0) },
            uniquingKeysWith: { first, _ in first }
        )
        self.tolerance = tolerance.seconds
        self.clock = clock
    }

    /// Parses `OAuth k="v", …` into decoded values. Nil when the header is not an OAuth header.
    static func parseHeader(_ header: String) -> [String: String]? {
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.count > 6, trimmed.prefix(6).lowercased() == "oauth " else { return nil }
        var parameters: [String: String] = [:]
        for part in trimmed.dropFirst(6).split(separator: ",") {
            let pair = part.trimmingCharacters(in: .whitespaces)
            guard !pair.isEmpty else { continue }
            let pieces = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard pieces.count == 2 else { return nil }
            var value = pieces[1].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
                value = String(value.dropFirst().dropLast())
            }
            let name = TBASignature.percentDecode(pieces[0].trimmingCharacters(in: .whitespaces))
            guard parameters[name] == nil else { return nil }  // a repeated parameter is malformed
            parameters[name] = TBASignature.percentDecode(value)
        }
        return parameters
    }

    /// Verifies one request. `baseURI` is the normalised `scheme://host/path` the client must have signed.
    func verify(method: String, baseURI: String, query: String?, authorization: String) throws {
        guard let oauth = Self.parseHeader(authorization) else { throw Failure(reason: "not an OAuth header") }
        guard oauth["realm"] == accountID else { throw Failure(reason: "realm is not the account id") }
        guard oauth["oauth_signature_method"] == "HMAC-SHA256" else {
            throw Failure(reason: "signature method is not HMAC-SHA256")
        }
        if let version = oauth["oauth_version"], version != "1.0" { throw Failure(reason: "oauth_version is not 1.0") }
        guard let consumerKey = oauth["oauth_consumer_key"], let token = oauth["oauth_token"],
            let credential = credentials["\(consumerKey)&\(token)"]
        else { throw Failure(reason: "unknown consumer key or token") }
        guard let timestampText = oauth["oauth_timestamp"], let timestamp = TimeInterval(timestampText) else {
            throw Failure(reason: "missing timestamp")
        }
        let now = clock()
        guard abs(now.timeIntervalSince1970 - timestamp) <= tolerance else {
            throw Failure(reason: "timestamp outside the accepted window")
        }
        guard let nonce = oauth["oauth_nonce"], !nonce.isEmpty else { throw Failure(reason: "missing nonce") }
        guard let signature = oauth["oauth_signature"] else { throw Failure(reason: "missing signature") }

        var parameters = oauth.filter { $0.key != "realm" && $0.key != "oauth_signature" }.map { ($0.key, $0.value) }
        parameters += TBASignature.queryParameters(query)
        let baseString = TBASignature.baseString(method: method, baseURI: baseURI, parameters: parameters)
        let expected = TBASignature.sign(
            baseString: baseString,
            consumerSecret: credential.consumerSecret,
            tokenSecret: credential.tokenSecret
        )
        guard Self.constantTimeEqual(Array(expected.utf8), Array(signature.utf8)) else {
            throw Failure(reason: "signature mismatch")
        }

        let key = NonceKey(consumerKey: consumerKey, token: token, nonce: nonce)
        let reused = seenNonces.withLock { seen -> Bool in
            let horizon = now.addingTimeInterval(-2 * tolerance - 60)
            if seen.count > 10_000 { seen = seen.filter { $0.value > horizon } }
            if seen[key] != nil { return true }
            seen[key] = now
            return false
        }
        guard !reused else { throw Failure(reason: "nonce reused") }
    }

    private static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
