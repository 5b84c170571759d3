import Foundation

/// A JSON document held as a tree, so the sandbox can store records whose field set is open-ended.
///
/// Numbers are `Decimal`, never `Double`, so money such as `9.775` survives a round trip unchanged.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    // MARK: Accessors

    var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var numberValue: Decimal? {
        if case .number(let value) = self { return value }
        return nil
    }

    var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }

    /// A number given either as a JSON number or as a numeric string (`"107"`), as NetSuite accepts both for ids.
    var lenientNumber: Decimal? {
        switch self {
        case .number(let value): return value
        case .string(let text): return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        default: return nil
        }
    }

    /// Text form of a scalar, for ids given as `107` or `"107"`.
    var scalarText: String? {
        switch self {
        case .string(let text): return text
        case .number(let value): return value.plainDescription
        case .bool(let value): return value ? "true" : "false"
        default: return nil
        }
    }
}

// MARK: - Parsing

extension JSONValue: Decodable {
    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// Parses a request body. Throws on anything that is not well-formed JSON.
    static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }
}

// MARK: - Serialising

extension JSONValue {
    /// Compact JSON text. Object keys come out with `links` first and the rest sorted, so output is stable.
    var serialized: String {
        var output = ""
        write(into: &output)
        return output
    }

    private func write(into output: inout String) {
        switch self {
        case .null:
            output += "null"
        case .bool(let value):
            output += value ? "true" : "false"
        case .number(let value):
            output += value.plainDescription
        case .string(let value):
            Self.writeString(value, into: &output)
        case .array(let values):
            output += "["
            for (index, value) in values.enumerated() {
                if index > 0 { output += "," }
                value.write(into: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            let keys = members.keys.sorted { lhs, rhs in
                if lhs == "links" { return rhs != "links" }
                if rhs == "links" { return false }
                return lhs < rhs
            }
            for (index, key) in keys.enumerated() {
                if index > 0 { output += "," }
                Self.writeString(key, into: &output)
                output += ":"
                members[key, default: .null].write(into: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ value: String, into output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case let scalar where scalar.value < 0x20:
                output += String(format: "\\u%04x", scalar.value)
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}

extension Decimal {
    /// Plain decimal notation (`9.775`, `-3`), the way JSON and SuiteQL print numbers.
    var plainDescription: String {
        var value = self
        var normalised = Decimal()
        NSDecimalRound(&normalised, &value, 12, .plain)
        return normalised.description
    }
}
