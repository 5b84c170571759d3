import Configuration
import FerryConfiguration

extension OrderQueueConfiguration {
    /// Reads the queue's names and limits.
    ///
    /// - Configuration keys:
    ///   - `FERRY_QUEUE_NAMESPACE` (string, optional): gives every stream, subject and consumer its own name
    ///     (``isolated(_:)``), for several Ferry installs, or tests, on one NATS server
    ///   - `FERRY_ORDERS_STREAM` (string, default: `FERRY_ORDERS`, or the namespace's): the orders stream
    ///   - `FERRY_DLQ_STREAM` (string, default: `FERRY_DLQ`, or the namespace's): the dead-letter stream
    ///   - `FERRY_CONSUMER` (string, default: `ferry-workers`, or the namespace's): the workers' durable consumer
    ///   - `FERRY_ACK_WAIT` (duration, default: `60s`): the ack deadline
    ///   - `FERRY_DUPLICATE_WINDOW` (duration, default: `10m`): JetStream's dedupe window
    ///   - `FERRY_STREAM_REPLICAS` (int, default: `1`): stream replicas (3 on a NATS cluster)
    ///
    /// - Parameter reader: Ferry's configuration (``ConfigReader/ferryEnvironment(_:)``).
    /// - Throws: ``ConfigurationError`` naming the key of a value that is not a duration or an integer.
    public init(reader: ConfigReader) throws {
        self =
            reader.string("FERRY_QUEUE_NAMESPACE").map { OrderQueueConfiguration.isolated($0) }
            ?? OrderQueueConfiguration()
        ordersStream = reader.string("FERRY_ORDERS_STREAM", default: ordersStream)
        deadLetterStream = reader.string("FERRY_DLQ_STREAM", default: deadLetterStream)
        consumer = reader.string("FERRY_CONSUMER", default: consumer)
        ackWait = try reader.duration("FERRY_ACK_WAIT", default: ackWait)
        duplicateWindow = try reader.duration("FERRY_DUPLICATE_WINDOW", default: duplicateWindow)
        replicas = try reader.int("FERRY_STREAM_REPLICAS", default: replicas)
    }
}

extension NATSConnectionOptions {
    /// Reads where NATS is.
    ///
    /// - Configuration keys:
    ///   - `FERRY_NATS_URL` (string, default: `nats://127.0.0.1:4222`): the NATS server(s) with JetStream
    ///
    /// - Parameters:
    ///   - reader: Ferry's configuration (``ConfigReader/ferryEnvironment(_:)``).
    ///   - name: the connection's name, shown by the server (`ferry-worker`).
    public init(reader: ConfigReader, name: String) {
        self.init(url: reader.string("FERRY_NATS_URL", default: "nats://127.0.0.1:4222"), name: name)
    }
}
