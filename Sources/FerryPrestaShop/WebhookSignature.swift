import Crypto
import Foundation

/// The signature contract between a shop-side webhook module and Ferry's gateway.
///
/// The sender adds two headers:
/// - `X-Ferry-Timestamp: <unix seconds>`
/// - `X-Ferry-Signature: v1=<lower-case hex HMAC-SHA256 of "<timestamp>.<raw body>" keyed with the shared secret>`
///
/// During a secret rotation the sender may put several values in one header, comma separated
/// (`v1=abc…,v1=def…`), and the receiver may accept several secrets; a request is accepted when any value
/// matches any secret. Entries of other schemes (`v0=…`) are ignored. The timestamp must lie within a
/// tolerance (default ±300 s) of the receiver's clock, which bounds replays.
public enum WebhookSignature {
    /// `X-Ferry-Timestamp`.
    public static let timestampHeader = "X-Ferry-Timestamp"
    /// `X-Ferry-Signature`.
    public static let signatureHeader = "X-Ferry-Signature"
    /// The scheme prefix of a signature value.
    public static let scheme = "v1"

    /// The bytes that are signed: `"<timestamp>.<raw body>"`.
    static func signedPayload(timestamp: String, body: some DataProtocol) -> Data {
        var payload = Data(timestamp.utf8)
        payload.append(UInt8(ascii: "."))
        payload.append(contentsOf: body)
        return payload
    }

    /// Signs webhook bodies (for a shop-side emitter, the sandbox and tests).
    public struct Signer: Sendable {
        private let key: SymmetricKey

        /// Creates a signer for a shared secret.
        public init(secret: String) {
            key = SymmetricKey(data: Data(secret.utf8))
        }

        /// The `X-Ferry-Signature` value for a body sent at `timestamp` (unix seconds): `v1=<hex>`.
        public func signature(timestamp: Int, body: some DataProtocol) -> String {
            let payload = WebhookSignature.signedPayload(timestamp: String(timestamp), body: body)
            let mac = HMAC<SHA256>.authenticationCode(for: payload, using: key)
            return "\(WebhookSignature.scheme)="
                + mac.map { byte in
                    let hex = String(byte, radix: 16)
                    return byte < 16 ? "0" + hex : hex
                }.joined()
        }

        /// Both headers for a body sent now: `[(X-Ferry-Timestamp, …), (X-Ferry-Signature, …)]`.
        public func headers(body: some DataProtocol, now: Date = Date()) -> [(name: String, value: String)] {
            let timestamp = Int(now.timeIntervalSince1970.rounded(.down))
            return [
                (WebhookSignature.timestampHeader, String(timestamp)),
                (WebhookSignature.signatureHeader, signature(timestamp: timestamp, body: body)),
            ]
        }
    }

    /// Checks the headers of an incoming webhook in constant time per candidate.
    public struct Verifier: Sendable {
        private let keys: [SymmetricKey]
        private let tolerance: Duration
        private let now: @Sendable () -> Date

        /// The most `v1=` values read from one header; more are refused as malformed (bounds the work).
        public static let maximumSignatures = 8

        /// Creates a verifier.
        ///
        /// - Parameters:
        ///   - secrets: every secret currently accepted (old and new during a rotation). Empty secrets are
        ///     ignored; with none left, every request fails with ``WebhookSignatureError/signatureMismatch``.
        ///   - tolerance: how far the timestamp may be from `now()`, in either direction.
        ///   - now: the clock; inject a fixed one in tests.
        public init(
            secrets: [String],
            tolerance: Duration = .seconds(300),
            now: @escaping @Sendable () -> Date = { Date() }
        ) {
            keys = secrets.filter { !$0.isEmpty }.map { SymmetricKey(data: Data($0.utf8)) }
            self.tolerance = tolerance
            self.now = now
        }

