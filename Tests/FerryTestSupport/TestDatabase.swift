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
    /// The tasks running `admin` and `client` for ``create(name:migrate:logger:)``; nil inside
    /// ``with(name:migrate:logger:_:)``, which runs them as child tasks.
    private let tasks: (admin: Task<Void, Never>, client: Task<Void, Never>)?

    private init(
        target: Target,
        logger: Logger,
        admin: PostgresClient,
        client: PostgresClient,
        tasks: (admin: Task<Void, Never>, client: Task<Void, Never>)?
    ) {
        self.name = target.name
        self.configuration = target.configuration
        self.url = target.url
        self.logger = logger
        self.admin = admin
        self.client = client
        self.tasks = tasks
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

    /// Runs `body` with a fresh database and drops it afterwards, also when `body` throws. The clients run as
    /// child tasks of this call.
    public static func with<T: Sendable>(
        name: String? = nil,
        migrate: Bool = true,
        logger: Logger = quietLogger,
        _ body: (TestDatabase) async throws -> T
    ) async throws -> T {
        let target = try Target(name: name)
        let admin = PostgresClient(configuration: target.server.clientConfiguration, backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await admin.run() }
            defer { group.cancelAll() }
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(target.name)"), logger: logger)
            let client = PostgresClient(
                configuration: target.configuration.clientConfiguration,
                backgroundLogger: logger
            )
            let database = TestDatabase(target: target, logger: logger, admin: admin, client: client, tasks: nil)
            let result: Result<T, any Error> = await withTaskGroup(of: Void.self) { inner in
                inner.addTask { await client.run() }
                defer { inner.cancelAll() }
                do {
                    if migrate { try await Migrations.migrate(client, logger: logger) }
                    return .success(try await body(database))
                } catch {
                    return .failure(error)
                }
            }
            await database.dropDatabase()
            return try result.get()
        }
    }

    /// Creates a fresh database (and runs Ferry's migrations on it when `migrate` is true), with its clients running
    /// as tasks of their own, for harnesses that tear down in their own order. Call ``drop()`` when done.
    /// `serverURL` is the server to create it on (default `FERRY_DATABASE_URL`).
    public static func create(
        name: String? = nil,
        serverURL: String? = nil,
        migrate: Bool = true,
        logger: Logger = quietLogger
    ) async throws -> TestDatabase {
        let target = try Target(name: name, serverURL: serverURL)
        let admin = PostgresClient(configuration: target.server.clientConfiguration, backgroundLogger: logger)
        let adminTask = Task { await admin.run() }
        do {
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(target.name)"), logger: logger)
        } catch {
            adminTask.cancel()
            await adminTask.value
            throw error
        }
        let client = PostgresClient(configuration: target.configuration.clientConfiguration, backgroundLogger: logger)
        let clientTask = Task { await client.run() }
        let database = TestDatabase(
            target: target,
            logger: logger,
            admin: admin,
            client: client,
            tasks: (adminTask, clientTask)
        )
        if migrate {
            do {
                try await Migrations.migrate(client, logger: logger)
            } catch {
                await database.drop()
                throw error
            }
        }
        return database
    }

    /// For a database from ``create(name:migrate:logger:)``: stops the client, drops the database and stops the
    /// admin client. Every step is bounded, so a client that does not stop cannot hang the test run (it is reported
    /// and left behind).
    public func drop() async {
        guard let tasks else { return }
        // Close the pool before dropping the database, or it keeps reconnecting to a database that is gone.
        tasks.client.cancel()
        await bounded("stop the database client", .seconds(15)) { await tasks.client.value }
        await dropDatabase()
        tasks.admin.cancel()
        await bounded("stop the admin client", .seconds(15)) { await tasks.admin.value }
    }

    private func dropDatabase() async {
        await bounded("drop the database", .seconds(30)) { [admin, name, logger] in
            _ = try? await admin.query(
                PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"),
                logger: logger
            )
        }
    }

    /// Where the test database goes: the server from `FERRY_DATABASE_URL`, the name, the URL for child processes.
    private struct Target: Sendable {
        let server: DatabaseConfiguration
        let name: String
        let url: String
        var configuration: DatabaseConfiguration { server.with(database: name) }

        init(name: String?, serverURL: String? = nil) throws {
            guard let serverURL = serverURL ?? ProcessInfo.processInfo.environment["FERRY_DATABASE_URL"] else {
                throw TestSetupError(
                    "FERRY_DATABASE_URL is not set: run the suite with scripts/test.sh, "
                        + "or source the env file printed by scripts/stack.sh start"
                )
            }
            self.server = try DatabaseConfiguration(url: serverURL)
            let name =
                name ?? "ferry_test_"
                + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
            var components = URLComponents(string: serverURL)
            components?.path = "/" + name
            guard let url = components?.string else { throw TestSetupError("cannot derive the test database URL") }
            self.name = name
            self.url = url
        }
    }
}

/// Gives each test (each case of a parameterized test; every test of a suite it is attached to) a fresh database,
/// readable as ``TestDatabase/current`` while the test runs.
public struct FreshDatabaseTrait: TestTrait, SuiteTrait, TestScoping {
    /// Whether Ferry's migrations run on the new database.
    public var migrated: Bool

    public var isRecursive: Bool { true }

    public func provideScope(
        for test: Test,
        testCase: Test.Case?,
        performing function: @Sendable () async throws -> Void
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
