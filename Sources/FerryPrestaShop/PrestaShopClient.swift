import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Tracing

/// Client for the PrestaShop 1.7/8.x webservice (`/api/`), for a real shop or Ferry's PrestaShop sandbox.
///
/// Reads ask for JSON (`output_format=JSON`) and decode it with the webservice's quirks (see
/// ``PrestaShopOrder``); writes send XML, the only input format the webservice parses. Every failure is a
/// ``PrestaShopError``. The client does not retry: callers decide with ``PrestaShopError/isRetryable``.
///
/// The key is sent as the Basic user name with an empty password, or as `ws_key` in the query
/// (``PrestaShopClientConfiguration/Authentication/queryParameter``); it never appears in logs or errors, and
/// URLs are never logged.
///
/// Create it over an `HTTPClient` you own (``init(configuration:httpClient:backgroundLogger:)``), or let it own
/// one (``init(configuration:backgroundLogger:)``) and call ``shutdown()`` when done.
public final class PrestaShopClient: Sendable {
    /// The configuration the client was created with.
    public let configuration: PrestaShopClientConfiguration

    let httpClient: HTTPClient
    private let ownsHTTPClient: Bool
    private let apiRoot: String
    let backgroundLogger: Logger
    let state = Mutex(MutableState())

    struct MutableState {
        /// Set once the shop answered a PATCH with 405/501 or reported a 1.x `PSWS-Version`.
        var patchUnsupported = false
        /// The last `PSWS-Version` seen.
        var shopVersion: String?
    }

    /// Creates a client over an `HTTPClient` owned by the caller; ``shutdown()`` leaves it running.
    ///
    /// With ``PrestaShopClientConfiguration/Authentication/queryParameter`` the key is part of the URL; give
    /// this initialiser an `HTTPClient` without a tracer (its spans record the full URL), or use
    /// ``init(configuration:backgroundLogger:)``.
    ///
    /// - Throws: ``PrestaShopError`` of kind ``PrestaShopError/Kind/invalidConfiguration`` when the base URL
    ///   is not an absolute http(s) URL or the key is empty or contains `:` (not allowed in a Basic user name).
    public init(
        configuration: PrestaShopClientConfiguration,
        httpClient: HTTPClient,
        backgroundLogger: Logger = Logger(label: "ferry.prestashop", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(PrestaShopError) {
        self.apiRoot = try Self.apiRoot(for: configuration)
        self.configuration = configuration
        self.httpClient = httpClient
        self.ownsHTTPClient = false
        self.backgroundLogger = backgroundLogger
    }

    /// Creates a client with its own `HTTPClient` (no redirects followed, read timeout = request timeout, and no
    /// tracing spans in `ws_key` mode, since AsyncHTTPClient records the full URL in them); call ``shutdown()``
    /// when done.
    public convenience init(
        configuration: PrestaShopClientConfiguration,
        backgroundLogger: Logger = Logger(label: "ferry.prestashop", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws(PrestaShopError) {
        let apiRoot = try Self.apiRoot(for: configuration)
        let timeout = TimeAmount(configuration.requestTimeout)
        var httpConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: min(timeout, .seconds(10)), read: timeout)
        )
        // AsyncHTTPClient puts the full URL, query included (and so the `ws_key`), into its tracing spans; the
        // client makes its own span per request instead (PrestaShopClient+Tracing.swift).
        httpConfiguration.tracing.tracer = nil
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: httpConfiguration)
        self.init(configuration: configuration, apiRoot: apiRoot, httpClient: httpClient, logger: backgroundLogger)
    }

    private init(configuration: PrestaShopClientConfiguration, apiRoot: String, httpClient: HTTPClient, logger: Logger)
    {
        self.apiRoot = apiRoot
        self.configuration = configuration
        self.httpClient = httpClient
        self.ownsHTTPClient = true
        self.backgroundLogger = logger
    }

    /// Shuts down the `HTTPClient` if the client created it; does nothing for a caller-owned one.
    public func shutdown() async throws {
        if ownsHTTPClient {
            try await httpClient.shutdown()
        }
    }

    /// The shop version from the last `PSWS-Version` header, if any answer carried one.
    public var shopVersion: String? { state.withLock { $0.shopVersion } }

    private static func apiRoot(for configuration: PrestaShopClientConfiguration) throws(PrestaShopError) -> String {
        func invalid() -> PrestaShopError {
            PrestaShopError(kind: .invalidConfiguration, operation: "configure", redacting: configuration.apiKey)
        }
        guard !configuration.apiKey.isEmpty,
            configuration.authentication == .queryParameter || !configuration.apiKey.contains(":")
        else { throw invalid() }
        var base = configuration.baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base), let scheme = url.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = url.host, !host.isEmpty,
            url.query == nil, url.fragment == nil
        else { throw invalid() }
        return base + "/api/"
    }
}

// MARK: - Transport

extension PrestaShopClient {
    enum Method: String {
        case get, post, put, patch

        var httpMethod: HTTPMethod {
            switch self {
            case .get: .GET
            case .post: .POST
            case .put: .PUT
            case .patch: .PATCH
            }
        }
    }

