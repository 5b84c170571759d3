import FerrySandboxData
import Foundation
import Hummingbird
import Synchronization

/// Holds the current latency distribution and faults, and draws from them with one seeded generator so a run
/// with the same seed and the same request order makes the same choices.
///
/// Rules with a `count` are used up atomically: two concurrent creates never both take "the next one".
final class FaultInjector: Sendable {
    private struct State {
        var faults: NetSuiteFaults
        var latency: NetSuiteLatency
        var generator: SplitMix64
    }

    private let state: Mutex<State>

    init(faults: NetSuiteFaults, latency: NetSuiteLatency, seed: UInt64) {
        state = Mutex(State(faults: faults, latency: latency, generator: SplitMix64(seed: seed)))
    }

    var faults: NetSuiteFaults {
        get { state.withLock { $0.faults } }
        set { state.withLock { $0.faults = newValue } }
    }

    var latency: NetSuiteLatency {
        get { state.withLock { $0.latency } }
        set { state.withLock { $0.latency = newValue } }
    }

    func update(_ change: (inout NetSuiteFaults) -> Void) {
        state.withLock { change(&$0.faults) }
    }

    func nextLatency() -> Duration {
        state.withLock { state in state.latency.sample(using: &state.generator) }
    }

    /// Whether a maintenance window is open now; an expired window is cleared.
    func maintenanceActive(now: Date) -> Bool {
        state.withLock { state in
            guard let window = state.faults.maintenance else { return false }
            if let until = window.until, until <= now {
                state.faults.maintenance = nil
                return false
            }
            return true
        }
    }

    /// The delay before a 401 when this request is one of the overloaded ones, else nil.
    func overloadDelay() -> Duration? {
        state.withLock { state in
            guard let overload = state.faults.overload,
                Self.roll(overload.fraction, using: &state.generator)
            else { return nil }
            return .milliseconds(max(0, overload.delaySeconds) * 1_000)
        }
    }

    /// 502 or 503 when this request draws a transient gateway error, else nil.
    func transientServerError() -> HTTPResponse.Status? {
        state.withLock { state in
            guard Self.roll(state.faults.serverErrorRate, using: &state.generator) else { return nil }
            return state.generator.next() % 2 == 0 ? .badGateway : .serviceUnavailable
        }
    }

    func takeRejection(method: String, recordType: String) -> NetSuiteFaults.RejectionRule? {
        state.withLock { state in
            Self.take(from: &state.faults.rejections, generator: &state.generator) { rule in
                Self.matches(rule.method, rule.recordType, method: method, recordType: recordType)
            } trigger: {
                ($0.count, $0.rate)
            } decrement: {
                $0.count? -= 1
            }
        }
    }

    func takeCommitThenFail(method: String, recordType: String) -> NetSuiteFaults.CommitThenFailRule? {
        state.withLock { state in
            Self.take(from: &state.faults.commitThenFail, generator: &state.generator) { rule in
                Self.matches(rule.method, rule.recordType, method: method, recordType: recordType)
            } trigger: {
                ($0.count, $0.rate)
            } decrement: {
                $0.count? -= 1
            }
        }
    }

    /// Counts this request against every targeted rule it matches and returns the rule whose turn it is, if any.
    func takeTargeted(method: String, target: String) -> TargetedFault? {
        state.withLock { state in
            var fired: TargetedFault?
            for index in state.faults.targeted.indices where !state.faults.targeted[index].fired {
                guard state.faults.targeted[index].matches(method: method, target: target) else { continue }
                state.faults.targeted[index].seen += 1
                if fired == nil, state.faults.targeted[index].seen >= state.faults.targeted[index].nth {
                    state.faults.targeted[index].fired = true
                    state.faults.targeted[index].firedOn = "\(method.uppercased()) \(target)"
                    fired = state.faults.targeted[index]
                }
            }
            return fired
        }
    }

    // MARK: Rule evaluation

    private static func take<Rule>(
        from rules: inout [Rule],
        generator: inout SplitMix64,
        where matches: (Rule) -> Bool,
        trigger: (Rule) -> (count: Int?, rate: Double?),
        decrement: (inout Rule) -> Void
    ) -> Rule? {
        for index in rules.indices where matches(rules[index]) {
            let (count, rate) = trigger(rules[index])
            if let count, count <= 0 { continue }
            if let rate, !roll(rate, using: &generator) { continue }
            let fired = rules[index]
            if count != nil {
                decrement(&rules[index])
                if let left = trigger(rules[index]).count, left <= 0 { rules.remove(at: index) }
            }
            return fired
        }
        return nil
    }

    private static func matches(_ ruleMethod: String, _ ruleType: String, method: String, recordType: String) -> Bool {
        (ruleMethod == "*" || ruleMethod.uppercased() == method.uppercased())
            && (ruleType == "*" || ruleType.lowercased() == recordType.lowercased())
    }

    private static func roll(_ probability: Double, using generator: inout SplitMix64) -> Bool {
        guard probability > 0 else { return false }
        guard probability < 1 else { return true }
        return Double.random(in: 0..<1, using: &generator) < probability
    }
}
