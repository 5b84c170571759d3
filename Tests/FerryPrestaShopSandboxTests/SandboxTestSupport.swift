import AsyncHTTPClient
import FerryPrestaShopSandbox
import FerrySandboxData
import Foundation
import Hummingbird
import Logging
import NIOCore
import Testing

/// A small world shared by most tests: fast to seed, same rules as `.standard`.
let smallDataset = SandboxDataset.generate(seed: 20_261_126, productCount: 300, customerCount: 120)

let apiKey = PrestaShopSandboxConfiguration.defaultAPIKey

var testLogger: Logger {
    var logger = Logger(label: "prestashop-sandbox-tests")
    logger.logLevel = .critical
    return logger
}

func configuration(
    dataset: SandboxDataset = smallDataset,
    _ adjust: (inout PrestaShopSandboxConfiguration) -> Void = { _ in }
) -> PrestaShopSandboxConfiguration {
    var configuration = PrestaShopSandboxConfiguration(dataset: dataset, timeZone: .gmt)
    adjust(&configuration)
    return configuration
}

/// Starts a sandbox on port 0, runs `body`, and always shuts it down.
func withSandbox<T>(
    _ configuration: PrestaShopSandboxConfiguration = configuration(),
    _ body: (SandboxClient) async throws -> T
) async throws -> T {
    let server = try await PrestaShopSandboxServer.start(configuration: configuration, logger: testLogger)
    do {
        let result = try await body(SandboxClient(baseURL: server.baseURL))
        try await server.shutdown()
        return result
    } catch {
        try? await server.shutdown()
        throw error
    }
}

struct HTTPResult: Sendable {
    let status: Int
    let headers: [String: String]
    let body: String

    func header(_ name: String) -> String? {
        headers.first { $0.key.lowercased() == name.lowercased() }?.value
    }

    /// The body as a JSON object (dictionary), or nil.
    var object: [String: Any]? {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }

    var json: Any? {
        try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed])
    }

    /// `{"errors":[{"code":N}]}` → N.
    var errorCode: Int? {
        ((object?["errors"] as? [[String: Any]])?.first?["code"] as? Int)
    }
}

enum Auth {
    case none
    case basic(String)
    case wsKey(String)
}

struct SandboxClient: Sendable {
    let baseURL: String

    func request(
        _ method: String,
        _ path: String,
        auth: Auth = .basic(apiKey),
        headers: [String: String] = [:],
        body: String? = nil
    ) async throws -> HTTPResult {
        // Clients must percent-encode brackets; a raw `[` would make Foundation re-encode the whole query.
        var url = baseURL + path.replacingOccurrences(of: "[", with: "%5B").replacingOccurrences(of: "]", with: "%5D")
        if case .wsKey(let key) = auth {
            url += (path.contains("?") ? "&" : "?") + "ws_key=" + key
        }
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        if case .basic(let key) = auth {
            request.headers.add(name: "Authorization", value: "Basic " + Data("\(key):".utf8).base64EncodedString())
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 64 << 20)
        var headerMap: [String: String] = [:]
        for header in response.headers { headerMap[header.name] = header.value }
        return HTTPResult(status: Int(response.status.code), headers: headerMap, body: String(buffer: buffer))
    }

    func get(_ path: String, auth: Auth = .basic(apiKey), headers: [String: String] = [:]) async throws -> HTTPResult {
        try await request("GET", path, auth: auth, headers: headers)
    }

    /// GET with `output_format=JSON`, parsed.
    func getJSON(_ path: String) async throws -> HTTPResult {
        try await get(path + (path.contains("?") ? "&" : "?") + "output_format=JSON")
    }

    func control(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> HTTPResult {
        let text = try body.map { String(decoding: try JSONSerialization.data(withJSONObject: $0), as: UTF8.self) }
        return try await request(method, "/_sandbox/" + path, auth: .none, body: text)
    }

    /// Creates an order through the control API and returns its id.
    func createOrder(_ spec: [String: Any]) async throws -> Int {
        let result = try await control("POST", "orders", spec)
        #expect(result.status == 201, "\(result.body)")
        return try #require(result.object?["id"] as? Int)
    }

    func order(_ id: Int) async throws -> [String: Any] {
        let result = try await getJSON("/api/orders/\(id)")
        #expect(result.status == 200, "\(result.body)")
        return try #require(result.object?["order"] as? [String: Any])
    }
}

/// `[a, b]` for query strings (brackets and commas percent-encoded, as clients must).
func encoded(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-_.~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}

func decimal(_ value: Any?) -> Decimal? {
    (value as? String).flatMap { Decimal(string: $0) }
}

/// Polls `condition` until true or `timeout` passes.
func eventually(
    timeout: Duration = .seconds(20),
    _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(50))
    }
    return try await condition()
}
