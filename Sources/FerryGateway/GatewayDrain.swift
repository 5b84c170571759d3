import Logging
import ServiceLifecycle
import Synchronization

/// Whether the gateway is draining: shutting down, still answering webhooks, but no longer ready.
public final class GatewayDrain: Sendable {
    private let draining = Atomic<Bool>(false)

    public init() {}

    public var isDraining: Bool { draining.load(ordering: .acquiring) }

    func begin() { draining.store(true, ordering: .releasing) }
}

/// Put it in the gateway's `ServiceGroup` after the HTTP application: the group shuts services down in reverse
/// order, so on SIGTERM this one runs first. It turns `/readyz` to 503 at once, keeps serving for `delay` while
/// load balancers (a Kubernetes Service's endpoints) stop sending new requests, and then lets the application
/// stop accepting connections and finish the requests in flight.
public struct GatewayDrainService: Service {
    let drain: GatewayDrain
    let delay: Duration
    let logger: Logger

    public init(drain: GatewayDrain, delay: Duration, logger: Logger) {
        self.drain = drain
        self.delay = delay
        self.logger = logger
    }

    public func run() async throws {
        try? await gracefulShutdown()
        drain.begin()
        logger.notice(
            "gateway draining: not ready, still serving",
            metadata: ["drain.delay_ms": "\(delay / .milliseconds(1))"]
        )
        try? await Task.sleep(for: delay)
    }
}
