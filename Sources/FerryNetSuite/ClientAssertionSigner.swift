import Crypto
import Foundation
import _CryptoExtras

/// Builds and signs the OAuth 2.0 client-credentials assertion (a JWS compact JWT) NetSuite's token endpoint expects.
struct ClientAssertionSigner: Sendable {
    enum Key: Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        case p256(P256.Signing.PrivateKey)
        case p384(P384.Signing.PrivateKey)
        case p521(P521.Signing.PrivateKey)
    }

    let algorithm: NetSuiteJWTAlgorithm
    let key: Key
    let clientID: String
    let certificateID: String
    let scopes: [String]

    /// Parses the private key (PKCS#8, PKCS#1 RSA or SEC1 EC PEM) for `algorithm`.
    init(
        clientID: String,
        certificateID: String,
        privateKeyPEM: String,
        algorithm: NetSuiteJWTAlgorithm,
        scopes: [String]
    ) throws(NetSuiteError) {
        self.algorithm = algorithm
        self.clientID = clientID
        self.certificateID = certificateID
        self.scopes = scopes.isEmpty ? ["rest_webservices"] : scopes
        do {
            switch algorithm {
            case .ps256, .ps384, .ps512:
                key = .rsa(try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM))
            case .es256:
                key = .p256(try P256.Signing.PrivateKey(pemRepresentation: privateKeyPEM))
            case .es384:
                key = .p384(try P384.Signing.PrivateKey(pemRepresentation: privateKeyPEM))
            case .es512:
                key = .p521(try P521.Signing.PrivateKey(pemRepresentation: privateKeyPEM))
            }
        } catch {
            throw .invalidConfiguration("privateKeyPEM is not a valid key for \(algorithm.rawValue)")
        }
    }

    /// The signed JWT: header `{alg, kid, typ}`, payload `{iss, scope, aud, iat, exp}`.
    ///
    /// - Parameters:
    ///   - audience: the token endpoint URL.
    ///   - issuedAt: `iat`, seconds since the epoch.
    ///   - lifetime: `exp - iat` in seconds, clamped to 1...3600.
    func assertion(audience: String, issuedAt: Int, lifetime: Int) throws(NetSuiteError) -> String {
        let header: JSON = ["alg": .string(algorithm.rawValue), "kid": .string(certificateID), "typ": "JWT"]
        let payload: JSON = [
            "iss": .string(clientID),
            "scope": .string(scopes.joined(separator: ",")),
            "aud": .string(audience),
            "iat": .number(issuedAt),
            "exp": .number(issuedAt + min(max(lifetime, 1), 3600)),
        ]
        let signingInput: String
        do {
            signingInput = Base64URL.encode(try header.encoded()) + "." + Base64URL.encode(try payload.encoded())
        } catch {
            throw .invalidRequest("could not encode the client assertion")
        }
        let signature: Data
        do {
            signature = try sign(Data(signingInput.utf8))
        } catch {
            throw NetSuiteError(
                kind: .invalidRequest,
                message: "could not sign the client assertion",
                underlying: error
            )
        }
        return signingInput + "." + Base64URL.encode(signature)
    }

    /// JWS signature bytes: RSASSA-PSS (salt length = hash length) or ECDSA as raw `r || s`.
    private func sign(_ input: Data) throws -> Data {
        switch (key, algorithm) {
        case (.rsa(let key), .ps384):
            return try key.signature(for: SHA384.hash(data: input), padding: .PSS).rawRepresentation
        case (.rsa(let key), .ps512):
            return try key.signature(for: SHA512.hash(data: input), padding: .PSS).rawRepresentation
        case (.rsa(let key), _):
            return try key.signature(for: SHA256.hash(data: input), padding: .PSS).rawRepresentation
        case (.p256(let key), _):
            return try key.signature(for: input).rawRepresentation
        case (.p384(let key), _):
            return try key.signature(for: input).rawRepresentation
        case (.p521(let key), _):
            return try key.signature(for: input).rawRepresentation
        }
    }
}

/// base64url without padding (RFC 7515 §2).
enum Base64URL {
    static func encode(_ data: Data) -> String {
        var text = data.base64EncodedString()
        text = text.replacing("+", with: "-").replacing("/", with: "_")
        while text.hasSuffix("=") { text.removeLast() }
        return text
    }

    static func decode(_ text: String) -> Data? {
        var base64 = text.replacing("-", with: "+").replacing("_", with: "/")
        while base64.count % 4 != 0 { base64.append("=") }
        return Data(base64Encoded: base64)
    }
}
