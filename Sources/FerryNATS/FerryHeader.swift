/// Header names Ferry puts on order messages.
public enum FerryHeader {
    public static let idempotencyKey = "Ferry-Idempotency-Key"
    /// Unix milliseconds at which the gateway received the webhook: the start of end-to-end latency.
    public static let receivedAt = "Ferry-Received-At"
    /// Set on a message an operator resubmitted from the dead-letter stream.
    public static let resubmittedFrom = "Ferry-Resubmitted-From"
    public static let traceParent = "traceparent"
    public static let traceState = "tracestate"
}
