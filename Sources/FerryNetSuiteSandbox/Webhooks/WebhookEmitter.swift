import FerrySandboxData
import Foundation
import Logging
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Where and how the sandbox posts change notifications, imitating a SuiteScript User Event script that calls
/// `N/https` in `afterSubmit` (A12, A13.19): one POST per event, at most once, no retry, a 45 s timeout, and a
/// configurable share of events lost on the way.
///
/// JSON form (`PUT /_sandbox/webhook`): `{"url": "http://127.0.0.1:8080/hooks/netsuite", "lossRate": 0.1,
/// "timeoutSeconds": 45}`.
public struct NetSuiteWebhook: Sendable, Equatable, Codable {
    /// The receiver's URL.
    public var url: String
    /// Fraction (0…1) of events silently never sent. Default 0.
    public var lossRate: Double
    /// How long the "script" waits for an answer before giving up. Default 45 s, as `N/https`.
    public var timeoutSeconds: Double

    public init(url: String, lossRate: Double = 0, timeoutSeconds: Double = 45) {
        self.url = url
        self.lossRate = lossRate
        self.timeoutSeconds = timeoutSeconds
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            url: try container.decode(String.self, forKey: .url),
            lossRate: try container.decodeIfPresent(Double.self, forKey: .lossRate) ?? 0,
            timeoutSeconds: try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 45
        )
    }
}

/// Sends change notifications as a User Event script would. Writes made through REST are not notified, since
/// integrations filter out their own REST writes; what is notified is what "happens in NetSuite": inventory
/// adjustments and changes announced through `POST /_sandbox/webhook/emit`.
///
/// Body of each POST: `{"recordType": "salesorder", "id": "5001", "event": "edit", "at": "<ISO 8601>"}` plus any
/// extra fields of the event (inventory adjustments add `item` and `location`).
final class WebhookEmitter: Sendable {
    struct Counters: Sendable, Equatable {
        var sent = 0
        var lost = 0
        var failed = 0
    }

    private struct State {
        var webhook: NetSuiteWebhook?
        var generator: SplitMix64
        var counters = Counters()
        var nextEventID = 1
    }

    private let state: Mutex<State>
    private let logger: Logger
    private let clock: @Sendable () -> Date

    init(webhook: NetSuiteWebhook?, seed: UInt64, clock: @escaping @Sendable () -> Date, logger: Logger) {
        state = Mutex(State(webhook: webhook, generator: SplitMix64(seed: seed ^ 0x5745_4248_4F4F_4B53)))
        self.clock = clock
        self.logger = logger
    }

    var webhook: NetSuiteWebhook? {
        get { state.withLock { $0.webhook } }
        set { state.withLock { $0.webhook = newValue } }
    }

    var counters: Counters { state.withLock { $0.counters } }

    /// A fresh id for an event that has no record of its own (an inventory adjustment).
    func nextEventID() -> Int {
        state.withLock { state in
            defer { state.nextEventID += 1 }
            return state.nextEventID
        }
    }

    /// Fires one notification in the background. Returns at once; the outcome only shows in the counters.
    func emit(recordType: String, id: String, event: String, extra: [String: JSONValue] = [:]) {
        let chosen = state.withLock { state -> NetSuiteWebhook? in
            guard let webhook = state.webhook else { return nil }
            if webhook.lossRate > 0, Double.random(in: 0..<1, using: &state.generator) < webhook.lossRate {
                state.counters.lost += 1
                return nil
            }
            return webhook
        }
        guard let webhook = chosen, let url = URL(string: webhook.url) else { return }
        var body = extra
        body["recordType"] = .string(recordType)
        body["id"] = .string(id)
        body["event"] = .string(event)
        body["at"] = .string(DateText.timestamp(clock()))
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.timeoutInterval = webhook.timeoutSeconds
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = Data(JSONValue.object(body).serialized.utf8)
        let sendable = request
        Task { [self] in
            do {
                let (_, response) = try await URLSession.shared.data(for: sendable)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                state.withLock { $0.counters.sent += 1 }
                if !(200..<300).contains(status) {
                    logger.debug("webhook answered non-2xx", metadata: ["http.status": "\(status)"])
                }
            } catch {
                // No retry: the notification is lost, as with a real User Event script.
                state.withLock { $0.counters.failed += 1 }
                logger.debug(
                    "webhook delivery failed",
                    metadata: ["error.type": "\(String(reflecting: type(of: error)))"]
                )
            }
        }
    }
}
