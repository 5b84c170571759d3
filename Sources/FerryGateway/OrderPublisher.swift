import FerryCore
import FerryNATS
import Foundation
import Logging

/// Where the gateway puts accepted orders. The answer comes only after the queue has durably stored the order.
public protocol OrderPublisher: Sendable {
    /// Stores the webhook body under `key`. A repeat of a key the queue already holds is not stored again
    /// and reports `duplicate`.
    func publish(
        key: IdempotencyKey,
        body: [UInt8],
        receivedAt: Date,
        headers: [String: String]
    ) async throws -> PublishOutcome
    /// True when a publish right now would likely succeed (connected, stream present).
    func isReady() async -> Bool
}

public struct PublishOutcome: Sendable, Equatable {
    public var sequence: UInt64
    public var duplicate: Bool
    public init(sequence: UInt64, duplicate: Bool) {
        self.sequence = sequence
        self.duplicate = duplicate
    }
}

/// Publishes to the JetStream orders stream with `Nats-Msg-Id` = the idempotency key.
public struct JetStreamOrderPublisher: OrderPublisher {
    public let connection: NATSConnection
    public let jetStream: JetStream
    public let queue: OrderQueueConfiguration
    public let timeout: Duration

    public init(
        connection: NATSConnection,
        jetStream: JetStream,
        queue: OrderQueueConfiguration,
        timeout: Duration = .seconds(5)
    ) {
        self.connection = connection
        self.jetStream = jetStream
        self.queue = queue
        self.timeout = timeout
    }

    public func publish(
        key: IdempotencyKey,
        body: [UInt8],
        receivedAt: Date,
        headers extra: [String: String]
    ) async throws -> PublishOutcome {
        var headers = NATSHeaders()
        headers[FerryHeader.idempotencyKey] = key.description
        headers[FerryHeader.receivedAt] = String(Int64((receivedAt.timeIntervalSince1970 * 1000).rounded()))
        for (name, value) in extra { headers[name] = value }
        let ack = try await jetStream.publish(
            subject: queue.ordersSubject(shopID: key.shopID),
            payload: body,
            headers: headers,
            msgID: key.description,
            expectStream: queue.ordersStream,
            timeout: timeout
        )
        return PublishOutcome(sequence: ack.sequence, duplicate: ack.duplicate)
    }

    public func isReady() async -> Bool {
        guard connection.status == .connected else { return false }
        return (try? await jetStream.streamInfo(queue.ordersStream)) != nil
    }
}
