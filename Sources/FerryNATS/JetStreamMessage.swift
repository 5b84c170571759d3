import CNATS
import Foundation
import Synchronization

/// A message delivered by a pull consumer (owns the libnats `natsMsg*`).
///
/// Subject, payload, headers and metadata are copied when the message is fetched, so reading them is free and
/// thread-safe. ``ack()``, ``nak(delay:)``, ``inProgress()`` and ``term()`` each wait for the server's
/// confirmation. Once a message is acked, nak'ed or terminated, further acknowledgements do nothing and succeed
/// (as in libnats); ``inProgress()`` may be sent any number of times before that.
public final class JetStreamMessage: @unchecked Sendable {
    /// Delivery facts parsed from the message's reply subject.
    public struct Metadata: Sendable, Hashable {
        /// The message's sequence in the stream.
        public var streamSequence: UInt64
        /// The consumer's delivery sequence (grows with every delivery, including redeliveries).
        public var consumerSequence: UInt64
        /// How many times this message was delivered (1 on the first delivery).
        public var numDelivered: UInt64
        /// How many messages were pending for the consumer when this one was delivered.
        public var numPending: UInt64
        /// When the message was stored in the stream.
        public var timestamp: Date?
        /// The stream name.
        public var stream: String
        /// The consumer name.
        public var consumer: String
        /// The JetStream domain, if any.
        public var domain: String?
    }

    /// The subject the message was published to.
    public let subject: String
    /// The payload.
    public let data: [UInt8]
    /// The headers (W3C `traceparent`, `Nats-Msg-Id`, …).
    public let headers: NATSHeaders
    /// Delivery metadata.
    public let metadata: Metadata

    private let pointer: OpaquePointer
    // Keeps the natsSubscription (and through it the jsCtx and connection) alive: libnats acks through msg->sub.
    private let subscription: PullSubscription
    private let lock = Mutex<Void>(())

    /// Takes ownership of `pointer`. Runs on a pool thread (copies headers, which libnats parses lazily).
    init(pointer: OpaquePointer, subscription: PullSubscription) {
        self.pointer = pointer
        self.subscription = subscription
        subject = NATSMessageCodec.subject(pointer)
        data = NATSMessageCodec.data(pointer)
        headers = NATSMessageCodec.headers(pointer)
        var meta: UnsafeMutablePointer<jsMsgMetaData>?
        if natsMsg_GetMetaData(&meta, pointer) == NATS_OK, let meta {
            defer { jsMsgMetaData_Destroy(meta) }
            let m = meta.pointee
            metadata = Metadata(
                streamSequence: m.Sequence.Stream,
                consumerSequence: m.Sequence.Consumer,
                numDelivered: m.NumDelivered,
                numPending: m.NumPending,
                timestamp: dateFromEpochNanoseconds(m.Timestamp),
                stream: m.Stream.map { String(cString: $0) } ?? subscription.stream,
                consumer: m.Consumer.map { String(cString: $0) } ?? subscription.consumer,
                domain: m.Domain.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
            )
        } else {
            metadata = Metadata(
                streamSequence: 0,
                consumerSequence: 0,
                numDelivered: 0,
                numPending: 0,
                timestamp: nil,
                stream: subscription.stream,
                consumer: subscription.consumer,
                domain: nil
            )
        }
    }

    deinit {
        natsMsg_Destroy(pointer)
    }

    /// Acknowledges the message and waits until the server confirms it recorded the ack.
    public func ack() async throws {
        try await acknowledge(operation: "ack") { msg, options, jsErr in
            natsMsg_AckSync(msg, options, jsErr)
        }
    }

    /// Asks for redelivery: after `delay` (sent to the server in milliseconds), or at once when nil or zero.
    /// Ferry's retry schedule uses this; it does not depend on the consumer's BackOff.
    public func nak(delay: Duration? = nil) async throws {
        let delayMs = delay?.millisecondsRoundedUp ?? 0
        try await acknowledge(operation: "nak") { msg, options, _ in
            delayMs > 0 ? natsMsg_NakWithDelay(msg, delayMs, options) : natsMsg_Nak(msg, options)
        }
    }

    /// Tells the server the message is still being worked on: restarts its ack-wait timer.
    public func inProgress() async throws {
        try await acknowledge(operation: "in_progress") { msg, options, _ in
            natsMsg_InProgress(msg, options)
        }
    }

    /// Stops all further deliveries of this message, whatever the consumer's max deliver.
    public func term() async throws {
        try await acknowledge(operation: "term") { msg, options, _ in
            natsMsg_Term(msg, options)
        }
    }

    /// A plain nak without waiting for the server (used for messages of a cancelled fetch). Pool thread only.
    func nakWithoutConfirmation() {
        lock.withLock { _ in
            _ = natsMsg_Nak(pointer, nil)
        }
    }

    private typealias AckCall =
        @Sendable (
            OpaquePointer, UnsafeMutablePointer<jsOptions>, UnsafeMutablePointer<jsErrCode>
        ) -> natsStatus

    private func acknowledge(
        operation: String,
        _ call: @escaping AckCall
    ) async throws {
        let jetStream = subscription.jetStream
        try jetStream.connection.checkConnected(operation: operation)
        // With jsOptions.Wait set, libnats sends every kind of ack as a request and waits for the server's reply.
        let waitMs = max(1, jetStream.requestTimeout.millisecondsRoundedUp)
        try await jetStream.pool.run { [self] in
            try lock.withLock { _ in
                var options = jsOptions()
                jsOptions_Init(&options)
                options.Wait = waitMs
                var jsErr = jsErrCode(0)
                let status = call(pointer, &options, &jsErr)
                guard status == NATS_OK else {
                    throw NATSError.fromLastCall(status, jsErr: jsErr, operation: operation)
                }
            }
        }
    }
}
