import Foundation

/// A stored field value. How it is written on the wire depends on the field's ``FieldKind``.
enum FieldValue: Sendable, Hashable {
    case null
    case int(Int)
    case decimal(Decimal)
    case bool(Bool)
    case string(String)
    /// Multilingual text: language id → value.
    case text([Int: String])

    /// The zero value PrestaShop reads back after a PUT nulled the field.
    static func zero(for kind: FieldKind) -> FieldValue {
        switch kind {
        case .id, .integer: .int(0)
        case .decimal: .decimal(0)
        case .bool: .bool(false)
        case .string, .date: .string("")
        case .multilingual: .text([:])
        }
    }

    /// The value as PHP holds it (a string), for XML, filters, sorting and "1.7 mode" JSON.
    func rawString(kind: FieldKind, language: Int? = nil) -> String {
        switch self {
        case .null: ""
        case .int(let value): String(value)
        case .decimal(let value):
            if case .decimal(let scale) = kind { DecimalFormat.string(value, scale: scale) } else { "\(value)" }
        case .bool(let value): value ? "1" : "0"
        case .string(let value): value
        case .text(let values): language.flatMap { values[$0] } ?? values.sorted { $0.key < $1.key }.first?.value ?? ""
        }
    }

    var intValue: Int? {
        switch self {
        case .int(let value): value
        case .bool(let value): value ? 1 : 0
        case .decimal(let value): NSDecimalNumber(decimal: value).intValue
        case .string(let value): Int(value)
        case .null, .text: nil
        }
    }

    var decimalValue: Decimal? {
        switch self {
        case .decimal(let value): value
        case .int(let value): Decimal(value)
        case .string(let value): DecimalFormat.parse(value)
        case .bool, .null, .text: nil
        }
    }

    var boolValue: Bool {
        switch self {
        case .bool(let value): value
        case .int(let value): value != 0
        case .string(let value): value == "1"
        case .decimal(let value): value != 0
        case .null, .text: false
        }
    }

    var stringValue: String {
        switch self {
        case .string(let value): value
        case .text(let values): values[1] ?? values.values.first ?? ""
        case .int(let value): String(value)
        case .decimal(let value): "\(value)"
        case .bool(let value): value ? "1" : "0"
        case .null: ""
        }
    }

    /// Parses XML input text for a field of `kind`; nil when the text is not valid for that kind.
    static func parse(_ text: String, kind: FieldKind) -> FieldValue? {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        switch kind {
        case .id, .integer:
            // INT(10) columns: anything outside 32 bits fails validation.
            if trimmed.isEmpty { return .int(0) }
            guard let value = Int(trimmed), value >= Int(Int32.min), value <= Int(Int32.max) else { return nil }
            return .int(value)
        case .decimal:
            // DECIMAL(20,6) columns.
            if trimmed.isEmpty { return .decimal(0) }
            guard let value = DecimalFormat.parse(trimmed),
                abs(value) < Decimal(sign: .plus, exponent: 14, significand: 1)
            else { return nil }
            return .decimal(value)
        case .bool:
            switch trimmed.lowercased() {
            case "", "0", "false": return .bool(false)
            case "1", "true": return .bool(true)
            default: return nil
            }
        case .string:
            return .string(text)
        case .date:
            return .string(trimmed)
        case .multilingual:
            return .text([1: text, 2: text])
        }
    }
}

/// One entity: its fields plus stored associations (computed associations are added when it is read).
struct Record: Sendable {
    var id: Int
    var fields: [String: FieldValue]
    var associations: [String: [[String: FieldValue]]] = [:]

    init(id: Int, fields: [String: FieldValue], associations: [String: [[String: FieldValue]]] = [:]) {
        self.id = id
        self.fields = fields
        self.fields["id"] = .int(id)
        self.associations = associations
    }

    subscript(name: String) -> FieldValue {
        get { fields[name] ?? .null }
        set { fields[name] = newValue }
    }
}
