import FerryPostgres
import Foundation
import Logging
import PostgresNIO
import Testing

/// A database of its own for one test, on the PostgreSQL that `scripts/test.sh` (or `scripts/stack.sh start`) runs
/// at `FERRY_DATABASE_URL`: created fresh, migrated with Ferry's migrations if asked, with a running client, and
/// dropped afterwards.
///
/// In Swift Testing, use the ``Testing/Trait/freshDatabase(migrated:)`` trait and read ``current`` in the test.
/// Harnesses that manage their own life cycle use ``create(name:migrate:logger:)`` and ``drop()``, or
/// ``with(name:migrate:logger:_:)``; all of them share this one implementation.
public final class TestDatabase: Sendable {
    /// The database's name (`ferry_test_…` unless the caller chose one).
    public let name: String
    /// Where the database is, for clients of one's own (other "processes").
    public let configuration: DatabaseConfiguration
    /// `FERRY_DATABASE_URL` with the path pointing at this database, for child processes.
    public let url: String
    /// A running client on this database.
    public let client: PostgresClient

    private let logger: Logger
    private let admin: PostgresClient
    private let adminTask: Task<Void, Never>
    private let clientTask: Task<Void, Never>

    private init(
        name: String, configuration: DatabaseConfiguration, url: String, logger: Logger, admin: PostgresClient,
        adminTask: Task<Void, Never>
    ) {
        self.name = name
        self.configuration = configuration
        self.url = url
        self.logger = logger
        self.admin = admin
        self.adminTask = adminTask
        let client = PostgresClient(configuration: configuration.clientConfiguration, backgroundLogger: logger)
        self.client = client
        self.clientTask = Task { await client.run() }
    }

    /// A logger that drops everything: the default for the clients and queries of this helper.
    public static let quietLogger = Logger(label: "ferry.test.database") { _ in SwiftLogNoOpLogHandler() }

    @TaskLocal static var bound: TestDatabase?

    /// The database of the running test, set by the ``Testing/Trait/freshDatabase(migrated:)`` trait.
    public static var current: TestDatabase {
        get throws {
            guard let bound else {
                throw TestSetupError("no test database: add the .freshDatabase() trait to the test or its suite")
            }
            return bound
        }
    }

    /// Creates a fresh database (and runs Ferry's migrations on it when `migrate` is true). Call ``drop()`` when done.
    public static func create(
        name: String? = nil, migrate: Bool = true, logger: Logger = quietLogger
    ) async throws -> TestDatabase {
        guard let serverURL = ProcessInfo.processInfo.environment["FERRY_DATABASE_URL"] else {
            throw TestSetupError(
                "FERRY_DATABASE_URL is not set: run the suite with scripts/test.sh, "
                    + "or source the env file printed by scripts/stack.sh start")
        }
        let server = try DatabaseConfiguration(url: serverURL)
        let name = name ?? "ferry_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        var components = URLComponents(string: serverURL)
        components?.path = "/" + name
        guard let url = components?.string else { throw TestSetupError("cannot derive the test database URL") }

        let admin = PostgresClient(configuration: server.clientConfiguration, backgroundLogger: logger)
        let adminTask = Task { await admin.run() }
        do {
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        } catch {
            adminTask.cancel()
            await adminTask.value
            throw error
        }
        let database = TestDatabase(
            name: name, configuration: server.with(database: name), url: url, logger: logger, admin: admin,
            adminTask: adminTask)
        if migrate {
            do {
                try await Migrations.migrate(database.client, logger: logger)
            } catch {
                await database.drop()
                throw error
            }
        }
        return database
    }

    /// Stops the client, drops the database and stops the admin client. Every step is bounded, so a client that
    /// does not stop cannot hang the test run (it is reported and left behind).
    public func drop() async {
        // Close the pool before dropping the database, or it keeps reconnecting to a database that is gone.
        clientTask.cancel()
        await bounded("stop the database client", .seconds(15)) { [clientTask] in await clientTask.value }
        await bounded("drop the database", .seconds(30)) { [admin, name, logger] in
            _ = try? await admin.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
        adminTask.cancel()
        await bounded("stop the admin client", .seconds(15)) { [adminTask] in await adminTask.value }
    }

    /// Runs `body` with a fresh database and drops it afterwards, also when `body` throws.
    public static func with<T: Sendable>(
        name: String? = nil, migrate: Bool = true, logger: Logger = quietLogger,
        _ body: (TestDatabase) async throws -> T
    ) async throws -> T {
        let database = try await create(name: name, migrate: migrate, logger: logger)
        let result: Result<T, any Error>
        do {
            result = .success(try await body(database))
        } catch {
            result = .failure(error)
        }
        await database.drop()
        return try result.get()
    }
}

/// Gives each test (each case of a parameterized test; every test of a suite it is attached to) a fresh database,
/// readable as ``TestDatabase/current`` while the test runs.
public struct FreshDatabaseTrait: TestTrait, SuiteTrait, TestScoping {
    /// Whether Ferry's migrations run on the new database.
    public var migrated: Bool

    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await TestDatabase.with(migrate: migrated) { database in
            try await TestDatabase.$bound.withValue(database) { try await function() }
        }
    }
}

extension Trait where Self == FreshDatabaseTrait {
    /// A fresh database per test (migrated unless `migrated` is false); see ``TestDatabase``.
    public static func freshDatabase(migrated: Bool = true) -> Self {
        FreshDatabaseTrait(migrated: migrated)
    }
}

/// A test's set-up could not be done (a missing environment variable, a server that is not there).
public struct TestSetupError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
