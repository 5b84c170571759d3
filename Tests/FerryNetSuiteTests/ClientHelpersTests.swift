import Foundation
import Logging
import Testing

@testable import FerryNetSuite

@Suite("URLs, ids and JSON")
struct ClientHelpersTests {
    @Test(
        "internal id from the Location header",
        arguments: [
            ("https://demo123.suitetalk.api.netsuite.com/services/rest/record/v1/customer/647", "647"),
            ("https://demo123.suitetalk.api.netsuite.com/services/rest/record/v1/salesOrder/1504/", "1504"),
            ("http://127.0.0.1:8081/services/rest/record/v1/salesorder/17?expandSubResources=true", "17"),
            ("/services/rest/record/v1/customerdeposit/99", "99"),
            (" https://h/services/rest/record/v1/customer/5 ", "5"),
        ]
    )
    func location(header: String, id: String) {
        #expect(NetSuiteClient.internalID(fromLocation: header) == id)
    }

    @Test("Location headers of the fixture's writes give their ids")
    func fixtureLocations() throws {
        for (name, id) in [("create_success", "647"), ("patch_success", "1504"), ("upsert_by_external_id", "1504")] {
            let example = try #require(FixtureExample.named(name))
            #expect(example.status == 204)
            #expect(NetSuiteClient.internalID(fromLocation: try #require(example.headers["Location"])) == id)
        }
    }

    @Test("unusable Location headers give no id", arguments: ["", "/", "https://h/", "https://h/x/eid:PS-1", "%zz"])
    func badLocation(header: String) {
        #expect(NetSuiteClient.internalID(fromLocation: header) == nil)
    }

    @Test(
        "external ids allowed in an eid: URL",
        arguments: [
            ("PS-549085", true), ("PS_1-a", true), ("abcXYZ019", true), ("", false), ("RED|PO|1337", false),
            ("PS 1", false), ("PS/1", false), ("PS.1", false), ("PS:1", false), ("é", false), ("a\"b", false),
            ("PS-1?x=1", false),
        ]
    )
    func eid(externalID: String, allowed: Bool) {
        #expect(NetSuiteClient.isURLSafeExternalID(externalID) == allowed)
    }

    @Test(
        "account host derivation",
        arguments: [
            ("1234567_SB1", "1234567-sb1.suitetalk.api.netsuite.com"),
            ("1234567", "1234567.suitetalk.api.netsuite.com"),
            ("TSTDRV123456", "tstdrv123456.suitetalk.api.netsuite.com"),
            ("123456_SB2", "123456-sb2.suitetalk.api.netsuite.com"),
            (" 1234567_RP ", "1234567-rp.suitetalk.api.netsuite.com"),
        ]
    )
    func accountHost(accountID: String, host: String) {
        #expect(NetSuiteConfiguration.accountHost(forAccountID: accountID) == host)
    }

    @Test("the account-id initialiser derives an https base URL and keeps the realm spelling")
    func accountInit() {
        let configuration = NetSuiteConfiguration(
            accountID: "1234567_SB1",
            auth: .tba(consumerKey: "a", consumerSecret: "b", tokenID: "c", tokenSecret: "d")
        )
        #expect(configuration.baseURL == "https://1234567-sb1.suitetalk.api.netsuite.com")
        #expect(configuration.accountID == "1234567_SB1")
    }

