import CNATS
import Synchronization

/// A pull subscription bound to a durable consumer (libnats `natsSubscription*`).
///
/// Call ``fetch(batch:timeout:)`` from one task at a time (libnats refuses concurrent fetches on one subscription);
/// for parallel pulls on the same consumer create several subscriptions. Acks, naks and in-progress signals go
/// through the messages themselves and may run concurrently with a fetch.
public final class PullSubscription: @unchecked Sendable {
    /// The longest single blocking libnats fetch. A longer ``fetch(batch:timeout:)`` loops over slices, so even if
    /// the cancellation wake-up were lost, a cancelled fetch returns within one slice.
    public static let maximumFetchSlice: Duration = .seconds(2)

    let pointer: OpaquePointer
    /// The JetStream context this subscription belongs to.
    public let jetStream: JetStream
    /// The stream name.
    public let stream: String
    /// The durable consumer name.
    public let consumer: String
    private let inbox: String
    private let unsubscribed = Atomic<Bool>(false)

    init(pointer: OpaquePointer, jetStream: JetStream, stream: String, consumer: String) {
        self.pointer = pointer
        self.jetStream = jetStream
        self.stream = stream
        self.consumer = consumer
        self.inbox = natsSubscription_GetSubject(pointer).map { String(cString: $0) } ?? ""
    }

    deinit {
        let box = UnsafeSendablePointer(pointer: pointer)
        jetStream.pool.submit {
            natsSubscription_Destroy(box.pointer)
        }
    }

    /// Fetches up to `batch` messages, waiting up to `timeout` for the first ones.
    ///
    /// Returns an empty array when no message arrived in time (a timeout is not an error). It may return fewer than
    /// `batch` messages as soon as some arrived and the server has no more right now.
    ///
    /// Cancellation: a task cancelled while the fetch waits returns promptly with `CancellationError`. Messages
    /// that the server delivered to the cancelled fetch are nak'ed (without delay) so another subscriber gets them
    /// at once; a message that reaches the client after the fetch ended stays ack-pending until the consumer's
    /// ack wait expires.
    /// - Throws: `CancellationError`, or ``NATSError`` (``NATSError/Code/connectionClosed``,
    ///   ``NATSError/Code/invalidSubscription`` after ``unsubscribe()``, server errors such as a deleted consumer).
    public func fetch(batch: Int, timeout: Duration) async throws -> [JetStreamMessage] {
        guard batch > 0 else {
            throw NATSError(
                code: .invalidArgument,
                status: "Invalid Argument",
                operation: "fetch",
                message: "batch must be at least 1"
            )
        }
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            try Task.checkCancellation()
            if unsubscribed.load(ordering: .acquiring) {
                throw NATSError(
                    code: .invalidSubscription,
                    status: "Invalid Subscription",
                    operation: "fetch",
                    message: "the subscription was unsubscribed"
                )
            }
            let remaining = deadline - clock.now
            if remaining <= .zero {
                return []
            }
            let sliceMs = max(1, min(remaining, Self.maximumFetchSlice).millisecondsRoundedUp)
            let messages = try await withTaskCancellationHandler {
                try await jetStream.pool.run { [self] in
                    try self.fetchBlocking(batch: batch, timeoutMs: sliceMs)
                }
            } onCancel: {
                self.interruptFetch()
            }
            if Task.isCancelled {
                if !messages.isEmpty {
                    await Self.release(messages, pool: jetStream.pool)
                }
                throw CancellationError()
            }
            if !messages.isEmpty {
                return messages
            }
        }
    }

    /// Stops this subscription. The durable consumer and its messages stay on the server; other subscriptions on
    /// it keep working. A fetch waiting on this subscription ends with ``NATSError/Code/invalidSubscription``.
    /// Idempotent.
    public func unsubscribe() async {
        guard !unsubscribed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        _ = try? await jetStream.pool.run { [self] in
            natsSubscription_Unsubscribe(pointer)
        }
    }

    private func fetchBlocking(batch: Int, timeoutMs: Int64) throws -> [JetStreamMessage] {
        var list = natsMsgList()
        var jsErr = jsErrCode(0)
        let status = natsSubscription_Fetch(&list, pointer, Int32(clamping: batch), timeoutMs, &jsErr)
        if status == NATS_TIMEOUT {
            return []
        }
        guard status == NATS_OK else {
            throw NATSError.fromLastCall(status, jsErr: jsErr, operation: "fetch")
        }
        defer { natsMsgList_Destroy(&list) }
        var messages: [JetStreamMessage] = []
        messages.reserveCapacity(Int(list.Count))
        for index in 0..<Int(list.Count) {
            guard let msg = list.Msgs[index] else { continue }
            // Take ownership: natsMsgList_Destroy then frees only the array.
            list.Msgs[index] = nil
            messages.append(JetStreamMessage(pointer: msg, subscription: self))
        }
        return messages
    }

    /// Wakes a blocked libnats fetch: a message on the subscription's inbox with the pull status "408 Request
    /// Timeout" makes `natsSubscription_Fetch` return at once, as when the server expires a pull request. A stale
    /// wake-up that arrives after the fetch ended is discarded by the next fetch (libnats drops status messages
    /// queued before a fetch starts) or at worst ends one slice of it early.
    private func interruptFetch() {
        guard !inbox.isEmpty else { return }
        let connection = jetStream.connection
        let inbox = self.inbox
        jetStream.pool.submit {
            var msg: OpaquePointer?
            guard natsMsg_Create(&msg, inbox, nil, nil, 0) == NATS_OK, let msg else { return }
            defer { natsMsg_Destroy(msg) }
            guard natsMsgHeader_Set(msg, "Status", "408") == NATS_OK else { return }
            _ = natsMsgHeader_Set(msg, "Description", "Request Timeout")
            _ = natsConnection_PublishMsg(connection.pointer, msg)
        }
    }

    /// Gives messages of a cancelled fetch back to the server at once (plain nak, no confirmation wait).
    private static func release(_ messages: [JetStreamMessage], pool: NATSThreadPool) async {
        _ = try? await pool.run {
            for message in messages {
                message.nakWithoutConfirmation()
            }
        }
    }
}
