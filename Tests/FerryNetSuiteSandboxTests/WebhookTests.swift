import FerrySandboxData
import Foundation
import Hummingbird
import Synchronization
import Testing

@testable import FerryNetSuiteSandbox

@Suite("Webhooks")
struct WebhookTests {
    /// A tiny HTTP receiver on a random port that records every body posted to it.
    final class Receiver: Sendable {
        let bodies = Mutex<[JSONValue]>([])

        func run<Result>(_ body: (_ url: String) async throws -> Result) async throws -> Result {
            let router = Router()
            router.post("hooks/netsuite") { request, _ -> HTTPResponse.Status in
                var request = request
                let buffer = try await request.collectBody(upTo: 1024 * 1024)
                if let json = try? JSONValue.parse(Data(buffer.readableBytesView)) {
                    self.bodies.withLock { $0.append(json) }
                }
                return .ok
            }
            let (ports, continuation) = AsyncStream<Int>.makeStream()
            let application = Application(
                router: router,
                configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                onServerRunning: { channel in
                    continuation.yield(channel.localAddress?.port ?? 0)
                    continuation.finish()
                },
                logger: TestSandbox.silentLogger
            )
            let task = Task { try await application.run() }
            defer { task.cancel() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            return try await body("http://127.0.0.1:\(port)/hooks/netsuite")
        }

        func waitForBodies(_ count: Int) async throws -> [JSONValue] {
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline {
                let received = bodies.withLock { $0 }
                if received.count >= count { return received }
                try await Task.sleep(for: .milliseconds(20))
            }
            return bodies.withLock { $0 }
        }
    }

    @Test func inventoryAdjustmentsAndAnnouncedChangesArePosted() async throws {
        let receiver = Receiver()
        try await receiver.run { url in
            try await withSandbox { sandbox in
                let set = try await sandbox.send(.PUT, "/_sandbox/webhook", json: #"{"url": "\#(url)"}"#)
                #expect(set.json?["webhook"]?["timeoutSeconds"] == .number(45))
                let item = TestWorld.item.netSuiteItemID
                let adjusted = try await sandbox.send(
                    .POST,
                    "/_sandbox/inventory/adjust",
                    json: #"{"item": \#(item), "location": 1, "delta": -2}"#
                )
                #expect(adjusted.status == 200)
                let emitted = try await sandbox.send(
                    .POST,
                    "/_sandbox/webhook/emit",
                    json: #"{"recordType": "salesOrder", "id": "5001"}"#
                )
                #expect(emitted.status == 202)

                let bodies = try await receiver.waitForBodies(2)
                let adjustment = try #require(bodies.first { $0["recordType"] == .string("inventoryadjustment") })
                #expect(adjustment["item"] == .string(String(item)))
                #expect(adjustment["location"] == .string("1"))
                #expect(adjustment["event"] == .string("create"))
                let order = try #require(bodies.first { $0["recordType"] == .string("salesorder") })
                #expect(order["id"] == .string("5001"))
                #expect(order["event"] == .string("edit"))
                #expect(order["at"]?.stringValue != nil)

                // REST writes are the integration's own and are not announced.
                let body = Bodies.salesOrder(lines: [.init(item: item)])
                #expect(try await sandbox.send(.POST, "/services/rest/record/v1/salesOrder", json: body).status == 204)
                try await Task.sleep(for: .milliseconds(200))
                #expect(receiver.bodies.withLock { $0.count } == 2)
                #expect(try await sandbox.send(.GET, "/_sandbox/webhook").json?["sent"] == .number(2))
            }
        }
    }

    @Test func lostAndUndeliverableNotificationsAreNotRetried() async throws {
        try await withSandbox(.test { $0.webhook = NetSuiteWebhook(url: "http://127.0.0.1:9/hooks", lossRate: 1) }) {
            sandbox in
            for id in 1...3 {
                let body = #"{"recordType": "customer", "id": "\#(id)"}"#
                #expect(try await sandbox.send(.POST, "/_sandbox/webhook/emit", json: body).status == 202)
            }
            #expect(sandbox.server.sandbox.webhooks.counters == .init(sent: 0, lost: 3, failed: 0))

            // Nothing listens on port 9: one attempt, counted as failed, never repeated.
            let change = #"{"url": "http://127.0.0.1:9/hooks", "lossRate": 0, "timeoutSeconds": 2}"#
            #expect(try await sandbox.send(.PUT, "/_sandbox/webhook", json: change).status == 200)
            try await sandbox.send(.POST, "/_sandbox/webhook/emit", json: #"{"recordType": "customer", "id": "4"}"#)
            let deadline = ContinuousClock.now + .seconds(20)
            while sandbox.server.sandbox.webhooks.counters.failed == 0, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            try await Task.sleep(for: .milliseconds(200))
            #expect(sandbox.server.sandbox.webhooks.counters == .init(sent: 0, lost: 3, failed: 1))
        }
    }
}