    @Test("base URLs: any scheme, host and port; signature origin is lower case without default port")
    func endpoints() throws {
        let real = try ServiceEndpoint(baseURL: "https://1234567-sb1.suitetalk.api.netsuite.com/")
        #expect(
            real.url(path: "/services/rest/record/v1/customer/1", query: [])
                == "https://1234567-sb1.suitetalk.api.netsuite.com/services/rest/record/v1/customer/1"
        )
        let local = try ServiceEndpoint(baseURL: "http://127.0.0.1:54321")
        #expect(
            local.url(path: "/services/rest/query/v1/suiteql", query: [("limit", "10"), ("q", "a b\"")])
                == "http://127.0.0.1:54321/services/rest/query/v1/suiteql?limit=10&q=a%20b%22"
        )
        #expect(local.signatureURL(path: "/x") == "http://127.0.0.1:54321/x")
        let defaultPort = try ServiceEndpoint(baseURL: "HTTPS://Example.COM:443/prefix//")
        #expect(defaultPort.origin == "https://example.com:443")
        #expect(defaultPort.signatureURL(path: "/x") == "https://example.com/prefix/x")
        let http80 = try ServiceEndpoint(baseURL: "http://example.com:80")
        #expect(http80.signatureURL(path: "/x") == "http://example.com/x")
        let ipv6 = try ServiceEndpoint(baseURL: "http://[::1]:8080")
        #expect(ipv6.host == "[::1]" && ipv6.port == 8080)
    }

    @Test(
        "unusable base URLs are rejected",
        arguments: [
            "", "example.com", "http://", "http://h:0", "http://h:x",
            "http://user@h", "http://h/p?q=1", "://h",
        ]
    )
    func badEndpoints(baseURL: String) {
        #expect(throws: NetSuiteError.self) { _ = try ServiceEndpoint(baseURL: baseURL) }
    }

    @Test("record types and internal ids are validated before a request is built")
    func pathValidation() throws {
        #expect(try NetSuiteClient.recordPath("salesOrder") == "/services/rest/record/v1/salesOrder")
        #expect(
            try NetSuiteClient.recordPath("customrecord_ferry_log") == "/services/rest/record/v1/customrecord_ferry_log"
        )
        #expect(throws: NetSuiteError.self) { try NetSuiteClient.recordPath("sales/Order") }
        #expect(throws: NetSuiteError.self) { try NetSuiteClient.recordPath("") }
        #expect(throws: NetSuiteError.self) { try NetSuiteClient.internalIDSegment("../1") }
        #expect(try NetSuiteClient.replaceQuery(["item", "addressbook"]).first?.value == "item,addressbook")
        #expect(try NetSuiteClient.replaceQuery([]).isEmpty)
    }

    @Test("upsert refuses external ids that cannot go in an eid: URL, without sending anything")
    func upsertUnsafe() async throws {
        let client = try NetSuiteClient(
            configuration: NetSuiteConfiguration(
                baseURL: "http://127.0.0.1:9",
                accountID: "1234567_SB1",
                auth: .tba(consumerKey: "a", consumerSecret: "b", tokenID: "c", tokenSecret: "d")
            )
        )
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        await #expect {
            _ = try await client.upsert("salesOrder", externalID: "RED|PO|1337", body: [:], logger: logger)
        } throws: { error in
            guard let error = error as? NetSuiteError else { return false }
            return error.kind == .invalidRequest && error.message?.contains("eid:") == true && !error.mayHaveCommitted
        }
        await #expect {
            _ = try await client.get("customer", externalID: "a\"b", logger: logger)
        } throws: { error in
            (error as? NetSuiteError)?.kind == .invalidRequest
        }
        await #expect {
            _ = try await client.suiteQL("SELECT 1", limit: 1001, logger: logger)
        } throws: { error in
            (error as? NetSuiteError)?.kind == .invalidRequest
        }
        try await client.shutdown()
    }

    @Test("a refused connection is a connection error that did not commit")
    func connectionRefused() async throws {
        // Port 9 (discard) is closed on loopback in this environment; nothing listens there.
        let client = try NetSuiteClient(
            configuration: NetSuiteConfiguration(
                baseURL: "http://127.0.0.1:9",
                accountID: "1234567_SB1",
                auth: .tba(consumerKey: "a", consumerSecret: "b", tokenID: "c", tokenSecret: "d"),
                requestTimeout: .seconds(20),
                connectTimeout: .seconds(2)
            )
        )
        await #expect {
            _ = try await client.create(
                "customer",
                body: ["externalId": "X-1"],
                logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
            )
        } throws: { error in
            guard let error = error as? NetSuiteError else { return false }
            return error.kind == .connection && !error.mayHaveCommitted
        }
        try await client.shutdown()
    }
}

@Suite("JSON value")
struct JSONTests {
    @Test("money amounts round-trip exactly through Decimal")
    func decimals() throws {
        let text = #"{"rate":9.775,"total":1234567890.12,"qty":3,"neg":-0.5,"big":12345678901234567890}"#
        let json = try JSON(data: Data(text.utf8))
        #expect(json["rate"]?.decimalValue == Decimal(string: "9.775"))
        #expect(json["total"]?.decimalValue == Decimal(string: "1234567890.12"))
        #expect(json["qty"]?.intValue == 3)
        #expect(json["rate"]?.intValue == nil)
        #expect(json["neg"]?.decimalValue == Decimal(string: "-0.5"))
        #expect(json["big"]?.decimalValue == Decimal(string: "12345678901234567890"))
        #expect(json["big"]?.intValue == nil, "too large for Int")
        #expect(JSON.number(-42).intValue == -42)
        #expect(JSON.number(try #require(Decimal(string: "3.0"))).intValue == 3)
        #expect(JSON.number(try #require(Decimal(string: "1.5e3"))).intValue == 1500)
        let encoded = String(decoding: try json.encoded(), as: UTF8.self)
        #expect(encoded.contains("\"rate\":9.775"))
        #expect(encoded.contains("\"total\":1234567890.12"))
    }

    @Test("literals build request bodies; float literals keep their shortest form")
    func literals() throws {
        let body: JSON = [
            "externalId": "PS-ORDER-549085",
            "entity": .reference("107"),
            "location": .reference(1),
            "shippingCost": 7.08,
            "isTaxable": false,
            "memo": nil,
            "item": ["items": [["item": .reference("52695"), "quantity": 1, "rate": 9.775]]],
        ]
        let text = String(decoding: try body.encoded(), as: UTF8.self)
        #expect(text.contains("\"shippingCost\":7.08"))
        #expect(text.contains("\"rate\":9.775"))
        #expect(text.contains("\"entity\":{\"id\":\"107\"}"))
        #expect(text.contains("\"location\":{\"id\":\"1\"}"))
        #expect(text.contains("\"memo\":null"))
        #expect(try JSON(data: Data(text.utf8)) == body)
        #expect(body["item"]?["items"]?[0]?["item"]?.id == "52695")
    }

