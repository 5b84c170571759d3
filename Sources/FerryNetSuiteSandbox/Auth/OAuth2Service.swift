import Crypto
import Foundation
import Synchronization
import _CryptoExtras

/// OAuth 2.0 client credentials (M2M) as NetSuite does it (A9.2, A13.11): a signed JWT client assertion is
/// exchanged at the token endpoint for a bearer token that then authenticates REST calls until it expires.
final class OAuth2Service: Sendable {
    /// An OAuth 2.0 error answer: `400 {"error": code, "error_description": description}`.
    struct TokenError: Error, Sendable, Equatable {
        var code: String
        var description: String

        static func invalidRequest(_ description: String) -> Self {
            .init(code: "invalid_request", description: description)
        }
        static func invalidClient(_ description: String) -> Self {
            .init(code: "invalid_client", description: description)
        }
        static func invalidGrant(_ description: String) -> Self {
            .init(code: "invalid_grant", description: description)
        }
    }

    struct IssuedToken: Sendable {
        var accessToken: String
        var lifetime: Duration
    }

    private struct Client: Sendable {
        var clientID: String
        var key: VerificationKey?
    }

    private let clients: [String: Client]
    private let lifetime: Duration
    private let clock: @Sendable () -> Date
    private let tokens = Mutex<[String: Date]>([:])

    init(
        clients: [NetSuiteSandboxConfiguration.OAuth2Client],
        tokenLifetime: Duration,
        clock: @escaping @Sendable () -> Date
    ) {
        self.clients = Dictionary(
            clients.map {
                ($0.certificateID, Client(clientID: $0.clientID, key: VerificationKey(pem: $0.publicKeyPEM)))
            },
            uniquingKeysWith: { first, _ in first }
        )
        self.lifetime = tokenLifetime
        self.clock = clock
    }

    static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    static let supportedAlgorithms: Set<String> = ["PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]

    /// Handles the form fields of `POST /services/rest/auth/oauth2/v1/token`; `audience` is that endpoint's URL.
    func issueToken(form: [String: String], audience: String) throws(TokenError) -> IssuedToken {
        guard let grantType = form["grant_type"] else { throw .invalidRequest("grant_type is missing") }
        guard grantType == "client_credentials" else {
            throw TokenError(code: "unsupported_grant_type", description: "only client_credentials is supported")
        }
        guard form["client_assertion_type"] == Self.assertionType else {
            throw .invalidRequest("client_assertion_type must be \(Self.assertionType)")
        }
        guard let assertion = form["client_assertion"], !assertion.isEmpty else {
            throw .invalidRequest("client_assertion is missing")
        }
        try verifyAssertion(assertion, audience: audience)

        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = UInt8.random(in: .min ... .max, using: &generator) }
        let token = Base64URL.encode(bytes)
        let now = clock()
        let expiry = now.addingTimeInterval(lifetime.seconds)
        tokens.withLock { tokens in
            if tokens.count > 10_000 { tokens = tokens.filter { $0.value > now } }
            tokens[token] = expiry
        }
        return IssuedToken(accessToken: token, lifetime: lifetime)
    }

    /// Whether a bearer token was issued here and has not expired.
    func isValid(accessToken: String) -> Bool {
        let now = clock()
        return tokens.withLock { $0[accessToken].map { $0 > now } ?? false }
    }

    // MARK: JWT

    private func verifyAssertion(_ jwt: String, audience: String) throws(TokenError) {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
            let headerData = Base64URL.decode(parts[0]), let payloadData = Base64URL.decode(parts[1]),
            let signature = Base64URL.decode(parts[2]),
            let header = try? JSONValue.parse(Data(headerData)), let payload = try? JSONValue.parse(Data(payloadData))
        else { throw .invalidClient("client_assertion is not a well-formed JWT") }

        guard let algorithm = header["alg"]?.stringValue, Self.supportedAlgorithms.contains(algorithm) else {
            throw .invalidClient("unsupported JWT algorithm")
        }
        if let type = header["typ"]?.stringValue, type.uppercased() != "JWT" {
            throw .invalidClient("JWT typ must be JWT")
        }
        guard let kid = header["kid"]?.stringValue, let client = clients[kid] else {
            throw .invalidClient("unknown certificate id (kid)")
        }
        guard payload["iss"]?.stringValue == client.clientID else { throw .invalidClient("iss is not the client id") }
        guard let key = client.key else { throw .invalidClient("the certificate for this kid could not be read") }
        let signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        guard key.verify(signature: signature, signingInput: signingInput, algorithm: algorithm) else {
            throw .invalidClient("JWT signature does not verify")
        }

        let audiences = payload["aud"].map {
            $0.arrayValue?.compactMap(\.stringValue) ?? [$0.stringValue].compactMap { $0 }
        }
        guard let audiences, audiences.contains(audience) else { throw .invalidGrant("aud is not the token endpoint") }
        let scopes: [String]
        if let list = payload["scope"]?.arrayValue {
            scopes = list.compactMap(\.stringValue)
        } else {
            scopes = (payload["scope"]?.stringValue ?? "").split(whereSeparator: { $0 == "," || $0 == " " }).map(
                String.init
            )
        }
        guard scopes.contains("rest_webservices") else {
            throw TokenError(code: "invalid_scope", description: "scope must include rest_webservices")
        }
        guard let issuedAt = payload["iat"]?.numberValue, let expires = payload["exp"]?.numberValue else {
            throw .invalidGrant("iat and exp are required")
        }
        guard expires > issuedAt, expires - issuedAt <= 3_600 else {
            throw .invalidGrant("exp must be at most 60 minutes after iat")
        }
        let now = Decimal(clock().timeIntervalSince1970)
        guard expires > now else { throw .invalidGrant("the JWT has expired") }
        guard issuedAt <= now + 300 else { throw .invalidGrant("iat is in the future") }
    }
}

