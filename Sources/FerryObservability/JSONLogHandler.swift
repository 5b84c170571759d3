import Foundation
import Logging
import Synchronization

/// A swift-log handler that writes one JSON object per line: `ts`, `level`, `msg`, `logger`, then the metadata
/// keys as given (`order.id`, `attempt`, `error.type` …), so log stores can index and query them directly.
///
/// Bootstrap it once, in the executable: `LoggingSystem.bootstrap { JSONLogHandler(label: $0) }`.
public struct JSONLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: JSONLogSink

    public init(
        label: String,
        level: Logger.Level = .info,
        sink: JSONLogSink = .standardError,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.label = label
        self.logLevel = level
        self.sink = sink
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        sink.write(
            Self.render(
                date: Date(),
                level: event.level,
                message: event.message.description,
                label: label,
                metadata: merged,
                source: event.level >= .warning ? "\(event.file):\(event.line)" : nil
            )
        )
    }

    /// One log line, without the trailing newline. Reserved keys (`ts`, `level`, `msg`, `logger`) win over metadata.
    public static func render(
        date: Date,
        level: Logger.Level,
        message: String,
        label: String,
        metadata: Logger.Metadata,
        source: String? = nil
    ) -> String {
        var out = "{\"ts\":\"\(timestamp(date))\",\"level\":\"\(level.rawValue)\",\"msg\":"
        appendJSONString(message, to: &out)
        out += ",\"logger\":"
        appendJSONString(label, to: &out)
        if let source {
            out += ",\"source\":"
            appendJSONString(source, to: &out)
        }
        for key in metadata.keys.sorted() where !["ts", "level", "msg", "logger", "source"].contains(key) {
            out += ","
            appendJSONString(key, to: &out)
            out += ":"
            appendValue(metadata[key]!, to: &out)
        }
        out += "}"
        return out
    }

    private static func appendValue(_ value: Logger.Metadata.Value, to out: inout String) {
        switch value {
        case .string(let s): appendJSONString(s, to: &out)
        case .stringConvertible(let c):
            let text = c.description
            if c is any BinaryInteger || (c is any BinaryFloatingPoint && Double(text)?.isFinite == true) || c is Bool {
                out += text
            } else {
                appendJSONString(text, to: &out)
            }
        case .array(let values):
            out += "["
            for (index, element) in values.enumerated() {
                if index > 0 { out += "," }
                appendValue(element, to: &out)
            }
            out += "]"
        case .dictionary(let dict):
            out += "{"
            for (index, key) in dict.keys.sorted().enumerated() {
                if index > 0 { out += "," }
                appendJSONString(key, to: &out)
                out += ":"
                appendValue(dict[key]!, to: &out)
            }
            out += "}"
        }
    }

    static func appendJSONString(_ s: String, to out: inout String) {
        out += "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                out += String(format: "\\u%04x", c.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    private static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
            parts.tm_year + 1900,
            parts.tm_mon + 1,
            parts.tm_mday,
            parts.tm_hour,
            parts.tm_min,
            parts.tm_sec,
            millis
        )
    }
}

/// Where JSON log lines go. Lines are written whole, under a lock, so concurrent writers never interleave.
public final class JSONLogSink: Sendable {
    private let write: @Sendable (String) -> Void

    public init(_ write: @escaping @Sendable (String) -> Void) { self.write = write }

    public func write(_ line: String) { write(line) }

    public static let standardError = JSONLogSink(fileDescriptor: 2)
    public static let standardOutput = JSONLogSink(fileDescriptor: 1)

    public convenience init(fileDescriptor: Int32) {
        let lock = Mutex(())
        self.init { line in
            var bytes = Array(line.utf8)
            bytes.append(0x0A)
            lock.withLock { _ in
                var offset = 0
                while offset < bytes.count {
                    let written = bytes[offset...].withUnsafeBytes {
                        Foundation.write(fileDescriptor, $0.baseAddress, $0.count)
                    }
                    if written <= 0 { break }
                    offset += written
                }
            }
        }
    }
}
