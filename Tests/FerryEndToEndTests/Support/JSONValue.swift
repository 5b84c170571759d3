import Foundation

/// A decoded JSON document for assertions: subscripts return `.null` for anything absent, so chains never crash.
enum JSONValue: Sendable, Equatable, Decodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

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

    static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    subscript(key: String) -> JSONValue {
        if case .object(let fields) = self { return fields[key] ?? .null }
        return .null
    }

    subscript(index: Int) -> JSONValue {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return .null
    }

    var array: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    var object: [String: JSONValue] {
        if case .object(let fields) = self { return fields }
        return [:]
    }

    var isNull: Bool { self == .null }

    /// Strings as they are, numbers and booleans as text; nil for null, arrays and objects.
    var string: String? {
        switch self {
        case .string(let s): s
        case .number(let n): "\(n)"
        case .bool(let b): "\(b)"
        default: nil
        }
    }

    /// Numbers, and strings that hold a number (NetSuite and PrestaShop send both).
    var decimal: Decimal? {
        switch self {
        case .number(let n): n
        case .string(let s): Decimal(string: s)
        default: nil
        }
    }

    var int: Int? { decimal.map { NSDecimalNumber(decimal: $0).intValue } }

    /// A NetSuite reference (`{"id": "17", "refName": …}`) or a bare id.
    var referenceID: String? {
        if case .object = self { return self["id"].string }
        return string
    }

    var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): "\(b)"
        case .number(let n): "\(n)"
        case .string(let s): "\"\(s)\""
        case .array(let items): "[" + items.map(\.description).joined(separator: ", ") + "]"
        case .object(let fields):
            "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}
