import Crypto
import Foundation

/// OAuth 1.0a signing as NetSuite TBA does it (A9.1, RFC 5849 §3.4), HMAC-SHA256 only.
///
/// The sandbox uses this to verify; the tests check it against a known-answer vector computed outside the project.
enum TBASignature {
    /// RFC 3986 percent-encoding: `A-Z a-z 0-9 - . _ ~` stay, every other byte becomes `%XX` (upper-case hex).
    static func percentEncode(_ text: String) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                output += String(format: "%%%02X", byte)
            }
        }
        return output
    }

    /// Decodes `%XX` escapes; with `plusAsSpace`, `+` is a space (form encoding, as in query strings).
    static func percentDecode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = Array(text.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else if plusAsSpace && byte == UInt8(ascii: "+") {
                bytes.append(UInt8(ascii: " "))
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The query string as decoded name/value pairs (form rules: `+` is a space; a name without `=` has value "").
    static func queryParameters(_ query: String?) -> [(String, String)] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = percentDecode(parts[0], plusAsSpace: true)
            let value = parts.count > 1 ? percentDecode(parts[1], plusAsSpace: true) : ""
            return (name, value)
        }
    }

    /// `scheme://host[:port]/path`, scheme and host lower-cased, no query (RFC 5849 §3.4.1.2).
    static func baseURI(scheme: String, authority: String, path: String) -> String {
        var authority = authority.lowercased()
        let scheme = scheme.lowercased()
        if (scheme == "http" && authority.hasSuffix(":80")) || (scheme == "https" && authority.hasSuffix(":443")) {
            authority = String(authority[..<(authority.lastIndex(of: ":") ?? authority.endIndex)])
        }
        return "\(scheme)://\(authority)\(path.isEmpty ? "/" : path)"
    }

    /// The signature base string: `METHOD&enc(baseURI)&enc(normalised parameters)`.
    ///
    /// `parameters` are the decoded `oauth_*` values (without `realm` and `oauth_signature`) plus every query
    /// parameter; they are encoded, sorted by name then value, and joined as `name=value` with `&`.
    static func baseString(method: String, baseURI: String, parameters: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = parameters.map { (percentEncode($0.0), percentEncode($0.1)) }
        let sorted = encoded.sorted { lhs, rhs in lhs.name == rhs.name ? lhs.value < rhs.value : lhs.name < rhs.name }
        let normalised = sorted.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        return "\(method.uppercased())&\(percentEncode(baseURI))&\(percentEncode(normalised))"
    }

    /// Base64 HMAC-SHA256 of the base string with key `enc(consumerSecret)&enc(tokenSecret)`.
    static func sign(baseString: String, consumerSecret: String, tokenSecret: String) -> String {
        let key = SymmetricKey(data: Data("\(percentEncode(consumerSecret))&\(percentEncode(tokenSecret))".utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(baseString.utf8), using: key)
        return Data(mac).base64EncodedString()
    }
}
