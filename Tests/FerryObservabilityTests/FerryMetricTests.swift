import FerryMetricCatalogue
import FerryObservability
import FerryWorker
import Foundation
import Metrics
import Testing

@Suite("Metric catalogue and recording helpers")
struct FerryMetricTests {
    @Test(arguments: FerryMetric.allCases)
    func namesFollowTheConvention(_ metric: FerryMetric) {
        let name = metric.name
        #expect(name.hasPrefix("ferry_"))
        #expect(name.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" })
        switch metric.kind {
        case .counter: #expect(name.hasSuffix("_total"))
        case .histogram: #expect(name.hasSuffix("_seconds"))
        case .gauge: #expect(!name.hasSuffix("_total"))
        }
        #expect(!metric.help.isEmpty && !metric.help.contains("\n"))
        for label in metric.labels {
            #expect(label.first?.isLetter == true && label.allSatisfy { $0.isLowercase || $0 == "_" })
        }
        #expect(FerryMetric(name: name) == metric)
    }

    @Test func agreedNamesAreInTheCatalogue() {
        let names = Set(FerryMetric.allCases.map(\.name))
        for required in [
            "ferry_queue_pending_messages", "ferry_queue_ack_pending_messages", "ferry_queue_redelivered_messages",
            "ferry_dlq_depth_messages", "ferry_queue_retry_waiting_messages", "ferry_lease_slots_in_use",
            "ferry_lease_effective_limit", "ferry_lease_wait_seconds", "ferry_netsuite_responses_total",
            "ferry_order_end_to_end_seconds", "ferry_worker_orders_total", "ferry_netsuite_circuit_open",
            "ferry_worker_in_flight", "ferry_gateway_requests_total", "ferry_gateway_orders_total",
            "ferry_worker_failures_total", "ferry_worker_stage_duration_seconds",
        ] {
            #expect(names.contains(required), "\(required)")
        }
    }

    @Test func netSuiteResponsesAreLabelledWithBoundedValues() {
        let metrics = TestMetrics()
        FerryMetric.recordNetSuiteResponse(
            status: 429,
            errorCode: "CONCURRENCY_LIMIT_EXCEEDED",
            method: "post",
            duration: .milliseconds(300),
            factory: metrics.factory
        )
        FerryMetric.recordNetSuiteResponse(status: 204, errorCode: nil, factory: metrics.factory)
        FerryMetric.recordNetSuiteResponse(status: 204, errorCode: "", factory: metrics.factory)
        FerryMetric.recordNetSuiteResponse(status: nil, errorCode: nil, factory: metrics.factory)
        FerryMetric.recordNetSuiteResponse(status: 400, errorCode: "order 12 is bad", factory: metrics.factory)
        FerryMetric.recordNetSuiteResponse(status: 42, errorCode: "USER_ERROR", factory: metrics.factory)

        #expect(metrics.value(#"ferry_netsuite_responses_total{status="429",code="CONCURRENCY_LIMIT_EXCEEDED"}"#) == 1)
        #expect(metrics.value(#"ferry_netsuite_responses_total{status="204",code="none"}"#) == 2)
        #expect(metrics.value(#"ferry_netsuite_responses_total{status="transport",code="none"}"#) == 1)
        #expect(metrics.value(#"ferry_netsuite_responses_total{status="400",code="other"}"#) == 1)
        #expect(metrics.value(#"ferry_netsuite_responses_total{status="other",code="USER_ERROR"}"#) == 1)
        // The duration goes into a histogram in seconds, by method: 0.3 s is above 0.1 and within 1.
        #expect(metrics.value(#"ferry_netsuite_request_duration_seconds_bucket{method="POST",le="0.1"}"#) == 0)
        #expect(metrics.value(#"ferry_netsuite_request_duration_seconds_bucket{method="POST",le="1.0"}"#) == 1)
        #expect(metrics.value(#"ferry_netsuite_request_duration_seconds_count{method="POST"}"#) == 1)
        #expect(!metrics.text.contains("ferry_netsuite_request_duration_seconds_count{method=\"GET\"}"))
    }

    @Test func stageDurationsLandInTheStageHistogram() {
        let metrics = TestMetrics()
        FerryMetric.recordStage("sales_order", duration: .seconds(2), factory: metrics.factory)
        FerryMetric.recordStage("sales_order", duration: .milliseconds(50), factory: metrics.factory)
        FerryMetric.recordStage("order 549085", duration: .milliseconds(50), factory: metrics.factory)
        #expect(metrics.value(#"ferry_worker_stage_duration_seconds_count{stage="sales_order"}"#) == 2)
        #expect(metrics.value(#"ferry_worker_stage_duration_seconds_bucket{stage="sales_order",le="0.1"}"#) == 1)
        #expect(metrics.value(#"ferry_worker_stage_duration_seconds_bucket{stage="sales_order",le="5.0"}"#) == 2)
        #expect(metrics.value(#"ferry_worker_stage_duration_seconds_sum{stage="sales_order"}"#) == 2.05)
        #expect(metrics.value(#"ferry_worker_stage_duration_seconds_count{stage="other"}"#) == 1)
    }

