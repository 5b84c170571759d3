import AsyncHTTPClient
import FerrySandboxData
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

@testable import FerryNetSuiteSandbox

/// A small world, so each test starts its own sandbox in milliseconds.
enum TestWorld {
    static let dataset = SandboxDataset.generate(seed: 7, productCount: 120, customerCount: 80)

    /// A customer that already exists in NetSuite.
    static var customer: SandboxDataset.Customer { dataset.customers.first { $0.netSuiteID != nil }! }
    static var customerID: Int { customer.netSuiteID! }
    static var otherCustomerID: Int { dataset.customers.compactMap(\.netSuiteID).dropFirst().first! }
    static var item: SandboxDataset.SKU { dataset.skus[0] }
    static var secondItem: SandboxDataset.SKU { dataset.skus[1] }
    /// FR standard rate (20 %).
    static var taxCode: SandboxDataset.NetSuiteTaxCode {
        dataset.netSuiteTaxCodes.first { $0.countryISO == "FR" && $0.taxCategoryID == 1 }!
    }
}

/// A clock tests can move.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date()) {
        current = Mutex(start)
    }

    var now: Date { current.withLock { $0 } }

    func advance(by seconds: TimeInterval) {
        current.withLock { $0 = $0.addingTimeInterval(seconds) }
    }

    var function: @Sendable () -> Date { { self.now } }
}

/// An HTTP answer, with the body as text and, when it parses, as JSON.
struct HTTPResult: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: String

    var json: JSONValue? { try? JSONValue.parse(Data(body.utf8)) }

    func header(_ name: String) -> String? { headers.first(name: name) }

    /// The first `o:errorCode` of a NetSuite error body.
    var errorCode: String? { json?["o:errorDetails"]?.arrayValue?.first?["o:errorCode"]?.stringValue }
    var errorPath: String? { json?["o:errorDetails"]?.arrayValue?.first?["o:errorPath"]?.stringValue }
    var errorDetail: String? { json?["o:errorDetails"]?.arrayValue?.first?["detail"]?.stringValue }

    /// The id at the end of the `Location` header.
    var locationID: String? { header("Location")?.split(separator: "/").last.map(String.init) }
}

/// A running sandbox and a client for it.
struct TestSandbox: Sendable {
    let server: NetSuiteSandboxServer
    let client: HTTPClient

    var baseURL: String { server.baseURL }

    static let silentLogger = Logger(label: "netsuite-sandbox-test") { _ in SwiftLogNoOpLogHandler() }

    /// Sends a JSON body (or none).
    @discardableResult
    func send(
        _ method: HTTPMethod,
        _ path: String,
        json: String? = nil,
        headers: [String: String] = [:],
        timeout: TimeAmount = .seconds(30)
    ) async throws -> HTTPResult {
        var headers = headers
        if json != nil, headers["Content-Type"] == nil { headers["Content-Type"] = "application/json" }
        return try await send(method, path, body: json, headers: headers, timeout: timeout)
    }

    /// Sends any body with the given headers.
    func send(
        _ method: HTTPMethod,
        _ path: String,
        body: String?,
        headers: [String: String],
        timeout: TimeAmount = .seconds(30)
    ) async throws -> HTTPResult {
        var request = HTTPClientRequest(url: path.hasPrefix("http") ? path : baseURL + path)
        request.method = method
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await client.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 64 * 1024 * 1024)
        return HTTPResult(status: Int(response.status.code), headers: response.headers, body: String(buffer: buffer))
    }

    /// `POST /services/rest/query/v1/suiteql` with `Prefer: transient`.
    func suiteQL(_ query: String, limit: Int? = nil, offset: Int? = nil) async throws -> HTTPResult {
        var parameters: [String] = []
        if let limit { parameters.append("limit=\(limit)") }
        if let offset { parameters.append("offset=\(offset)") }
        let query = JSONValue.object(["q": .string(query)]).serialized
        let suffix = parameters.isEmpty ? "" : "?" + parameters.joined(separator: "&")
        return try await send(
            .POST,
            "/services/rest/query/v1/suiteql\(suffix)",
            json: query,
            headers: ["Prefer": "transient"]
        )
    }

    /// The `items` of a SuiteQL answer as dictionaries of strings.
    static func rows(_ result: HTTPResult) -> [[String: String]] {
        (result.json?["items"]?.arrayValue ?? []).map { item in
            (item.objectValue ?? [:]).compactMapValues(\.stringValue)
        }
    }
}

