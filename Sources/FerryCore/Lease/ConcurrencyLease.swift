import Synchronization

/// A distributed lease on a NetSuite account's concurrency pool: whoever holds a slot may have one request in
/// flight. Every NetSuite HTTP request Ferry makes runs inside ``withSlot(priority:_:)``.
public protocol ConcurrencyLease: Sendable {
    /// Waits for a slot of `priority`'s share, runs `body` holding it (kept alive by heartbeats however long the
    /// body takes), then releases it, also when `body` throws or the task is cancelled.
    ///
    /// `body` may call ``LeaseSlot/report(_:)`` to say how the request went; a body that returns counts as
    /// ``LeaseFeedback/success`` and one that throws as ``LeaseFeedback/neutral``.
    /// - Throws: whatever `body` throws, `CancellationError`, or ``ConcurrencyLeaseError``.
    func withSlot<T: Sendable>(
        priority: LeasePriority,
        _ body: @Sendable (LeaseSlot) async throws -> T
    ) async throws -> T
}

/// The slot a ``ConcurrencyLease/withSlot(priority:_:)`` body runs under.
public final class LeaseSlot: Sendable {
    /// Slot number within the account, from 1.
    public let number: Int
    /// The fencing token: strictly increasing across grants of the whole account.
    public let token: Int64
    public let priority: LeasePriority
    private let state = Mutex<(feedback: LeaseFeedback?, lost: Bool)>((nil, false))

    public init(number: Int, token: Int64, priority: LeasePriority) {
        self.number = number
        self.token = token
        self.priority = priority
    }

    /// Says how the request went, for the AIMD controller. The last report wins.
    public func report(_ feedback: LeaseFeedback) {
        state.withLock { $0.feedback = feedback }
    }

    /// The reported feedback, if any.
    public var reportedFeedback: LeaseFeedback? { state.withLock { $0.feedback } }

    /// True once a heartbeat found the slot expired or taken over: the request may now overlap another holder's.
    public var isLost: Bool { state.withLock { $0.lost } }

    /// Marks the slot lost (called by the lease implementation).
    public func markLost() {
        state.withLock { $0.lost = true }
    }
}

/// Why a lease could not be had. None is the order's fault: callers treat them as systemic (no attempt spent).
public struct ConcurrencyLeaseError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// No slot within the allowed wait.
        case timedOut = "timed_out"
        /// The lease store could not be reached or answered with an error.
        case unavailable
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "lease \(code.rawValue): \(message)" }
    /// Safe as a metric label.
    public var shortForm: String { "lease_\(code.rawValue)" }
}
