import AsyncHTTPClient
import FerryTestSupport
import Foundation
import Logging
import Testing

@testable import FerryPrestaShop

/// A 32-character key used against stubs; tests assert it never shows up in logs or errors.
let stubKey = "FERRYSTUBKEY0123456789ABCDEFGHIJ"

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
    let server = try await StubHTTPServer.start(handler: handler)
    let client: PrestaShopClient
    do {
        client = try PrestaShopClient(
            configuration: PrestaShopClientConfiguration(
                baseURL: server.baseURL + pathPrefix,
                apiKey: stubKey,
                authentication: authentication,
                requestTimeout: requestTimeout,
                shopTimeZone: shopTimeZone,
                stockUpdateMethod: stockUpdateMethod,
                shopID: shopID
            )
        )
    } catch {
        try? await server.shutdown()
        throw error
    }
    do {
        try await body(client, server)
    } catch {
        try? await client.shutdown()
        try? await server.shutdown()
        throw error
    }
    try await client.shutdown()
    try await server.shutdown()
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
