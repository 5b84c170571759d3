import FerryCore
import FerryMetricCatalogue
import Logging

/// Puts every HTTP request of a ``NetSuiteClient`` under a ``ConcurrencyLease`` slot (pass it as the client's
/// `requestGate`).
///
/// - Each request (with its OAuth 2.0 token fetch and 401 renewal, when those happen) holds one slot of the
///   priority in `LeasePriority.current` (``LeasePriority/live`` unless the caller set it).
/// - A `429 CONCURRENCY_LIMIT_EXCEEDED` despite the lease (others use the account) reports
///   ``LeaseFeedback/overloaded`` to the lease's AIMD limit, gives the slot back, and is retried after a short
///   jittered delay (``LeasePolicy/concurrencyRetryDelay(unitRandom:)``), re-signed, up to
///   ``LeasePolicy/maxConcurrencyRetries`` times; it spends none of the order's attempts. Only when the retries run
///   out does the caller see the 429 (a systemic failure).
/// - Any other answer from NetSuite reports ``LeaseFeedback/success`` (the pool let it through); a transport failure
///   reports nothing.
public struct NetSuiteRequestGate: Sendable {
    public let lease: any ConcurrencyLease
    public let policy: LeasePolicy

    /// - Parameter policy: the retry delay and count for 429s (the rest of the policy belongs to the lease).
    public init(lease: any ConcurrencyLease, policy: LeasePolicy = LeasePolicy()) {
        self.lease = lease
        self.policy = policy
    }

    /// Runs `operation` (one signed HTTP exchange) under a slot, retrying concurrency rejections.
    func run<T: Sendable>(logger: Logger, _ operation: @Sendable () async throws -> T) async throws -> T {
        let priority = LeasePriority.current
        var rejections = 0
        while true {
            let requested = ContinuousClock.now
            let outcome: Result<T, NetSuiteError> = try await lease.withSlot(priority: priority) { slot in
                FerryMetric.recordLeaseWait(ContinuousClock.now - requested)
                do {
                    return .success(try await operation())
                } catch let error as NetSuiteError where error.kind == .concurrencyLimit {
                    slot.report(.overloaded)
                    return .failure(error)
                } catch let error as NetSuiteError where error.status != nil {
                    slot.report(.success)
                    throw error
                }
            }
            switch outcome {
            case .success(let value):
                return value
            case .failure(let error):
                rejections += 1
                guard rejections <= policy.maxConcurrencyRetries else {
                    logger.warning(
                        "netsuite concurrency limit exceeded, giving up",
                        metadata: ["netsuite.rejections": "\(rejections)", "lease.priority": "\(priority.rawValue)"]
                    )
                    throw error
                }
                let delay = policy.concurrencyRetryDelay(unitRandom: Double.random(in: 0...1))
                logger.info(
                    "netsuite concurrency limit exceeded, retrying",
                    metadata: [
                        "netsuite.rejections": "\(rejections)", "retry.delay_ms": "\(Int(delay / .milliseconds(1)))",
                        "lease.priority": "\(priority.rawValue)",
                    ]
                )
                try await Task.sleep(for: delay)
            }
        }
    }
}