    struct Response {
        var status: Int
        var body: [UInt8]
    }

    /// Characters left as they are in query names and values (RFC 3986 unreserved); everything else,
    /// including `[`, `]`, `,` and space, is percent-encoded.
    private static let queryAllowed: CharacterSet = {
        var set = CharacterSet()
        set.insert(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return set
    }()

    static func encodeQuery(_ items: [(String, String)]) -> String {
        items.map { name, value in
            let encodedName = name.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? ""
            let encodedValue = value.addingPercentEncoding(withAllowedCharacters: queryAllowed) ?? ""
            return "\(encodedName)=\(encodedValue)"
        }.joined(separator: "&")
    }

    /// Sends one request to `/api/<path>`; ``send(_:path:operation:query:json:xmlBody:logger:)`` wraps it in a span.
    ///
    /// - Parameters:
    ///   - operation: method and resource for logs and errors (`GET orders`), never ids or URLs.
    ///   - json: adds `output_format=JSON`.
    ///   - xmlBody: a write body (sent as `text/xml`).
    /// - Returns: the answer when its status is 2xx.
    func sendUntraced(
        _ method: Method,
        path: String,
        operation: String,
        query: [(String, String)] = [],
        json: Bool,
        xmlBody: String? = nil,
        logger: Logger?
    ) async throws(PrestaShopError) -> Response {
        let logger = logger ?? backgroundLogger
        var items = query
        if json { items.append(("output_format", "JSON")) }
        if let shopID = configuration.shopID { items.append(("id_shop", String(shopID))) }
        if configuration.authentication == .queryParameter { items.append(("ws_key", configuration.apiKey)) }
        var url = apiRoot + path
        if !items.isEmpty { url += "?" + Self.encodeQuery(items) }

        var request = HTTPClientRequest(url: url)
        request.method = method.httpMethod
        request.headers.add(name: "User-Agent", value: "Ferry")
        request.headers.add(name: "Accept", value: json ? "application/json" : "text/xml")
        if configuration.authentication == .basic {
            let credentials = Data((configuration.apiKey + ":").utf8).base64EncodedString()
            request.headers.add(name: "Authorization", value: "Basic " + credentials)
        }
        InstrumentationSystem.instrument.inject(
            InstrumentationContext.current ?? .topLevel,
            into: &request.headers,
            using: TraceHeadersInjector()
        )
        if let xmlBody {
            let bytes = Array(xmlBody.utf8)
            request.headers.add(name: "Content-Type", value: "text/xml; charset=utf-8")
            request.body = .bytes(bytes)
        }

        let started = ContinuousClock.now
        let metadata: Logger.Metadata = ["prestashop.operation": "\(operation)"]
        let status: Int
        let body: [UInt8]
        do {
            let response = try await httpClient.execute(
                request,
                timeout: TimeAmount(configuration.requestTimeout),
                logger: logger
            )
            status = Int(response.status.code)
            if let version = response.headers.first(name: "PSWS-Version") {
                recordShopVersion(version)
            }
            let collected = try await response.body.collect(upTo: configuration.maxResponseBytes)
            body = Array(collected.readableBytesView)
        } catch {
            let failure = transportError(error, operation: operation)
            logger.debug(
                "prestashop request failed",
                metadata: metadata.merging(["error.type": "\(failure.shortForm)"]) { $1 }
            )
            throw failure
        }
        let elapsed = ContinuousClock.now - started
        logger.debug(
            "prestashop request finished",
            metadata: metadata.merging([
                "prestashop.status": "\(status)",
                "duration_ms":
                    "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
            ]) { $1 }
        )
        guard (200..<300).contains(status) else {
            throw PrestaShopError(
                kind: PrestaShopError.kind(forStatus: status),
                status: status,
                errors: PrestaShopError.parseWebserviceErrors(body),
                operation: operation,
                redacting: configuration.apiKey
            )
        }
        return Response(status: status, body: body)
    }

    private func recordShopVersion(_ version: String) {
        state.withLock { state in
            state.shopVersion = version
            if version.hasPrefix("1.") { state.patchUnsupported = true }
        }
    }

    private func transportError(_ error: any Error, operation: String) -> PrestaShopError {
        let kind: PrestaShopError.Kind
        switch error {
        case is CancellationError:
            kind = .cancelled
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout,
                .getConnectionFromPoolTimeout, .httpProxyHandshakeTimeout, .socksHandshakeTimeout:
                kind = .timeout
            case .cancelled, .requestStreamCancelled:
                kind = Task.isCancelled ? .cancelled : .timeout
            default:
                kind = .connection
            }
        case is NIOTooManyBytesError:
            kind = .invalidResponse
        default:
            kind = .connection
        }
        return PrestaShopError(kind: kind, operation: operation, underlying: error, redacting: configuration.apiKey)
    }

    /// An `invalidResponse` error for an answer that could not be read.
    func invalidResponse(_ payloadError: PrestaShopPayloadError, status: Int, operation: String) -> PrestaShopError {
        PrestaShopError(
            kind: .invalidResponse,
            status: status,
            operation: operation,
            payloadError: payloadError,
            redacting: configuration.apiKey
        )
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
