import Foundation
import Testing

@testable import FerryNetSuite

// Known-answer vectors for the TBA signer were made independently of this code with Python 3's standard library.
// Script (run with `python3 tba_vectors.py`; it prints base string and signature for each vector):
//
//     import base64, hashlib, hmac
//     from urllib.parse import quote
//
//     def enc(s):
//         return quote(s, safe="-._~")
//
//     def sign(method, base_url, query, oauth, consumer_secret, token_secret):
//         params = [(enc(k), enc(v)) for k, v in list(oauth.items()) + query]
//         params.sort()
//         norm = "&".join(k + "=" + v for k, v in params)
//         base = method.upper() + "&" + enc(base_url) + "&" + enc(norm)
//         key = enc(consumer_secret) + "&" + enc(token_secret)
//         sig = base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()).decode()
//         return base, sig
//
//     oauth = {
//         "oauth_consumer_key": "ck-1234567890abcdef",
//         "oauth_token": "tk-fedcba0987654321",
//         "oauth_signature_method": "HMAC-SHA256",
//         "oauth_timestamp": "1718000000",
//         "oauth_nonce": "n0nce-ABC123",
//         "oauth_version": "1.0",
//     }
//     cs, ts = "cs secret/+=", "ts&secret~"
//     for method, url, query in [
//         ("POST", "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql",
//          [("limit", "10"), ("offset", "0")]),
//         ("GET", "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/salesOrder",
//          [("q", 'externalId IS "PS-1"'), ("limit", "5"), ("b", "2"), ("b", "1")]),
//     ]:
//         base, sig = sign(method, url, query, oauth, cs, ts)
//         print(base)
//         print(sig)
//     # Vector 3: the Swift side is given "HTTP://LocalHost:8080/..." and must normalise scheme/host case itself.
//     base, sig = sign("PATCH", "http://localhost:8080/services/rest/record/v1/customer/eid:PS-1",
//                      [("replace", "item,addressbook"), ("email", "zoé+1@example.fr")], oauth, cs, ts)
//     print(base)
//     print(sig)
//
// The realm (1234567_SB1) is not part of the base string (RFC 5849 §3.4.1.3.1), so it does not change the vectors.

private let signer = TBASigner(
    realm: "1234567_SB1",
    consumerKey: "ck-1234567890abcdef",
    consumerSecret: "cs secret/+=",
    tokenID: "tk-fedcba0987654321",
    tokenSecret: "ts&secret~"
)

private struct Vector: Sendable, CustomTestStringConvertible {
    var name: String
    var method: String
    var baseURL: String
    var path: String
    var query: [(name: String, value: String)]
    var baseString: String
    var signature: String
    var testDescription: String { name }
}

private let vectors: [Vector] = [
    Vector(
        name: "POST suiteql with limit and offset",
        method: "POST",
        baseURL: "https://1234567-sb1.suitetalk.api.netsuite.com",
        path: "/services/rest/query/v1/suiteql",
        query: [("limit", "10"), ("offset", "0")],
        baseString: "POST&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Fquery%2Fv1%2Fsuiteql"
            + "&limit%3D10%26oauth_consumer_key%3Dck-1234567890abcdef%26oauth_nonce%3Dn0nce-ABC123"
            + "%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1718000000"
            + "%26oauth_token%3Dtk-fedcba0987654321%26oauth_version%3D1.0%26offset%3D0",
        signature: "V/8aoEfGC/2ENv/DUT8KG3polHJ3KE3Tahua8iIcUa8="
    ),
    Vector(
        name: "GET with quoted q and repeated keys",
        method: "get",
        baseURL: "https://1234567-sb1.suitetalk.api.netsuite.com",
        path: "/services/rest/record/v1/salesOrder",
        query: [("q", "externalId IS \"PS-1\""), ("limit", "5"), ("b", "2"), ("b", "1")],
        baseString:
            "GET&https%3A%2F%2F1234567-sb1.suitetalk.api.netsuite.com%2Fservices%2Frest%2Frecord%2Fv1%2FsalesOrder"
            + "&b%3D1%26b%3D2%26limit%3D5%26oauth_consumer_key%3Dck-1234567890abcdef%26oauth_nonce%3Dn0nce-ABC123"
            + "%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1718000000"
            + "%26oauth_token%3Dtk-fedcba0987654321%26oauth_version%3D1.0%26q%3DexternalId%2520IS%2520%2522PS-1%2522",
        signature: "9AtZDkcotOjpZ2LFq26fWTC/Ujh7X1uUjR3Gh2wAoXY="
    ),
    Vector(
        name: "PATCH on a non-default port with mixed-case origin and UTF-8 value",
        method: "PATCH",
        baseURL: "HTTP://LocalHost:8080",
        path: "/services/rest/record/v1/customer/eid:PS-1",
        query: [("replace", "item,addressbook"), ("email", "zoé+1@example.fr")],
        baseString: "PATCH&http%3A%2F%2Flocalhost%3A8080%2Fservices%2Frest%2Frecord%2Fv1%2Fcustomer%2Feid%3APS-1"
            + "&email%3Dzo%25C3%25A9%252B1%2540example.fr%26oauth_consumer_key%3Dck-1234567890abcdef"
            + "%26oauth_nonce%3Dn0nce-ABC123%26oauth_signature_method%3DHMAC-SHA256%26oauth_timestamp%3D1718000000"
            + "%26oauth_token%3Dtk-fedcba0987654321%26oauth_version%3D1.0%26replace%3Ditem%252Caddressbook",
        signature: "69cqU02CgK0MASqxL9AzWcfPdGF1L/SQKs2b5AETgu0="
    ),
]

