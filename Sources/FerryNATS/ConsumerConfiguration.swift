import CNATS
import Foundation

/// The configuration of a durable pull consumer (the subset Ferry uses).
///
/// Ferry schedules retries itself with ``JetStreamMessage/nak(delay:)`` and keeps ``ackWait`` above the slowest
/// expected call, sending ``JetStreamMessage/inProgress()`` while work runs. It does **not** use ``backOff``:
/// on nats-server 2.9 a BackOff list overrides `ackWait` with its first delay (so long calls get redelivered while
/// still running), a plain nak ignores it, and `maxDeliver` must be greater than its length.
public struct ConsumerConfiguration: Sendable, Hashable {
    /// How messages must be acknowledged.
    public enum AckPolicy: String, Sendable, Hashable {
        /// Each message is acknowledged on its own (what Ferry uses).
        case explicit
        /// Acknowledging a message acknowledges all earlier ones.
        case all
        /// No acknowledgements.
        case none
    }

    /// Where a new consumer starts in the stream.
    public enum DeliverPolicy: String, Sendable, Hashable {
        /// From the first message in the stream.
        case all
        /// From the last message.
        case last
        /// Only messages stored after the consumer was created.
        case new
    }

    /// The durable name (no dots, `*` or `>`), shared by every worker that pulls from this consumer.
    public var durableName: String
    /// Only messages whose subject matches this filter are delivered. Default: nil (all subjects of the stream).
    public var filterSubject: String?
    /// A free-text description. Default: nil.
    public var description: String?
    /// Default: ``AckPolicy/explicit``.
    public var ackPolicy: AckPolicy
    /// Default: ``DeliverPolicy/all``. Cannot be changed on an existing consumer.
    public var deliverPolicy: DeliverPolicy
    /// How long the server waits for an ack (or in-progress) before it redelivers. Default: 30 s.
    public var ackWait: Duration
    /// The maximum number of deliveries of one message; -1 (the default) = unlimited.
    public var maxDeliver: Int
    /// The maximum number of delivered but unacknowledged messages, across all subscribers. Default: 1000.
    public var maxAckPending: Int
    /// The maximum number of waiting pull requests. Default: 512.
    public var maxWaiting: Int
    /// Redelivery delays after ack timeouts. Default: empty. **Ferry does not use this** (see the type's
    /// documentation); it exists for completeness. When set, `maxDeliver` must be greater than its length.
    public var backOff: [Duration]

    /// Creates a configuration with the defaults documented on each property.
    public init(
        durableName: String,
        filterSubject: String? = nil,
        description: String? = nil,
        ackPolicy: AckPolicy = .explicit,
        deliverPolicy: DeliverPolicy = .all,
        ackWait: Duration = .seconds(30),
        maxDeliver: Int = -1,
        maxAckPending: Int = 1000,
        maxWaiting: Int = 512,
        backOff: [Duration] = []
    ) {
        self.durableName = durableName
        self.filterSubject = filterSubject
        self.description = description
        self.ackPolicy = ackPolicy
        self.deliverPolicy = deliverPolicy
        self.ackWait = ackWait
        self.maxDeliver = maxDeliver
        self.maxAckPending = maxAckPending
        self.maxWaiting = maxWaiting
        self.backOff = backOff
    }
}

extension ConsumerConfiguration {
    /// Fills a `jsConsumerConfig` whose strings and arrays live in `arena`.
    func cConfig(arena: CStringArena) -> jsConsumerConfig {
        var config = jsConsumerConfig()
        jsConsumerConfig_Init(&config)
        config.Durable = arena.string(durableName)
        config.FilterSubject = arena.optionalString(filterSubject)
        config.Description = arena.optionalString(description)
        switch ackPolicy {
        case .explicit: config.AckPolicy = js_AckExplicit
        case .all: config.AckPolicy = js_AckAll
        case .none: config.AckPolicy = js_AckNone
        }
        switch deliverPolicy {
        case .all: config.DeliverPolicy = js_DeliverAll
        case .last: config.DeliverPolicy = js_DeliverLast
        case .new: config.DeliverPolicy = js_DeliverNew
        }
        config.ReplayPolicy = js_ReplayInstant
        config.AckWait = ackWait.nanosecondsClamped
        config.MaxDeliver = Int64(maxDeliver)
        config.MaxAckPending = Int64(maxAckPending)
        config.MaxWaiting = Int64(maxWaiting)
        if !backOff.isEmpty {
            config.BackOff = arena.int64Array(backOff.map(\.nanosecondsClamped))
            config.BackOffLen = Int32(backOff.count)
        }
        return config
    }

