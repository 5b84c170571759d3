import Foundation

/// A JSON document as the PrestaShop webservice writes it, kept loose so that the readers below can apply the
/// webservice's quirks (dropped falsy fields, `[]` for empty objects, numbers as strings on 1.7).
///
/// Numbers are kept as `Decimal`, parsed from their digits by `JSONDecoder`, never through `Double`.
indirect enum PrestaShopJSON: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case string(String)
    case number(Decimal)
    case array([PrestaShopJSON])
    case object([String: PrestaShopJSON])
    /// A value `JSONDecoder` accepted as JSON but could not represent (e.g. `1e400`).
    case unrepresentable

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Decimal.self) {
            self = .number(value)
        } else if let value = try? container.decode([PrestaShopJSON].self) {
            self = .array(value)
        } else if let value = try? container.decode([String: PrestaShopJSON].self) {
            self = .object(value)
        } else {
            self = .unrepresentable
        }
    }

    /// Parses a JSON body; anything that is not JSON is reported at path `$`.
    static func parse(_ data: some DataProtocol) throws(PrestaShopPayloadError) -> PrestaShopJSON {
        do {
            return try JSONDecoder().decode(PrestaShopJSON.self, from: Data(data))
        } catch {
            throw PrestaShopPayloadError(path: "$", problem: .malformedDocument)
        }
    }

    /// The values the PrestaShop JSON writer treats as falsy and drops; a reader treats them as absent.
    var isFalsyEmpty: Bool {
        switch self {
        case .null: true
        case .string(let value): value.isEmpty
        default: false
        }
    }
}

/// Reads one field of a PrestaShop document, applying the webservice's conventions: a missing (dropped)
/// field reads as 0, `false` or empty; ids are accepted as numbers (8.x) or strings (1.7).
struct PrestaShopFieldReader {
    /// `nil` when the key is absent.
    let value: PrestaShopJSON?
    let path: String

    init(_ value: PrestaShopJSON?, path: String) {
        self.value = value
        self.path = path
    }

    /// Whether the field is absent or holds a value the JSON writer would have dropped (`null`, `""`).
    var isAbsent: Bool { value.map(\.isFalsyEmpty) ?? true }

    private func fail(_ problem: PrestaShopPayloadError.Problem) -> PrestaShopPayloadError {
        PrestaShopPayloadError(path: path.isEmpty ? "$" : path, problem: problem)
    }

