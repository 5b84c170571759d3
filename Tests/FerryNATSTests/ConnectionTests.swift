import FerryNATS
import FerryTestSupport
import Foundation
import InMemoryLogging
import Testing

@Suite("NATS connection, restarts and failures")
struct ConnectionTests {
    @Test func connectsAndReportsState() async throws {
        try await withNATSServer { server in
            let logs = InMemoryLogHandler()
            let connection = try await NATSConnection.connect(testOptions(server, name: "state"), logger: logs.logger())
            #expect(connection.isConnected)
            #expect(connection.status == .connected)
            #expect(connection.connectedURL?.contains("\(server.port)") == true)
            try await connection.flush()
            #expect(logs.messages.contains("nats connected"))

            await connection.close()
            await connection.close()
            #expect(!connection.isConnected)
            #expect(connection.isClosed)
            #expect(connection.status == .closed)
            let jetStream = try connection.jetStream()
            let error = try await #require(throws: NATSError.self) {
                try await jetStream.publish(subject: "x.y", payload: [1])
            }
            #expect(error.code == .connectionClosed)
            #expect(error.isUnavailable)
            #expect(await eventually { logs.messages.contains("nats connection closed") })
            #expect(!logs.messages.contains("nats disconnected"))
        }
    }

    @Test func connectingToNoServerFails() async throws {
        // Take a free port from a server, then stop it: nothing listens there any more.
        let server = try await NATSServerProcess.start()
        let options = testOptions(server)
        server.cleanUp()
        let error = try await #require(throws: NATSError.self) {
            try await NATSConnection.connect(options, logger: quietLogger)
        }
        #expect(error.code == .notConnected)
        #expect(error.operation == "connect")
    }

    @Test func connectRetriesUntilTheServerIsUp() async throws {
        try await withNATSServer { server in
            await server.stop()
            var options = testOptions(server)
            options.initialConnectAttempts = 200
            options.reconnectWait = .milliseconds(50)
            let connecting = Task { try await NATSConnection.connect(options, logger: quietLogger) }
            try await Task.sleep(for: .milliseconds(300))
            try await server.restart()
            let connection = try await connecting.value
            #expect(connection.isConnected)
            await connection.close()
        }
    }

    @Test func drainClosesTheConnection() async throws {
        try await withJetStream { _, connection, jetStream in
            let stream = try await makeStream(jetStream, uniqueName("DRAIN"))
            _ = try await jetStream.publish(subject: "\(stream).a", payload: [1])
            try await connection.drain(timeout: .seconds(5))
            #expect(connection.isClosed)
        }
    }

    @Test func serverRestartKeepsMessagesAndConnectionReconnects() async throws {
        try await withNATSServer { server in
            let logs = InMemoryLogHandler()
            let connection = try await NATSConnection.connect(testOptions(server), logger: logs.logger())
            defer { Task { await connection.close() } }
            let jetStream = try connection.jetStream()
            let stream = try await makeStream(jetStream, uniqueName("DURABLE"))
            let consumer = uniqueName("worker")
            try await jetStream.addOrUpdateConsumer(stream: stream, ConsumerConfiguration(durableName: consumer))
            for index in 1...3 {
                _ = try await jetStream.publish(subject: "\(stream).o", payload: "before-\(index)".bytes)
            }
            // A subscription made before the restart keeps working after it.
            let subscription = try await jetStream.pullSubscribe(stream: stream, consumer: consumer)

            await server.stop()
            #expect(await eventually { !connection.isConnected })
            // While the server is down a fetch just finds nothing (the pull request waits in the reconnect buffer).
            let whileDown = try await subscription.fetch(batch: 1, timeout: .milliseconds(500))
            #expect(whileDown.isEmpty)
            try await server.restart()
            #expect(await eventually { connection.isConnected })
            // The reconnected callback runs on a libnats thread shortly after the state flips.
            #expect(await eventually { connection.reconnectCount >= 1 })
            #expect(await eventually { logs.messages.contains("nats reconnected") })
            #expect(logs.messages.contains("nats disconnected"))

            // File storage: the messages from before the restart are still there.
            let info = try await jetStream.streamInfo(stream)
            #expect(info.messages == 3)
            let ack = try await jetStream.publish(subject: "\(stream).o", payload: "after".bytes)
            #expect(ack.sequence == 4)

            // The durable consumer survived too and delivers everything.
            var payloads: [String] = []
            while payloads.count < 4 {
                let batch = try await subscription.fetch(batch: 10, timeout: .seconds(5))
                if batch.isEmpty { break }
                for message in batch {
                    payloads.append(message.data.string)
                    try await message.ack()
                }
            }
            #expect(payloads == ["before-1", "before-2", "before-3", "after"])
        }
    }

    @Test func killedServerFailsPublishesUntilRestarted() async throws {
        try await withNATSServer { server in
            let connection = try await NATSConnection.connect(testOptions(server), logger: quietLogger)
            defer { Task { await connection.close() } }
            let jetStream = try connection.jetStream()
            let stream = try await makeStream(jetStream, uniqueName("KILL"))
            _ = try await jetStream.publish(subject: "\(stream).o", payload: [1])
            // Make sure the stream definition is on disk before the hard kill.
            try await connection.flush()

            await server.kill()
            #expect(await eventually { !connection.isConnected })
            let error = try await #require(throws: NATSError.self) {
                try await jetStream.publish(subject: "\(stream).o", payload: [2], timeout: .seconds(2))
            }
            #expect(error.isUnavailable)
            #expect(error.code == .notConnected)
            #expect(error.shortForm == "not_connected")

            try await server.restart()
            #expect(await eventually { connection.isConnected })
            // JetStream may need a moment to recover the stream after a hard kill.
            var published: PublishAck?
            let recovered = await eventually {
                published = try? await jetStream.publish(subject: "\(stream).o", payload: [3])
                return published != nil
            }
            #expect(recovered)
            #expect(published?.stream == stream)
        }
    }

    @Test func publishThroughputSanityCheck() async throws {
        // Not a benchmark and no timing assertion: many sequential and concurrent publishes all get acked.
        try await withJetStream { _, _, jetStream in
            let stream = try await makeStream(jetStream, uniqueName("PERF"))
            let payload = [UInt8](repeating: 0x41, count: 1024)
            let clock = ContinuousClock()
            let started = clock.now
            for index in 0..<300 {
                _ = try await jetStream.publish(subject: "\(stream).p", payload: payload, msgID: "seq-\(index)")
            }
            let sequential = clock.now - started
            let concurrentStart = clock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for index in 0..<50 {
                            _ = try await jetStream.publish(
                                subject: "\(stream).p",
                                payload: payload,
                                msgID: "con-\(worker)-\(index)"
                            )
                        }
                    }
                }
                try await group.waitForAll()
            }
            let concurrent = clock.now - concurrentStart
            #expect(try await jetStream.streamInfo(stream).messages == 700)
            print("FerryNATS publish sanity: 300 sequential in \(sequential), 400 concurrent in \(concurrent)")
        }
    }
}
