import Foundation

/// A JSON value, as sent to and received from SuiteTalk REST.
///
/// Numbers are kept as `Decimal` so money amounts (`rate`, `total`, `payment`) round-trip exactly.
/// Literals make request bodies short to write:
///
/// ```swift
/// let body: JSON = [
///     "externalId": "PS-ORDER-549085",
///     "entity": .reference("107"),
///     "item": ["items": [["item": .reference("52695"), "quantity": 1, "rate": 9.775]]],
/// ]
/// ```
public enum JSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Decimal)
    case string(String)
    case array([JSON])
    case object([String: JSON])
}

extension JSON {
    /// A NetSuite reference field: `{"id": "<internal id>"}`.
    public static func reference(_ id: String) -> JSON {
        .object(["id": .string(id)])
    }

    /// A NetSuite reference field from an integer internal id: `{"id": "<internal id>"}`.
    public static func reference(_ id: Int) -> JSON {
        .object(["id": .string(String(id))])
    }

    /// A number from a `Double`, converted through its shortest decimal representation (so `9.775` stays `9.775`).
    public static func number(_ value: Double) -> JSON {
        guard value.isFinite, let decimal = Decimal(string: "\(value)", locale: Locale(identifier: "en_US_POSIX"))
        else { return .null }
        return .number(decimal)
    }

    /// A number from an `Int`.
    public static func number(_ value: Int) -> JSON {
        .number(Decimal(value))
    }

    /// The member `key` of an object, or `nil` for other values and missing members.
    public subscript(key: String) -> JSON? {
        get {
            guard case .object(let members) = self else { return nil }
            return members[key]
        }
        set {
            guard case .object(var members) = self else { return }
            members[key] = newValue
            self = .object(members)
        }
    }

    /// The element at `index` of an array, or `nil` for other values and out-of-range indices.
    public subscript(index: Int) -> JSON? {
        guard case .array(let elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }

    /// The string, or `nil` when this is not a string.
    public var stringValue: String? {
        guard case .string(let value) = self else { return nil }
        return value
    }

    /// The number; strings holding a number (as SuiteQL returns them) are converted too.
    public var decimalValue: Decimal? {
        switch self {
        case .number(let value): return value
        case .string(let text): return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
        default: return nil
        }
    }

    /// The integer value of a number or a numeric string (`"1504"`), or `nil` when it is not a whole number.
    public var intValue: Int? {
        switch self {
        case .number(let value):
            guard value == value.rounded(scale: 0), value >= Decimal(Int.min), value <= Decimal(Int.max) else {
                return nil
            }
            return Int(value.description)
        case .string(let text):
            return Int(text)
        default:
            return nil
        }
    }

    /// The boolean; SuiteQL's `"T"`/`"F"` strings are converted too.
    public var boolValue: Bool? {
        switch self {
        case .bool(let value): return value
        case .string("T"), .string("true"): return true
        case .string("F"), .string("false"): return false
        default: return nil
        }
    }

    /// The elements, or `nil` when this is not an array.
    public var arrayValue: [JSON]? {
        guard case .array(let elements) = self else { return nil }
        return elements
    }

    /// The members, or `nil` when this is not an object.
    public var objectValue: [String: JSON]? {
        guard case .object(let members) = self else { return nil }
        return members
    }

    /// `true` for `null`.
    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    /// The `id` member as a string (reference fields and records), accepting a numeric `id` as well.
    public var id: String? {
        guard let value = self["id"] else { return nil }
        switch value {
        case .string(let text): return text
        case .number(let number): return "\(number)"
        default: return nil
        }
    }
}

extension Decimal {
    fileprivate func rounded(scale: Int) -> Decimal {
        var value = self
        var result = Decimal()
        NSDecimalRound(&result, &value, scale, .plain)
        return result
    }
}

// MARK: - Codable

extension JSON: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: JSON].self) {
            self = .object(value)
        } else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSON {
    /// Parses JSON text. Throws `DecodingError` for invalid input.
    public init(data: Data) throws {
        self = try JSONDecoder().decode(JSON.self, from: data)
    }

    /// The compact JSON text, keys sorted (deterministic output).
    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

// MARK: - Literals

extension JSON: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension JSON: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSON: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self = .number(Decimal(value)) }
}

extension JSON: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .number(value) }
}

extension JSON: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSON: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: JSON...) { self = .array(elements) }
}

extension JSON: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, JSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}
