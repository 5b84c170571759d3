import FerryNATS
import Foundation
import Testing

@Suite("Stored messages (dead-letter tooling)")
struct StoredMessageTests {
    @Test func getDeleteAndIterateMessages() async throws {
        try await withJetStream { _, _, jetStream in
            let stream = try await makeStream(jetStream, uniqueName("DLQ"))
            for index in 1...3 {
                _ = try await jetStream.publish(
                    subject: "\(stream).dead",
                    payload: "dead-\(index)".bytes,
                    headers: ["Ferry-Error": "error \(index)"]
                )
            }

            let second = try #require(try await jetStream.getMessage(stream: stream, sequence: 2))
            #expect(second.sequence == 2)
            #expect(second.subject == "\(stream).dead")
            #expect(second.data.string == "dead-2")
            #expect(second.headers["Ferry-Error"] == "error 2")
            #expect(second.time != nil)

            try await jetStream.deleteMessage(stream: stream, sequence: 2)
            #expect(try await jetStream.getMessage(stream: stream, sequence: 2) == nil)
            #expect(try await jetStream.getMessage(stream: stream, sequence: 99) == nil)
            let info = try await jetStream.streamInfo(stream)
            #expect(info.messages == 2)
            #expect(info.deletedMessages == 1)

            let again = try await #require(throws: NATSError.self) {
                try await jetStream.deleteMessage(stream: stream, sequence: 2)
            }
            #expect(again.code == .messageNotFound)
            #expect(!again.isUnavailable)

            var iterated: [UInt64] = []
            for try await message in jetStream.storedMessages(stream: stream) {
                iterated.append(message.sequence)
            }
            #expect(iterated == [1, 3])

            var fromThree: [String] = []
            for try await message in jetStream.storedMessages(stream: stream, fromSequence: 3) {
                fromThree.append(message.data.string)
            }
            #expect(fromThree == ["dead-3"])

            // Deleting the first message moves the first sequence.
            try await jetStream.deleteMessage(stream: stream, sequence: 1)
            #expect(try await jetStream.firstSequence(stream: stream) == 3)
        }
    }

    @Test func iteratingAnEmptyStreamYieldsNothing() async throws {
        try await withJetStream { _, _, jetStream in
            let stream = try await makeStream(jetStream, uniqueName("EMPTY"))
            var count = 0
            for try await _ in jetStream.storedMessages(stream: stream) {
                count += 1
            }
            #expect(count == 0)
        }
    }
}
