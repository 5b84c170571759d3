import FerryObservability
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing
import Tracing

/// The executable's tracing set-up: configuration from the standard OTel variables, export off by default, and
/// swift-otel's log metadata provider in JSON lines. Nothing here bootstraps a global system.
@Suite struct TracingBootstrapTests {
    let quiet = Logger(label: "ferry.test.tracing") { _ in SwiftLogNoOpLogHandler() }

    @Test func exportIsOffByDefault() throws {
        let configuration = try TracingConfiguration(environment: [:], serviceName: "ferry-worker")
        #expect(configuration == TracingConfiguration(serviceName: "ferry-worker", enabled: true, exporter: .none))
    }

    @Test(arguments: [
        (["OTEL_TRACES_EXPORTER": "otlp"], TracingConfiguration(serviceName: "ferry-gateway", exporter: .otlpHTTP)),
        (["OTEL_TRACES_EXPORTER": "none"], TracingConfiguration(serviceName: "ferry-gateway", exporter: .none)),
        (["OTEL_SDK_DISABLED": "true"], TracingConfiguration(serviceName: "ferry-gateway", enabled: false)),
        (
            [
                "OTEL_TRACES_EXPORTER": "OTLP", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
                "OTEL_SERVICE_NAME": "shop-sync",
            ],
            TracingConfiguration(serviceName: "shop-sync", exporter: .otlpHTTP)
        ),
    ])
    func readsTheStandardVariables(environment: [String: String], expected: TracingConfiguration) throws {
        #expect(try TracingConfiguration(environment: environment, serviceName: "ferry-gateway") == expected)
    }

    @Test(arguments: [
        ["OTEL_TRACES_EXPORTER": "zipkin"],
        ["OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"],
        ["OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL": "grpc"],
        ["OTEL_SDK_DISABLED": "yes"],
    ])
    func refusesWhatItCannotHonour(environment: [String: String]) {
        #expect(throws: TracingConfigurationError.self) {
            try TracingConfiguration(environment: environment, serviceName: "ferry-worker")
        }
    }

    @Test func disabledMakesNoTracer() throws {
        #expect(
            try FerryTracing.makeBackend(TracingConfiguration(serviceName: "x", enabled: false), logger: quiet) == nil
        )
    }

    /// A local OTLP/HTTP collector receives spans only when the exporter is chosen: with the default configuration
    /// nothing is sent, even with an endpoint at hand.
    @Test func spansLeaveTheProcessOnlyWithTheOTLPExporter() async throws {
        let requests = Recorded<String>()
        let router = Router()
        router.post("/v1/traces") { request, _ in
            requests.append(request.headers[.contentType] ?? "")
            return Response(
                status: .ok,
                headers: [.contentType: "application/x-protobuf"],
                body: .init(byteBuffer: ByteBuffer())
            )
        }
        let collector = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: quiet
        )
        try await collector.test(.live) { client in
            let endpoint = "http://127.0.0.1:\(try #require(client.port))/v1/traces"

            var configuration = try TracingConfiguration(environment: [:], serviceName: "ferry-test")
            configuration.endpoint = endpoint
            try await withBackend(configuration) { tracer in tracer.withSpan("order.process") { _ in } }
            #expect(requests.values.isEmpty)

            configuration.exporter = .otlpHTTP
            try await withBackend(configuration) { tracer in tracer.withSpan("order.process") { _ in } }
            #expect(requests.values == ["application/x-protobuf"])
        }
    }

    /// swift-otel's metadata provider, as the executable installs it: a JSON line written inside an OTel span has the
    /// span's trace and span ids (the ones it propagates in `traceparent`), a line outside has neither.
    @Test func jsonLinesInsideOTelSpansCarryTheirIds() async throws {
        let lines = CapturedLines()
        let logger = lines.logger(label: "ferry.worker", metadataProvider: FerryTracing.loggingMetadataProvider)
        let configuration = try TracingConfiguration(environment: [:], serviceName: "ferry-test")
        let traceParent = try await withBackend(configuration) { tracer in
            logger.info("before")
            let header = tracer.withSpan("order.process") { span in
                logger.info("inside")
                var headers: [String: String] = [:]
                tracer.inject(span.context, into: &headers, using: DictionaryInjector())
                return headers["traceparent"]
            }
            logger.info("after")
            return header
        }
        let parent = try #require(traceParent.flatMap(TraceParent.init))
        let inside = try #require(lines.lines(withMessage: "inside").first)
        #expect(inside["trace_id"] as? String == parent.traceID)
        #expect(inside["span_id"] as? String == parent.spanID)
        for message in ["before", "after"] {
            let line = try #require(lines.lines(withMessage: message).first)
            #expect(line["trace_id"] == nil && line["span_id"] == nil)
        }
    }

    /// Any provider works: here the in-memory tracer's span context.
    @Test func jsonLinesInsideInMemorySpansCarryTheirIds() throws {
        let tracer = W3CInMemoryTracer()
        let lines = CapturedLines()
        let logger = lines.logger(label: "ferry.gateway")
        withTracer(tracer) {
            withSpan("POST /webhooks/prestashop/orders") { _ in
                logger.info("order accepted", metadata: ["order.id": "5"])
            }
            logger.info("gateway listening")
        }
        let span = try #require(tracer.finishedSpans.first)
        let inside = try #require(lines.lines(withMessage: "order accepted").first)
        #expect(inside["trace_id"] as? String == span.traceID)
        #expect(inside["span_id"] as? String == span.spanID)
        #expect(inside["order.id"] as? String == "5")
        let outside = try #require(lines.lines(withMessage: "gateway listening").first)
        #expect(outside["trace_id"] == nil && outside["span_id"] == nil)
    }

    /// Runs the backend's export service while `body` traces, then shuts it down (which flushes).
    private func withBackend<T: Sendable>(
        _ configuration: TracingConfiguration,
        _ body: @Sendable (any Tracer) async throws -> T
    ) async throws -> T {
        let backend = try #require(try FerryTracing.makeBackend(configuration, logger: quiet))
        let group = ServiceGroup(configuration: .init(services: [backend.service], logger: quiet))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let result = try await body(backend.tracer)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        }
    }
}

struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) { carrier[key] = value }
}

final class Recorded<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])
    var values: [Value] { storage.withLock { $0 } }
    func append(_ value: Value) { storage.withLock { $0.append(value) } }
}
