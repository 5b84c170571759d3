import ArgumentParser
import Configuration
import FerryConfiguration
import FerryNATS
import FerryPostgres
import FerryWorker
import Foundation
import Logging

struct DLQCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlq",
        abstract: "Inspect and resubmit dead-lettered orders.",
        subcommands: [List.self, Show.self, Resubmit.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per dead letter: id, order, reason, attempts, last error."
        )

        func run() async throws {
            let reader = ConfigReader.ferryEnvironment()
            bootstrapLogging(reader)
            let logger = Logger(label: "ferry.dlq")
            let (connection, jetStream) = try await connectNATS(reader, name: "ferry-dlq", logger: logger)
            let letters = try await DeadLetterQueue(
                jetStream: jetStream,
                queue: try OrderQueueConfiguration(reader: reader)
            ).list()
            await connection.close()
            if letters.isEmpty {
                writeLine("no dead letters")
                return
            }
            writeLine("ID\tIDEMPOTENCY KEY\tREFERENCE\tREASON\tATTEMPTS\tDEAD-LETTERED AT\tLAST ERROR")
            let formatter = ISO8601DateFormatter()
            for letter in letters {
                let e = letter.entry
                writeLine(
                    "\(letter.sequence)\t\(e.idempotencyKey ?? "unknown")\t\(e.reference ?? "-")\t\(e.reason)\t\(e.attempts.count)\t\(formatter.string(from: e.deadLetteredAt))\t\(e.lastError)"
                )
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print one dead letter as JSON: payload and every attempt."
        )
        @Argument(help: "Dead-letter id (from list) or idempotency key.") var id: String

        func run() async throws {
            let reader = ConfigReader.ferryEnvironment()
            bootstrapLogging(reader)
            let logger = Logger(label: "ferry.dlq")
            let (connection, jetStream) = try await connectNATS(reader, name: "ferry-dlq", logger: logger)
            let letter = try await DeadLetterQueue(
                jetStream: jetStream,
                queue: try OrderQueueConfiguration(reader: reader)
            ).find(id)
            await connection.close()
            guard let letter else { throw ValidationError("no dead letter \(id)") }
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.dateEncodingStrategy = .iso8601
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            writeLine(String(decoding: try encoder.encode(letter.entry), as: UTF8.self))
        }
    }

    struct Resubmit: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Put dead-lettered orders back in the queue with fresh attempts."
        )
        @Argument(help: "Dead-letter id (from list) or idempotency key.") var id: String?
        @Flag(help: "Resubmit every dead letter.") var all = false

        func validate() throws {
            if all == (id != nil) { throw ValidationError("give either an id or --all") }
        }

        func run() async throws {
            let reader = ConfigReader.ferryEnvironment()
            bootstrapLogging(reader)
            let logger = Logger(label: "ferry.dlq")
            let (connection, jetStream) = try await connectNATS(reader, name: "ferry-dlq", logger: logger)
            let dlq = DeadLetterQueue(jetStream: jetStream, queue: try OrderQueueConfiguration(reader: reader))
            let letters: [StoredDeadLetter]
            if all {
                letters = try await dlq.list()
            } else if let id, let letter = try await dlq.find(id) {
                letters = [letter]
            } else {
                await connection.close()
                throw ValidationError("no dead letter \(id ?? "")")
            }
            try await withDatabase(reader, logger: logger) { client in
                let sync = OrderSyncStore(client: client)
                for letter in letters {
                    try await dlq.resubmit(letter, sync: sync, logger: logger)
                    writeLine("resubmitted \(letter.sequence) (\(letter.entry.idempotencyKey ?? "unknown"))")
                }
            }
            await connection.close()
            if letters.isEmpty { writeLine("no dead letters") }
        }
    }
}
