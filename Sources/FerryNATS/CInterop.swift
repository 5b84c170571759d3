import CNATS
import Foundation

/// Calls `nats_Open(-1)` exactly once (Swift initialises static lets lazily and thread-safely).
enum NATSLibrary {
    private static let openStatus: UInt32 = nats_Open(-1).rawValue

    /// Makes sure the library is initialised; throws when `nats_Open` failed.
    static func ensureOpen() throws {
        guard openStatus == NATS_OK.rawValue else {
            throw NATSError(
                code: .other,
                status: "Failed to initialize",
                operation: "open",
                message: "nats_Open failed with status \(openStatus)"
            )
        }
    }
}

/// C strings and arrays that must outlive one libnats call. Only used through ``withCStringArena(_:)``.
final class CStringArena {
    private var allocations: [UnsafeMutableRawPointer] = []

    /// A C copy of `string` that lives until the arena is freed.
    func string(_ string: String) -> UnsafePointer<CChar> {
        let count = string.utf8.count + 1
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: count)
        string.withCString { source in
            pointer.initialize(from: source, count: count)
        }
        allocations.append(UnsafeMutableRawPointer(pointer))
        return UnsafePointer(pointer)
    }

    /// A C copy of `string`, or `NULL` for nil.
    func optionalString(_ string: String?) -> UnsafePointer<CChar>? {
        string.map { self.string($0) }
    }

    /// A `const char**` array of C copies.
    func stringArray(_ strings: [String]) -> UnsafeMutablePointer<UnsafePointer<CChar>?> {
        let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: max(1, strings.count))
        for (index, value) in strings.enumerated() {
            (array + index).initialize(to: self.string(value))
        }
        allocations.append(UnsafeMutableRawPointer(array))
        return array
    }

    /// An `int64_t*` array copy.
    func int64Array(_ values: [Int64]) -> UnsafeMutablePointer<Int64> {
        let array = UnsafeMutablePointer<Int64>.allocate(capacity: max(1, values.count))
        for (index, value) in values.enumerated() {
            (array + index).initialize(to: value)
        }
        allocations.append(UnsafeMutableRawPointer(array))
        return array
    }

    fileprivate func freeAll() {
        for pointer in allocations {
            pointer.deallocate()
        }
        allocations.removeAll()
    }
}

/// Runs `body` with an arena whose C strings stay valid until `body` returns.
func withCStringArena<R>(_ body: (CStringArena) throws -> R) rethrows -> R {
    let arena = CStringArena()
    defer { arena.freeAll() }
    return try body(arena)
}

extension Duration {
    /// Whole nanoseconds, clamped to `Int64`.
    var nanosecondsClamped: Int64 {
        let (seconds, attoseconds) = components
        if seconds >= Int64.max / 1_000_000_000 { return Int64.max }
        if seconds <= Int64.min / 1_000_000_000 { return Int64.min }
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    /// Whole milliseconds rounded up (so a positive duration never becomes 0), clamped to `Int64`.
    var millisecondsRoundedUp: Int64 {
        let nanos = nanosecondsClamped
        if nanos <= 0 { return 0 }
        return nanos / 1_000_000 + (nanos % 1_000_000 == 0 ? 0 : 1)
    }

    /// A duration from nanoseconds as libnats and the server report them.
    static func fromNanoseconds(_ nanos: Int64) -> Duration {
        .nanoseconds(nanos)
    }
}

/// A UTC timestamp in nanoseconds since the epoch (0 means "none") as a `Date`.
func dateFromEpochNanoseconds(_ nanos: Int64) -> Date? {
    nanos == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(nanos) / 1_000_000_000)
}

/// Helpers that read and build `natsMsg` values. Call them on a pool thread only.
enum NATSMessageCodec {
    /// Copies the subject of `msg`.
    static func subject(_ msg: OpaquePointer) -> String {
        natsMsg_GetSubject(msg).map { String(cString: $0) } ?? ""
    }

    /// Copies the payload of `msg`.
    static func data(_ msg: OpaquePointer) -> [UInt8] {
        let length = Int(natsMsg_GetDataLength(msg))
        guard length > 0, let pointer = natsMsg_GetData(msg) else { return [] }
        return pointer.withMemoryRebound(to: UInt8.self, capacity: length) { bytes in
            Array(UnsafeBufferPointer(start: bytes, count: length))
        }
    }

    /// Copies all headers of `msg` (libnats parses them lazily, which mutates the message, so do it once).
    static func headers(_ msg: OpaquePointer) -> NATSHeaders {
        var keys: UnsafeMutablePointer<UnsafePointer<CChar>?>?
        var keyCount: Int32 = 0
        guard natsMsgHeader_Keys(msg, &keys, &keyCount) == NATS_OK, let keys else { return NATSHeaders() }
        defer { free(keys) }
        var headers = NATSHeaders()
        for index in 0..<Int(keyCount) {
            guard let key = keys[index] else { continue }
            let name = String(cString: key)
            var values: UnsafeMutablePointer<UnsafePointer<CChar>?>?
            var valueCount: Int32 = 0
            guard natsMsgHeader_Values(msg, key, &values, &valueCount) == NATS_OK, let values else { continue }
            for valueIndex in 0..<Int(valueCount) {
                if let value = values[valueIndex] {
                    headers.add(String(cString: value), for: name)
                }
            }
            free(values)
        }
        return headers
    }

    /// Creates a message with `payload` and `headers`. The caller destroys it.
    static func create(
        subject: String,
        payload: [UInt8],
        headers: NATSHeaders,
        operation: String
    ) throws -> OpaquePointer {
        var msg: OpaquePointer?
        let status = payload.withUnsafeBytes { raw -> natsStatus in
            let base = raw.bindMemory(to: CChar.self).baseAddress
            return natsMsg_Create(&msg, subject, nil, base, Int32(raw.count))
        }
        guard status == NATS_OK, let msg else {
            throw NATSError.fromLastCall(status, operation: operation)
        }
        for (name, values) in headers.storage {
            for value in values {
                let headerStatus = natsMsgHeader_Add(msg, name, value)
                if headerStatus != NATS_OK {
                    let error = NATSError.fromLastCall(headerStatus, operation: operation)
                    natsMsg_Destroy(msg)
                    throw error
                }
            }
        }
        return msg
    }
}

/// Carries a C pointer across a `@Sendable` boundary (for example into a pool job that destroys it).
struct UnsafeSendablePointer: @unchecked Sendable {
    let pointer: OpaquePointer
}
