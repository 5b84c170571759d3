import FerryPrestaShop
import Foundation
import Testing

// Known vectors, computed with the Python standard library (python3 vectors.py):
//
//   import hmac, hashlib
//   def sign(secret, ts, body):
//       return "v1=" + hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
//   body = b'{"order":{"id":549085,"reference":"FMHGOYBGK"}}'
//   print(sign("whsec_ferry_test_1", "1700000000", body))
//   print(sign("whsec_ferry_test_2", "1700000000", body))
//   print(sign("whsec_ferry_test_1", "1700000000", b""))
//   print(sign("s\u00e9cret \u2603", "1732646400", "Caf\u00e9 \u2615".encode()))
private let body = Data(#"{"order":{"id":549085,"reference":"FMHGOYBGK"}}"#.utf8)
private let secret1 = "whsec_ferry_test_1"
private let secret2 = "whsec_ferry_test_2"
private let vector1 = "v1=5da48bdca07865fc980c5e5a87213866e6805a8da824d3cb7a4cb96560bc7662"
private let vector2 = "v1=ac7c1eef014dec6c0cb9fd51435e8bf21ac01daa443573757abdec4eeb76fcf2"
private let vectorEmptyBody = "v1=bc3f0aeb4ea2fca4bbd7732a17313d643c230736467220190b6dbafa7f367c24"
private let vectorUnicode = "v1=f5e895a4e22d5fd7282c80eec61b1ef6d7fc21e65544a0a3ceb9d4e3c8e3bf32"
private let timestamp = 1_700_000_000

private func verifier(
    secrets: [String] = [secret1],
    now: Int = timestamp,
    tolerance: Duration = .seconds(300)
)
    -> WebhookSignature.Verifier
{
    WebhookSignature.Verifier(secrets: secrets, tolerance: tolerance) { Date(timeIntervalSince1970: Double(now)) }
}

private func failure(
    _ verifier: WebhookSignature.Verifier,
    timestamp: String?,
    signature: String?,
    body: Data = body
) -> WebhookSignatureError? {
    do {
        try verifier.verify(timestamp: timestamp, signature: signature, body: body)
        return nil
    } catch {
        return error
    }
}

@Suite("Webhook signature")
struct WebhookSignatureTests {
    @Test func signerMatchesThePythonVectors() {
        #expect(WebhookSignature.Signer(secret: secret1).signature(timestamp: timestamp, body: body) == vector1)
        #expect(WebhookSignature.Signer(secret: secret2).signature(timestamp: timestamp, body: body) == vector2)
        #expect(
            WebhookSignature.Signer(secret: secret1).signature(timestamp: timestamp, body: Data()) == vectorEmptyBody
        )
        #expect(
            WebhookSignature.Signer(secret: "sécret ☃")
                .signature(timestamp: 1_732_646_400, body: Data("Café ☕".utf8)) == vectorUnicode
        )
    }

    @Test func verifierAcceptsThePythonVectors() throws {
        try verifier().verify(timestamp: "1700000000", signature: vector1, body: body)
        try verifier().verify(timestamp: "1700000000", signature: vectorEmptyBody, body: Data())
        try verifier(secrets: ["sécret ☃"], now: 1_732_646_400)
            .verify(timestamp: "1732646400", signature: vectorUnicode, body: Data("Café ☕".utf8))
    }

    @Test func headersFromTheSignerVerify() throws {
        let now = Date(timeIntervalSince1970: 1_750_000_000.75)
        let headers = WebhookSignature.Signer(secret: secret1).headers(body: body, now: now)
        #expect(headers.map(\.name) == ["X-Ferry-Timestamp", "X-Ferry-Signature"])
        #expect(headers[0].value == "1750000000")
        try verifier(now: 1_750_000_010).verify(timestamp: headers[0].value, signature: headers[1].value, body: body)
    }

    @Test func rotationAcceptsEitherSecret() throws {
        let both = verifier(secrets: [secret2, secret1])
        try both.verify(timestamp: "1700000000", signature: vector1, body: body)
        try both.verify(timestamp: "1700000000", signature: vector2, body: body)
        #expect(
            failure(verifier(secrets: ["other"]), timestamp: "1700000000", signature: vector1) == .signatureMismatch
        )
    }

    @Test(arguments: [
        "\(vector2),\(vector1)", "\(vector1), \(vector2)", "v0=deadbeef,\(vector1)", " \(vector1) ",
        "v1=0000000000000000000000000000000000000000000000000000000000000000,\(vector1)",
        vector1.uppercased().replacingOccurrences(of: "V1=", with: "v1="),
    ])
    func severalValuesInOneHeader(header: String) throws {
        try verifier().verify(timestamp: "1700000000", signature: header, body: body)
    }

    @Test(arguments: [-300, 300, 0, 299, -1])
    func timestampWithinTolerance(offset: Int) throws {
        try verifier(now: timestamp + offset).verify(timestamp: "1700000000", signature: vector1, body: body)
    }

    @Test(arguments: [-301, 301, 86_400, -86_400])
    func timestampOutsideToleranceIsStale(offset: Int) {
        #expect(
            failure(verifier(now: timestamp + offset), timestamp: "1700000000", signature: vector1) == .staleTimestamp
        )
    }

    @Test func customTolerance() throws {
        #expect(
            failure(verifier(now: timestamp + 31, tolerance: .seconds(30)), timestamp: "1700000000", signature: vector1)
                == .staleTimestamp
        )
        try verifier(now: timestamp + 30, tolerance: .seconds(30))
            .verify(timestamp: "1700000000", signature: vector1, body: body)
    }

    @Test(arguments: [nil, ""] as [String?])
    func missingTimestamp(value: String?) {
        #expect(failure(verifier(), timestamp: value, signature: vector1) == .missingTimestamp)
    }

    @Test(arguments: ["abc", "1700000000.5", "-1700000000", " 1700000000", "1e9", "99999999999999999999", "１７"])
    func malformedTimestamp(value: String) {
        #expect(failure(verifier(), timestamp: value, signature: vector1) == .malformedTimestamp)
    }

    @Test(arguments: [nil, "", "   "] as [String?])
    func missingSignature(value: String?) {
        #expect(failure(verifier(), timestamp: "1700000000", signature: value) == .missingSignature)
    }

    @Test(arguments: [
        "5da48bdca07865fc980c5e5a87213866e6805a8da824d3cb7a4cb96560bc7662",  // no scheme
        "v1=", "v1=xyz", "v1=5da48bdc", "v0=5da48bdca07865fc980c5e5a87213866e6805a8da824d3cb7a4cb96560bc7662",
        "v1=5da48bdca07865fc980c5e5a87213866e6805a8da824d3cb7a4cb96560bc766",  // odd length
        "v1=5da48bdca07865fc980c5e5a87213866e6805a8da824d3cb7a4cb96560bc7662ff",  // too long
        "v1=5da48bdca07865fc980c5e5a87213866e6805a8da824d3cb7a4cb96560bc766g",
        ",,,",
        Array(repeating: vector1, count: 9).joined(separator: ","),
    ])
    func malformedSignature(value: String) {
        #expect(failure(verifier(), timestamp: "1700000000", signature: value) == .malformedSignature)
    }

    @Test func tamperedBodyTimestampOrSecretMismatch() {
        var tampered = body
        tampered[tampered.startIndex + 12] ^= 0x01
        #expect(failure(verifier(), timestamp: "1700000000", signature: vector1, body: tampered) == .signatureMismatch)
        #expect(
            failure(verifier(now: timestamp + 1), timestamp: "1700000001", signature: vector1) == .signatureMismatch
        )
        #expect(
            failure(verifier(secrets: [secret2]), timestamp: "1700000000", signature: vector1) == .signatureMismatch
        )
        #expect(
            failure(verifier(secrets: []), timestamp: "1700000000", signature: vector1) == .signatureMismatch
        )
        #expect(
            failure(verifier(secrets: [""]), timestamp: "1700000000", signature: vector1) == .signatureMismatch
        )
    }

    @Test func bodyIsSignedByteForByte() {
        // Same JSON, different whitespace: a different body, so a different signature.
        let reformatted = Data(#"{"order": {"id": 549085, "reference": "FMHGOYBGK"}}"#.utf8)
        #expect(
            failure(verifier(), timestamp: "1700000000", signature: vector1, body: reformatted) == .signatureMismatch
        )
    }

    @Test func errorsNeverContainTheSecret() {
        let all: [WebhookSignatureError] = [
            .missingTimestamp, .malformedTimestamp, .staleTimestamp, .missingSignature, .malformedSignature,
            .signatureMismatch,
        ]
        for error in all {
            #expect(!error.description.contains(secret1))
            #expect(!String(reflecting: error).contains(secret1))
            #expect(!error.description.isEmpty)
        }
        #expect(Set(all.map(\.description)).count == all.count)
    }

    @Test func headerNames() {
        #expect(WebhookSignature.timestampHeader == "X-Ferry-Timestamp")
        #expect(WebhookSignature.signatureHeader == "X-Ferry-Signature")
    }
}
