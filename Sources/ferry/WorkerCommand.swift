import ArgumentParser
import Configuration
import FerryConfiguration
import FerryObservability
import FerryPostgres
import FerryWorker
import Logging
import ServiceLifecycle

struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Take queued orders and put them into NetSuite, exactly once."
    )

    func run() async throws {
        let reader = ConfigReader.ferryEnvironment()
        bootstrapLogging(reader)
        FerryMetrics.shared.bootstrap()
        let logger = Logger(label: "ferry.worker")
        let tracing = try bootstrapTracing(reader, serviceName: "ferry-worker", logger: logger)
        let worker = try await buildWorkerServices(
            configuration: try WorkerServicesConfiguration(reader: reader),
            logger: logger
        )
        // Tracing first: it stops last, after the worker has finished (and traced) what it holds.
        let group = worker.serviceGroup(before: tracing.map { [$0] } ?? [], logger: logger)
        do {
            try await group.run()
        } catch {
            logger.critical("worker failed", metadata: ["error.message": "\(error)"])
            throw error
        }
    }
}

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Create or update Ferry's PostgreSQL schema."
    )

    func run() async throws {
        let reader = ConfigReader.ferryEnvironment()
        bootstrapLogging(reader)
        let logger = Logger(label: "ferry.migrate")
        let applied = try await withDatabase(reader, logger: logger) { client in
            try await Migrations.migrate(client, logger: logger)
        }
        writeLine(
            applied.isEmpty
                ? "schema up to date" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))"
        )
    }
}
