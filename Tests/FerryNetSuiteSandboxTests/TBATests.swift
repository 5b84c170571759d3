import FerrySandboxData
import Foundation
import Testing

@testable import FerryNetSuiteSandbox

/// Token-Based Authentication against a known-answer vector computed outside the project.
///
/// The expected values below were produced by this Python 3 script (standard library only), run with
/// Python 3.11.7; its three output lines are the base string, the signature, and the signature a client gets
/// when it leaves the query parameters out of the base string:
///
/// ```python
/// import base64, hashlib, hmac, urllib.parse
///
/// def enc(s):
///     return urllib.parse.quote(s, safe="-._~")
///
/// method = "POST"
/// base_uri = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql"
/// query = [("limit", "10"), ("offset", "0")]
/// oauth = [
///     ("oauth_consumer_key", "ferry-kat-consumer"),
///     ("oauth_token", "ferry-kat-token"),
///     ("oauth_signature_method", "HMAC-SHA256"),
///     ("oauth_timestamp", "1718000000"),
///     ("oauth_nonce", "kat-nonce-0001"),
///     ("oauth_version", "1.0"),
/// ]
/// consumer_secret, token_secret = "ferry kat&consumer secret", "ferry-kat-token-secret"
///
/// def sign(params):
///     pairs = sorted((enc(k), enc(v)) for k, v in params)
///     normalised = "&".join(f"{k}={v}" for k, v in pairs)
///     base_string = "&".join([method, enc(base_uri), enc(normalised)])
///     key = enc(consumer_secret) + "&" + enc(token_secret)
///     digest = hmac.new(key.encode(), base_string.encode(), hashlib.sha256).digest()
///     return base_string, base64.b64encode(digest).decode()
///
/// base_string, signature = sign(oauth + query)
/// _, signature_without_query = sign(oauth)
/// print(base_string)
/// print(signature)
/// print(signature_without_query)
/// ```
@Suite("TBA")
struct TBATests {
    enum Vector {
        static let baseURL = "https://1234567-sb1.suitetalk.api.netsuite.com"
        static let path = "/services/rest/query/v1/suiteql"
        static let query = "limit=10&offset=0"
        static let credential = NetSuiteSandboxConfiguration.TBACredential(
            consumerKey: "ferry-kat-consumer",
            consumerSecret: "ferry kat&consumer secret",
            tokenID: "ferry-kat-token",
            tokenSecret: "ferry-kat-token-secret"
        )
        static let timestamp = 1_718_000_000
        static let nonce = "kat-nonce-0001"
        static let baseString =
            "POST&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Fquery%2Fv1"
            + "%2Fsuiteql&limit%3D10%26oauth_consumer_key%3Dferry-kat-consumer%26oauth_nonce%3Dkat-nonce-0001"
            + "%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1718000000%26oauth_token%3Dferry-kat-token"
            + "%26oauth_version%3D1.0%26offset%3D0"
        static let signature = "fybCRCDCEbJHoqBF62AAM6/lGuAyCkgmk3fFDtboBEI="
        static let signatureWithoutQuery = "bu5Qs+1pLfkU/N4PXWqSB/Pl6JLjNsKipyDc++8Olrg="
    }

    /// An `Authorization` header with the given values, signature percent-encoded.
    static func header(
        signature: String,
        realm: String = "1234567_SB1",
        consumerKey: String = Vector.credential.consumerKey,
        token: String = Vector.credential.tokenID,
        method: String = "HMAC-SHA256",
        timestamp: Int = Vector.timestamp,
        nonce: String = Vector.nonce
    ) -> String {
        "OAuth realm=\"\(realm)\", oauth_consumer_key=\"\(consumerKey)\", oauth_token=\"\(token)\", "
            + "oauth_signature_method=\"\(method)\", oauth_timestamp=\"\(timestamp)\", oauth_nonce=\"\(nonce)\", "
            + "oauth_version=\"1.0\", oauth_signature=\"\(TBASignature.percentEncode(signature))\""
    }

