import FerryCore
import FerryNATS

/// Settings of one worker process. Built from environment variables by the `ferry worker` command.
public struct WorkerConfiguration: Sendable {
    public var queue: OrderQueueConfiguration
    /// Shown in logs and dead letters.
    public var workerID: String
    /// Orders worked on at once by this process. The worker fetches only as many messages as it can start.
    public var maxInFlight: Int
    /// Resubmitted dead letters worked on at once by this process (their own lane and consumer).
    public var replayMaxInFlight: Int
    /// How long one fetch waits for messages before the loop checks for shutdown and outages again.
    public var fetchWait: Duration
    public var retryPolicy: RetryPolicy
    /// How often a message being worked on is marked in progress, resetting its ack deadline.
    public var inProgressInterval: Duration
    /// Delay before retrying a failed PrestaShop write-back (the order is already in NetSuite).
    public var writeBackRetryDelay: Duration
    /// Base delay before retrying after a 429; jittered so workers do not retry in step.
    public var concurrencyRetryDelay: Duration
    /// Systemic NetSuite failures in a row that pause fetching.
    public var outageThreshold: Int
    public var outageProbeInterval: Duration
    public var outageMaxProbeInterval: Duration
    /// How often a worker whose fetch budget is zero (every lease slot taken or promised) looks at the lease again.
    public var leaseCheckInterval: Duration
    /// Orders a worker may hold ready beyond the lease's headroom, so a slot that frees finds an order ready for it.
    public var leasePrefetch: Int
    /// During a graceful shutdown, how long PostgreSQL may fail to answer before the worker stops waiting on it:
    /// it cancels what it holds, hands the messages back to JetStream and exits (the lease slots it held expire).
    public var shutdownDatabaseTimeout: Duration = .seconds(5)

    public init(
        queue: OrderQueueConfiguration = OrderQueueConfiguration(),
        workerID: String,
        maxInFlight: Int = 8,
        fetchWait: Duration = .seconds(1),
        retryPolicy: RetryPolicy = RetryPolicy(),
        inProgressInterval: Duration? = nil,
        writeBackRetryDelay: Duration = .seconds(10),
        concurrencyRetryDelay: Duration = .milliseconds(500),
        outageThreshold: Int = 3,
        outageProbeInterval: Duration = .seconds(1),
        outageMaxProbeInterval: Duration = .seconds(30),
        leaseCheckInterval: Duration = .milliseconds(100),
        replayMaxInFlight: Int = 2,
        leasePrefetch: Int = 2
    ) {
        self.queue = queue
        self.workerID = workerID
        self.maxInFlight = max(1, maxInFlight)
        self.replayMaxInFlight = max(1, replayMaxInFlight)
        self.fetchWait = fetchWait
        self.retryPolicy = retryPolicy
        self.inProgressInterval = inProgressInterval ?? queue.ackWait / 4
        self.writeBackRetryDelay = writeBackRetryDelay
        self.concurrencyRetryDelay = concurrencyRetryDelay
        self.outageThreshold = outageThreshold
        self.outageProbeInterval = outageProbeInterval
        self.outageMaxProbeInterval = outageMaxProbeInterval
        self.leaseCheckInterval = max(leaseCheckInterval, .milliseconds(10))
        self.leasePrefetch = max(0, leasePrefetch)
    }
}
