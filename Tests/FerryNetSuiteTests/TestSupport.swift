import FerryNetSuite
import FerryNetSuiteSandbox
import FerryTestSupport
import Foundation
import InMemoryLogging
import Logging
import Synchronization

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
    logs: InMemoryLogHandler = InMemoryLogHandler(),
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
