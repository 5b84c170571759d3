import CNATS
import Foundation
import Logging

/// The server's acknowledgement of a JetStream publish.
public struct PublishAck: Sendable, Hashable {
    /// The stream that stored the message.
    public var stream: String
    /// The message's stream sequence (for a duplicate: the sequence of the original).
    public var sequence: UInt64
    /// True when the `Nats-Msg-Id` was already seen inside the duplicate window: nothing new was stored.
    public var duplicate: Bool
    /// The JetStream domain, if any.
    public var domain: String?
}

/// A message read from a stream by sequence (not through a consumer).
public struct StoredMessage: Sendable, Hashable {
    /// The subject it was published to.
    public var subject: String
    /// The payload.
    public var data: [UInt8]
    /// The headers it was published with (including `Nats-Msg-Id` when set).
    public var headers: NATSHeaders
    /// The stream sequence.
    public var sequence: UInt64
    /// When the server stored it.
    public var time: Date?
}

/// A JetStream context (libnats `jsCtx*`): publish, streams, consumers, stored messages and pull subscriptions.
public final class JetStream: @unchecked Sendable {
    let context: OpaquePointer
    /// The connection this context belongs to.
    public let connection: NATSConnection
    /// How long JetStream API calls and synchronous acks wait for the server.
    public let requestTimeout: Duration

    init(context: OpaquePointer, connection: NATSConnection, requestTimeout: Duration) {
        self.context = context
        self.connection = connection
        self.requestTimeout = requestTimeout
    }

    deinit {
        jsCtx_Destroy(context)
    }

    var pool: NATSThreadPool { connection.pool }

    // MARK: Publish

    /// Publishes a message to the stream that captures `subject` and waits for the server's acknowledgement.
    ///
    /// - Parameters:
    ///   - msgID: sent as `Nats-Msg-Id`; a repeat inside the stream's duplicate window returns
    ///     ``PublishAck/duplicate`` = true with the original sequence and stores nothing.
    ///   - expectStream: the publish fails with ``NATSError/Code/streamMismatch`` unless this stream stores it.
    ///   - expectLastSequence: the publish fails with ``NATSError/Code/wrongLastSequence`` unless the stream's last
    ///     sequence is this one.
    ///   - timeout: how long to wait for the acknowledgement.
    /// - Throws: ``NATSError``: ``NATSError/Code/noResponders`` when no stream captures the subject (or JetStream is
    ///   not running), ``NATSError/Code/notConnected`` at once while the connection is down,
    ///   ``NATSError/Code/timeout`` when no acknowledgement came in time. ``NATSError/isUnavailable`` covers all
    ///   three. On a timeout the message may still have been stored: publish again with the same `msgID`.
    public func publish(
        subject: String,
        payload: [UInt8],
        headers: NATSHeaders = NATSHeaders(),
        msgID: String? = nil,
        expectStream: String? = nil,
        expectLastSequence: UInt64? = nil,
        timeout: Duration = .seconds(5)
    ) async throws -> PublishAck {
        try connection.checkConnected(operation: "publish")
        let maxWait = max(1, timeout.millisecondsRoundedUp)
        return try await pool.run { [self] in
            try withCStringArena { arena in
                var options = jsPubOptions()
                jsPubOptions_Init(&options)
                options.MaxWait = maxWait
                options.MsgId = arena.optionalString(msgID)
                options.ExpectStream = arena.optionalString(expectStream)
                if let expectLastSequence { options.ExpectLastSeq = expectLastSequence }
                var ack: UnsafeMutablePointer<jsPubAck>?
                var jsErr = jsErrCode(0)
                let status: natsStatus
                if headers.isEmpty {
                    status = payload.withUnsafeBytes { raw in
                        js_Publish(&ack, context, subject, raw.baseAddress, Int32(raw.count), &options, &jsErr)
                    }
                } else {
                    let msg = try NATSMessageCodec.create(
                        subject: subject,
                        payload: payload,
                        headers: headers,
                        operation: "publish"
                    )
                    defer { natsMsg_Destroy(msg) }
                    status = js_PublishMsg(&ack, context, msg, &options, &jsErr)
                }
                guard status == NATS_OK, let ack else {
                    throw NATSError.fromLastCall(status, jsErr: jsErr, operation: "publish")
                }
                defer { jsPubAck_Destroy(ack) }
                return PublishAck(
                    stream: ack.pointee.Stream.map { String(cString: $0) } ?? "",
                    sequence: ack.pointee.Sequence,
                    duplicate: ack.pointee.Duplicate,
                    domain: ack.pointee.Domain.map { String(cString: $0) }
                )
            }
        }
    }

    // MARK: Streams

