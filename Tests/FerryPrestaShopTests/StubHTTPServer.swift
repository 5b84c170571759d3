import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A stub shop for client tests that need answers the sandbox does not give (exact error bodies, 405 on PATCH, slow
/// answers): a Hummingbird router on 127.0.0.1, port 0, whose one middleware records every request and answers it
/// with `handler`, whatever the method and path.
final class StubHTTPServer: Sendable {
    struct Request: Sendable {
        var method: String
        /// Path and query exactly as sent (still percent-encoded).
        var target: String
        /// Header names in lower case.
        var headers: [String: String]
        var body: String

        var path: String { String(target.prefix { $0 != "?" }) }
        var rawQuery: String { target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) } ?? "" }
        /// Query items, percent-decoded.
        var query: [String: String] {
            var items: [String: String] = [:]
            for pair in rawQuery.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? "" }
                items[parts[0]] = parts.count > 1 ? parts[1] : ""
            }
            return items
        }
    }

    struct Response: Sendable {
        var status: Int
        var headers: [(String, String)] = []
        var body: String = ""
        /// Sleep before answering.
        var delay: Duration = .zero

        static func json(_ status: Int, _ body: String) -> Response {
            Response(status: status, headers: [("Content-Type", "application/json")], body: body)
        }

        static func xml(_ status: Int, _ body: String) -> Response {
            Response(status: status, headers: [("Content-Type", "text/xml;charset=utf-8")], body: body)
        }
    }

    typealias Handler = @Sendable (Request) -> Response

    let port: Int
    private let recorder: Recorder
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var requests: [Request] { recorder.requests.withLock { $0 } }

    private init(port: Int, recorder: Recorder, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.recorder = recorder
        self.group = group
        self.task = task
    }

    enum StubError: Error { case stoppedBeforeStart }

    /// Binds a free port and returns once the server accepts connections.
    static func start(handler: @escaping Handler) async throws -> StubHTTPServer {
        let logger = Logger(label: "ferry.test.stub") { _ in SwiftLogNoOpLogHandler() }
        let recorder = Recorder()
        let router = Router()
        router.add(middleware: StubMiddleware(recorder: recorder, handler: handler))
        let (bound, continuation) = AsyncStream.makeStream(of: Int.self)
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let task = Task {
            defer { continuation.finish() }
            try await group.run()
        }
        var ports = bound.makeAsyncIterator()
        guard let port = await ports.next() else {
            try await task.value
            throw StubError.stoppedBeforeStart
        }
        return StubHTTPServer(port: port, recorder: recorder, group: group, task: task)
    }

    /// Stops the server (after answering the requests it is still working on).
    func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    private final class Recorder: Sendable {
        let requests = Mutex<[Request]>([])
    }

    /// Every request ends here: there are no routes.
    private struct StubMiddleware: RouterMiddleware {
        typealias Context = BasicRequestContext

        let recorder: Recorder
        let handler: Handler

        func handle(
            _ request: Hummingbird.Request,
            context: Context,
            next: (Hummingbird.Request, Context) async throws -> Hummingbird.Response
        ) async throws -> Hummingbird.Response {
            var headers: [String: String] = [:]
            for field in request.headers { headers[field.name.canonicalName] = field.value }
            let body = try await request.body.collect(upTo: 16 << 20)
            let recorded = Request(
                method: request.method.rawValue,
                target: request.head.path ?? "",
                headers: headers,
                body: String(buffer: body)
            )
            recorder.requests.withLock { $0.append(recorded) }
            let response = handler(recorded)
            if response.delay > .zero { try? await Task.sleep(for: response.delay) }
            var fields = HTTPFields()
            for (name, value) in response.headers {
                if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
            }
            return Hummingbird.Response(
                status: HTTPResponse.Status(code: response.status),
                headers: fields,
                body: ResponseBody(byteBuffer: ByteBuffer(string: response.body))
            )
        }
    }
}