        /// Verifies one request.
        ///
        /// - Parameters:
        ///   - timestamp: the `X-Ferry-Timestamp` header value, nil when absent.
        ///   - signature: the `X-Ferry-Signature` header value, nil when absent.
        ///   - body: the raw body bytes exactly as received.
        /// - Throws: ``WebhookSignatureError``, checked in this order: missing/malformed timestamp,
        ///   missing/malformed signature, stale timestamp, mismatch.
        public func verify(
            timestamp: String?,
            signature: String?,
            body: some DataProtocol
        ) throws(WebhookSignatureError) {
            guard let timestamp, !timestamp.isEmpty else { throw .missingTimestamp }
            guard timestamp.utf8.count <= 12, timestamp.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let seconds = Int(timestamp)
            else { throw .malformedTimestamp }
            guard let signature, !signature.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw .missingSignature
            }
            let candidates = try Self.parseSignatures(signature)
            let skew = now().timeIntervalSince1970 - Double(seconds)
            let limit =
                Double(tolerance.components.seconds)
                + Double(tolerance.components.attoseconds) / 1e18
            guard abs(skew) <= limit else { throw .staleTimestamp }

            let payload = WebhookSignature.signedPayload(timestamp: timestamp, body: body)
            var matched = false
            for key in keys {
                for candidate in candidates {
                    // isValidAuthenticationCode compares in constant time; every pair is checked.
                    let valid = HMAC<SHA256>.isValidAuthenticationCode(candidate, authenticating: payload, using: key)
                    matched = matched || valid
                }
            }
            guard matched else { throw .signatureMismatch }
        }

        /// Reads `v1=<64 hex>` entries; other schemes are skipped. At least one well-formed `v1` entry is needed.
        static func parseSignatures(_ header: String) throws(WebhookSignatureError) -> [[UInt8]] {
            var result: [[UInt8]] = []
            var sawV1 = false
            for entry in header.split(separator: ",", omittingEmptySubsequences: true) {
                let trimmed = entry.trimmingCharacters(in: .whitespaces)
                guard let equals = trimmed.firstIndex(of: "=") else { throw .malformedSignature }
                guard trimmed[..<equals] == WebhookSignature.scheme else { continue }
                sawV1 = true
                guard let bytes = decodeHex(trimmed[trimmed.index(after: equals)...]), bytes.count == 32 else {
                    throw .malformedSignature
                }
                result.append(bytes)
                guard result.count <= maximumSignatures else { throw .malformedSignature }
            }
            guard sawV1, !result.isEmpty else { throw .malformedSignature }
            return result
        }

        private static func decodeHex(_ text: Substring) -> [UInt8]? {
            let digits = Array(text.utf8)
            guard digits.count % 2 == 0 else { return nil }
            func value(_ digit: UInt8) -> UInt8? {
                switch digit {
                case 0x30...0x39: digit - 0x30
                case 0x61...0x66: digit - 0x61 + 10
                case 0x41...0x46: digit - 0x41 + 10
                default: nil
                }
            }
            var bytes: [UInt8] = []
            bytes.reserveCapacity(digits.count / 2)
            var index = 0
            while index < digits.count {
                guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
                bytes.append(high << 4 | low)
                index += 2
            }
            return bytes
        }
    }
}

/// Why a webhook signature was refused. Carries no secret, signature or body.
public enum WebhookSignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No `X-Ferry-Timestamp` header.
    case missingTimestamp
    /// The timestamp is not a plain non-negative number of seconds.
    case malformedTimestamp
    /// The timestamp is outside the tolerance window (too old or in the future).
    case staleTimestamp
    /// No `X-Ferry-Signature` header.
    case missingSignature
    /// The header has no well-formed `v1=<64 hex digits>` entry, or too many entries.
    case malformedSignature
    /// No signature matches any accepted secret.
    case signatureMismatch

    public var description: String {
        switch self {
        case .missingTimestamp: "missing X-Ferry-Timestamp header"
        case .malformedTimestamp: "malformed X-Ferry-Timestamp header"
        case .staleTimestamp: "X-Ferry-Timestamp outside the accepted window"
        case .missingSignature: "missing X-Ferry-Signature header"
        case .malformedSignature: "malformed X-Ferry-Signature header"
        case .signatureMismatch: "webhook signature does not match"
        }
    }
}
