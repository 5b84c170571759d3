import AsyncHTTPClient
import Crypto
import FerrySandboxData
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// Webhook delivery counters (`GET /_sandbox/stats`).
public struct WebhookStats: Sendable, Codable, Equatable {
    /// Webhooks queued for orders (one per order; resends included).
    public var queued = 0
    /// HTTP attempts made, retries included.
    public var sent = 0
    /// Deliveries answered with a 2xx.
    public var acknowledged = 0
    /// Deliveries that used up their attempts.
    public var failed = 0
    /// Attempts after the first.
    public var retried = 0
    /// Webhooks never sent (drop mode).
    public var dropped = 0
    /// Extra copies sent (duplicate mode).
    public var duplicated = 0
    /// Webhooks sent late (delay mode).
    public var delayed = 0
    /// Webhooks held back until after the next one (reorder mode).
    public var reordered = 0
    /// Deliveries waiting in the queue.
    public var pending = 0
}

/// One attempt, for the order's history in the control API.
struct WebhookAttempt: Sendable {
    let attempt: Int
    let status: Int?
    let error: String?
    let date: Date
}

/// A queued webhook module (like dfwebhooks): each order is signed, POSTed, and retried with exponential
/// back-off on non-2xx answers, connection errors and timeouts. Deliveries go out one at a time, in due order.
actor WebhookSender {
    private struct Delivery {
        let orderID: Int
        let body: String
        var attempt = 0
        var due: ContinuousClock.Instant
        var sequence: Int
    }

    private struct HeldBack {
        var delivery: Delivery
        let releaseAt: ContinuousClock.Instant
    }

    private var configuration: PrestaShopSandboxConfiguration.WebhookConfiguration?
    private var random: SplitMix64
    private var queue: [Delivery] = []
    private var heldBack: [HeldBack] = []
    private var sequence = 0
    private(set) var stats = WebhookStats()
    private var attempts: [Int: [WebhookAttempt]] = [:]
    private let logger: Logger

    init(configuration: PrestaShopSandboxConfiguration.WebhookConfiguration?, logger: Logger) {
        self.configuration = configuration
        self.random = SplitMix64(seed: configuration?.seed ?? 7)
        self.logger = logger
    }

    var isConfigured: Bool { configuration != nil }

    func configure(_ configuration: PrestaShopSandboxConfiguration.WebhookConfiguration?) {
        if let configuration, configuration.seed != self.configuration?.seed {
            random = SplitMix64(seed: configuration.seed)
        }
        self.configuration = configuration
    }

    func setModes(_ modes: PrestaShopSandboxConfiguration.DeliveryModes) {
        configuration?.modes = modes
    }

    var modes: PrestaShopSandboxConfiguration.DeliveryModes? { configuration?.modes }

    func attempts(orderID: Int) -> [WebhookAttempt] {
        attempts[orderID] ?? []
    }

    /// Queues the webhook of one order; `applyModes` false bypasses drop/duplicate/delay/reorder (resends).
    func enqueue(orderID: Int, body: String, applyModes: Bool = true) {
        guard let configuration else { return }
        stats.queued += 1
        let now = ContinuousClock.now
        var delivery = Delivery(orderID: orderID, body: body, due: now, sequence: nextSequence())
        if applyModes {
            let modes = configuration.modes
            if roll(modes.dropProbability) {
                stats.dropped += 1
                logger.debug("webhook dropped", metadata: ["order.id": "\(orderID)"])
                return
            }
            if roll(modes.reorderProbability) {
                stats.reordered += 1
                heldBack.append(HeldBack(delivery: delivery, releaseAt: now + Self.delay(modes)))
                return
            }
            if roll(modes.delayProbability) {
                stats.delayed += 1
                delivery.due = now + Self.delay(modes)
            }
            schedule(delivery)
            if roll(modes.duplicateProbability) {
                stats.duplicated += 1
                schedule(Delivery(orderID: orderID, body: body, due: delivery.due, sequence: nextSequence()))
            }
        } else {
            schedule(delivery)
        }
        // Held-back webhooks go out right after this one.
        for held in heldBack {
            var released = held.delivery
            released.due = delivery.due
            released.sequence = nextSequence()
            schedule(released)
        }
        heldBack.removeAll()
    }

    // MARK: - Queue

    private func nextSequence() -> Int {
        sequence += 1
        return sequence
    }

    private func schedule(_ delivery: Delivery) {
        queue.append(delivery)
        queue.sort { ($0.due, $0.sequence) < ($1.due, $1.sequence) }
        stats.pending = queue.count
    }

    /// `delaySeconds`, kept within 0…3600 s.
    private static func delay(_ modes: PrestaShopSandboxConfiguration.DeliveryModes) -> Duration {
        let seconds = modes.delaySeconds.isFinite ? min(max(modes.delaySeconds, 0), 3_600) : 0
        return .milliseconds(Int(seconds * 1_000))
    }

    private func roll(_ probability: Double) -> Bool {
        guard probability > 0 else { return false }
        return Double(random.next() >> 11) / Double(1 << 53) < probability
    }

    /// The next due delivery with what is needed to send it, or how long to wait.
    fileprivate func next() -> NextStep {
        let now = ContinuousClock.now
        for (index, held) in heldBack.enumerated().reversed() where held.releaseAt <= now {
            schedule(held.delivery)
            heldBack.remove(at: index)
        }
        guard let configuration, let first = queue.first else { return .wait(.milliseconds(20)) }
        guard first.due <= now else { return .wait(min(first.due - now, .milliseconds(20))) }
        var delivery = queue.removeFirst()
        stats.pending = queue.count
        delivery.attempt += 1
        stats.sent += 1
        if delivery.attempt > 1 { stats.retried += 1 }
        return .send(
            Outgoing(
                orderID: delivery.orderID,
                body: delivery.body,
                attempt: delivery.attempt,
                sequence: delivery.sequence
            ),
            configuration
        )
    }

    fileprivate func finished(_ outgoing: Outgoing, status: Int?, error: String?) {
        attempts[outgoing.orderID, default: []].append(
            WebhookAttempt(attempt: outgoing.attempt, status: status, error: error, date: Date())
        )
        if let status, (200..<300).contains(status) {
            stats.acknowledged += 1
            return
        }
        guard let configuration, outgoing.attempt < configuration.maxAttempts else {
            stats.failed += 1
            logger.info(
                "webhook delivery failed",
                metadata: ["order.id": "\(outgoing.orderID)", "attempt": "\(outgoing.attempt)"]
            )
            return
        }
        let backoff = min(
            configuration.initialBackoff * (1 << min(outgoing.attempt - 1, 20)),
            configuration.maxBackoff
        )
        schedule(
            Delivery(
                orderID: outgoing.orderID,
                body: outgoing.body,
                attempt: outgoing.attempt,
                due: .now + backoff,
                sequence: outgoing.sequence
            )
        )
    }
}

