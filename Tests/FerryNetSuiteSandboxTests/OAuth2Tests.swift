import Crypto
import FerrySandboxData
import Foundation
import Testing
import _CryptoExtras

@testable import FerryNetSuiteSandbox

@Suite("OAuth 2.0 M2M")
struct OAuth2Tests {
    static let rsaKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)
    static let ecKey = P256.Signing.PrivateKey()
    static let otherECKey = P256.Signing.PrivateKey()
    static let tokenPath = "/services/rest/auth/oauth2/v1/token"

    static func configure(_ clock: TestClock, lifetime: Duration = .seconds(3600)) -> NetSuiteSandboxConfiguration {
        .test { configuration in
            configuration.requireAuthentication = true
            configuration.clock = clock.function
            configuration.accessTokenLifetime = lifetime
            configuration.oauth2Clients = [
                .init(
                    clientID: "client-rsa",
                    certificateID: "cert-rsa",
                    publicKeyPEM: rsaKey.publicKey.pemRepresentation
                ),
                .init(clientID: "client-ec", certificateID: "cert-ec", publicKeyPEM: ecKey.publicKey.pemRepresentation),
            ]
        }
    }

    enum Signer {
        case rsa(_RSA.Signing.PrivateKey)
        case ec(P256.Signing.PrivateKey)
    }

    struct Claims {
        var alg: String
        var kid: String
        var iss: String
        var aud: String
        var scope: JSONValue = .array([.string("rest_webservices")])
        var iat: Date
        var exp: Date
    }

    static func jwt(_ claims: Claims, signer: Signer) throws -> String {
        let header = JSONValue.object(["typ": .string("JWT"), "alg": .string(claims.alg), "kid": .string(claims.kid)])
        let payload = JSONValue.object([
            "iss": .string(claims.iss), "aud": .string(claims.aud), "scope": claims.scope,
            "iat": .number(Decimal(Int(claims.iat.timeIntervalSince1970))),
            "exp": .number(Decimal(Int(claims.exp.timeIntervalSince1970))),
        ])
        let input =
            Base64URL.encode(Array(header.serialized.utf8)) + "." + Base64URL.encode(Array(payload.serialized.utf8))
        let signature: Data
        switch signer {
        case .rsa(let key):
            signature = try key.signature(for: SHA256.hash(data: Data(input.utf8)), padding: .PSS).rawRepresentation
        case .ec(let key):
            signature = try key.signature(for: Data(input.utf8)).rawRepresentation
        }
        return input + "." + Base64URL.encode(signature)
    }

    static func requestToken(
        _ sandbox: TestSandbox,
        assertion: String,
        grantType: String = "client_credentials"
    )
        async throws -> HTTPResult
    {
        let form =
            "grant_type=\(grantType)"
            + "&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer"
            + "&client_assertion=\(assertion)"
        return try await sandbox.send(
            .POST,
            tokenPath,
            body: form,
            headers: ["Content-Type": "application/x-www-form-urlencoded"]
        )
    }

    static func claims(
        _ sandbox: TestSandbox,
        clock: TestClock,
        alg: String = "PS256",
        kid: String = "cert-rsa",
        iss: String = "client-rsa"
    ) -> Claims {
        Claims(
            alg: alg,
            kid: kid,
            iss: iss,
            aud: sandbox.baseURL + tokenPath,
            iat: clock.now,
            exp: clock.now.addingTimeInterval(3_000)
        )
    }

    @Test func ps256AssertionGetsABearerTokenThatAuthenticates() async throws {
        let clock = TestClock()
        try await withSandbox(Self.configure(clock)) { sandbox in
            let assertion = try Self.jwt(Self.claims(sandbox, clock: clock), signer: .rsa(Self.rsaKey))
            let answer = try await Self.requestToken(sandbox, assertion: assertion)
            #expect(answer.status == 200)
            let json = try #require(answer.json)
            #expect(json["token_type"] == .string("bearer"))
            #expect(json["expires_in"] == .string("3600"))
            let token = try #require(json["access_token"]?.stringValue)

            let call = try await sandbox.send(
                .GET,
                "/services/rest/system/v1/governanceLimits",
                headers: ["Authorization": "Bearer \(token)"]
            )
            #expect(call.status == 200)
            let wrong = try await sandbox.send(
                .GET,
                "/services/rest/system/v1/governanceLimits",
                headers: ["Authorization": "Bearer not-\(token)"]
            )
            #expect(wrong.status == 401)
            #expect(wrong.errorCode == "INVALID_LOGIN")
        }
    }

    @Test func es256AssertionGetsABearerToken() async throws {
        let clock = TestClock()
        try await withSandbox(Self.configure(clock)) { sandbox in
            let claims = Self.claims(sandbox, clock: clock, alg: "ES256", kid: "cert-ec", iss: "client-ec")
            let answer = try await Self.requestToken(sandbox, assertion: try Self.jwt(claims, signer: .ec(Self.ecKey)))
            #expect(answer.status == 200)
            #expect(answer.json?["access_token"]?.stringValue?.isEmpty == false)
        }
    }

    @Test func expiredBearerTokenIs401() async throws {
        let clock = TestClock()
        try await withSandbox(Self.configure(clock, lifetime: .seconds(60))) { sandbox in
            let assertion = try Self.jwt(Self.claims(sandbox, clock: clock), signer: .rsa(Self.rsaKey))
            let answer = try await Self.requestToken(sandbox, assertion: assertion)
            #expect(answer.json?["expires_in"] == .string("60"))
            let token = try #require(answer.json?["access_token"]?.stringValue)
            let path = "/services/rest/record/v1/customer/\(TestWorld.customerID)"
            #expect(try await sandbox.send(.GET, path, headers: ["Authorization": "Bearer \(token)"]).status == 200)
            clock.advance(by: 61)
            let expired = try await sandbox.send(.GET, path, headers: ["Authorization": "Bearer \(token)"])
            #expect(expired.status == 401)
            #expect(expired.errorCode == "INVALID_LOGIN")
        }
    }

    struct BadAssertion: Sendable, CustomTestStringConvertible {
        var name: String
        var error: String
        var testDescription: String { name }
    }

    static let badAssertions: [BadAssertion] = [
        .init(name: "unknown kid", error: "invalid_client"),
        .init(name: "wrong iss", error: "invalid_client"),
        .init(name: "wrong aud", error: "invalid_grant"),
        .init(name: "RS256", error: "invalid_client"),
        .init(name: "HS256", error: "invalid_client"),
        .init(name: "expired", error: "invalid_grant"),
        .init(name: "exp more than an hour after iat", error: "invalid_grant"),
        .init(name: "signed by another key", error: "invalid_client"),
        .init(name: "ES256 header on an RSA key", error: "invalid_client"),
        .init(name: "no rest_webservices scope", error: "invalid_scope"),
        .init(name: "not a JWT", error: "invalid_client"),
        .init(name: "wrong grant type", error: "unsupported_grant_type"),
    ]

    @Test(arguments: badAssertions)
    func badAssertionsAreRefused(_ bad: BadAssertion) async throws {
        let clock = TestClock()
        try await withSandbox(Self.configure(clock)) { sandbox in
            var claims = Self.claims(sandbox, clock: clock)
            var signer = Signer.rsa(Self.rsaKey)
            var grantType = "client_credentials"
            var raw: String?
            switch bad.name {
            case "unknown kid": claims.kid = "cert-unknown"
            case "wrong iss": claims.iss = "client-ec"
            case "wrong aud":
                claims.aud = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"
            case "RS256": claims.alg = "RS256"
            case "HS256": claims.alg = "HS256"
            case "expired":
                claims.iat = clock.now.addingTimeInterval(-4_000)
                claims.exp = clock.now.addingTimeInterval(-1_000)
            case "exp more than an hour after iat": claims.exp = claims.iat.addingTimeInterval(3_601)
            case "signed by another key":
                claims = Self.claims(sandbox, clock: clock, alg: "ES256", kid: "cert-ec", iss: "client-ec")
                signer = .ec(Self.otherECKey)
            case "ES256 header on an RSA key":
                claims.alg = "ES256"
                signer = .ec(Self.ecKey)
            case "no rest_webservices scope": claims.scope = .string("restlets")
            case "not a JWT": raw = "abc.def"
            default: grantType = "authorization_code"
            }
            let assertion = try raw ?? Self.jwt(claims, signer: signer)
            let answer = try await Self.requestToken(sandbox, assertion: assertion, grantType: grantType)
            #expect(answer.status == 400)
            #expect(answer.json?["error"] == .string(bad.error))
        }
    }

    @Test func tokenEndpointNeedsAFormBody() async throws {
        let clock = TestClock()
        try await withSandbox(Self.configure(clock)) { sandbox in
            let answer = try await sandbox.send(.POST, Self.tokenPath, json: #"{"grant_type": "client_credentials"}"#)
            #expect(answer.status == 400)
            #expect(answer.json?["error"] == .string("invalid_request"))
        }
    }
}