    /// Signs like a correct client would, with this project's signer (checked against the vector above).
    static func sign(
        method: String = "POST",
        baseURI: String,
        query: String?,
        signatureMethod: String = "HMAC-SHA256",
        timestamp: Int,
        nonce: String,
        credential: NetSuiteSandboxConfiguration.TBACredential = Vector.credential
    )
        -> String
    {
        let oauth = [
            ("oauth_consumer_key", credential.consumerKey), ("oauth_token", credential.tokenID),
            ("oauth_signature_method", signatureMethod), ("oauth_timestamp", String(timestamp)),
            ("oauth_nonce", nonce), ("oauth_version", "1.0"),
        ]
        let base = TBASignature.baseString(
            method: method,
            baseURI: baseURI,
            parameters: oauth + TBASignature.queryParameters(query)
        )
        return TBASignature.sign(
            baseString: base,
            consumerSecret: credential.consumerSecret,
            tokenSecret: credential.tokenSecret
        )
    }

    /// A sandbox set up for the vector: its host as public base URL, its credential, its clock.
    static func kat() -> NetSuiteSandboxConfiguration {
        .test { configuration in
            configuration.requireAuthentication = true
            configuration.publicBaseURL = Vector.baseURL
            configuration.tbaCredentials = [Vector.credential]
            configuration.clock = { Date(timeIntervalSince1970: TimeInterval(Vector.timestamp + 30)) }
        }
    }

    static func suiteQL(
        _ sandbox: TestSandbox,
        authorization: String?,
        query: String = Vector.query
    ) async throws
        -> HTTPResult
    {
        var headers = ["Prefer": "transient"]
        if let authorization { headers["Authorization"] = authorization }
        return try await sandbox.send(
            .POST,
            "\(Vector.path)?\(query)",
            json: #"{"q": "SELECT id FROM item"}"#,
            headers: headers
        )
    }

    // MARK: Tests

