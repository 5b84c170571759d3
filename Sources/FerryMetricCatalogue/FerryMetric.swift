/// Every metric Ferry exports, with its Prometheus type, labels and help text: the one list that alert rules,
/// the Grafana dashboard and the code agree on (`k8s/monitoring/`).
///
/// Names follow `ferry_<subsystem>_<name>_<unit>`; counters end in `_total`, durations are histograms in
/// seconds (swift-metrics `Timer`, rendered by swift-prometheus with `_bucket`, `_sum` and `_count` series).
/// Use ``name`` as the swift-metrics label: `Counter(label: FerryMetric.workerOrders.name, dimensions: …)`.
///
/// A name is either always labelled or never: swift-prometheus refuses to mix both under one name.
public enum FerryMetric: String, CaseIterable, Sendable {
    // MARK: Gateway
    /// Webhook answers by HTTP status.
    case gatewayRequests = "ferry_gateway_requests_total"
    /// Webhook orders by result (`accepted`, `duplicate`, `queue_unavailable`).
    case gatewayOrders = "ferry_gateway_orders_total"

    // MARK: Worker
    /// Orders finished by a worker, by result.
    case workerOrders = "ferry_worker_orders_total"
    /// Failed attempts by error class and type.
    case workerFailures = "ferry_worker_failures_total"
    /// Orders one worker process holds right now.
    case workerInFlight = "ferry_worker_in_flight"
    /// Time spent in each pipeline stage of one order.
    case workerStageDuration = "ferry_worker_stage_duration_seconds"
    /// From the webhook reaching the gateway to the order recorded in NetSuite.
    case orderEndToEnd = "ferry_order_end_to_end_seconds"

    // MARK: Queue (QueueMetricsService)
    /// Messages in the orders stream not yet delivered to the worker consumer: the backlog.
    case queuePending = "ferry_queue_pending_messages"
    /// Messages delivered and not yet acknowledged: being worked on, or parked by a delayed nak.
    case queueAckPending = "ferry_queue_ack_pending_messages"
    /// Messages delivered more than once and not yet acknowledged.
    case queueRedelivered = "ferry_queue_redelivered_messages"
    /// Pull requests of workers waiting on the consumer for messages.
    case queueWaitingPulls = "ferry_queue_waiting_pull_requests"
    /// Orders waiting for a retry after a failed attempt (PostgreSQL `order_sync`).
    case queueRetryWaiting = "ferry_queue_retry_waiting_messages"
    /// Queue metric collections that failed, by source (`nats`, `postgres`).
    case queueMetricsErrors = "ferry_queue_metrics_errors_total"
    /// Dead letters waiting for an operator in the dead-letter stream.
    case dlqDepth = "ferry_dlq_depth_messages"

    // MARK: NetSuite
    /// NetSuite answers by HTTP status and NetSuite error code.
    case netSuiteResponses = "ferry_netsuite_responses_total"
    /// Duration of one NetSuite REST request.
    case netSuiteRequestDuration = "ferry_netsuite_request_duration_seconds"
    /// 1 while this worker paused fetching because NetSuite is unavailable.
    case netSuiteCircuitOpen = "ferry_netsuite_circuit_open"

    // MARK: Lease
    /// NetSuite concurrency slots held right now, all Ferry processes together.
    case leaseSlotsInUse = "ferry_lease_slots_in_use"
    /// The lease's current slot limit (AIMD, at most the configured slots).
    case leaseEffectiveLimit = "ferry_lease_effective_limit"
    /// Time a request waited for a lease slot.
    case leaseWait = "ferry_lease_wait_seconds"

    /// The Prometheus metric type.
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    /// The metric name, also the swift-metrics label.
    public var name: String { rawValue }

    /// The Prometheus type.
    public var kind: Kind {
        switch self {
        case .gatewayRequests, .gatewayOrders, .workerOrders, .workerFailures, .queueMetricsErrors, .netSuiteResponses:
            .counter
        case .workerStageDuration, .orderEndToEnd, .netSuiteRequestDuration, .leaseWait:
            .histogram
        case .workerInFlight, .queuePending, .queueAckPending, .queueRedelivered, .queueWaitingPulls,
            .queueRetryWaiting, .dlqDepth, .netSuiteCircuitOpen, .leaseSlotsInUse, .leaseEffectiveLimit:
            .gauge
        }
    }

    /// The label names every series of this metric carries (empty for unlabelled metrics).
    public var labels: [String] {
        switch self {
        case .gatewayRequests: ["status"]
        case .gatewayOrders, .workerOrders: ["result"]
        case .workerFailures: ["error_class", "error_type"]
        case .workerStageDuration: ["stage"]
        case .queuePending, .queueAckPending, .queueRedelivered, .queueWaitingPulls: ["stream", "consumer"]
        case .dlqDepth: ["stream"]
        case .queueMetricsErrors: ["source"]
        case .netSuiteResponses: ["status", "code"]
        case .netSuiteRequestDuration: ["method"]
        case .workerInFlight, .orderEndToEnd, .queueRetryWaiting, .netSuiteCircuitOpen, .leaseSlotsInUse,
            .leaseEffectiveLimit, .leaseWait:
            []
        }
    }

    /// The `# HELP` text.
    public var help: String {
        switch self {
        case .gatewayRequests: "Webhook requests answered by the gateway, by HTTP status."
        case .gatewayOrders: "Webhook orders by result: accepted, duplicate (dropped by JetStream), queue_unavailable."
        case .workerOrders:
            "Orders finished by a worker, by result: submitted, duplicate, retry, held, dead_lettered, "
                + "write_back_retry."
        case .workerFailures: "Failed order attempts by error class (order_specific, systemic, permanent) and type."
        case .workerInFlight: "Orders this worker process is working on right now."
        case .workerStageDuration:
            "Time spent in one pipeline stage of one order (context, transform, customer, sales_order, deposit, "
                + "record, write_back)."
        case .orderEndToEnd: "Seconds from the gateway receiving the webhook to the order being recorded in NetSuite."
        case .queuePending: "Messages in the orders stream not yet delivered to the worker consumer (the backlog)."
        case .queueAckPending:
            "Messages delivered and not yet acknowledged: in flight, or parked by a delayed nak until their retry."
        case .queueRedelivered: "Unacknowledged messages that were delivered more than once."
        case .queueWaitingPulls: "Pull requests of workers waiting on the consumer for messages."
        case .queueRetryWaiting:
            "Orders waiting for a retry after a failed counted attempt (order_sync rows with attempts > 0 that are "
                + "neither in NetSuite nor dead-lettered)."
        case .queueMetricsErrors: "Queue metric collections that failed, by source (nats, postgres)."
        case .dlqDepth: "Dead letters in the dead-letter stream, waiting for an operator."
        case .netSuiteResponses:
            "NetSuite REST answers by HTTP status (transport for no answer) and NetSuite error code (none on success)."
        case .netSuiteRequestDuration: "Duration of one NetSuite REST request, by HTTP method."
        case .netSuiteCircuitOpen: "1 while this worker paused fetching because NetSuite is unavailable, else 0."
        case .leaseSlotsInUse: "NetSuite concurrency lease slots held right now by all Ferry processes together."
        case .leaseEffectiveLimit:
            "Current slot limit of the NetSuite concurrency lease (adaptive, at most the configured slots)."
        case .leaseWait: "Seconds a NetSuite request waited for a concurrency lease slot."
        }
    }

    /// The metric with this name, if Ferry exports it.
    public init?(name: String) { self.init(rawValue: name) }
}