extension NetSuiteSandboxConfiguration {
    /// The configuration tests start from (the small world, no authentication, no latency), then `change`d.
    static func test(
        _ change: (inout NetSuiteSandboxConfiguration) -> Void = { _ in }
    ) -> NetSuiteSandboxConfiguration {
        var configuration = NetSuiteSandboxConfiguration(requireAuthentication: false, dataset: TestWorld.dataset)
        change(&configuration)
        return configuration
    }
}

/// Starts a sandbox with `configuration`, runs `body` against it, then shuts everything down.
func withSandbox<Result>(
    _ configuration: NetSuiteSandboxConfiguration = .test(),
    _ body: (TestSandbox) async throws -> Result
) async throws -> Result {
    let server = try await NetSuiteSandboxServer.start(configuration: configuration, logger: TestSandbox.silentLogger)
    var clientConfiguration = HTTPClient.Configuration()
    clientConfiguration.connectionPool = .init(
        idleTimeout: .seconds(60),
        concurrentHTTP1ConnectionsPerHostSoftLimit: 32
    )
    let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
    let sandbox = TestSandbox(server: server, client: client)
    do {
        let result = try await body(sandbox)
        try await client.shutdown()
        try await server.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        try? await server.shutdown()
        throw error
    }
}

// MARK: - Bodies

enum Bodies {
    struct Line {
        var item: Int
        var quantity: Decimal = 1
        var rate: Decimal?
        var taxCode: Int? = TestWorld.taxCode.id
        var line: Int?
    }

    static func salesOrder(
        externalID: String? = nil,
        customer: Int = TestWorld.customerID,
        lines: [Line],
        shippingCost: Decimal? = nil,
        extra: [String: JSONValue] = [:]
    ) -> String {
        var body: [String: JSONValue] = [
            "entity": .object(["id": .string(String(customer))]),
            "item": items(lines),
        ]
        if let externalID { body["externalId"] = .string(externalID) }
        if let shippingCost { body["shippingCost"] = .number(shippingCost) }
        for (key, value) in extra { body[key] = value }
        return JSONValue.object(body).serialized
    }

    static func items(_ lines: [Line]) -> JSONValue {
        .object([
            "items": .array(
                lines.map { line in
                    var fields: [String: JSONValue] = [
                        "item": .object(["id": .string(String(line.item))]), "quantity": .number(line.quantity),
                    ]
                    if let rate = line.rate { fields["rate"] = .number(rate) }
                    if let taxCode = line.taxCode { fields["taxCode"] = .object(["id": .string(String(taxCode))]) }
                    if let number = line.line { fields["line"] = .number(Decimal(number)) }
                    return .object(fields)
                }
            )
        ])
    }

    static func deposit(
        externalID: String? = nil,
        customer: Int = TestWorld.customerID,
        salesOrder: String?,
        payment: Decimal = 10
    ) -> String {
        var body: [String: JSONValue] = [
            "customer": .object(["id": .string(String(customer))]),
            "payment": .number(payment),
        ]
        if let salesOrder { body["salesOrder"] = .object(["id": .string(salesOrder)]) }
        if let externalID { body["externalId"] = .string(externalID) }
        return JSONValue.object(body).serialized
    }
}

extension Decimal {
    init(_ text: String) {
        self = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))!
    }
}
