import Foundation
import Testing

@testable import FerryNetSuite

/// An example from the shared fixture file.
struct FixtureExample: Sendable, CustomTestStringConvertible {
    var name: String
    var status: Int
    var headers: [String: String]
    var body: JSON
    var testDescription: String { name }

    static let all: [FixtureExample] = {
        guard let root = try? JSON(data: Data(netSuiteResponsesFixture.utf8)),
            let examples = root["examples"]?.arrayValue
        else { return [] }
        return examples.compactMap { example in
            guard let name = example["name"]?.stringValue, let status = example["status"]?.intValue else { return nil }
            var headers: [String: String] = [:]
            for (key, value) in example["headers"]?.objectValue ?? [:] {
                headers[key] = value.stringValue
            }
            return FixtureExample(name: name, status: status, headers: headers, body: example["body"] ?? .null)
        }
    }()

    static func named(_ name: String) -> FixtureExample? { all.first { $0.name == name } }

    var bodyBytes: [UInt8] {
        body.isNull ? [] : Array((try? body.encoded()) ?? Data())
    }
}

@Suite("NetSuiteError parsing and classification")
struct NetSuiteErrorTests {
    @Test("the fixture file has the expected examples")
    func fixtureLoaded() {
        #expect(FixtureExample.all.count >= 12)
    }

    @Test(
        "each fixture error body is parsed and classified",
        arguments: [
            ("error_invalid_login", NetSuiteError.Kind.authentication, "INVALID_LOGIN", nil as String?),
            ("error_invalid_field_value", .validation, "INVALID_CONTENT", "item.items[0].item"),
            ("error_not_found", .notFound, "NONEXISTENT_ID", nil),
            ("error_duplicate_external_id", .duplicate, "USER_ERROR", nil),
            ("error_concurrency_limit", .concurrencyLimit, "CONCURRENCY_LIMIT_EXCEEDED", nil),
            ("error_idempotency_conflict", .validation, "IDEMPOTENCY_ERROR", nil),
        ]
    )
    func fixtureErrors(name: String, kind: NetSuiteError.Kind, code: String, errorPath: String?) throws {
        let example = try #require(FixtureExample.named(name))
        let error = NetSuiteError.fromResponse(
            status: example.status,
            body: example.bodyBytes,
            location: example.headers["Location"],
            method: "POST",
            path: "/services/rest/record/v1/salesOrder",
            isWrite: true
        )
        #expect(error.kind == kind)
        #expect(error.status == example.status)
        #expect(error.errorCode == code)
        #expect(error.errorPath == errorPath)
        #expect(error.detail == example.body["o:errorDetails"]?[0]?["detail"]?.stringValue)
        #expect(error.title == example.body["title"]?.stringValue)
        #expect(error.location == example.headers["Location"])
        #expect(error.mayHaveCommitted == false, "a 4xx answer means NetSuite rejected the request")
        #expect(error.shortForm == kind.rawValue)
    }

    @Test("429 is a concurrency limit even when the title says Bad Request")
    func concurrencyWithWrongTitle() {
        let body =
            #"{"title":"Bad Request","status":429,"o:errorDetails":[{"detail":"Concurrent request limit exceeded."#
            + #" Request blocked.","o:errorCode":"CONCURRENCY_LIMIT_EXCEEDED"}]}"#
        let error = NetSuiteError.fromResponse(status: 429, body: Array(body.utf8))
        #expect(error.kind == .concurrencyLimit)
        #expect(error.errorCode == "CONCURRENCY_LIMIT_EXCEEDED")
    }

    @Test("the concurrency code wins over the status; 429 without a body is still a concurrency limit")
    func concurrencyByCodeOrStatus() {
        let body = #"{"status":400,"o:errorDetails":[{"detail":"x","o:errorCode":"SSS_REQUEST_LIMIT_EXCEEDED"}]}"#
        #expect(NetSuiteError.fromResponse(status: 400, body: Array(body.utf8)).kind == .concurrencyLimit)
        #expect(NetSuiteError.fromResponse(status: 429, body: []).kind == .concurrencyLimit)
    }

    @Test("an HTML 502 from a gateway is a server error without parsed details, and may have committed a write")
    func html502() {
        let html = "<html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>"
        let error = NetSuiteError.fromResponse(
            status: 502,
            body: Array(html.utf8),
            method: "POST",
            path: "/p",
            isWrite: true
        )
        #expect(error.kind == .serverError)
        #expect(error.details.isEmpty)
        #expect(error.errorCode == nil)
        #expect(error.mayHaveCommitted)
        #expect(!error.description.contains("<html>"))
        let read = NetSuiteError.fromResponse(
            status: 502,
            body: Array(html.utf8),
            method: "GET",
            path: "/p",
            isWrite: false
        )
        #expect(!read.mayHaveCommitted)
    }

