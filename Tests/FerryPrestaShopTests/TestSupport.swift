import AsyncHTTPClient
import Foundation
import Logging
import Synchronization
import Testing

@testable import FerryPrestaShop

/// A 32-character key used against stubs; tests assert it never shows up in logs or errors.
let stubKey = "FERRYSTUBKEY0123456789ABCDEFGHIJ"

/// Collects log lines (message plus metadata) without bootstrapping the logging system.
struct RecordingLogHandler: LogHandler {
    final class Storage: Sendable {
        let lines = Mutex<[String]>([])
    }

    let storage: Storage
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        let line = "\(event.level) \(event.message) \(merged.sorted { $0.key < $1.key })"
        storage.lines.withLock { $0.append(line) }
    }
}

func recordingLogger() -> (Logger, RecordingLogHandler.Storage) {
    let storage = RecordingLogHandler.Storage()
    let logger = Logger(label: "test.prestashop") { _ in RecordingLogHandler(storage: storage) }
    return (logger, storage)
}

/// Runs `body` with a stub server and a client (owning its HTTPClient) pointed at it; shuts both down.
func withStubClient(
    authentication: PrestaShopClientConfiguration.Authentication = .basic,
    stockUpdateMethod: PrestaShopClientConfiguration.StockUpdateMethod = .automatic,
    requestTimeout: Duration = .seconds(20),
    shopTimeZone: TimeZone = TimeZone(identifier: "UTC")!,
    shopID: Int? = nil,
    pathPrefix: String = "",
    handler: @escaping StubHTTPServer.Handler,
    _ body: (PrestaShopClient, StubHTTPServer) async throws -> Void
) async throws {
    let server = try StubHTTPServer(handler: handler)
    defer { server.shutdown() }
    let client = try PrestaShopClient(
        configuration: PrestaShopClientConfiguration(
            baseURL: server.baseURL + pathPrefix, apiKey: stubKey, authentication: authentication,
            requestTimeout: requestTimeout, shopTimeZone: shopTimeZone, stockUpdateMethod: stockUpdateMethod,
            shopID: shopID))
    do {
        try await body(client, server)
    } catch {
        try? await client.shutdown()
        throw error
    }
    try await client.shutdown()
}

/// Runs `operation` and returns the ``PrestaShopError`` it throws, or nil when it succeeds.
func prestaShopError<T>(_ operation: () async throws -> T) async -> PrestaShopError? {
    do {
        _ = try await operation()
        return nil
    } catch let error as PrestaShopError {
        return error
    } catch {
        Issue.record("expected a PrestaShopError, got \(error)")
        return nil
    }
}
