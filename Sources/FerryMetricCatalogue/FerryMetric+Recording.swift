import Metrics

/// Recording helpers for the metrics whose labels need care (bounded values only, so a label never carries an id or
/// free text). Each takes the swift-metrics factory, by default the bootstrapped one (a no-op until the executable
/// calls ``FerryMetrics/bootstrap()``); tests pass their own.
extension FerryMetric {
    /// Records one NetSuite REST answer.
    ///
    /// - Parameters:
    ///   - status: the HTTP status, or `nil` when no answer came (timeout, connection error): label `transport`.
    ///   - errorCode: NetSuite's `o:errorCode` (`USER_ERROR`, `CONCURRENCY_LIMIT_EXCEEDED` …) when the body had one;
    ///     `none` when absent. Anything that does not look like a NetSuite code becomes `other`.
    ///   - method: the HTTP method, for the duration histogram.
    ///   - duration: how long the request took; nothing is recorded in the histogram when `nil`.
    public static func recordNetSuiteResponse(
        status: Int?,
        errorCode: String?,
        method: String? = nil,
        duration: Duration? = nil,
        factory: any MetricsFactory = MetricsSystem.factory
    ) {
        Counter(
            label: FerryMetric.netSuiteResponses.name,
            dimensions: [("status", statusLabel(status)), ("code", codeLabel(errorCode))],
            factory: factory
        ).increment()
        if let duration {
            Timer(
                label: FerryMetric.netSuiteRequestDuration.name,
                dimensions: [("method", methodLabel(method))],
                factory: factory
            ).recordNanoseconds(duration.nanoseconds)
        }
    }

    /// Records the time one order spent in one pipeline stage (`context`, `transform`, `customer`, `sales_order`,
    /// `deposit`, `record`, `write_back`; other values become `other`).
    public static func recordStage(
        _ stage: String,
        duration: Duration,
        factory: any MetricsFactory = MetricsSystem.factory
    ) {
        Timer(
            label: FerryMetric.workerStageDuration.name,
            dimensions: [("stage", stageLabel(stage))],
            factory: factory
        ).recordNanoseconds(duration.nanoseconds)
    }

    /// Records the account-wide lease state: slots held by all processes and the current limit.
    public static func recordLease(
        slotsInUse: Int,
        effectiveLimit: Int,
        factory: any MetricsFactory = MetricsSystem.factory
    ) {
        Gauge(label: FerryMetric.leaseSlotsInUse.name, factory: factory).record(slotsInUse)
        Gauge(label: FerryMetric.leaseEffectiveLimit.name, factory: factory).record(effectiveLimit)
    }

    /// Records how long a request waited for a lease slot.
    public static func recordLeaseWait(_ duration: Duration, factory: any MetricsFactory = MetricsSystem.factory) {
        Timer(label: FerryMetric.leaseWait.name, factory: factory).recordNanoseconds(duration.nanoseconds)
    }

    /// The pipeline stages that may appear in the `stage` label.
    public static let stages: Set<String> = [
        "context", "transform", "customer", "sales_order", "deposit", "rollback", "record", "write_back",
    ]

    static func statusLabel(_ status: Int?) -> String {
        guard let status else { return "transport" }
        return (100...599).contains(status) ? String(status) : "other"
    }

    static func codeLabel(_ code: String?) -> String {
        guard let code, !code.isEmpty else { return "none" }
        let allowed = code.utf8.allSatisfy { ($0 >= 65 && $0 <= 90) || ($0 >= 48 && $0 <= 57) || $0 == 95 }
        return allowed && code.utf8.count <= 64 ? code : "other"
    }

    static func methodLabel(_ method: String?) -> String {
        guard let method else { return "other" }
        let upper = method.uppercased()
        return ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(upper) ? upper : "other"
    }

    static func stageLabel(_ stage: String) -> String { stages.contains(stage) ? stage : "other" }
}

extension Duration {
    /// Whole nanoseconds, saturating at `Int64.max`.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds < 0 ? .min : .max }
        return whole.addingReportingOverflow(attoseconds / 1_000_000_000).overflow
            ? .max : whole + attoseconds / 1_000_000_000
    }
}