/// A public key that can check a JWT signature.
private enum VerificationKey: Sendable {
    case rsa(_RSA.Signing.PublicKey)
    case p256(P256.Signing.PublicKey)
    case p384(P384.Signing.PublicKey)
    case p521(P521.Signing.PublicKey)

    /// Reads a `PUBLIC KEY` PEM, or the public key inside a `CERTIFICATE` PEM.
    init?(pem: String) {
        var der: [UInt8]?
        if pem.contains("BEGIN CERTIFICATE") {
            der = PEM.derBytes(pem).flatMap(DER.subjectPublicKeyInfo(fromCertificate:))
        } else {
            der = PEM.derBytes(pem)
        }
        guard let der else { return nil }
        if let key = try? _RSA.Signing.PublicKey(derRepresentation: der) {
            self = .rsa(key)
        } else if let key = try? P256.Signing.PublicKey(derRepresentation: der) {
            self = .p256(key)
        } else if let key = try? P384.Signing.PublicKey(derRepresentation: der) {
            self = .p384(key)
        } else if let key = try? P521.Signing.PublicKey(derRepresentation: der) {
            self = .p521(key)
        } else {
            return nil
        }
    }

    func verify(signature: [UInt8], signingInput: Data, algorithm: String) -> Bool {
        switch (self, algorithm) {
        case (.rsa(let key), "PS256"):
            return key.isValidSignature(
                .init(rawRepresentation: signature),
                for: SHA256.hash(data: signingInput),
                padding: .PSS
            )
        case (.rsa(let key), "PS384"):
            return key.isValidSignature(
                .init(rawRepresentation: signature),
                for: SHA384.hash(data: signingInput),
                padding: .PSS
            )
        case (.rsa(let key), "PS512"):
            return key.isValidSignature(
                .init(rawRepresentation: signature),
                for: SHA512.hash(data: signingInput),
                padding: .PSS
            )
        case (.p256(let key), "ES256"):
            guard let ecdsa = try? P256.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(ecdsa, for: SHA256.hash(data: signingInput))
        case (.p384(let key), "ES384"):
            guard let ecdsa = try? P384.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(ecdsa, for: SHA384.hash(data: signingInput))
        case (.p521(let key), "ES512"):
            guard let ecdsa = try? P521.Signing.ECDSASignature(rawRepresentation: signature) else { return false }
            return key.isValidSignature(ecdsa, for: SHA512.hash(data: signingInput))
        default:
            return false  // the key type does not fit the algorithm
        }
    }
}

/// Base64url without padding, as JWTs use it.
enum Base64URL {
    static func encode(_ bytes: some Sequence<UInt8>) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: some StringProtocol) -> [UInt8]? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64).map(Array.init)
    }
}

private enum PEM {
    /// The bytes of the first PEM block.
    static func derBytes(_ pem: String) -> [UInt8]? {
        let body = pem.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.hasPrefix("-----") && !$0.isEmpty }
            .joined()
        return Data(base64Encoded: body).map(Array.init)
    }
}

/// Just enough DER to find `subjectPublicKeyInfo` in an X.509 certificate.
private enum DER {
    /// One TLV: tag, the content range and the end of the whole element.
    private static func element(_ bytes: [UInt8], at start: Int) -> (tag: UInt8, content: Range<Int>, end: Int)? {
        guard start + 2 <= bytes.count else { return nil }
        let tag = bytes[start]
        var length = Int(bytes[start + 1])
        var offset = start + 2
        if length & 0x80 != 0 {
            let count = length & 0x7F
            guard count > 0, count <= 4, offset + count <= bytes.count else { return nil }
            length = bytes[offset..<offset + count].reduce(0) { $0 << 8 | Int($1) }
            offset += count
        }
        guard offset + length <= bytes.count else { return nil }
        return (tag, offset..<offset + length, offset + length)
    }

    static func subjectPublicKeyInfo(fromCertificate bytes: [UInt8]) -> [UInt8]? {
        guard let certificate = element(bytes, at: 0), certificate.tag == 0x30,
            let tbs = element(bytes, at: certificate.content.lowerBound), tbs.tag == 0x30
        else { return nil }
        var cursor = tbs.content.lowerBound
        // [0] version (optional), serialNumber, signature, issuer, validity, subject, then subjectPublicKeyInfo.
        if let version = element(bytes, at: cursor), version.tag == 0xA0 { cursor = version.end }
        for _ in 0..<5 {
            guard let skipped = element(bytes, at: cursor) else { return nil }
            cursor = skipped.end
        }
        guard let info = element(bytes, at: cursor), info.tag == 0x30 else { return nil }
        return Array(bytes[cursor..<info.end])
    }
}
