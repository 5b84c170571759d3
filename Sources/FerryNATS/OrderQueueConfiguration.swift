/// Ferry's JetStream layout: the orders stream the gateways publish to, the durable pull consumer the workers
/// share, the dead-letter stream the workers write to, and the replay stream that resubmitted dead letters go to
/// (with a consumer of its own, so a burst of resubmissions never queues ahead of live orders). Every process calls ``ensure(on:)`` at start-up;
/// it is idempotent, so any number of gateways and workers can start in any order.
public struct OrderQueueConfiguration: Sendable, Hashable {
    public var ordersStream: String
    /// Orders are published to `<prefix>.<shop id>`.
    public var ordersSubjectPrefix: String
    public var deadLetterStream: String
    /// Dead letters are published to `<prefix>.<shop id>`.
    public var deadLetterSubjectPrefix: String
    public var consumer: String
    /// Resubmitted dead letters are published to `<prefix>.<shop id>` on this stream.
    public var replayStream: String
    public var replaySubjectPrefix: String
    public var replayConsumer: String
    /// Window in which JetStream drops a repeated `Nats-Msg-Id`. Later duplicates are caught by the
    /// processed-events table and NetSuite external ids.
    public var duplicateWindow: Duration
    /// How long the server waits for an ack or an in-progress signal before redelivering. Workers send
    /// in-progress well within it while an order is being worked on or waits for a NetSuite slot.
    public var ackWait: Duration
    public var maxAckPending: Int
    public var ordersMaxAge: Duration
    public var replicas: Int

    public init(
        ordersStream: String = "FERRY_ORDERS",
        ordersSubjectPrefix: String = "ferry.orders",
        deadLetterStream: String = "FERRY_DLQ",
        deadLetterSubjectPrefix: String = "ferry.dlq.orders",
        consumer: String = "ferry-workers",
        duplicateWindow: Duration = .seconds(600),
        ackWait: Duration = .seconds(60),
        maxAckPending: Int = 1000,
        ordersMaxAge: Duration = .seconds(14 * 86_400),
        replicas: Int = 1
    ) {
        self.ordersStream = ordersStream
        self.ordersSubjectPrefix = ordersSubjectPrefix
        self.deadLetterStream = deadLetterStream
        self.deadLetterSubjectPrefix = deadLetterSubjectPrefix
        self.consumer = consumer
        self.replayStream = "\(ordersStream)_REPLAY"
        // A token of its own: JetStream refuses streams whose subjects overlap.
        self.replaySubjectPrefix = "\(ordersSubjectPrefix)-replay"
        self.replayConsumer = "\(consumer)-replay"
        self.duplicateWindow = duplicateWindow
        self.ackWait = ackWait
        self.maxAckPending = maxAckPending
        self.ordersMaxAge = ordersMaxAge
        self.replicas = replicas
    }

    /// A layout whose names all carry `suffix`, so tests sharing one server stay apart.
    public static func isolated(_ suffix: String) -> OrderQueueConfiguration {
        let token = suffix.filter { $0.isLetter || $0.isNumber }.uppercased()
        return OrderQueueConfiguration(
            ordersStream: "FERRY_ORDERS_\(token)",
            ordersSubjectPrefix: "ferry.\(token.lowercased()).orders",
            deadLetterStream: "FERRY_DLQ_\(token)",
            deadLetterSubjectPrefix: "ferry.\(token.lowercased()).dlq",
            consumer: "ferry-workers-\(token.lowercased())"
        )
    }

    public func ordersSubject(shopID: Int) -> String { "\(ordersSubjectPrefix).\(shopID)" }
    public func deadLetterSubject(shopID: Int) -> String { "\(deadLetterSubjectPrefix).\(shopID)" }
    public func replaySubject(shopID: Int) -> String { "\(replaySubjectPrefix).\(shopID)" }

    public var ordersStreamConfiguration: StreamConfiguration {
        StreamConfiguration(
            name: ordersStream,
            subjects: ["\(ordersSubjectPrefix).>"],
            description: "PrestaShop order webhooks",
            storage: .file,
            retention: .limits,
            duplicateWindow: duplicateWindow,
            maxAge: ordersMaxAge,
            replicas: replicas
        )
    }

    public var deadLetterStreamConfiguration: StreamConfiguration {
        StreamConfiguration(
            name: deadLetterStream,
            subjects: ["\(deadLetterSubjectPrefix).>"],
            description: "Orders that ran out of attempts, with every attempt's error",
            storage: .file,
            retention: .limits,
            duplicateWindow: duplicateWindow,
            replicas: replicas
        )
    }

    public var consumerConfiguration: ConsumerConfiguration {
        ConsumerConfiguration(
            durableName: consumer,
            filterSubject: "\(ordersSubjectPrefix).>",
            description: "Ferry order workers",
            ackPolicy: .explicit,
            deliverPolicy: .all,
            ackWait: ackWait,
            maxDeliver: -1,
            maxAckPending: maxAckPending
        )
    }

    public var replayStreamConfiguration: StreamConfiguration {
        StreamConfiguration(
            name: replayStream,
            subjects: ["\(replaySubjectPrefix).>"],
            description: "Dead letters resubmitted by an operator",
            storage: .file,
            retention: .limits,
            duplicateWindow: duplicateWindow,
            maxAge: ordersMaxAge,
            replicas: replicas
        )
    }

    public var replayConsumerConfiguration: ConsumerConfiguration {
        ConsumerConfiguration(
            durableName: replayConsumer,
            filterSubject: "\(replaySubjectPrefix).>",
            description: "Ferry workers, resubmitted orders",
            ackPolicy: .explicit,
            deliverPolicy: .all,
            ackWait: ackWait,
            maxDeliver: -1,
            maxAckPending: maxAckPending
        )
    }

    /// Creates or updates the streams and consumers.
    public func ensure(on jetStream: JetStream) async throws {
        try await jetStream.addOrUpdateStream(ordersStreamConfiguration)
        try await jetStream.addOrUpdateStream(deadLetterStreamConfiguration)
        try await jetStream.addOrUpdateStream(replayStreamConfiguration)
        _ = try await jetStream.addOrUpdateConsumer(stream: ordersStream, consumerConfiguration)
        _ = try await jetStream.addOrUpdateConsumer(stream: replayStream, replayConsumerConfiguration)
    }
}
