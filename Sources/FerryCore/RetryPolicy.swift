import Foundation

/// How a failed attempt at an order is treated.
public enum FailureClass: String, Sendable, Hashable, Codable, CaseIterable {
    /// Something about this order (a missing mapping, a NetSuite validation error): spends an attempt,
    /// retried on the schedule, dead-lettered when attempts run out.
    case orderSpecific = "order_specific"
    /// The payload can never succeed (malformed, an order without rows): dead-lettered at once.
    case permanent
    /// NetSuite as a whole is in trouble (connection errors, 5xx, 503 maintenance, 429, overload 401s):
    /// spends no attempt; the worker pauses and probes instead.
    case systemic
}

/// What to do with an order after a failed attempt.
public enum RetryDecision: Sendable, Equatable {
    /// Try again after `delay`; the attempt counted.
    case retry(after: Duration, attempt: Int)
    /// Give up: write the dead letter with every attempt's error, then terminate the message.
    case deadLetter(attempts: Int)
    /// Put it back without spending an attempt, to run once NetSuite answers again.
    case holdForOutage(after: Duration)
}

/// The retry schedule for order-specific failures: 5 s, 30 s, 2 min, 10 min, then the dead-letter subject
/// after the fifth attempt. Tests compress the delays; the shape stays.
public struct RetryPolicy: Sendable, Equatable {
    public var delays: [Duration]
    /// Attempts in total, the first included; one more than the number of delays by default.
    public var maxAttempts: Int
    /// Redelivery delay for a message held back by a NetSuite outage.
    public var outageHoldDelay: Duration

    public init(
        delays: [Duration] = [.seconds(5), .seconds(30), .seconds(120), .seconds(600)],
        maxAttempts: Int? = nil,
        outageHoldDelay: Duration = .seconds(5)
    ) {
        self.delays = delays
        self.maxAttempts = maxAttempts ?? delays.count + 1
        self.outageHoldDelay = outageHoldDelay
    }

    /// Parses `5s,30s,2m,10m` (units ms, s, m, h); nil when malformed or empty.
    public init?(schedule: String, outageHoldDelay: Duration = .seconds(5)) {
        var delays: [Duration] = []
        for part in schedule.split(separator: ",", omittingEmptySubsequences: false) {
            guard let d = parseDuration(part.trimmingCharacters(in: .whitespaces)) else { return nil }
            delays.append(d)
        }
        if delays.isEmpty { return nil }
        self.init(delays: delays, outageHoldDelay: outageHoldDelay)
    }

    /// `attempt` is the number of the attempt that just failed, starting at 1.
    public func decision(afterFailedAttempt attempt: Int, failure: FailureClass) -> RetryDecision {
        switch failure {
        case .permanent:
            return .deadLetter(attempts: attempt)
        case .systemic:
            return .holdForOutage(after: outageHoldDelay)
        case .orderSpecific:
            if attempt >= maxAttempts { return .deadLetter(attempts: attempt) }
            let index = min(max(attempt - 1, 0), delays.count - 1)
            return .retry(after: delays[index], attempt: attempt)
        }
    }
}

/// `250ms`, `5s`, `2m`, `1h`, or a bare number of seconds.
public func parseDuration(_ text: String) -> Duration? {
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    for (suffix, factor) in units where text.hasSuffix(suffix) {
        let number = text.dropLast(suffix.count)
        // "ms" also ends in "s": only accept a pure number before the suffix.
        guard let value = Double(number), value >= 0 else { continue }
        return .milliseconds(Int64((value * factor * 1000).rounded()))
    }
    if let value = Double(text), value >= 0 { return .milliseconds(Int64((value * 1000).rounded())) }
    return nil
}
