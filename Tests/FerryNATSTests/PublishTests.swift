import FerryNATS
import Foundation
import Testing

@Suite("JetStream publish and streams")
struct PublishTests {
    @Test func publishReturnsAckAndStreamInfoCountsMessages() async throws {
        try await withJetStream { _, _, jetStream in
            let stream = uniqueName("ORDERS")
            let created = try await jetStream.addOrUpdateStream(
                StreamConfiguration(name: stream, subjects: ["\(stream).>"], duplicateWindow: .seconds(120))
            )
            #expect(created.messages == 0)
            #expect(created.configuration.storage == .file)
            #expect(created.configuration.duplicateWindow == .seconds(120))

            var sequences: [UInt64] = []
            for index in 1...3 {
                let ack = try await jetStream.publish(subject: "\(stream).created", payload: "order-\(index)".bytes)
                #expect(ack.stream == stream)
                #expect(ack.duplicate == false)
                sequences.append(ack.sequence)
            }
            #expect(sequences == [1, 2, 3])

            let info = try await jetStream.streamInfo(stream)
            #expect(info.messages == 3)
            #expect(info.firstSequence == 1)
            #expect(info.lastSequence == 3)
            #expect(try await jetStream.lastSequence(stream: stream) == 3)
            #expect(try await jetStream.firstSequence(stream: stream) == 1)
        }
    }

    @Test func addOrUpdateStreamIsIdempotentAndUpdates() async throws {
        try await withJetStream { _, _, jetStream in
            let stream = uniqueName("IDEMP")
            var config = StreamConfiguration(name: stream, subjects: ["\(stream).>"], maxAge: .seconds(3600))
            try await jetStream.addOrUpdateStream(config)
            _ = try await jetStream.publish(subject: "\(stream).a", payload: [1])
            // Same configuration again: no error, messages kept.
            let again = try await jetStream.addOrUpdateStream(config)
            #expect(again.messages == 1)
            // Changed configuration: updated in place.
            config.maxMessages = 100
            config.duplicateWindow = .seconds(30)
            let updated = try await jetStream.addOrUpdateStream(config)
            #expect(updated.configuration.maxMessages == 100)
            #expect(updated.configuration.duplicateWindow == .seconds(30))
            #expect(updated.configuration.maxAge == .seconds(3600))
            #expect(updated.messages == 1)
            // A memory stream with other settings.
            let memory = try await jetStream.addOrUpdateStream(
                StreamConfiguration(
                    name: uniqueName("MEM"),
                    subjects: ["mem.\(stream).>"],
                    storage: .memory,
                    retention: .workQueue,
                    discard: .new
                )
            )
            #expect(memory.configuration.storage == .memory)
            #expect(memory.configuration.retention == .workQueue)
            #expect(memory.configuration.discard == .new)
        }
    }

    @Test func duplicateMessageIDReturnsOriginalSequence() async throws {
        try await withJetStream { _, _, jetStream in
            let stream = try await makeStream(jetStream, uniqueName("DEDUPE"), duplicateWindow: .seconds(120))
            let first = try await jetStream.publish(subject: "\(stream).o", payload: "a".bytes, msgID: "order-1")
            let other = try await jetStream.publish(subject: "\(stream).o", payload: "b".bytes, msgID: "order-2")
            let repeated = try await jetStream.publish(subject: "\(stream).o", payload: "a".bytes, msgID: "order-1")
            #expect(first.duplicate == false)
            #expect(other.duplicate == false)
            #expect(repeated.duplicate == true)
            #expect(repeated.sequence == first.sequence)
            #expect(try await jetStream.streamInfo(stream).messages == 2)
            // The message id travels as the Nats-Msg-Id header.
            let stored = try #require(try await jetStream.getMessage(stream: stream, sequence: first.sequence))
            #expect(stored.headers["Nats-Msg-Id"] == "order-1")
        }
    }

    @Test func publishWithoutStreamFailsWithNoResponders() async throws {
        try await withJetStream { _, _, jetStream in
            let secret = "SECRET-PAYLOAD-\(UUID().uuidString)"
            let error = try await #require(throws: NATSError.self) {
                try await jetStream.publish(subject: "nobody.listens.here", payload: secret.bytes, msgID: "x-1")
            }
            #expect(error.code == .noResponders)
            #expect(error.isUnavailable)
            #expect(error.shortForm == "no_responders")
            #expect(error.operation == "publish")
            #expect(!error.description.contains(secret))
            #expect(!error.message.contains(secret))
        }
    }

    @Test func expectationsFailWithDistinctCodes() async throws {
        try await withJetStream { _, _, jetStream in
            let stream = try await makeStream(jetStream, uniqueName("EXPECT"))
            _ = try await jetStream.publish(subject: "\(stream).a", payload: [1])
            let ok = try await jetStream.publish(
                subject: "\(stream).a",
                payload: [2],
                expectStream: stream,
                expectLastSequence: 1
            )
            #expect(ok.sequence == 2)

            let wrongSequence = try await #require(throws: NATSError.self) {
                try await jetStream.publish(subject: "\(stream).a", payload: [3], expectLastSequence: 1)
            }
            #expect(wrongSequence.code == .wrongLastSequence)
            #expect(wrongSequence.jetStreamErrorCode == 10071)
            #expect(!wrongSequence.isUnavailable)

            let wrongStream = try await #require(throws: NATSError.self) {
                try await jetStream.publish(subject: "\(stream).a", payload: [3], expectStream: "OTHER")
            }
            #expect(wrongStream.code == .streamMismatch)
            #expect(try await jetStream.streamInfo(stream).messages == 2)
        }
    }

    @Test func missingStreamAndConsumerHaveDistinctCodes() async throws {
        try await withJetStream { _, _, jetStream in
            let streamError = try await #require(throws: NATSError.self) {
                try await jetStream.streamInfo("NO_SUCH_STREAM")
            }
            #expect(streamError.code == .streamNotFound)
            #expect(streamError.jetStreamErrorCode == 10059)

            let stream = try await makeStream(jetStream, uniqueName("CONS"))
            let consumerError = try await #require(throws: NATSError.self) {
                try await jetStream.consumerInfo(stream: stream, consumer: "nobody")
            }
            #expect(consumerError.code == .consumerNotFound)

            let subscribeError = try await #require(throws: NATSError.self) {
                try await jetStream.pullSubscribe(stream: stream, consumer: "nobody")
            }
            #expect(subscribeError.code == .consumerNotFound)

            let getError = try await #require(throws: NATSError.self) {
                try await jetStream.getMessage(stream: "NO_SUCH_STREAM", sequence: 1)
            }
            #expect(getError.code == .streamNotFound)
        }
    }

    @Test func purgeAndDeleteStream() async throws {
        try await withJetStream { _, _, jetStream in
            let stream = try await makeStream(jetStream, uniqueName("PURGE"))
            for index in 0..<4 {
                _ = try await jetStream.publish(subject: "\(stream).\(index % 2 == 0 ? "even" : "odd")", payload: [1])
            }
            try await jetStream.purgeStream(stream, subject: "\(stream).even")
            #expect(try await jetStream.streamInfo(stream).messages == 2)
            try await jetStream.purgeStream(stream)
            let purged = try await jetStream.streamInfo(stream)
            #expect(purged.messages == 0)
            #expect(purged.lastSequence == 4)
            try await jetStream.deleteStream(stream)
            let error = try await #require(throws: NATSError.self) {
                try await jetStream.streamInfo(stream)
            }
            #expect(error.code == .streamNotFound)
        }
    }
}
