import Crypto
import Foundation
import Testing
import _CryptoExtras

@testable import FerryNetSuite

/// Splits a compact JWS and decodes header and payload.
struct DecodedJWT {
    var header: JSON
    var payload: JSON
    var signingInput: String
    var signature: Data

    init(_ token: String) throws {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        try #require(parts.count == 3)
        for part in parts {
            #expect(!part.contains("="), "base64url must not be padded")
            #expect(!part.contains("+") && !part.contains("/"), "base64url alphabet")
        }
        header = try JSON(data: try #require(Base64URL.decode(parts[0])))
        payload = try JSON(data: try #require(Base64URL.decode(parts[1])))
        signingInput = parts[0] + "." + parts[1]
        signature = try #require(Base64URL.decode(parts[2]))
    }
}

@Suite("OAuth 2.0 client assertion (JWT)")
struct ClientAssertionTests {
    static let audience = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"

    @Test("PS256: header, claims, and a PSS-SHA256 signature that verifies with the public key")
    func ps256() throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let signer = try ClientAssertionSigner(
            clientID: "client-abc",
            certificateID: "cert-123",
            privateKeyPEM: key.pemRepresentation,
            algorithm: .ps256,
            scopes: ["rest_webservices", "restlets"]
        )
        let jwt = try DecodedJWT(try signer.assertion(audience: Self.audience, issuedAt: 1_718_000_000, lifetime: 300))
        #expect(jwt.header == ["alg": "PS256", "kid": "cert-123", "typ": "JWT"])
        #expect(jwt.payload["iss"] == "client-abc")
        #expect(jwt.payload["scope"] == "rest_webservices,restlets")
        #expect(jwt.payload["aud"]?.stringValue == Self.audience)
        #expect(jwt.payload["iat"]?.intValue == 1_718_000_000)
        #expect(jwt.payload["exp"]?.intValue == 1_718_000_300)

        let signature = _RSA.Signing.RSASignature(rawRepresentation: jwt.signature)
        let digest = SHA256.hash(data: Data(jwt.signingInput.utf8))
        #expect(jwt.signature.count == 256)
        #expect(key.publicKey.isValidSignature(signature, for: digest, padding: .PSS))
        #expect(!key.publicKey.isValidSignature(signature, for: digest, padding: .insecurePKCS1v1_5))
        let other = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        #expect(!other.publicKey.isValidSignature(signature, for: digest, padding: .PSS))
    }

    @Test("ES256: raw r||s signature of 64 bytes that verifies with the public key")
    func es256() throws {
        let key = P256.Signing.PrivateKey()
        let signer = try ClientAssertionSigner(
            clientID: "client-abc",
            certificateID: "cert-ec",
            privateKeyPEM: key.pemRepresentation,
            algorithm: .es256,
            scopes: []
        )
        let jwt = try DecodedJWT(try signer.assertion(audience: Self.audience, issuedAt: 1_718_000_000, lifetime: 60))
        #expect(jwt.header == ["alg": "ES256", "kid": "cert-ec", "typ": "JWT"])
        #expect(jwt.payload["scope"] == "rest_webservices", "empty scopes fall back to rest_webservices")
        #expect(jwt.signature.count == 64)
        let signature = try P256.Signing.ECDSASignature(rawRepresentation: jwt.signature)
        #expect(key.publicKey.isValidSignature(signature, for: Data(jwt.signingInput.utf8)))
        #expect(!key.publicKey.isValidSignature(signature, for: Data((jwt.signingInput + "x").utf8)))
    }

    @Test("ES384 and ES512 produce raw signatures of 96 and 132 bytes")
    func esLarger() throws {
        let p384 = P384.Signing.PrivateKey()
        let jwt384 = try DecodedJWT(
            try ClientAssertionSigner(
                clientID: "c",
                certificateID: "k",
                privateKeyPEM: p384.pemRepresentation,
                algorithm: .es384,
                scopes: []
            ).assertion(audience: Self.audience, issuedAt: 1, lifetime: 60)
        )
        #expect(jwt384.signature.count == 96)
        #expect(
            p384.publicKey.isValidSignature(
                try P384.Signing.ECDSASignature(rawRepresentation: jwt384.signature),
                for: Data(jwt384.signingInput.utf8)
            )
        )
        let p521 = P521.Signing.PrivateKey()
        let jwt521 = try DecodedJWT(
            try ClientAssertionSigner(
                clientID: "c",
                certificateID: "k",
                privateKeyPEM: p521.pemRepresentation,
                algorithm: .es512,
                scopes: []
            ).assertion(audience: Self.audience, issuedAt: 1, lifetime: 60)
        )
        #expect(jwt521.signature.count == 132)
    }

    @Test("exp is never more than 3600 s after iat")
    func lifetimeCapped() throws {
        let key = P256.Signing.PrivateKey()
        let signer = try ClientAssertionSigner(
            clientID: "c",
            certificateID: "k",
            privateKeyPEM: key.pemRepresentation,
            algorithm: .es256,
            scopes: []
        )
        let jwt = try DecodedJWT(try signer.assertion(audience: Self.audience, issuedAt: 1000, lifetime: 7200))
        #expect(jwt.payload["exp"]?.intValue == 4600)
    }

    @Test("a key that does not fit the algorithm is a configuration error")
    func wrongKey() throws {
        let ec = P256.Signing.PrivateKey().pemRepresentation
        #expect {
            _ = try ClientAssertionSigner(
                clientID: "c",
                certificateID: "k",
                privateKeyPEM: ec,
                algorithm: .ps256,
                scopes: []
            )
        } throws: { error in
            (error as? NetSuiteError)?.kind == .invalidRequest
                && !String(describing: error).contains("PRIVATE KEY")
        }
        #expect(throws: NetSuiteError.self) {
            _ = try ClientAssertionSigner(
                clientID: "c",
                certificateID: "k",
                privateKeyPEM: "not a key",
                algorithm: .es256,
                scopes: []
            )
        }
    }

    @Test("the client rejects an unusable private key at init and names the token endpoint from the base URL")
    func clientInit() async throws {
        let bad = NetSuiteConfiguration(
            baseURL: "http://127.0.0.1:9",
            accountID: "1234567_SB1",
            auth: .oauth2(clientID: "c", certificateID: "k", privateKeyPEM: "garbage")
        )
        #expect(throws: NetSuiteError.self) { _ = try NetSuiteClient(configuration: bad) }

        let pem = P256.Signing.PrivateKey().pemRepresentation
        for (baseURL, audience) in [
            (
                "HTTPS://1234567-SB1.suitetalk.api.netsuite.com:443/",
                "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/auth/oauth2/v1/token"
            ),
            ("http://127.0.0.1:8081", "http://127.0.0.1:8081/services/rest/auth/oauth2/v1/token"),
        ] {
            let client = try NetSuiteClient(
                configuration: NetSuiteConfiguration(
                    baseURL: baseURL,
                    accountID: "1234567_SB1",
                    auth: .oauth2(clientID: "c", certificateID: "k", privateKeyPEM: pem, algorithm: .es256)
                )
            )
            #expect(client.tokenEndpointURL == audience)
            try await client.shutdown()
        }
    }
}
