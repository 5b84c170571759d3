import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The PrestaShop sandbox as a Hummingbird application: the webservice at `/api/`, the control API at
/// `/_sandbox/`, and, as services of the application, the order generator and the webhook queue.
///
/// Run it inside a `ServiceGroup` like any Hummingbird application; ``PrestaShopSandboxServer`` does that for tests.
public func buildPrestaShopSandboxApplication(
    configuration: PrestaShopSandboxConfiguration,
    logger: Logger
) -> some ApplicationProtocol {
    makePrestaShopSandboxApplication(configuration: configuration, logger: logger, onServerRunning: { _ in })
}

func makePrestaShopSandboxApplication(
    configuration: PrestaShopSandboxConfiguration,
    logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void
) -> Application<RouterResponder<BasicRequestContext>> {
    let store = ShopStore(
        dataset: configuration.dataset,
        orderStates: configuration.orderStates,
        timeZone: configuration.timeZone,
        seed: configuration.seed
    )
    let faults = FaultInjector(configuration.faults)
    let sender = WebhookSender(configuration: configuration.webhook, logger: logger)
    let publisher = OrderPublisher(store: store, sender: sender, typing: configuration.jsonTyping)
    let generator = OrderGenerator(
        configuration: configuration.generator,
        publisher: publisher,
        dataset: configuration.dataset,
        logger: logger
    )
    let webservice = Webservice(
        store: store,
        auth: WebserviceAuth(keys: configuration.apiKeys),
        faults: faults,
        shopVersion: configuration.shopVersion,
        shopName: configuration.shopName,
        typing: configuration.jsonTyping
    )

    let router = Router()
    router.add(middleware: WebserviceMiddleware(webservice: webservice))
    ControlRoutes(
        store: store,
        generator: generator,
        sender: sender,
        publisher: publisher,
        faults: faults,
        shopVersion: configuration.shopVersion
    ).register(on: router.group("_sandbox"))

    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
        services: [
            WebhookDeliveryService(sender: sender, httpClient: .shared, logger: logger),
            OrderGeneratorService(generator: generator),
        ],
        onServerRunning: onServerRunning,
        logger: logger
    )
}

/// A running sandbox, for tests and `ferry sim`: start on a port (0 picks one), read ``port``, shut down.
public final class PrestaShopSandboxServer: Sendable {
    /// The bound port.
    public let port: Int
    /// The bound host.
    public let host: String
    /// `http://host:port`; the webservice is at `baseURL + "/api/"`.
    public var baseURL: String { "http://\(host):\(port)" }

    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(port: Int, host: String, group: ServiceGroup, task: Task<Void, any Error>) {
        self.port = port
        self.host = host
        self.group = group
        self.task = task
    }

    /// Builds the shop from the dataset, binds, and returns once the server accepts connections.
    public static func start(
        configuration: PrestaShopSandboxConfiguration,
        logger: Logger
    ) async throws -> PrestaShopSandboxServer {
        let bound = BoundPort()
        let application = makePrestaShopSandboxApplication(
            configuration: configuration,
            logger: logger,
            onServerRunning: { channel in bound.resolve(.success(channel.localAddress?.port ?? 0)) }
        )
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        let task = Task {
            do {
                try await group.run()
                bound.resolve(.failure(SandboxServerError.stoppedBeforeStart))
            } catch {
                bound.resolve(.failure(error))
                throw error
            }
        }
        let port = try await bound.value()
        logger.info("prestashop sandbox started", metadata: ["port": "\(port)"])
        return PrestaShopSandboxServer(port: port, host: configuration.host, group: group, task: task)
    }

    /// Stops the server, the generator and the webhook queue (pending webhooks are lost, as in a shop restart).
    public func shutdown() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }
}

/// Why ``PrestaShopSandboxServer/start(configuration:logger:)`` failed.
public enum SandboxServerError: Error, Sendable {
    /// The service group ended before the server was listening.
    case stoppedBeforeStart
}

/// The port the server bound, delivered once from `onServerRunning` or the failure of the run task.
private final class BoundPort: Sendable {
    private let state = Mutex<(result: Result<Int, any Error>?, waiters: [CheckedContinuation<Int, any Error>])>(
        (nil, [])
    )

    func resolve(_ result: Result<Int, any Error>) {
        let waiters = state.withLock { state -> [CheckedContinuation<Int, any Error>] in
            guard state.result == nil else { return [] }
            state.result = result
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }

    func value() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let result = state.withLock { state -> Result<Int, any Error>? in
                if state.result == nil { state.waiters.append(continuation) }
                return state.result
            }
            if let result { continuation.resume(with: result) }
        }
    }
}