    /// Creates the stream, or updates it when a stream with this name exists. Idempotent.
    @discardableResult
    public func addOrUpdateStream(_ configuration: StreamConfiguration) async throws -> StreamInfo {
        try connection.checkConnected(operation: "add_stream")
        return try await pool.run { [self] in
            try withCStringArena { arena in
                var config = configuration.cConfig(arena: arena)
                var info: UnsafeMutablePointer<jsStreamInfo>?
                var jsErr = jsErrCode(0)
                var status = js_AddStream(&info, context, &config, nil, &jsErr)
                if status != NATS_OK, jsErr == JSStreamNameExistErr {
                    jsErr = jsErrCode(0)
                    status = js_UpdateStream(&info, context, &config, nil, &jsErr)
                    guard status == NATS_OK, let info else {
                        throw NATSError.fromLastCall(status, jsErr: jsErr, operation: "update_stream")
                    }
                    defer { jsStreamInfo_Destroy(info) }
                    return StreamInfo(info)
                }
                guard status == NATS_OK, let info else {
                    throw NATSError.fromLastCall(status, jsErr: jsErr, operation: "add_stream")
                }
                defer { jsStreamInfo_Destroy(info) }
                return StreamInfo(info)
            }
        }
    }

    /// The stream's configuration and state. Throws ``NATSError/Code/streamNotFound`` when it does not exist.
    public func streamInfo(_ name: String) async throws -> StreamInfo {
        try connection.checkConnected(operation: "stream_info")
        return try await pool.run { [self] in
            var info: UnsafeMutablePointer<jsStreamInfo>?
            var jsErr = jsErrCode(0)
            let status = js_GetStreamInfo(&info, context, name, nil, &jsErr)
            guard status == NATS_OK, let info else {
                throw NATSError.fromLastCall(status, jsErr: jsErr, operation: "stream_info")
            }
            defer { jsStreamInfo_Destroy(info) }
            return StreamInfo(info)
        }
    }

    /// The sequence of the newest message in the stream (0 when nothing was ever stored).
    public func lastSequence(stream: String) async throws -> UInt64 {
        try await streamInfo(stream).lastSequence
    }

    /// The sequence of the oldest message in the stream.
    public func firstSequence(stream: String) async throws -> UInt64 {
        try await streamInfo(stream).firstSequence
    }

    /// Deletes the stream, its messages and its consumers.
    public func deleteStream(_ name: String) async throws {
        try connection.checkConnected(operation: "delete_stream")
        try await pool.run { [self] in
            var jsErr = jsErrCode(0)
            let status = js_DeleteStream(context, name, nil, &jsErr)
            guard status == NATS_OK else {
                throw NATSError.fromLastCall(status, jsErr: jsErr, operation: "delete_stream")
            }
        }
    }

    /// Removes all messages of the stream (or only those on `subject`), keeping the stream and its consumers.
    public func purgeStream(_ name: String, subject: String? = nil) async throws {
        try connection.checkConnected(operation: "purge_stream")
        try await pool.run { [self] in
            try withCStringArena { arena in
                var options = jsOptions()
                jsOptions_Init(&options)
                options.Stream.Purge.Subject = arena.optionalString(subject)
                var jsErr = jsErrCode(0)
                let status = js_PurgeStream(context, name, &options, &jsErr)
                guard status == NATS_OK else {
                    throw NATSError.fromLastCall(status, jsErr: jsErr, operation: "purge_stream")
                }
            }
        }
    }

    // MARK: Stored messages

    /// Reads the message stored at `sequence`, or nil when there is none (never stored, deleted or expired).
    /// Throws ``NATSError/Code/streamNotFound`` when the stream does not exist.
    public func getMessage(stream: String, sequence: UInt64) async throws -> StoredMessage? {
        try connection.checkConnected(operation: "get_message")
        return try await pool.run { [self] () -> StoredMessage? in
            var msg: OpaquePointer?
            var jsErr = jsErrCode(0)
            let status = js_GetMsg(&msg, context, stream, sequence, nil, &jsErr)
            guard status == NATS_OK, let msg else {
                let error = NATSError.fromLastCall(status, jsErr: jsErr, operation: "get_message")
                if error.code == .messageNotFound { return nil }
                throw error
            }
            defer { natsMsg_Destroy(msg) }
            return StoredMessage(
                subject: NATSMessageCodec.subject(msg),
                data: NATSMessageCodec.data(msg),
                headers: NATSMessageCodec.headers(msg),
                sequence: natsMsg_GetSequence(msg),
                time: dateFromEpochNanoseconds(natsMsg_GetTime(msg))
            )
        }
    }

    /// Deletes the message stored at `sequence`. Throws ``NATSError/Code/messageNotFound`` when there is none.
    public func deleteMessage(stream: String, sequence: UInt64) async throws {
        try connection.checkConnected(operation: "delete_message")
        try await pool.run { [self] in
            var jsErr = jsErrCode(0)
            let status = js_DeleteMsg(context, stream, sequence, nil, &jsErr)
            guard status == NATS_OK else {
                let error = NATSError.fromLastCall(status, jsErr: jsErr, operation: "delete_message")
                // 10057 "message delete failed": the server's answer for a sequence with no message.
                if error.jetStreamErrorCode == 10057 { throw error.with(code: .messageNotFound) }
                throw error
            }
        }
    }

    /// Iterates the messages stored in `stream`, oldest first, from `fromSequence` up to the last sequence at the
    /// time iteration starts. Deleted sequences are skipped. One request per sequence: meant for operator tools on
    /// small streams (dead letters), not for bulk reads.
    public func storedMessages(stream: String, fromSequence: UInt64 = 1) -> StoredMessages {
        StoredMessages(jetStream: self, stream: stream, fromSequence: fromSequence)
    }

