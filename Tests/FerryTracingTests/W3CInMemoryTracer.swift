import FerryObservability
import Foundation
import InMemoryTracing
import Logging
import Synchronization
import Tracing

/// swift-distributed-tracing's `InMemoryTracer`, propagating context as W3C `traceparent` (the in-memory tracer's
/// own headers are not what PrestaShop sends or what the OTel tracer reads). Trace ids are 32 and span ids 16
/// lower-case hex digits, as in production. Bound per test with `withTracer`, never bootstrapped.
struct W3CInMemoryTracer: Tracer {
    let recorded = InMemoryTracer(idGenerator: .init(nextTraceID: { randomHex(16) }, nextSpanID: { randomHex(8) }))

    var finishedSpans: [FinishedInMemorySpan] { recorded.finishedSpans }

    func startSpan<Instant: TracerInstant>(
        _ operationName: String,
        context: @autoclosure () -> InstrumentationContext,
        ofKind kind: SpanKind,
        at instant: @autoclosure () -> Instant,
        function: String,
        file fileID: String,
        line: UInt
    ) -> InMemorySpan {
        recorded.startSpan(
            operationName,
            context: context(),
            ofKind: kind,
            at: instant(),
            function: function,
            file: fileID,
            line: line
        )
    }

    func forceFlush() { recorded.forceFlush() }

    func inject<Carrier, Inject: Injector>(
        _ context: InstrumentationContext,
        into carrier: inout Carrier,
        using injector: Inject
    ) where Inject.Carrier == Carrier {
        guard let span = context.inMemorySpanContext else { return }
        injector.inject("00-\(span.traceID)-\(span.spanID)-01", forKey: "traceparent", into: &carrier)
    }

    func extract<Carrier, Extract: Extractor>(
        _ carrier: Carrier,
        into context: inout InstrumentationContext,
        using extractor: Extract
    ) where Extract.Carrier == Carrier {
        guard let parent = extractor.extract(key: "traceparent", from: carrier).flatMap(TraceParent.init) else {
            return
        }
        context.inMemorySpanContext = InMemorySpanContext(
            traceID: parent.traceID,
            spanID: parent.spanID,
            parentSpanID: nil
        )
    }
}

/// A parsed `traceparent` header: `00-<32 hex trace id>-<16 hex span id>-<flags>`.
struct TraceParent: Equatable {
    let traceID: String
    let spanID: String

    init?(_ header: String) {
        let parts = header.split(separator: "-")
        guard parts.count == 4, parts[0] == "00", parts[1].count == 32, parts[2].count == 16 else { return nil }
        traceID = String(parts[1])
        spanID = String(parts[2])
    }

    static func random() -> String { "00-\(randomHex(16))-\(randomHex(8))-01" }
}

func randomHex(_ bytes: Int) -> String {
    (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
}

/// Log metadata from the in-memory span context, as swift-otel's provider does for OTel spans.
let inMemoryTraceMetadata = Logger.MetadataProvider {
    guard let span = InstrumentationContext.current?.inMemorySpanContext else { return [:] }
    return ["trace_id": "\(span.traceID)", "span_id": "\(span.spanID)"]
}

/// JSON log lines kept in memory.
final class CapturedLines: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [[String: Any]] {
        lines.withLock { $0 }.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    func logger(label: String, metadataProvider: Logger.MetadataProvider = inMemoryTraceMetadata) -> Logger {
        let sink = JSONLogSink { line in self.lines.withLock { $0.append(line) } }
        return Logger(label: label) { label in
            JSONLogHandler(label: label, level: .debug, sink: sink, metadataProvider: metadataProvider)
        }
    }

    func lines(withMessage message: String) -> [[String: Any]] {
        all.filter { $0["msg"] as? String == message }
    }
}
