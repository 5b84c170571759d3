import FerryCore
import FerryNATS
import FerryPostgres
import Foundation
import Logging

/// One dead-lettered order: the original message and every attempt's error. Stored as JSON on the
/// dead-letter stream; `ferry dlq show` prints it.
public struct DeadLetterEntry: Codable, Sendable, Equatable {
    public struct Original: Codable, Sendable, Equatable {
        public var subject: String
        public var streamSequence: UInt64
        public var headers: [String: [String]]
        /// The webhook body as received, UTF-8 text (or base64 when it was not valid UTF-8).
        public var payload: String
        public var payloadEncoding: String

        public var payloadBytes: [UInt8] {
            payloadEncoding == "base64" ? Array(Data(base64Encoded: payload) ?? Data()) : Array(payload.utf8)
        }
    }

    public var version = 1
    public var idempotencyKey: String?
    public var shopID: Int?
    public var orderID: Int?
    public var reference: String?
    /// `attempts_exhausted`, `permanent_failure` or `unreadable_payload`.
    public var reason: String
    public var lastError: String
    public var deadLetteredAt: Date
    public var worker: String
    public var attempts: [AttemptRecord]
    public var context: DeadLetterContext?
    public var original: Original

    /// Stored as snake_case through the key strategies below. Acronym properties need their key spelled so it
    /// survives the round trip: `shopID` → `shop_id` → `shopId` would not match `shopID` and decode as nil.
    enum CodingKeys: String, CodingKey {
        case version, idempotencyKey, reference, reason, lastError, deadLetteredAt, worker, attempts, context, original
        case shopID = "shopId"
        case orderID = "orderId"
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.dateEncodingStrategy = .iso8601
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        d.dateDecodingStrategy = .iso8601
        return d
    }()

    public func encoded() throws -> [UInt8] { Array(try Self.encoder.encode(self)) }
    public static func decode(_ bytes: [UInt8]) throws -> DeadLetterEntry {
        try decoder.decode(DeadLetterEntry.self, from: Data(bytes))
    }

    static func original(of message: JetStreamMessage) -> Original {
        var headers: [String: [String]] = [:]
        for (name, values) in message.headers { headers[name] = values }
        if let text = String(validating: message.data, as: UTF8.self) {
            return Original(
                subject: message.subject,
                streamSequence: message.metadata.streamSequence,
                headers: headers,
                payload: text,
                payloadEncoding: "utf-8"
            )
        }
        return Original(
            subject: message.subject,
            streamSequence: message.metadata.streamSequence,
            headers: headers,
            payload: Data(message.data).base64EncodedString(),
            payloadEncoding: "base64"
        )
    }
}

/// A dead letter as stored: its stream sequence is the id operators use.
public struct StoredDeadLetter: Sendable {
    public var sequence: UInt64
    public var entry: DeadLetterEntry
}

/// Writing, listing and resubmitting dead letters.
public struct DeadLetterQueue: Sendable {
    public let jetStream: JetStream
    public let queue: OrderQueueConfiguration

    public init(jetStream: JetStream, queue: OrderQueueConfiguration) {
        self.jetStream = jetStream
        self.queue = queue
    }

    /// Publishes the entry and waits for the server's acknowledgement. Only then may the original be terminated.
    public func write(_ entry: DeadLetterEntry) async throws -> UInt64 {
        var headers = NATSHeaders()
        if let key = entry.idempotencyKey { headers[FerryHeader.idempotencyKey] = key }
        let msgID = "dlq-\(entry.idempotencyKey ?? "unknown")-\(entry.original.streamSequence)"
        let ack = try await jetStream.publish(
            subject: queue.deadLetterSubject(shopID: entry.shopID ?? 0),
            payload: try entry.encoded(),
            headers: headers,
            msgID: msgID,
            expectStream: queue.deadLetterStream
        )
        return ack.sequence
    }

    /// Every dead letter still in the stream, oldest first. Entries that cannot be decoded are skipped.
    public func list() async throws -> [StoredDeadLetter] {
        var result: [StoredDeadLetter] = []
        for try await message in jetStream.storedMessages(stream: queue.deadLetterStream) {
            if let entry = try? DeadLetterEntry.decode(message.data) {
                result.append(StoredDeadLetter(sequence: message.sequence, entry: entry))
            }
        }
        return result
    }

    /// The dead letter with stream sequence `sequence`, or the newest one for idempotency key `id`.
    public func find(_ id: String) async throws -> StoredDeadLetter? {
        if let sequence = UInt64(id),
            let message = try await jetStream.getMessage(stream: queue.deadLetterStream, sequence: sequence)
        {
            return (try? DeadLetterEntry.decode(message.data)).map { StoredDeadLetter(sequence: sequence, entry: $0) }
        }
        return try await list().last { $0.entry.idempotencyKey == id }
    }

    /// Puts the original order on the replay stream with a fresh set of attempts, then removes the
    /// dead letter. The NetSuite external ids keep a resubmission from creating anything twice.
    public func resubmit(_ letter: StoredDeadLetter, sync: OrderSyncStore, logger: Logger) async throws {
        if let key = letter.entry.idempotencyKey {
            try await sync.resetForResubmission(key: key, logger: logger)
        }
        var headers = NATSHeaders()
        for (name, values) in letter.entry.original.headers where !name.hasPrefix("Nats-") {
            if let first = values.first { headers[name] = first }
        }
        headers[FerryHeader.resubmittedFrom] = String(letter.sequence)
        headers[FerryHeader.receivedAt] = String(Int64((Date().timeIntervalSince1970 * 1000).rounded()))
        // The replay stream has its own consumer: resubmissions never queue ahead of live orders.
        let shopID = letter.entry.shopID ?? 0
        _ = try await jetStream.publish(
            subject: queue.replaySubject(shopID: shopID),
            payload: letter.entry.original.payloadBytes,
            headers: headers,
            msgID: "\(letter.entry.idempotencyKey ?? "unknown")-resubmit-\(letter.sequence)",
            expectStream: queue.replayStream
        )
        try await jetStream.deleteMessage(stream: queue.deadLetterStream, sequence: letter.sequence)
        logger.info(
            "dead letter resubmitted",
            metadata: [
                "idempotency_key": "\(letter.entry.idempotencyKey ?? "unknown")", "dlq.sequence": "\(letter.sequence)",
            ]
        )
    }
}
