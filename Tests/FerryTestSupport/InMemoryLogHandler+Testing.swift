import InMemoryLogging
import Logging

extension InMemoryLogHandler {
    /// A logger that records into this handler at every level (the handler's own default is `info`), without
    /// bootstrapping the logging system.
    public func logger(label: String = "ferry.test", level: Logger.Level = .trace) -> Logger {
        var logger = Logger(label: label) { _ in self }
        logger.logLevel = level
        return logger
    }

    /// The messages logged so far, in order.
    public var messages: [String] { entries.map(\.message.description) }

    /// Every entry as one line, `level message key=value …` (metadata sorted by key), to search for text that must
    /// or must not appear in logs.
    public var lines: [String] {
        entries.map { entry in
            let metadata = entry.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return ([entry.level.rawValue, entry.message.description] + metadata).joined(separator: " ")
        }
    }
}
