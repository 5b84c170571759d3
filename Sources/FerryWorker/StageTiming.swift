import FerryMetricCatalogue
import Metrics
import Tracing

/// Runs one pipeline stage in an `order.stage.<stage>` span (a child of the order's `order.process` span, so its
/// NetSuite and PrestaShop calls nest under the stage) and records how long it took in
/// `ferry_worker_stage_duration_seconds{stage}`, also when it throws (a slow failure is a slow stage too). Stages: `context`, `transform`, `customer`, `sales_order`,
/// `deposit`, `rollback`, `record`, `write_back`; other names are recorded as `other`.
///
/// ```swift
/// let customerID = try await measureStage("customer") { () throws(OrderFailure) in
///     try await resolveCustomer(order: order, record: record, subsidiaryID: draft.subsidiaryID, logger: logger)
/// }
/// ```
public func measureStage<T, E: Error>(
    _ stage: String,
    factory: any MetricsFactory = MetricsSystem.factory,
    clock: ContinuousClock = .continuous,
    isolation: isolated (any Actor)? = #isolation,
    _ body: () async throws(E) -> T
) async throws(E) -> T {
    let started = clock.now
    let span = InstrumentationSystem.tracer.startSpan(
        "order.stage.\(stage)",
        context: ServiceContext.current ?? .topLevel
    )
    defer {
        FerryMetric.recordStage(stage, duration: clock.now - started, factory: factory)
        span.end()
    }
    let result: Result<T, E> = await ServiceContext.$current.withValue(span.context) {
        do throws(E) {
            return .success(try await body())
        } catch {
            return .failure(error)
        }
    }
    if case .failure(let error) = result {
        span.recordError(error)
        span.setStatus(SpanStatus(code: .error))
    }
    return try result.get()
}
