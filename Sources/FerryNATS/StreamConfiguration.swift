import CNATS
import Foundation

/// The configuration of a JetStream stream (the subset Ferry uses).
public struct StreamConfiguration: Sendable, Hashable {
    /// Where the stream keeps its messages.
    public enum Storage: String, Sendable, Hashable {
        /// On disk: survives a server restart.
        case file
        /// In memory: lost on restart.
        case memory
    }

    /// When messages leave the stream.
    public enum Retention: String, Sendable, Hashable {
        /// Kept until a limit (age, count, bytes) removes them.
        case limits
        /// Kept while a consumer has not acknowledged them.
        case interest
        /// Removed once acknowledged (one consumer per subject).
        case workQueue
    }

    /// What happens when a limit is reached.
    public enum Discard: String, Sendable, Hashable {
        /// Old messages are removed to make room.
        case old
        /// New messages are refused.
        case new
    }

    /// The stream name (no spaces, dots, `*` or `>`).
    public var name: String
    /// The subjects the stream captures, for example `["ferry.orders.>"]`.
    public var subjects: [String]
    /// A free-text description. Default: nil.
    public var description: String?
    /// Default: ``Storage/file``.
    public var storage: Storage
    /// Default: ``Retention/limits``.
    public var retention: Retention
    /// The window in which a repeated `Nats-Msg-Id` is recognised as a duplicate. nil = the server default (2 min).
    public var duplicateWindow: Duration?
    /// The maximum age of a message. nil (the default) = unlimited.
    public var maxAge: Duration?
    /// The maximum number of messages. nil (the default) = unlimited.
    public var maxMessages: Int64?
    /// The maximum total size in bytes. nil (the default) = unlimited.
    public var maxBytes: Int64?
    /// The maximum size of one message. nil (the default) = the server's limit.
    public var maxMessageSize: Int32?
    /// The number of replicas (1 on a single server). Default: 1.
    public var replicas: Int
    /// Default: ``Discard/old``.
    public var discard: Discard

    /// Creates a configuration with the defaults documented on each property.
    public init(
        name: String,
        subjects: [String],
        description: String? = nil,
        storage: Storage = .file,
        retention: Retention = .limits,
        duplicateWindow: Duration? = nil,
        maxAge: Duration? = nil,
        maxMessages: Int64? = nil,
        maxBytes: Int64? = nil,
        maxMessageSize: Int32? = nil,
        replicas: Int = 1,
        discard: Discard = .old
    ) {
        self.name = name
        self.subjects = subjects
        self.description = description
        self.storage = storage
        self.retention = retention
        self.duplicateWindow = duplicateWindow
        self.maxAge = maxAge
        self.maxMessages = maxMessages
        self.maxBytes = maxBytes
        self.maxMessageSize = maxMessageSize
        self.replicas = replicas
        self.discard = discard
    }
}

extension StreamConfiguration {
    /// Fills a `jsStreamConfig` whose strings live in `arena`.
    func cConfig(arena: CStringArena) -> jsStreamConfig {
        var config = jsStreamConfig()
        jsStreamConfig_Init(&config)
        config.Name = arena.string(name)
        config.Description = arena.optionalString(description)
        config.Subjects = arena.stringArray(subjects)
        config.SubjectsLen = Int32(subjects.count)
        config.Storage = storage == .file ? js_FileStorage : js_MemoryStorage
        switch retention {
        case .limits: config.Retention = js_LimitsPolicy
        case .interest: config.Retention = js_InterestPolicy
        case .workQueue: config.Retention = js_WorkQueuePolicy
        }
        config.Discard = discard == .old ? js_DiscardOld : js_DiscardNew
        if let duplicateWindow { config.Duplicates = duplicateWindow.nanosecondsClamped }
        if let maxAge { config.MaxAge = maxAge.nanosecondsClamped }
        config.MaxMsgs = maxMessages ?? -1
        config.MaxBytes = maxBytes ?? -1
        config.MaxMsgSize = maxMessageSize ?? -1
        config.Replicas = Int64(replicas)
        return config
    }

    /// Reads a configuration as the server reported it.
    init(_ config: UnsafePointer<jsStreamConfig>) {
        let c = config.pointee
        var subjects: [String] = []
        if let list = c.Subjects {
            for index in 0..<Int(c.SubjectsLen) {
                if let subject = list[index] { subjects.append(String(cString: subject)) }
            }
        }
        let retention: Retention =
            switch c.Retention {
            case js_InterestPolicy: .interest
            case js_WorkQueuePolicy: .workQueue
            default: .limits
            }
        self.init(
            name: c.Name.map { String(cString: $0) } ?? "",
            subjects: subjects,
            description: c.Description.map { String(cString: $0) },
            storage: c.Storage == js_MemoryStorage ? .memory : .file,
            retention: retention,
            duplicateWindow: c.Duplicates > 0 ? .nanoseconds(c.Duplicates) : nil,
            maxAge: c.MaxAge > 0 ? .nanoseconds(c.MaxAge) : nil,
            maxMessages: c.MaxMsgs >= 0 ? c.MaxMsgs : nil,
            maxBytes: c.MaxBytes >= 0 ? c.MaxBytes : nil,
            maxMessageSize: c.MaxMsgSize >= 0 ? c.MaxMsgSize : nil,
            replicas: Int(c.Replicas),
            discard: c.Discard == js_DiscardNew ? .new : .old
        )
    }
}

/// A stream's configuration and state as the server reports them.
public struct StreamInfo: Sendable, Hashable {
    /// The configuration, with the server's defaults filled in.
    public var configuration: StreamConfiguration
    /// When the stream was created.
    public var created: Date?
    /// How many messages the stream holds.
    public var messages: UInt64
    /// The total size of the stored messages in bytes.
    public var bytes: UInt64
    /// The sequence of the oldest stored message (the next sequence when empty).
    public var firstSequence: UInt64
    /// The sequence of the newest stored message (0 when nothing was ever stored).
    public var lastSequence: UInt64
    /// When the oldest stored message was stored.
    public var firstTime: Date?
    /// When the newest stored message was stored.
    public var lastTime: Date?
    /// How many messages were deleted inside the first…last range.
    public var deletedMessages: UInt64
    /// How many consumers the stream has.
    public var consumerCount: Int

    init(_ info: UnsafePointer<jsStreamInfo>) {
        let i = info.pointee
        if let config = i.Config {
            configuration = StreamConfiguration(UnsafePointer(config))
        } else {
            configuration = StreamConfiguration(name: "", subjects: [])
        }
        created = dateFromEpochNanoseconds(i.Created)
        messages = i.State.Msgs
        bytes = i.State.Bytes
        firstSequence = i.State.FirstSeq
        lastSequence = i.State.LastSeq
        firstTime = dateFromEpochNanoseconds(i.State.FirstTime)
        lastTime = dateFromEpochNanoseconds(i.State.LastTime)
        deletedMessages = i.State.NumDeleted
        consumerCount = Int(i.State.Consumers)
    }
}
