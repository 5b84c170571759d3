import Configuration
import FerryConfiguration
import Logging

/// How a Ferry process writes its logs (the executable bootstraps swift-log with it).
public struct LoggingConfiguration: Sendable, Equatable {
    public enum Format: String, Sendable, Equatable {
        /// One JSON object per line (``JSONLogHandler``).
        case json
        /// swift-log's human-readable lines.
        case text
    }

    public var level: Logger.Level
    public var format: Format

    public init(level: Logger.Level = .info, format: Format = .json) {
        self.level = level
        self.format = format
    }

    /// Reads the log settings.
    ///
    /// - Configuration keys:
    ///   - `FERRY_LOG_LEVEL` (string, default: `info`): a swift-log level (`trace` … `critical`); another value
    ///     is `info`
    ///   - `FERRY_LOG_FORMAT` (string, default: `json`): `text` for human-readable lines; another value is `json`
    ///
    /// - Parameter reader: Ferry's configuration (``ConfigReader/ferryEnvironment(_:)``).
    public init(reader: ConfigReader) {
        self.init(
            level: reader.string("FERRY_LOG_LEVEL").flatMap(Logger.Level.init(rawValue:)) ?? .info,
            format: reader.string("FERRY_LOG_FORMAT") == "text" ? .text : .json
        )
    }
}
