import Foundation

/// A decoded JSON document for assertions: subscripts return `.null` for anything absent, so chains never crash.
public enum JSONValue: Sendable, Equatable, Decodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
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

    public static func parse(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }

    public subscript(key: String) -> JSONValue {
        if case .object(let fields) = self { return fields[key] ?? .null }
        return .null
    }

    public subscript(index: Int) -> JSONValue {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return .null
    }

    public var array: [JSONValue] {
        if case .array(let items) = self { return items }
        return []
    }

    public var object: [String: JSONValue] {
        if case .object(let fields) = self { return fields }
        return [:]
    }

    public var isNull: Bool { self == .null }

    /// Strings as they are, numbers and booleans as text; nil for null, arrays and objects.
    public var string: String? {
        switch self {
        case .string(let s): s
        case .number(let n): "\(n)"
        case .bool(let b): "\(b)"
        default: nil
        }
    }

    /// Numbers, and strings that hold a number (NetSuite and PrestaShop send both).
    public var decimal: Decimal? {
        switch self {
        case .number(let n): n
        case .string(let s): Decimal(string: s)
        default: nil
        }
    }

    public var int: Int? { decimal.map { NSDecimalNumber(decimal: $0).intValue } }

    /// A NetSuite reference (`{"id": "17", "refName": …}`) or a bare id.
    public var referenceID: String? {
        if case .object = self { return self["id"].string }
        return string
    }

    public var description: String {
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
