import Foundation
import Hummingbird
import Logging
import NIOCore

/// The NetSuite sandbox as a Hummingbird application, for the CLI's `ServiceGroup`.
///
/// Serves the SuiteTalk REST paths under `/services/rest/` and the control API under `/_sandbox/`
/// (see ``NetSuiteSandboxServer`` for the full list).
public func buildNetSuiteSandboxApplication(
    configuration: NetSuiteSandboxConfiguration,
    logger: Logger
) -> some ApplicationProtocol {
    makeNetSuiteSandboxApplication(sandbox: NetSuiteSandbox(configuration: configuration, logger: logger))
}

func makeNetSuiteSandboxApplication(
    sandbox: NetSuiteSandbox,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }
) -> Application<RouterResponder<NetSuiteRequestContext>> {
    let router = Router(context: NetSuiteRequestContext.self)
    InspectionRoutes(sandbox: sandbox).register(on: router)

    let services = router.group("services/rest").add(middleware: GatewayMiddleware(sandbox: sandbox))
    TokenRoutes(sandbox: sandbox).register(on: services)
    let authenticated = services.group().add(middleware: AuthenticationMiddleware(sandbox: sandbox))
    RecordRoutes(sandbox: sandbox).register(on: authenticated)
    QueryRoutes(sandbox: sandbox).register(on: authenticated)
    AsyncJobRoutes(sandbox: sandbox).register(on: authenticated)

    return Application(
        router: router,
        configuration: .init(
            address: .hostname(sandbox.configuration.host, port: sandbox.configuration.port),
            serverName: "ferry-netsuite-sandbox"
        ),
        onServerRunning: onServerRunning,
        logger: sandbox.logger
    )
}

/// A running NetSuite sandbox: a faithful simulator of SuiteTalk REST for one account (external-apis.md A13).
///
/// NetSuite paths (`/services/rest/…`, authenticated, governed, faults applied):
/// - `POST|GET /record/v1/{type}`, `GET|PATCH|PUT|DELETE /record/v1/{type}/{id | eid:X}`,
///   `GET /record/v1/{type}/{id}/item` for `salesOrder`, `customer`, `customerDeposit`, `inventoryItem`;
/// - `POST /query/v1/suiteql` (`Prefer: transient`);
/// - `GET /system/v1/governanceLimits`;
/// - `GET /async/v1/job/{id}[/task[/1[/result]]]` for writes sent with `Prefer: respond-async`;
/// - `POST /auth/oauth2/v1/token` (no authentication, but governed).
///
/// Control API: `/_sandbox/…`, documented on ``InspectionRoutes`` and mirrored by the typed accessors here.
///
/// ```swift
/// let server = try await NetSuiteSandboxServer.start(configuration: .init(), logger: logger)
/// defer { Task { try await server.shutdown() } }
/// // point the client at server.baseURL
/// ```
public final class NetSuiteSandboxServer: Sendable {
    /// The bound port.
    public let port: Int
    /// `http://<host>:<port>`.
    public var baseURL: String { "http://\(sandbox.configuration.host):\(port)" }

    let sandbox: NetSuiteSandbox
    private let task: Task<Void, any Error>

    private init(port: Int, sandbox: NetSuiteSandbox, task: Task<Void, any Error>) {
        self.port = port
        self.sandbox = sandbox
        self.task = task
    }

    /// Starts the sandbox and returns once it accepts connections.
    public static func start(
        configuration: NetSuiteSandboxConfiguration,
        logger: Logger
    ) async throws
        -> NetSuiteSandboxServer
    {
        let sandbox = NetSuiteSandbox(configuration: configuration, logger: logger)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = makeNetSuiteSandboxApplication(sandbox: sandbox) { channel in
            continuation.yield(channel.localAddress?.port ?? configuration.port)
            continuation.finish()
        }
        let task = Task {
            defer { continuation.finish() }
            try await application.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            // The server stopped before it was running: surface why.
            try await task.value
            throw NetSuiteSandboxStartError()
        }
        logger.info("netsuite sandbox started", metadata: ["port": "\(port)", "account": "\(configuration.accountID)"])
        return NetSuiteSandboxServer(port: port, sandbox: sandbox, task: task)
    }

    /// Stops the server. Requests still in flight (e.g. held by a commit-then-fail delay) are cancelled.
    public func shutdown() async throws {
        task.cancel()
        do {
            try await task.value
        } catch is CancellationError {
            // Expected: shutdown is a cancellation.
        }
    }

    // MARK: Typed control, mirroring `/_sandbox/`

    /// Counters since start or the last ``resetStatistics()``.
    public func statistics() -> NetSuiteSandboxStatistics {
        NetSuiteSandboxStatistics(sandbox.governor.snapshot())
    }

    public func resetStatistics() {
        sandbox.governor.resetStatistics()
    }

    /// The faults in force; setting replaces them all.
    public var faults: NetSuiteFaults {
        get { sandbox.faults }
        set { sandbox.faults = newValue }
    }

    /// The latency distribution in force.
    public var latency: NetSuiteLatency {
        get { sandbox.injector.latency }
        set { sandbox.injector.latency = newValue }
    }

    /// Successful creates per external id of a record type (`salesOrder`, case-insensitive); empty for unknown types.
    public func createCounts(recordType: String) async -> [String: Int] {
        guard let type = RecordType(pathSegment: recordType) else { return [:] }
        return await sandbox.store.createCounts()[type] ?? [:]
    }
}

/// One record as an audit sees it: what an exactly-once check needs, without the rendering of `/_sandbox/records`.
public struct SandboxRecordSummary: Sendable, Equatable {
    public var id: Int
    public var externalID: String?
    /// Reference fields by name (`entity`, `customer`, `salesOrder`) → internal id.
    public var references: [String: Int]
    /// The item of each sublist line, in order.
    public var lineItems: [Int]
    /// NetSuite's computed total (tax included) of a transaction; nil for other records.
    public var total: Decimal?
    /// A deposit's `payment`.
    public var payment: Decimal?
}

extension NetSuiteSandboxServer {
    /// Every record of a type Ferry wrote (seeded records left out), in id order; empty for unknown types.
    public func records(ofType recordType: String) async -> [SandboxRecordSummary] {
        guard let type = RecordType(pathSegment: recordType) else { return [] }
        let store = sandbox.store
        return await store.allRecords(type, includeSeeded: false).map { record in
            var references: [String: Int] = [:]
            for field in ["entity", "customer", "salesOrder", "subsidiary", "currency"] {
                if let id = record.referenceID(field) { references[field] = id }
            }
            return SandboxRecordSummary(
                id: record.id,
                externalID: record.externalID,
                references: references,
                lineItems: record.lines.compactMap { $0.referenceID("item") },
                total: store.totals(of: record)?.total,
                payment: record.number("payment")
            )
        }
    }
}

/// The sandbox's server stopped before it started listening.
public struct NetSuiteSandboxStartError: Error, Sendable, CustomStringConvertible {
    public var description: String { "the NetSuite sandbox stopped before it started listening" }
}