    @Test("accessors read SuiteQL's string values and NetSuite's reference objects")
    func accessors() throws {
        let row: JSON = ["id": "1504", "total": "99.95", "isinactive": "F", "flag": true, "n": 7]
        #expect(row["id"]?.intValue == 1504)
        #expect(row["total"]?.decimalValue == Decimal(string: "99.95"))
        #expect(row["isinactive"]?.boolValue == false)
        #expect(row["flag"]?.boolValue == true)
        #expect(row.id == "1504")
        #expect((["id": 7] as JSON).id == "7")
        #expect(row["missing"] == nil)
        #expect(row[0] == nil)
        var mutable = row
        mutable["memo"] = "x"
        #expect(mutable["memo"] == "x")
        #expect(JSON.number(Double.nan) == .null)
    }

    @Test("governance limits read Oracle's documented answers")
    func governanceLimits() throws {
        // Oracle NetSuite Help Center article_0625010817, the integrationSpecific and accountLimit examples.
        let specific = NetSuiteGovernanceLimits([
            "accountConcurrencyLimit": 5, "accountUnallocatedConcurrencyLimit": 3, "integrationConcurrencyLimit": 2,
            "integrationLimitType": "integrationSpecific",
        ])
        #expect(specific.accountConcurrencyLimit == 5)
        #expect(specific.integrationLimitType == "integrationSpecific")
        #expect(specific.availableConcurrency == 2)
        let account = NetSuiteGovernanceLimits([
            "accountConcurrencyLimit": 5, "accountUnallocatedConcurrencyLimit": 3,
            "integrationLimitType": "accountLimit",
        ])
        #expect(account.integrationConcurrencyLimit == nil)
        #expect(account.availableConcurrency == 3)
        #expect(NetSuiteGovernanceLimits([:]).availableConcurrency == nil)
    }

    @Test("paging envelopes drop per-row links and read counts")
    func envelope() throws {
        let example = try #require(FixtureExample.named("suiteql_page"))
        let page = try #require(PageEnvelope(example.body))
        #expect(page.count == 2)
        #expect(page.hasMore)
        #expect(page.totalResults == 2000)
        #expect(page.items.count == 2)
        #expect(page.items[0]["links"] == nil)
        #expect(page.items[0]["externalid"] == "PS-549085")
        #expect(PageEnvelope(["count": 0]) == nil)
    }
}

@Suite("OAuth 2.0 access token cache")
struct AccessTokenCacheTests {
    actor Counter {
        var value = 0
        func next() -> Int {
            value += 1
            return value
        }
    }

    @Test("concurrent callers share one renewal")
    func sharedRenewal() async throws {
        let counter = Counter()
        let cache = AccessTokenCache(margin: .seconds(60)) { _ in
            let n = await counter.next()
            try await Task.sleep(for: .milliseconds(200))
            return AccessToken(value: "token-\(n)", lifetime: .seconds(3600))
        }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 {
                group.addTask { try await cache.token(logger: logger) }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(tokens) == ["token-1"])
        #expect(await counter.value == 1)
        #expect(try await cache.token(logger: logger) == "token-1")
        #expect(await counter.value == 1)
    }

    @Test("invalidating the current token forces one renewal; a stale token does not")
    func invalidate() async throws {
        let counter = Counter()
        let cache = AccessTokenCache(margin: .seconds(60)) { _ in
            AccessToken(value: "token-\(await counter.next())", lifetime: .seconds(3600))
        }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        #expect(try await cache.token(logger: logger) == "token-1")
        await cache.invalidate("token-1")
        #expect(try await cache.token(logger: logger) == "token-2")
        await cache.invalidate("token-1")
        #expect(try await cache.token(logger: logger) == "token-2")
        #expect(await counter.value == 2)
    }

    @Test("a token is renewed a margin before it expires")
    func renewBeforeExpiry() async throws {
        let counter = Counter()
        // Lifetime 2 s, margin capped at half the lifetime: renewed after about 1 s.
        let cache = AccessTokenCache(margin: .seconds(300)) { _ in
            AccessToken(value: "token-\(await counter.next())", lifetime: .seconds(2))
        }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        #expect(try await cache.token(logger: logger) == "token-1")
        try await Task.sleep(for: .milliseconds(1300))
        #expect(try await cache.token(logger: logger) == "token-2")
    }

    @Test("a failed renewal is reported to every waiter and retried by the next caller")
    func failedRenewal() async throws {
        let counter = Counter()
        let cache = AccessTokenCache(margin: .seconds(60)) { _ in
            let n = await counter.next()
            if n == 1 { throw NetSuiteError(kind: .authentication, status: 401) }
            return AccessToken(value: "token-\(n)", lifetime: .seconds(3600))
        }
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        await #expect(throws: NetSuiteError.self) { _ = try await cache.token(logger: logger) }
        #expect(try await cache.token(logger: logger) == "token-2")
    }
}
