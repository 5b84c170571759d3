import FerryNetSuite
import FerryNetSuiteSandbox
import Foundation
import Logging
import Synchronization

/// A log handler that keeps every record in memory, so tests can check what the client logs (and never bootstrap
/// the logging system).
final class CapturedLogs: Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let storage = Mutex<[Record]>([])

    var records: [Record] { storage.withLock { $0 } }

    func append(_ record: Record) {
        storage.withLock { $0.append(record) }
    }

    func logger(level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: "ferry.netsuite.tests") { _ in CapturingHandler(sink: self) }
        logger.logLevel = level
        return logger
    }

    /// Every message and metadata value, as one text to search.
    var allText: String {
        records.map { record in
            record.message + " " + record.metadata.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        }.joined(separator: "\n")
    }
}

struct CapturingHandler: LogHandler {
    let sink: CapturedLogs
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var merged = metadata
        for (key, value) in event.metadata ?? [:] { merged[key] = value }
        sink.append(.init(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
    }
}

/// A sandbox clock that tests can move forward.
final class AdjustableClock: Sendable {
    private let offset = Mutex<TimeInterval>(0)

    func advance(by seconds: TimeInterval) {
        offset.withLock { $0 += seconds }
    }

    var now: @Sendable () -> Date {
        { [self] in Date().addingTimeInterval(self.offset.withLock { $0 }) }
    }
}

/// Starts a NetSuite sandbox and a client pointed at it, runs `body`, and shuts both down whatever happens.
@discardableResult
func withSandbox<T: Sendable>(
    _ sandboxConfiguration: NetSuiteSandboxConfiguration = NetSuiteSandboxConfiguration(),
    auth: NetSuiteAuthentication? = nil,
    requestTimeout: Duration = .seconds(30),
    baseURL: ((NetSuiteSandboxServer) -> String)? = nil,
    logs: CapturedLogs = CapturedLogs(),
    _ body: (NetSuiteSandboxServer, NetSuiteClient, Logger) async throws -> T
) async throws -> T {
    let sandboxLogger = Logger(label: "ferry.netsuite.sandbox.tests") { _ in SwiftLogNoOpLogHandler() }
    let server = try await NetSuiteSandboxServer.start(configuration: sandboxConfiguration, logger: sandboxLogger)
    let credential = sandboxConfiguration.tbaCredentials.first ?? .sandboxDefault
    let configuration = NetSuiteConfiguration(
        baseURL: baseURL?(server) ?? server.baseURL,
        accountID: sandboxConfiguration.accountID,
        auth: auth
            ?? .tba(
                consumerKey: credential.consumerKey,
                consumerSecret: credential.consumerSecret,
                tokenID: credential.tokenID,
                tokenSecret: credential.tokenSecret
            ),
        requestTimeout: requestTimeout,
        connectTimeout: .seconds(5)
    )
    let client: NetSuiteClient
    do {
        client = try NetSuiteClient(configuration: configuration)
    } catch {
        try await server.shutdown()
        throw error
    }
    do {
        let result = try await body(server, client, logs.logger())
        try await client.shutdown()
        try await server.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        try? await server.shutdown()
        throw error
    }
}

/// A fresh external id, unique per test run, safe for `eid:` URLs.
func uniqueExternalID(_ prefix: String) -> String {
    prefix + "-" + UUID().uuidString.prefix(8).lowercased()
}