@Suite("TBA signer (OAuth 1.0a HMAC-SHA256)")
struct TBASignerTests {
    @Test("known-answer vectors from an independent Python implementation", arguments: vectors)
    fileprivate func knownAnswer(vector: Vector) throws {
        let endpoint = try ServiceEndpoint(baseURL: vector.baseURL)
        let signatureURL = endpoint.signatureURL(path: vector.path)
        let parameters = signer.oauthParameters(nonce: "n0nce-ABC123", timestamp: 1_718_000_000) + vector.query
        let base = TBASigner.signatureBaseString(method: vector.method, url: signatureURL, parameters: parameters)
        #expect(base == vector.baseString)
        #expect(signer.signature(baseString: base) == vector.signature)

        let header = signer.authorization(
            method: vector.method,
            signatureURL: signatureURL,
            query: vector.query,
            nonce: "n0nce-ABC123",
            timestamp: 1_718_000_000
        )
        #expect(header.contains("oauth_signature=\"\(PercentEncoding.encode(vector.signature))\""))
    }

    @Test("Authorization header carries realm and every protocol parameter, signature percent-encoded")
    func headerFormat() throws {
        let header = signer.authorization(
            method: "POST",
            signatureURL: "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql",
            query: [("limit", "10"), ("offset", "0")],
            nonce: "n0nce-ABC123",
            timestamp: 1_718_000_000
        )
        #expect(header.hasPrefix("OAuth realm=\"1234567_SB1\", "))
        #expect(header.contains("oauth_consumer_key=\"ck-1234567890abcdef\""))
        #expect(header.contains("oauth_token=\"tk-fedcba0987654321\""))
        #expect(header.contains("oauth_signature_method=\"HMAC-SHA256\""))
        #expect(header.contains("oauth_timestamp=\"1718000000\""))
        #expect(header.contains("oauth_nonce=\"n0nce-ABC123\""))
        #expect(header.contains("oauth_version=\"1.0\""))
        // V/8aoEfGC/2ENv/DUT8KG3polHJ3KE3Tahua8iIcUa8= with '/', '+' and '=' encoded.
        #expect(header.contains("oauth_signature=\"V%2F8aoEfGC%2F2ENv%2FDUT8KG3polHJ3KE3Tahua8iIcUa8%3D\""))
        #expect(!header.contains("cs secret"))
        #expect(!header.contains("ts&secret"))
    }

    @Test("a fresh nonce and the current time are used for every request")
    func freshNonceAndTimestamp() {
        let url = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer/1"
        let first = signer.authorization(method: "GET", signatureURL: url, query: [])
        let second = signer.authorization(method: "GET", signatureURL: url, query: [])
        func field(_ name: String, _ header: String) -> String? {
            guard let range = header.range(of: name + "=\"") else { return nil }
            return String(header[range.upperBound...].prefix { $0 != "\"" })
        }
        let nonce1 = field("oauth_nonce", first)
        let nonce2 = field("oauth_nonce", second)
        #expect(nonce1 != nil && nonce1 != nonce2)
        #expect(nonce1?.count == 32)
        let timestamp = Int(field("oauth_timestamp", first) ?? "") ?? 0
        let now = Int(Date().timeIntervalSince1970)
        #expect(abs(timestamp - now) < 60)
    }

    @Test("normalisation sorts by encoded name, then value, keeping repeated keys")
    func normalisation() {
        let normalized = TBASigner.normalizedParameters([
            ("b", "2"), ("a", "z"), ("b", "1"), ("a b", "x y"), ("c", ""), ("B", "0"), ("a", "Z"),
        ])
        // Byte order of the encoded forms: "B" (0x42) < "a" (0x61) < "a%20b" (a prefix sorts first) < "b" < "c";
        // equal names compare their values byte-wise ("Z" < "z", "1" < "2").
        #expect(normalized == "B=0&a=Z&a=z&a%20b=x%20y&b=1&b=2&c=")
    }

    @Test("query parameters change the signature (the classic 401)")
    func queryIsSigned() {
        let url = "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/query/v1/suiteql"
        let with = signer.authorization(
            method: "POST",
            signatureURL: url,
            query: [("limit", "10")],
            nonce: "n",
            timestamp: 1
        )
        let without = signer.authorization(method: "POST", signatureURL: url, query: [], nonce: "n", timestamp: 1)
        #expect(with != without)
    }

    @Test(
        "RFC 3986 encoding: unreserved kept, everything else upper-case %XX, space as %20",
        arguments: [
            ("AZaz09-._~", "AZaz09-._~"),
            ("a b", "a%20b"),
            ("a+b", "a%2Bb"),
            ("\"PS-1\"", "%22PS-1%22"),
            ("é", "%C3%A9"),
            ("/?&=:,", "%2F%3F%26%3D%3A%2C"),
            ("*'()!", "%2A%27%28%29%21"),
        ]
    )
    func percentEncoding(input: String, expected: String) {
        #expect(PercentEncoding.encode(input) == expected)
        #expect(PercentEncoding.decode(expected) == input)
    }

    @Test("malformed percent escapes do not decode")
    func malformedDecode() {
        #expect(PercentEncoding.decode("%4") == nil)
        #expect(PercentEncoding.decode("%zz") == nil)
        #expect(PercentEncoding.decode("%FF") == nil)
    }
}
