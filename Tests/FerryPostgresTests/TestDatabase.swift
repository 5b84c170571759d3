import FerryPostgres
import Foundation
import Logging
import PostgresNIO
import Testing

/// A fresh database per test on the PostgreSQL that `scripts/test.sh` starts (`FERRY_DATABASE_URL`),
/// migrated, with a running client; dropped afterwards.
enum TestDatabase {
    static let logger = Logger(label: "ferry.test.postgres")

    static func serverConfiguration() throws -> DatabaseConfiguration {
        guard let url = ProcessInfo.processInfo.environment["FERRY_DATABASE_URL"] else {
            throw TestSetupError("FERRY_DATABASE_URL is not set: run the suite with scripts/test.sh (it starts PostgreSQL)")
        }
        return try DatabaseConfiguration(url: url)
    }

    static func with<T: Sendable>(
        migrate: Bool = true, _ body: @Sendable (PostgresClient, DatabaseConfiguration) async throws -> T
    ) async throws -> T {
        let server = try serverConfiguration()
        let name = "ferry_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let admin = PostgresClient(configuration: server.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            defer { group.cancelAll() }
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
            let configuration = server.with(database: String(name))
            let client = PostgresClient(configuration: configuration.clientConfiguration, backgroundLogger: logger)
            let result: Result<T, any Error> = await withTaskGroup(of: Void.self) { inner in
                inner.addTask { await client.run() }
                defer { inner.cancelAll() }
                do {
                    if migrate { try await Migrations.migrate(client, logger: logger) }
                    return .success(try await body(client, configuration))
                } catch {
                    return .failure(error)
                }
            }
            _ = try? await admin.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
            return try result.get()
        }
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
