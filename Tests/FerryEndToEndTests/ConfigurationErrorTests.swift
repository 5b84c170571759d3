import Foundation
import Testing

/// A value Ferry cannot use stops the real binary at start, before it connects to anything, with the key named.
@Suite("End to end: configuration errors")
struct ConfigurationErrorTests {
    /// What `ferry worker` requires; NATS and PostgreSQL point at closed ports (they are never reached).
    static let worker: [String: String] = [
        "FERRY_NATS_URL": "nats://127.0.0.1:1",
        "FERRY_DATABASE_URL": "postgres://postgres@127.0.0.1:1/ferry?sslmode=disable",
        "FERRY_NETSUITE_URL": "http://127.0.0.1:1", "FERRY_NETSUITE_ACCOUNT": "1234567_SB1",
        "FERRY_NETSUITE_CONSUMER_KEY": "ck", "FERRY_NETSUITE_CONSUMER_SECRET": "cs", "FERRY_NETSUITE_TOKEN_ID": "ti",
        "FERRY_NETSUITE_TOKEN_SECRET": "ts", "FERRY_PRESTASHOP_URL": "http://127.0.0.1:1",
        "FERRY_PRESTASHOP_KEY": "FERRY0SANDBOX0PRESTASHOP0KEY0001", "FERRY_LOG_FORMAT": "text",
    ]

    @Test(arguments: [
        (
            "gateway",
            ["FERRY_WEBHOOK_SECRET": "whsec", "FERRY_NATS_URL": "nats://127.0.0.1:1", "FERRY_GATEWAY_PORT": "x"],
            "FERRY_GATEWAY_PORT must be an integer, found 'x'"
        ),
        (
            "worker", worker.merging(["FERRY_ACK_WAIT": "banana"]) { $1 },
            "FERRY_ACK_WAIT must be a duration like 500ms, 5s or 2m, found 'banana'"
        ),
        (
            "worker", worker.merging(["FERRY_LEASE_SLOTS": "many"]) { $1 },
            "FERRY_LEASE_SLOTS must be an integer, found 'many'"
        ),
    ])
    func aBadValueStopsTheBinaryWithItsKey(
        command: String,
        environment: [String: String],
        message: String
    ) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("ferry-config-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try await FerryProcess.run(
            arguments: [command],
            environment: environment,
            directory: directory,
            timeout: .seconds(30)
        )
        #expect(result.status != 0, "\(result)")
        #expect(result.log.contains("configuration: \(message)"), "\(result)")
    }
}
