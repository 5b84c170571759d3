import AsyncHTTPClient
import FerryMetricCatalogue
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix

/// Sends one HTTP request to the SuiteTalk domain with a deadline, maps transport failures to ``NetSuiteError`` and
/// logs the outcome with static messages. Knows nothing about authentication beyond the header it is given.
struct HTTPTransport: Sendable {
    let httpClient: HTTPClient
    let endpoint: ServiceEndpoint
    let requestTimeout: Duration
    let maxResponseBodySize: Int

    struct Request: Sendable {
        var method: HTTPMethod
        /// Percent-encoded path below the base URL, starting with `/`.
        var path: String
        /// Query parameters (decoded); encoded on the wire and signed by TBA.
        var query: [(name: String, value: String)] = []
        var headers: [(String, String)] = []
        var body: Data?
        /// Whether the request can change data (decides ``NetSuiteError/mayHaveCommitted``).
        var isWrite: Bool

        /// Throws the NetSuite error for a non-2xx answer.
        func check(_ response: Response) throws -> Response {
            guard (200..<300).contains(response.status) else {
                throw NetSuiteError.fromResponse(
                    status: response.status,
                    body: response.body,
                    location: response.headers.first(name: "Location"),
                    method: method.rawValue,
                    path: path,
                    isWrite: isWrite
                )
            }
            return response
        }

        /// Parses a 2xx JSON body.
        func decodeJSON(_ response: Response) throws -> JSON {
            do {
                return try JSON(data: Data(response.body))
            } catch {
                throw NetSuiteError(
                    kind: .unexpectedResponse,
                    status: response.status,
                    mayHaveCommitted: isWrite,
                    method: method.rawValue,
                    path: path,
                    message: "response body is not JSON"
                )
            }
        }

        /// An error for a 2xx answer the client cannot use.
        func unexpected(_ response: Response, _ message: String) -> NetSuiteError {
            NetSuiteError(
                kind: .unexpectedResponse,
                status: response.status,
                mayHaveCommitted: isWrite,
                method: method.rawValue,
                path: path,
                message: message
            )
        }
    }

    struct Response: Sendable {
        var status: Int
        var headers: HTTPHeaders
        var body: [UInt8]
    }

    /// Sends `request`; returns whatever status NetSuite answered. Throws ``NetSuiteError`` for transport failures
    /// (timeout, connection, cancellation). ``send(_:authorization:logger:)`` wraps it in a client span.
    func sendUntraced(_ request: Request, authorization: String?, logger: Logger) async throws -> Response {
        var httpRequest = HTTPClientRequest(url: endpoint.url(path: request.path, query: request.query))
        httpRequest.method = request.method
        httpRequest.headers.add(name: "User-Agent", value: "Ferry")
        if let authorization {
            httpRequest.headers.add(name: "Authorization", value: authorization)
        }
        for (name, value) in request.headers {
            httpRequest.headers.add(name: name, value: value)
        }
        if let body = request.body {
            httpRequest.body = .bytes(ByteBuffer(bytes: body))
        }

        var logger = logger
        logger[metadataKey: "netsuite.method"] = "\(request.method.rawValue)"
        logger[metadataKey: "netsuite.path"] = "\(request.path)"
        let clock = ContinuousClock()
        let start = clock.now
        let timeout = requestTimeout
        let maxBody = maxResponseBodySize
        let client = httpClient
        let requestLogger = logger
        let preparedRequest = httpRequest

        do {
            let response = try await Self.withTimeout(timeout) {
                let head = try await client.execute(
                    preparedRequest,
                    deadline: .now() + TimeAmount(timeout) + .milliseconds(50),
                    logger: requestLogger
                )
                let body = try await head.body.collect(upTo: maxBody)
                return Response(status: Int(head.status.code), headers: head.headers, body: Array(buffer: body))
            }
            let elapsed = clock.now - start
            var metadata: Logger.Metadata = [
                "netsuite.status": "\(response.status)",
                "netsuite.duration_ms": "\(Self.milliseconds(elapsed))",
            ]
            var errorCode: String?
            if (200..<300).contains(response.status) {
                logger.debug("netsuite request finished", metadata: metadata)
            } else {
                let problem = ProblemBody(bytes: response.body)
                errorCode = problem.details.first?.errorCode
                if let errorCode {
                    metadata["netsuite.error_code"] = "\(errorCode)"
                }
                // A 404 is often an expected answer (looking up an external id before a retry).
                let level: Logger.Level = response.status == 404 ? .debug : .info
                logger.log(level: level, "netsuite request failed", metadata: metadata)
            }
            FerryMetric.recordNetSuiteResponse(
                status: response.status,
                errorCode: errorCode,
                method: request.method.rawValue,
                duration: elapsed
            )
            return response
        } catch {
            let mapped = Self.transportError(error, request: request)
            FerryMetric.recordNetSuiteResponse(
                status: nil,
                errorCode: nil,
                method: request.method.rawValue,
                duration: clock.now - start
            )
            logger.info(
                "netsuite request failed",
                metadata: [
                    "error.type": "\(mapped.shortForm)",
                    "netsuite.duration_ms": "\(Self.milliseconds(clock.now - start))",
                ]
            )
            throw mapped
        }
    }

    private struct Timeout: Error {}

    /// Runs `operation`, throwing `Timeout` when it has not finished after `duration`.
    private static func withTimeout<T: Sendable>(
        _ duration: Duration,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: duration)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw Timeout()
            }
            return value
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }

    /// Classifies a failure that produced no HTTP answer.
    static func transportError(_ error: any Error, request: Request) -> NetSuiteError {
        if let error = error as? NetSuiteError {
            return error
        }
        let method = request.method.rawValue
        func make(_ kind: NetSuiteError.Kind, sent: Bool, _ message: String? = nil) -> NetSuiteError {
            NetSuiteError(
                kind: kind,
                mayHaveCommitted: sent && request.isWrite,
                method: method,
                path: request.path,
                message: message,
                underlying: error
            )
        }
        switch error {
        case is Timeout:
            return make(.timeout, sent: true, "no complete answer within the request timeout")
        case is CancellationError:
            return make(.cancelled, sent: true)
        case let error as HTTPClientError:
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout:
                return make(.timeout, sent: true, "no complete answer within the request timeout")
            case .connectTimeout, .tlsHandshakeTimeout, .getConnectionFromPoolTimeout, .socksHandshakeTimeout,
                .httpProxyHandshakeTimeout:
                return make(.connection, sent: false, "could not connect")
            case .cancelled:
                return make(.cancelled, sent: true)
            case .invalidURL, .emptyHost, .emptyScheme:
                return make(.invalidRequest, sent: false, "invalid URL")
            case .alreadyShutdown:
                return make(.invalidRequest, sent: false, "HTTP client already shut down")
            default:
                return make(.connection, sent: true, "connection failed during the request")
            }
        case is NIOTooManyBytesError:
            return make(.unexpectedResponse, sent: true, "response body too large")
        case is NIOConnectionError:
            return make(.connection, sent: false, "could not connect")
        case let error as IOError where [ECONNREFUSED, ENETUNREACH, EHOSTUNREACH].contains(error.errnoCode):
            return make(.connection, sent: false, "could not connect")
        case ChannelError.connectTimeout:
            return make(.connection, sent: false, "could not connect")
        default:
            return make(.connection, sent: true, "connection failed during the request")
        }
    }
}