private struct Outgoing: Sendable {
    let orderID: Int
    let body: String
    let attempt: Int
    let sequence: Int
}

private enum NextStep: Sendable {
    case wait(Duration)
    case send(Outgoing, PrestaShopSandboxConfiguration.WebhookConfiguration)
}

/// Runs the webhook queue until graceful shutdown.
struct WebhookDeliveryService: Service {
    let sender: WebhookSender
    let httpClient: HTTPClient
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                switch await sender.next() {
                case .wait(let duration):
                    try? await Task.sleep(for: duration)
                case .send(let outgoing, let configuration):
                    let (status, error) = await deliver(outgoing, configuration: configuration)
                    await sender.finished(outgoing, status: status, error: error)
                }
            }
        }
    }

    private func deliver(
        _ outgoing: Outgoing,
        configuration: PrestaShopSandboxConfiguration.WebhookConfiguration
    ) async -> (Int?, String?) {
        // Several comma-separated receivers stand for gateways behind a load balancer: round-robin per order,
        // and a retry goes to the next one.
        let receivers = configuration.url.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        let url =
            receivers.isEmpty ? configuration.url : receivers[(outgoing.sequence + outgoing.attempt) % receivers.count]
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "PrestaShop-Webhooks/1.0 (Ferry sandbox)")
        if configuration.signed {
            let timestamp = String(Int(Date().timeIntervalSince1970))
            request.headers.add(name: "X-Ferry-Timestamp", value: timestamp)
            request.headers.add(
                name: "X-Ferry-Signature",
                value: "v1="
                    + WebhookSigning.signature(secret: configuration.secret, timestamp: timestamp, body: outgoing.body)
            )
        }
        request.body = .bytes(ByteBuffer(string: outgoing.body))
        let timeout = configuration.timeout.components
        let milliseconds = timeout.seconds * 1_000 + timeout.attoseconds / 1_000_000_000_000_000
        do {
            let response = try await httpClient.execute(request, timeout: .milliseconds(milliseconds))
            _ = try await response.body.collect(upTo: 1 << 20)
            logger.debug(
                "webhook delivered",
                metadata: [
                    "order.id": "\(outgoing.orderID)", "http.status": "\(response.status.code)",
                    "attempt": "\(outgoing.attempt)",
                ]
            )
            return (Int(response.status.code), nil)
        } catch {
            logger.debug(
                "webhook attempt failed",
                metadata: [
                    "order.id": "\(outgoing.orderID)", "error.type": "\(type(of: error))",
                    "attempt": "\(outgoing.attempt)",
                ]
            )
            return (nil, String(describing: type(of: error)))
        }
    }
}

/// `X-Ferry-Signature: v1=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
enum WebhookSigning {
    static func signature(secret: String, timestamp: String, body: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(
            for: Data("\(timestamp).\(body)".utf8),
            using: SymmetricKey(data: Data(secret.utf8))
        )
        return code.map { String(format: "%02x", $0) }.joined()
    }
}