    // MARK: Consumers

    /// Creates the durable consumer on `stream`, or updates it when it exists. Idempotent.
    /// Some fields (deliver policy, filter subject on 2.9) cannot change on an existing consumer; the server's
    /// error is thrown then.
    @discardableResult
    public func addOrUpdateConsumer(
        stream: String,
        _ configuration: ConsumerConfiguration
    ) async throws -> ConsumerInfo {
        try connection.checkConnected(operation: "add_consumer")
        return try await pool.run { [self] in
            try withCStringArena { arena in
                var config = configuration.cConfig(arena: arena)
                var info: UnsafeMutablePointer<jsConsumerInfo>?
                var jsErr = jsErrCode(0)
                var status = js_AddConsumer(&info, context, stream, &config, nil, &jsErr)
                var operation = "add_consumer"
                if status != NATS_OK,
                    NATSError.Code(status: status, jsErrorCode: Int(jsErr.rawValue)) == .consumerNameInUse
                {
                    operation = "update_consumer"
                    jsErr = jsErrCode(0)
                    status = js_UpdateConsumer(&info, context, stream, &config, nil, &jsErr)
                }
                guard status == NATS_OK, let info else {
                    throw NATSError.fromLastCall(status, jsErr: jsErr, operation: operation)
                }
                defer { jsConsumerInfo_Destroy(info) }
                return ConsumerInfo(info)
            }
        }
    }

    /// The consumer's configuration and counters (pending, ack pending, redelivered, waiting).
    /// Throws ``NATSError/Code/consumerNotFound`` or ``NATSError/Code/streamNotFound``.
    public func consumerInfo(stream: String, consumer: String) async throws -> ConsumerInfo {
        try connection.checkConnected(operation: "consumer_info")
        return try await pool.run { [self] in
            var info: UnsafeMutablePointer<jsConsumerInfo>?
            var jsErr = jsErrCode(0)
            let status = js_GetConsumerInfo(&info, context, stream, consumer, nil, &jsErr)
            guard status == NATS_OK, let info else {
                throw NATSError.fromLastCall(status, jsErr: jsErr, operation: "consumer_info")
            }
            defer { jsConsumerInfo_Destroy(info) }
            return ConsumerInfo(info)
        }
    }

    /// Deletes the consumer.
    public func deleteConsumer(stream: String, consumer: String) async throws {
        try connection.checkConnected(operation: "delete_consumer")
        try await pool.run { [self] in
            var jsErr = jsErrCode(0)
            let status = js_DeleteConsumer(context, stream, consumer, nil, &jsErr)
            guard status == NATS_OK else {
                throw NATSError.fromLastCall(status, jsErr: jsErr, operation: "delete_consumer")
            }
        }
    }

    /// Binds a pull subscription to the existing durable consumer `consumer` on `stream`.
    /// Several subscriptions (in one or many processes) on one consumer share its messages.
    /// Throws ``NATSError/Code/consumerNotFound`` when the consumer does not exist (it is never created here).
    public func pullSubscribe(stream: String, consumer: String) async throws -> PullSubscription {
        try connection.checkConnected(operation: "pull_subscribe")
        let box = try await pool.run { [self] in
            try withCStringArena { arena -> UnsafeSendablePointer in
                var options = jsSubOptions()
                jsSubOptions_Init(&options)
                options.Stream = arena.string(stream)
                options.Consumer = arena.string(consumer)
                var subscription: OpaquePointer?
                var jsErr = jsErrCode(0)
                let status = js_PullSubscribe(&subscription, context, nil, consumer, nil, &options, &jsErr)
                guard status == NATS_OK, let subscription else {
                    throw NATSError.fromLastCall(status, jsErr: jsErr, operation: "pull_subscribe")
                }
                return UnsafeSendablePointer(pointer: subscription)
            }
        }
        return PullSubscription(pointer: box.pointer, jetStream: self, stream: stream, consumer: consumer)
    }
}

/// The messages of a stream in sequence order; see ``JetStream/storedMessages(stream:fromSequence:)``.
public struct StoredMessages: AsyncSequence, Sendable {
    public typealias Element = StoredMessage

    let jetStream: JetStream
    let stream: String
    let fromSequence: UInt64

    public func makeAsyncIterator() -> Iterator {
        Iterator(jetStream: jetStream, stream: stream, next: fromSequence)
    }

    /// Reads one message per `next()`.
    public struct Iterator: AsyncIteratorProtocol {
        let jetStream: JetStream
        let stream: String
        var next: UInt64
        var last: UInt64?

        public mutating func next() async throws -> StoredMessage? {
            if last == nil {
                let info = try await jetStream.streamInfo(stream)
                last = info.lastSequence
                next = Swift.max(next, info.firstSequence)
            }
            guard let last else { return nil }
            while next <= last {
                let sequence = next
                next += 1
                if let message = try await jetStream.getMessage(stream: stream, sequence: sequence) {
                    return message
                }
            }
            return nil
        }
    }
}
