import FerryCore
import FerryNATS
import Tracing

extension OrderWorkerService {
    /// Works on one message in an `order.process` span that continues the gateway's trace from the message headers
    /// (W3C `traceparent`). NetSuite and PrestaShop requests made for the order are its child spans, and every log
    /// line written meanwhile carries the trace and span ids.
    func handle(_ message: JetStreamMessage, lane: LeasePriority) async {
        var parent = InstrumentationContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(message.headers, into: &parent, using: NATSHeadersExtractor())
        await InstrumentationSystem.tracer.withSpan("order.process", context: parent, ofKind: .consumer) { span in
            span.attributes["messaging.system"] = "nats"
            span.attributes["messaging.destination.name"] = message.subject
            span.attributes["messaging.message.delivery_count"] = Int(message.metadata.numDelivered)
            span.attributes["queue.sequence"] = Int(message.metadata.streamSequence)
            span.attributes["worker.lane"] = lane.rawValue
            if let key = message.headers[FerryHeader.idempotencyKey].flatMap(IdempotencyKey.init) {
                span.attributes["order.id"] = key.orderID
                span.attributes["shop.id"] = key.shopID
                span.attributes["idempotency_key"] = key.description
            }
            await OrderSpan.$current.withValue(span) { await handleUntraced(message, lane: lane) }
        }
    }
}

/// The `order.process` span of the message being worked on, for the outcome attributes set deep in the handling.
enum OrderSpan {
    @TaskLocal static var current: (any Span)?

    /// `ferry.result`: what became of the message (`submitted`, `duplicate`, `retry`, `held`, `dead_lettered` …).
    static func record(result: String) {
        current?.attributes["ferry.result"] = result
    }

    /// The failure of this attempt; `attempt` is the counted attempt number when the failure spent one.
    static func record(failure: OrderFailure, attempt: Int? = nil) {
        guard let span = current else { return }
        span.attributes["error.type"] = failure.errorType
        span.attributes["ferry.error_class"] = failure.failureClass.rawValue
        span.attributes["ferry.stage"] = failure.stage
        if let attempt { span.attributes["attempt"] = attempt }
        span.setStatus(SpanStatus(code: .error, message: failure.errorType))
    }
}