    /// An integer id, count or quantity; absent reads as `defaultValue`.
    func int(default defaultValue: Int = 0) throws(PrestaShopPayloadError) -> Int {
        guard let value, !value.isFalsyEmpty else { return defaultValue }
        switch value {
        case .number(let number):
            let text = number.description
            guard !text.contains(".") else { throw fail(.notAnInteger) }
            guard let result = Int(text), result.magnitude < 1 << 53 else { throw fail(.outOfRange) }
            return result
        case .string(let text):
            let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw fail(.notAnInteger)
            }
            guard digits.count <= 15, let result = Int(text) else { throw fail(.outOfRange) }
            return result
        case .unrepresentable:
            throw fail(.outOfRange)
        case .bool, .array, .object, .null:
            throw fail(.wrongType(expected: "a whole number"))
        }
    }

    /// A money amount or rate such as `"20.230000"`, decoded exactly; absent reads as 0.
    func decimal() throws(PrestaShopPayloadError) -> Decimal {
        guard let value, !value.isFalsyEmpty else { return 0 }
        switch value {
        case .number(let number):
            guard number.magnitude < Self.decimalLimit else { throw fail(.outOfRange) }
            return number
        case .string(let text):
            return try parseDecimal(text)
        case .unrepresentable:
            throw fail(.outOfRange)
        case .bool, .array, .object, .null:
            throw fail(.wrongType(expected: "a decimal number"))
        }
    }

    /// Amounts at or above this magnitude are refused: no order or rate comes near it, and `Decimal` keeps
    /// 38 significant digits, so larger inputs could silently lose precision.
    private static let decimalLimit = Decimal(sign: .plus, exponent: 15, significand: 1)

    private func parseDecimal(_ text: String) throws(PrestaShopPayloadError) -> Decimal {
        // Grammar: -?DIGITS(.DIGITS)? ; Decimal(string:) alone would accept "12abc" as 12.
        var integerDigits = 0
        var fractionDigits = 0
        var seenPoint = false
        for (offset, character) in text.enumerated() {
            if character == "-", offset == 0 { continue }
            if character == ".", !seenPoint, integerDigits > 0 {
                seenPoint = true
                continue
            }
            guard character.isASCII, character.isNumber else { throw fail(.malformedDecimal) }
            if seenPoint { fractionDigits += 1 } else { integerDigits += 1 }
        }
        guard integerDigits > 0, !seenPoint || fractionDigits > 0 else { throw fail(.malformedDecimal) }
        guard fractionDigits <= 20 else { throw fail(.malformedDecimal) }
        guard let result = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else {
            throw fail(.malformedDecimal)
        }
        guard result.magnitude < Self.decimalLimit else { throw fail(.outOfRange) }
        return result
    }

    /// A flag: `"1"`, `1`, `true` are true; `"0"`, `0`, `false` and absent are false.
    func bool() throws(PrestaShopPayloadError) -> Bool {
        guard let value, !value.isFalsyEmpty else { return false }
        switch value {
        case .bool(let flag): return flag
        case .string("1"), .number(1): return true
        case .string("0"), .number(0): return false
        default: throw fail(.malformedBoolean)
        }
    }

    /// A text field; absent reads as `""`. Numbers are accepted and kept as their digits.
    func string() throws(PrestaShopPayloadError) -> String {
        guard let value, !value.isFalsyEmpty else { return "" }
        switch value {
        case .string(let text): return text
        case .number(let number): return number.description
        default: throw fail(.wrongType(expected: "a string"))
        }
    }

    /// A multilingual field: a plain string (with `language=N`) or `[{"id":1,"value":"…"}, …]`.
    func localizedText() throws(PrestaShopPayloadError) -> PrestaShopLocalizedText {
        guard let value, !value.isFalsyEmpty else { return PrestaShopLocalizedText(plain: nil, values: [:]) }
        switch value {
        case .string, .number:
            return PrestaShopLocalizedText(plain: try string(), values: [:])
        case .array:
            var values: [Int: String] = [:]
            for entry in try list() {
                let object = try entry.object()
                values[try object.field("id").int()] = try object.field("value").string()
            }
            return PrestaShopLocalizedText(plain: nil, values: values)
        default:
            throw fail(.wrongType(expected: "a string or a list of {id, value}"))
        }
    }

    /// A list; absent, `null` and `""` read as empty. PHP writes a list whose keys are not 0…n-1 as an object
    /// with numeric keys (`{"1": …}`), which is read as a list in key order.
    func list() throws(PrestaShopPayloadError) -> [PrestaShopFieldReader] {
        guard let value, !value.isFalsyEmpty else { return [] }
        switch value {
        case .array(let elements):
            return elements.enumerated().map { PrestaShopFieldReader($0.element, path: "\(path)[\($0.offset)]") }
        case .object(let members):
            var keyed: [(Int, String, PrestaShopJSON)] = []
            for (key, member) in members {
                guard let index = Int(key) else { throw fail(.wrongType(expected: "a list")) }
                keyed.append((index, key, member))
            }
            return keyed.sorted { $0.0 < $1.0 }.map { PrestaShopFieldReader($0.2, path: "\(path)[\($0.1)]") }
        default:
            throw fail(.wrongType(expected: "a list"))
        }
    }

    /// A required object.
    func object() throws(PrestaShopPayloadError) -> PrestaShopObjectReader {
        guard let value, value != .null else { throw fail(.missing) }
        switch value {
        case .object(let members): return PrestaShopObjectReader(members: members, path: path)
        default: throw fail(.wrongType(expected: "an object"))
        }
    }

    /// An object that may be absent or written as `[]` (PHP's empty array); both read as an empty object.
    func optionalObject() throws(PrestaShopPayloadError) -> PrestaShopObjectReader {
        guard let value, !value.isFalsyEmpty else { return PrestaShopObjectReader(members: [:], path: path) }
        if case .array(let elements) = value, elements.isEmpty {
            return PrestaShopObjectReader(members: [:], path: path)
        }
        return try object()
    }
}

/// The members of one JSON object, with paths for error reporting.
struct PrestaShopObjectReader {
    let members: [String: PrestaShopJSON]
    let path: String

    func field(_ key: String) -> PrestaShopFieldReader {
        PrestaShopFieldReader(members[key], path: path.isEmpty ? key : "\(path).\(key)")
    }

    func int(_ key: String, default defaultValue: Int = 0) throws(PrestaShopPayloadError) -> Int {
        try field(key).int(default: defaultValue)
    }

    func decimal(_ key: String) throws(PrestaShopPayloadError) -> Decimal { try field(key).decimal() }
    func bool(_ key: String) throws(PrestaShopPayloadError) -> Bool { try field(key).bool() }
    func string(_ key: String) throws(PrestaShopPayloadError) -> String { try field(key).string() }

    func localizedText(_ key: String) throws(PrestaShopPayloadError) -> PrestaShopLocalizedText {
        try field(key).localizedText()
    }
}

extension PrestaShopJSON {
    /// The root of a document as a reader with an empty path.
    var root: PrestaShopFieldReader { PrestaShopFieldReader(self, path: "") }
}
