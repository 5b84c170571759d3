import ArgumentParser
import Configuration
import FerryConfiguration
import FerryCore
import FerryNATS
import FerryPostgres
import FerryWorker
import Foundation
import Logging

struct MappingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mappings",
        abstract: "Maintain the PrestaShop → NetSuite mapping tables.",
        subcommands: [Import.self, ImportDirectory.self, Check.self]
    )

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract:
                "Import one CSV file (all rows or none). Kinds: \(MappingKind.allCases.map(\.rawValue).joined(separator: ", "))."
        )

        @Argument(help: "products | tax-codes | currencies | payment-methods | carriers | shops") var kind: String
        @Argument(help: "CSV file with a header line; see README for the columns.") var file: String

        func run() async throws {
            let reader = ConfigReader.ferryEnvironment()
            bootstrapLogging(reader)
            guard let kind = MappingKind(rawValue: kind) else {
                throw ValidationError(
                    "unknown kind '\(kind)'; expected one of \(MappingKind.allCases.map(\.rawValue).joined(separator: ", "))"
                )
            }
            let count = try await importFile(kind: kind, path: file, reader: reader)
            writeLine("imported \(count) \(kind.rawValue) rows from \(file)")
        }
    }

    struct ImportDirectory: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import-dir",
            abstract: "Import every <kind>.csv found in a directory (e.g. sandbox/mappings)."
        )

        @Argument var directory: String

        func run() async throws {
            let reader = ConfigReader.ferryEnvironment()
            bootstrapLogging(reader)
            var total = 0
            for kind in MappingKind.allCases {
                let path = (directory as NSString).appendingPathComponent("\(kind.rawValue).csv")
                guard FileManager.default.fileExists(atPath: path) else { continue }
                let count = try await importFile(kind: kind, path: path, reader: reader)
                writeLine("imported \(count) \(kind.rawValue) rows")
                total += count
            }
            if total == 0 { throw ValidationError("no <kind>.csv files in \(directory)") }
        }
    }

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "check",
            abstract: "Tell which dead-lettered orders would map with today's mapping tables."
        )

        func run() async throws {
            let reader = ConfigReader.ferryEnvironment()
            bootstrapLogging(reader)
            let logger = Logger(label: "ferry.mappings")
            let (connection, jetStream) = try await connectNATS(reader, name: "ferry-mappings", logger: logger)
            let dlq = DeadLetterQueue(jetStream: jetStream, queue: try OrderQueueConfiguration(reader: reader))
            let letters = try await dlq.list()
            let lines: [String] = try await withDatabase(reader, logger: logger) { client in
                let store = MappingStore(client: client)
                var lines: [String] = []
                for letter in letters {
                    let id = "\(letter.sequence)\t\(letter.entry.idempotencyKey ?? "unknown")"
                    switch try await checkMappings(for: letter, store: store, logger: logger) {
                    case .wouldMap: lines.append("\(id)\twould map now: ferry dlq resubmit \(letter.sequence)")
                    case .stillMissing(let missing):
                        lines.append("\(id)\tstill missing: \(missing.map(\.description).joined(separator: "; "))")
                    case .cannotCheck(let why): lines.append("\(id)\tcannot check: \(why)")
                    }
                }
                return lines
            }
            await connection.close()
            writeLine(letters.isEmpty ? "no dead letters" : lines.joined(separator: "\n"))
        }
    }
}

func importFile(kind: MappingKind, path: String, reader: ConfigReader) async throws -> Int {
    guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
        throw ValidationError("cannot read \(path)")
    }
    let rows: [MappingRow]
    switch MappingCSV.parse(text, kind: kind) {
    case .success(let r): rows = r
    case .failure(let error): throw ValidationError("\(path): \(error.description); nothing imported")
    }
    let logger = Logger(label: "ferry.mappings")
    return try await withDatabase(reader, logger: logger) { client in
        try await MappingStore(client: client).importRows(rows, logger: logger)
    }
}