    @Test func baseStringAndSignatureMatchTheKnownAnswer() {
        let oauth = [
            ("oauth_consumer_key", "ferry-kat-consumer"), ("oauth_token", "ferry-kat-token"),
            ("oauth_signature_method", "HMAC-SHA256"), ("oauth_timestamp", "1718000000"),
            ("oauth_nonce", "kat-nonce-0001"), ("oauth_version", "1.0"),
        ]
        let base = TBASignature.baseString(
            method: "post",
            baseURI: Vector.baseURL + Vector.path,
            parameters: oauth + TBASignature.queryParameters(Vector.query)
        )
        #expect(base == Vector.baseString)
        let signature = TBASignature.sign(
            baseString: base,
            consumerSecret: Vector.credential.consumerSecret,
            tokenSecret: Vector.credential.tokenSecret
        )
        #expect(signature == Vector.signature)
        #expect(
            TBASignature.baseURI(
                scheme: "HTTPS",
                authority: "1234567-SB1.suitetalk.api.netsuite.com:443",
                path: Vector.path
            ) == Vector.baseURL + Vector.path
        )
        #expect(TBASignature.percentEncode("a b+c/~é") == "a%20b%2Bc%2F~%C3%A9")
    }

    @Test func serverAcceptsTheKnownAnswerRequestOnceAndRejectsItsReplay() async throws {
        try await withSandbox(Self.kat()) { sandbox in
            let authorization = Self.header(signature: Vector.signature)
            let accepted = try await Self.suiteQL(sandbox, authorization: authorization)
            #expect(accepted.status == 200)
            let replayed = try await Self.suiteQL(sandbox, authorization: authorization)
            #expect(replayed.status == 401)
            #expect(replayed.errorCode == "INVALID_LOGIN")
        }
    }

    @Test func oneCharacterChangeOfTheSignatureIsRejected() async throws {
        try await withSandbox(Self.kat()) { sandbox in
            var altered = Array(Vector.signature)
            altered[5] = altered[5] == "A" ? "B" : "A"
            let result = try await Self.suiteQL(sandbox, authorization: Self.header(signature: String(altered)))
            #expect(result.status == 401)
            #expect(result.errorCode == "INVALID_LOGIN")
            // The untouched vector still works: the rejection was about the signature alone.
            #expect(
                try await Self.suiteQL(sandbox, authorization: Self.header(signature: Vector.signature)).status == 200
            )
        }
    }

    @Test func signatureWithoutTheQueryParametersIsRejected() async throws {
        try await withSandbox(Self.kat()) { sandbox in
            let result = try await Self.suiteQL(
                sandbox,
                authorization: Self.header(signature: Vector.signatureWithoutQuery)
            )
            #expect(result.status == 401)
            // Changing the query after signing is caught the same way.
            let moved = try await Self.suiteQL(
                sandbox,
                authorization: Self.header(signature: Vector.signature),
                query: "limit=10&offset=10"
            )
            #expect(moved.status == 401)
        }
    }

    @Test func staleAndFutureTimestampsAreRejected() async throws {
        try await withSandbox(Self.kat()) { sandbox in
            let uri = Vector.baseURL + Vector.path
            for (offset, expected) in [(-400, 401), (400, 401), (-250, 200)] {
                let timestamp = Vector.timestamp + 30 + offset
                let nonce = "nonce-\(offset)"
                let signature = Self.sign(baseURI: uri, query: Vector.query, timestamp: timestamp, nonce: nonce)
                let result = try await Self.suiteQL(
                    sandbox,
                    authorization: Self.header(signature: signature, timestamp: timestamp, nonce: nonce)
                )
                #expect(result.status == expected, "offset \(offset)")
            }
        }
    }

    @Test func hmacSHA1WrongRealmAndUnknownTokensAreRejected() async throws {
        try await withSandbox(Self.kat()) { sandbox in
            let uri = Vector.baseURL + Vector.path
            let sha1 = Self.sign(
                baseURI: uri,
                query: Vector.query,
                signatureMethod: "HMAC-SHA1",
                timestamp: Vector.timestamp,
                nonce: "n-sha1"
            )
            let sha1Result = try await Self.suiteQL(
                sandbox,
                authorization: Self.header(signature: sha1, method: "HMAC-SHA1", nonce: "n-sha1")
            )
            #expect(sha1Result.status == 401)

            for realm in ["1234567-sb1", "1234567_sb1", "7654321_SB1"] {
                let signature = Self.sign(
                    baseURI: uri,
                    query: Vector.query,
                    timestamp: Vector.timestamp,
                    nonce: "n-\(realm)"
                )
                let result = try await Self.suiteQL(
                    sandbox,
                    authorization: Self.header(signature: signature, realm: realm, nonce: "n-\(realm)")
                )
                #expect(result.status == 401, "realm \(realm)")
            }

            let stranger = NetSuiteSandboxConfiguration.TBACredential(
                consumerKey: "someone",
                consumerSecret: "x",
                tokenID: "else",
                tokenSecret: "y"
            )
            let unknown = Self.sign(
                baseURI: uri,
                query: Vector.query,
                timestamp: Vector.timestamp,
                nonce: "n-unknown",
                credential: stranger
            )
            let unknownResult = try await Self.suiteQL(
                sandbox,
                authorization: Self.header(
                    signature: unknown,
                    consumerKey: "someone",
                    token: "else",
                    nonce: "n-unknown"
                )
            )
            #expect(unknownResult.status == 401)

            let missing = try await Self.suiteQL(sandbox, authorization: nil)
            #expect(missing.status == 401)
            #expect(missing.errorDetail?.hasPrefix("Invalid login attempt.") == true)
            #expect(missing.json?["title"] == .string("Unauthorized"))
        }
    }

    @Test func baseURLComesFromTheHostHeaderWithoutAConfiguredPublicURL() async throws {
        try await withSandbox(
            .test {
                $0.requireAuthentication = true
                $0.tbaCredentials = [Vector.credential]
            }
        ) { sandbox in
            let now = Int(Date().timeIntervalSince1970)
            let path = "/services/rest/record/v1/customer/\(TestWorld.customerID)"
            let query = "expandSubResources=true&fields=a%20b"
            let signature = Self.sign(
                method: "GET",
                baseURI: sandbox.baseURL + path,
                query: query,
                timestamp: now,
                nonce: "host-nonce"
            )
            let result = try await sandbox.send(
                .GET,
                "\(path)?\(query)",
                headers: ["Authorization": Self.header(signature: signature, timestamp: now, nonce: "host-nonce")]
            )
            #expect(result.status == 200)
            // The default credential is not configured here.
            let defaultCredential = NetSuiteSandboxConfiguration.TBACredential.sandboxDefault
            let other = Self.sign(
                method: "GET",
                baseURI: sandbox.baseURL + path,
                query: nil,
                timestamp: now,
                nonce: "n2",
                credential: defaultCredential
            )
            let refused = try await sandbox.send(
                .GET,
                path,
                headers: [
                    "Authorization": Self.header(
                        signature: other,
                        consumerKey: defaultCredential.consumerKey,
                        token: defaultCredential.tokenID,
                        timestamp: now,
                        nonce: "n2"
                    )
                ]
            )
            #expect(refused.status == 401)
        }
    }
}
