/// Kinds of NetSuite-wide trouble. None of them is the order's fault, so none spends an order's attempt.
public enum SystemicFailure: String, Sendable, Hashable, Codable, CaseIterable {
    /// Connection refused, reset or dropped; DNS; TLS.
    case connection
    /// 5xx other than maintenance, often with an HTML body from a gateway.
    case serverError = "server_error"
    /// 503 during a maintenance window.
    case maintenance
    /// Slow `401 INVALID_LOGIN` under overload (not revoked credentials).
    case overload
    /// 429 `CONCURRENCY_LIMIT_EXCEEDED`: the account's pool is full (others share it). Handled by a short
    /// jittered retry and the adaptive lease; it does not by itself mean NetSuite is down.
    case concurrencyLimit = "concurrency_limit"
    /// The request timed out.
    case timeout
}

/// Decides when the workers stop fetching because NetSuite is unavailable, and when they start again.
///
/// Healthy → (`threshold` systemic failures in a row) → outage: fetching pauses and one probe runs at a time,
/// with an interval that doubles up to `maxProbeInterval`. A successful probe (or any successful call)
/// ends the outage and fetching resumes. A pure state machine: the caller passes the time in.
public struct OutageDetector: Sendable {
    public enum Phase: String, Sendable, Equatable {
        case healthy
        case outage
        case probing
    }

    public enum Action: Sendable, Equatable {
        case pauseFetching
        case resumeFetching
    }

    public let threshold: Int
    public let initialProbeInterval: Duration
    public let maxProbeInterval: Duration

    public private(set) var phase: Phase = .healthy
    public private(set) var consecutiveFailures = 0
    public private(set) var nextProbeAt: ContinuousClock.Instant?
    private var probeInterval: Duration
    public private(set) var outageStartedAt: ContinuousClock.Instant?

    public init(
        threshold: Int = 3,
        initialProbeInterval: Duration = .seconds(1),
        maxProbeInterval: Duration = .seconds(30)
    ) {
        self.threshold = max(1, threshold)
        self.initialProbeInterval = initialProbeInterval
        self.maxProbeInterval = maxProbeInterval
        self.probeInterval = initialProbeInterval
    }

    /// Whether workers may take new messages from the queue.
    public var isFetchingAllowed: Bool { phase == .healthy }

    public mutating func recordSuccess(at now: ContinuousClock.Instant) -> Action? {
        consecutiveFailures = 0
        guard phase != .healthy else { return nil }
        phase = .healthy
        nextProbeAt = nil
        outageStartedAt = nil
        probeInterval = initialProbeInterval
        return .resumeFetching
    }

    public mutating func recordFailure(_ failure: SystemicFailure, at now: ContinuousClock.Instant) -> Action? {
        if failure == .concurrencyLimit { return nil }
        consecutiveFailures += 1
        switch phase {
        case .healthy:
            guard consecutiveFailures >= threshold else { return nil }
            phase = .outage
            outageStartedAt = now
            probeInterval = initialProbeInterval
            nextProbeAt = now + probeInterval
            return .pauseFetching
        case .outage:
            return nil
        case .probing:
            // The probe failed: wait longer before the next one.
            phase = .outage
            probeInterval = min(probeInterval * 2, maxProbeInterval)
            nextProbeAt = now + probeInterval
            return nil
        }
    }

    /// True when a probe should start now; the phase becomes `probing` until its result is recorded.
    public mutating func startProbeIfDue(at now: ContinuousClock.Instant) -> Bool {
        guard phase == .outage, let due = nextProbeAt, now >= due else { return false }
        phase = .probing
        return true
    }
}