    @Test func leaseGaugesAndWaitHistogram() {
        let metrics = TestMetrics()
        FerryMetric.recordLease(slotsInUse: 6, effectiveLimit: 8, factory: metrics.factory)
        FerryMetric.recordLease(slotsInUse: 8, effectiveLimit: 6, factory: metrics.factory)
        FerryMetric.recordLeaseWait(.milliseconds(1500), factory: metrics.factory)
        #expect(metrics.value("ferry_lease_slots_in_use") == 8)
        #expect(metrics.value("ferry_lease_effective_limit") == 6)
        #expect(metrics.value(#"ferry_lease_wait_seconds_bucket{le="1.0"}"#) == 0)
        #expect(metrics.value(#"ferry_lease_wait_seconds_bucket{le="5.0"}"#) == 1)
    }

    @Test func helpLinesAreAddedBeforeEachFerryFamily() {
        let metrics = TestMetrics()
        Counter(label: "ferry_worker_orders_total", dimensions: [("result", "submitted")], factory: metrics.factory)
            .increment()
        Gauge(label: "ferry_worker_in_flight", factory: metrics.factory).record(3)
        Timer(label: "ferry_order_end_to_end_seconds", factory: metrics.factory).recordMilliseconds(700)
        Counter(label: "someone_elses_total", factory: metrics.factory).increment()
        let original = metrics.text
        let documented = FerryMetric.addingHelp(to: original)
        let lines = documented.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)

        for metric in [FerryMetric.workerOrders, .workerInFlight, .orderEndToEnd] {
            let type = lines.firstIndex(of: "# TYPE \(metric.name) \(metric.kind.rawValue)")
            #expect(type != nil, "\(metric.name)")
            if let type { #expect(type > 0 && lines[type - 1] == "# HELP \(metric.name) \(metric.help)") }
        }
        #expect(!documented.contains("# HELP someone_elses_total"))
        // Only HELP lines were added; every original line is kept, in order.
        let originalLines = original.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.filter { !$0.hasPrefix("# HELP ") } == originalLines)
        // Adding twice changes nothing.
        #expect(FerryMetric.addingHelp(to: documented) == documented)
    }

    @Test func renderWithHelpUsesTheProcessRegistry() {
        let metrics = TestMetrics()
        let process = FerryMetrics(registry: metrics.registry)
        Gauge(label: FerryMetric.dlqDepth.name, dimensions: [("stream", "FERRY_DLQ")], factory: metrics.factory)
            .record(2)
        let text = process.renderWithHelp()
        let help = "# HELP ferry_dlq_depth_messages \(FerryMetric.dlqDepth.help)\n"
        #expect(text.contains(help + "# TYPE ferry_dlq_depth_messages gauge"))
        #expect(text.contains("ferry_dlq_depth_messages{stream=\"FERRY_DLQ\"} 2"))
    }

    /// Every `ferry_…` name the alert rules, their tests and the dashboard use is one Ferry exports.
    @Test func monitoringFilesOnlyUseCataloguedMetrics() throws {
        let monitoring = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("k8s/monitoring")
        let files = ["ferry-alerts.rules.yml", "ferry-alerts.prometheusrule.yml", "ferry-dashboard.json"]
        var used: Set<String> = []
        for file in files {
            let text = try String(contentsOf: monitoring.appendingPathComponent(file), encoding: .utf8)
            let names = try Regex("ferry_[a-z0-9_]*[a-z0-9]")
            used.formUnion(text.matches(of: names).map { String(text[$0.range]) })
        }
        #expect(used.count >= 15)
        for name in used.sorted() {
            var base = name
            for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
                let stripped = String(name.dropLast(suffix.count))
                if FerryMetric(name: stripped)?.kind == .histogram { base = stripped }
            }
            #expect(FerryMetric(name: base) != nil, "\(name) is not in FerryMetric")
        }
        // The core series the operators watch are all on the dashboard.
        let dashboard = try String(
            contentsOf: monitoring.appendingPathComponent("ferry-dashboard.json"),
            encoding: .utf8
        )
        for metric in [
            FerryMetric.queuePending, .dlqDepth, .workerOrders, .orderEndToEnd, .leaseSlotsInUse,
            .netSuiteResponses, .netSuiteCircuitOpen,
        ] {
            #expect(dashboard.contains(metric.name), "\(metric.name) is not on the dashboard")
        }
    }
}

@Suite("Stage timing")
struct StageTimingTests {
    struct StageError: Error, Equatable {}

    @Test func recordsSuccessfulAndFailedStagesAndKeepsTheTypedError() async {
        let metrics = TestMetrics()
        let value = await measureStage("customer", factory: metrics.factory) { () async -> Int in
            try? await Task.sleep(for: .milliseconds(150))
            return 42
        }
        #expect(value == 42)
        do {
            try await measureStage("deposit", factory: metrics.factory) { () async throws(StageError) in
                throw StageError()
            }
            Issue.record("the stage error was swallowed")
        } catch {
            #expect(error == StageError())  // typed: no cast needed
        }
        #expect(metrics.value(#"ferry_worker_stage_duration_seconds_count{stage="customer"}"#) == 1)
        #expect(metrics.value(#"ferry_worker_stage_duration_seconds_bucket{stage="customer",le="0.1"}"#) == 0)
        #expect(metrics.value(#"ferry_worker_stage_duration_seconds_count{stage="deposit"}"#) == 1)
    }
}