    /// Reads a configuration as the server reported it.
    init(_ config: UnsafePointer<jsConsumerConfig>) {
        let c = config.pointee
        var backOff: [Duration] = []
        if let list = c.BackOff {
            for index in 0..<Int(c.BackOffLen) {
                backOff.append(.nanoseconds(list[index]))
            }
        }
        let ackPolicy: AckPolicy =
            switch c.AckPolicy {
            case js_AckAll: .all
            case js_AckNone: .none
            default: .explicit
            }
        let deliverPolicy: DeliverPolicy =
            switch c.DeliverPolicy {
            case js_DeliverLast: .last
            case js_DeliverNew: .new
            default: .all
            }
        let durable = c.Durable ?? c.Name
        self.init(
            durableName: durable.map { String(cString: $0) } ?? "",
            filterSubject: c.FilterSubject.map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 },
            description: c.Description.map { String(cString: $0) },
            ackPolicy: ackPolicy,
            deliverPolicy: deliverPolicy,
            ackWait: .nanoseconds(c.AckWait),
            maxDeliver: Int(c.MaxDeliver),
            maxAckPending: Int(c.MaxAckPending),
            maxWaiting: Int(c.MaxWaiting),
            backOff: backOff
        )
    }
}

/// A consumer's configuration and state as the server reports them (for metrics and lag).
public struct ConsumerInfo: Sendable, Hashable {
    /// A consumer and a stream sequence, with the time of the last activity.
    public struct SequenceInfo: Sendable, Hashable {
        /// The consumer sequence (counts deliveries, including redeliveries).
        public var consumerSequence: UInt64
        /// The stream sequence.
        public var streamSequence: UInt64
        /// When it last moved.
        public var last: Date?
    }

    /// The stream name.
    public var stream: String
    /// The consumer name.
    public var name: String
    /// When the consumer was created.
    public var created: Date?
    /// The configuration, with the server's defaults filled in.
    public var configuration: ConsumerConfiguration
    /// The last delivered message.
    public var delivered: SequenceInfo
    /// Everything up to this point is acknowledged.
    public var ackFloor: SequenceInfo
    /// Messages in the stream not yet delivered to this consumer.
    public var numPending: UInt64
    /// Messages delivered and not yet acknowledged (including those waiting for a nak delay).
    public var numAckPending: Int
    /// Messages that were delivered more than once and are not yet acknowledged.
    public var numRedelivered: Int
    /// Pull requests waiting at the server.
    public var numWaiting: Int

    init(_ info: UnsafePointer<jsConsumerInfo>) {
        let i = info.pointee
        stream = i.Stream.map { String(cString: $0) } ?? ""
        name = i.Name.map { String(cString: $0) } ?? ""
        created = dateFromEpochNanoseconds(i.Created)
        if let config = i.Config {
            configuration = ConsumerConfiguration(UnsafePointer(config))
        } else {
            configuration = ConsumerConfiguration(durableName: name)
        }
        delivered = SequenceInfo(
            consumerSequence: i.Delivered.Consumer,
            streamSequence: i.Delivered.Stream,
            last: dateFromEpochNanoseconds(i.Delivered.Last)
        )
        ackFloor = SequenceInfo(
            consumerSequence: i.AckFloor.Consumer,
            streamSequence: i.AckFloor.Stream,
            last: dateFromEpochNanoseconds(i.AckFloor.Last)
        )
        numPending = i.NumPending
        numAckPending = Int(i.NumAckPending)
        numRedelivered = Int(i.NumRedelivered)
        numWaiting = Int(i.NumWaiting)
    }
}
