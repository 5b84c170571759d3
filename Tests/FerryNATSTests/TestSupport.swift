import FerryNATS
import FerryTestSupport
import Foundation
import Logging
import Synchronization
import Testing

/// Options suited to tests: quick reconnects.
func testOptions(_ server: NATSServerProcess, name: String = "ferry-test") -> NATSConnectionOptions {
    var options = NATSConnectionOptions(url: server.url, name: name)
    options.reconnectWait = .milliseconds(100)
    options.connectTimeout = .seconds(2)
    return options
}

let quietLogger = Logger(label: "ferry.nats.test") { _ in SwiftLogNoOpLogHandler() }

/// A server, a connection and a JetStream context for one test; all closed afterwards.
func withJetStream<T>(
    _ body: (NATSServerProcess, NATSConnection, JetStream) async throws -> T
) async throws -> T {
    try await withNATSServer { server in
        let connection = try await NATSConnection.connect(testOptions(server), logger: quietLogger)
        do {
            let jetStream = try connection.jetStream()
            let result = try await body(server, connection, jetStream)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }
}

/// A unique name for a stream or consumer.
func uniqueName(_ prefix: String) -> String {
    "\(prefix)_\(UUID().uuidString.prefix(8))"
}

/// Creates a file stream `name` on `<name>.>` and returns its subject prefix.
@discardableResult
func makeStream(_ jetStream: JetStream, _ name: String, duplicateWindow: Duration? = nil) async throws -> String {
    try await jetStream.addOrUpdateStream(
        StreamConfiguration(name: name, subjects: ["\(name).>"], duplicateWindow: duplicateWindow)
    )
    return name
}

/// Waits until `condition` holds or `timeout` passes; returns whether it held.
func eventually(
    timeout: Duration = .seconds(15),
    _ condition: () async throws -> Bool
) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

extension String {
    var bytes: [UInt8] { Array(utf8) }
}

extension Array where Element == UInt8 {
    var string: String { String(decoding: self, as: UTF8.self) }
}

/// A thread-safe counter that closures can capture.
final class Counter: Sendable {
    private let storage = Atomic<Int>(0)

    func increment() {
        storage.add(1, ordering: .relaxed)
    }

    var value: Int { storage.load(ordering: .relaxed) }
}