    @Test("503 with an HTML maintenance page is maintenance")
    func maintenance() {
        let html = "<!DOCTYPE html><html><body>NetSuite is undergoing scheduled maintenance.</body></html>"
        let error = NetSuiteError.fromResponse(status: 503, body: Array(html.utf8))
        #expect(error.kind == .maintenance)
        #expect(error.shortForm == "maintenance")
    }

    @Test(
        "empty and plain-text bodies are classified by status alone",
        arguments: [
            (500, NetSuiteError.Kind.serverError), (503, .maintenance), (401, .authentication), (404, .notFound),
            (400, .validation), (403, .forbidden), (504, .serverError), (302, .unexpectedResponse),
        ]
    )
    func statusOnly(status: Int, kind: NetSuiteError.Kind) {
        #expect(NetSuiteError.fromResponse(status: status, body: []).kind == kind)
        #expect(NetSuiteError.fromResponse(status: status, body: Array("upstream timed out".utf8)).kind == kind)
        #expect(NetSuiteError.fromResponse(status: status, body: Array("{not json".utf8)).kind == kind)
    }

    @Test("dependent records make a delete fail with cannotDelete")
    func cannotDelete() {
        let byCode =
            #"{"status":400,"o:errorDetails":[{"detail":"x","#
            + #""o:errorCode":"THIS_RECORD_CANNOT_BE_DELETED_BECAUSE_IT_HAS_DEPENDENT_RECORDS"}]}"#
        #expect(NetSuiteError.fromResponse(status: 400, body: Array(byCode.utf8)).kind == .cannotDelete)
        let byText =
            #"{"status":400,"o:errorDetails":[{"detail":"This record cannot be deleted because it has "#
            + #"dependent records.","o:errorCode":"USER_ERROR"}]}"#
        #expect(NetSuiteError.fromResponse(status: 400, body: Array(byText.utf8)).kind == .cannotDelete)
    }

    @Test("OAuth 2.0 error objects are read too")
    func oauthErrorBody() {
        let body = #"{"error":"invalid_grant","error_description":"assertion expired"}"#
        let error = NetSuiteError.fromResponse(status: 400, body: Array(body.utf8))
        #expect(error.errorCode == "invalid_grant")
        #expect(error.detail == "assertion expired")
    }

    @Test("several details: the first code and the first error path are exposed, all details kept")
    func multipleDetails() {
        let body =
            #"{"status":400,"o:errorDetails":[{"detail":"a","o:errorCode":"INVALID_CONTENT"},"#
            + #"{"detail":"b","o:errorCode":"INVALID_CONTENT","o:errorPath":"item.items[2].quantity"}]}"#
        let error = NetSuiteError.fromResponse(status: 400, body: Array(body.utf8))
        #expect(error.details.count == 2)
        #expect(error.detail == "a")
        #expect(error.errorPath == "item.items[2].quantity")
    }

    @Test("the description names kind, status, code and path but never a body or long detail")
    func description() throws {
        let example = try #require(FixtureExample.named("error_invalid_field_value"))
        let error = NetSuiteError.fromResponse(
            status: 400,
            body: example.bodyBytes,
            method: "POST",
            path: "/services/rest/record/v1/salesOrder"
        )
        let text = error.description
        #expect(text.hasPrefix("NetSuiteError.validation("))
        #expect(text.contains("status: 400"))
        #expect(text.contains("code: INVALID_CONTENT"))
        #expect(text.contains("errorPath: item.items[0].item"))
        #expect(text.contains("request: POST /services/rest/record/v1/salesOrder"))
        #expect(!text.contains("o:errorDetails"))

        let long = String(repeating: "x", count: 5000)
        let longBody = #"{"o:errorDetails":[{"detail":""# + long + #"","o:errorCode":"E"}]}"#
        #expect(NetSuiteError.fromResponse(status: 400, body: Array(longBody.utf8)).description.count < 600)
    }

    @Test("kinds have metric-safe raw values")
    func metricLabels() {
        for kind in NetSuiteError.Kind.allCases {
            #expect(kind.rawValue.allSatisfy { $0.isLowercase || $0 == "_" })
        }
    }

    @Test("the auth description never shows secrets")
    func authDescription() {
        let tba = NetSuiteAuthentication.tba(
            consumerKey: "ck",
            consumerSecret: "SECRET1",
            tokenID: "tk",
            tokenSecret: "SECRET2"
        )
        let configuration = NetSuiteConfiguration(baseURL: "http://127.0.0.1:1", accountID: "1_SB1", auth: tba)
        #expect(!"\(configuration)".contains("SECRET"))
        let oauth = NetSuiteAuthentication.oauth2(
            clientID: "c",
            certificateID: "cert",
            privateKeyPEM: "-----BEGIN PRIVATE KEY-----SECRET"
        )
        #expect(!"\(oauth)".contains("SECRET"))
        #expect("\(oauth)".contains("cert"))
    }
}
