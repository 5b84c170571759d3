import FerryNATS
import FerryPostgres
import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// Connects to NATS (retrying while the server comes up) and returns the connection and its JetStream context.
func connectNATS(_ env: FerryEnvironment, name: String, logger: Logger) async throws -> (NATSConnection, JetStream) {
    let connection = try await NATSConnection.connect(NATSConnectionOptions(url: env.natsURL, name: name), logger: logger)
    return (connection, try connection.jetStream())
}

/// Runs `body` with a running PostgreSQL client and shuts it down afterwards.
func withDatabase<T: Sendable>(
    _ env: FerryEnvironment, logger: Logger, _ body: @Sendable (PostgresClient) async throws -> T
) async throws -> T {
    let client = PostgresClient(configuration: try env.database().clientConfiguration, backgroundLogger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { await client.run() }
        defer { group.cancelAll() }
        return try await body(client)
    }
}

/// A service that runs a closure; the group shuts down when it returns.
struct ClosureService: Service {
    let body: @Sendable () async throws -> Void
    func run() async throws { try await body() }
}

func writeLine(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
