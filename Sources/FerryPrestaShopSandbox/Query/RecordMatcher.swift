import Foundation

/// Evaluates filters and sort keys on records the way MySQL would on PrestaShop's tables:
/// numbers compare as numbers, text case-insensitively, dates as `YYYY-MM-DD HH:MM:SS` text.
enum RecordMatcher {
    static func matches(_ record: Record, _ filters: [FilterClause], languages: [Int]) -> Bool {
        filters.allSatisfy { clause in
            values(of: record, clause.field, languages: languages).contains { matches($0, clause) }
        }
    }

    static func sorted(_ records: [Record], by keys: [SortKey], languages: [Int]) -> [Record] {
        guard !keys.isEmpty else { return records }
        // Decorate once: parsing numbers inside the comparator would cost n log n parses.
        let decorated = records.map { record in
            (
                record,
                keys.map { key in
                    SortValue(values(of: record, key.field, languages: languages).first ?? "", key.field.kind)
                }
            )
        }
        return decorated.sorted { lhs, rhs in
            for (index, key) in keys.enumerated() {
                let order = lhs.1[index].compare(rhs.1[index])
                if order != .orderedSame {
                    return key.ascending ? order == .orderedAscending : order == .orderedDescending
                }
            }
            return lhs.0.id < rhs.0.id
        }.map(\.0)
    }

    /// A sort key, parsed once.
    private enum SortValue {
        case number(Decimal)
        case text(String)

        init(_ raw: String, _ kind: FieldKind) {
            self = kind.isNumeric ? .number(RecordMatcher.number(raw)) : .text(raw.lowercased())
        }

        func compare(_ other: SortValue) -> ComparisonResult {
            switch (self, other) {
            case (.number(let a), .number(let b)):
                a == b ? .orderedSame : (a < b ? .orderedAscending : .orderedDescending)
            case (.text(let a), .text(let b)): a == b ? .orderedSame : (a < b ? .orderedAscending : .orderedDescending)
            default: .orderedSame
            }
        }
    }

    private static func number(_ raw: String) -> Decimal {
        Decimal(string: raw.trimmingCharacters(in: .whitespaces), locale: posix) ?? 0
    }

    private static func values(of record: Record, _ field: FieldDefinition, languages: [Int]) -> [String] {
        let value = record[field.name]
        if field.kind == .multilingual {
            return languages.map { value.rawString(kind: .multilingual, language: $0) }
        }
        return [value.rawString(kind: field.kind)]
    }

    private static func matches(_ value: String, _ clause: FilterClause) -> Bool {
        let kind = clause.field.kind
        switch clause.operation {
        case .anyOf(let options): return options.contains { compare(value, $0, kind: kind) == .orderedSame }
        case .between(let low, let high):
            return compare(value, low, kind: kind) != .orderedAscending
                && compare(value, high, kind: kind) != .orderedDescending
        case .equals(let operand): return compare(value, operand, kind: kind) == .orderedSame
        case .like(let pattern): return like(value, pattern)
        case .greater(let operand): return compare(value, operand, kind: kind) == .orderedDescending
        case .less(let operand): return compare(value, operand, kind: kind) == .orderedAscending
        case .notEqual(let options): return options.allSatisfy { compare(value, $0, kind: kind) != .orderedSame }
        case .ignored: return true
        }
    }

    static func compare(_ lhs: String, _ rhs: String, kind: FieldKind) -> ComparisonResult {
        if kind.isNumeric {
            let left = number(lhs)
            let right = number(rhs)
            return left == right ? .orderedSame : (left < right ? .orderedAscending : .orderedDescending)
        }
        let left = lhs.lowercased()
        let right = rhs.lowercased()
        return left == right ? .orderedSame : (left < right ? .orderedAscending : .orderedDescending)
    }

    private static let posix = Locale(identifier: "en_US_POSIX")

    /// SQL `LIKE`: `%` any run, `_` one character, `\\` escapes; case-insensitive. Iterative, so long patterns
    /// cannot exhaust the stack.
    static func like(_ value: String, _ pattern: String) -> Bool {
        let text = Array(value.lowercased())
        enum Token: Equatable {
            case any
            case one
            case literal(Character)
        }
        var tokens: [Token] = []
        var characters = Array(pattern.lowercased())[...]
        while let character = characters.popFirst() {
            switch character {
            case "%": if tokens.last != .any { tokens.append(.any) }
            case "_": tokens.append(.one)
            case "\\": tokens.append(.literal(characters.popFirst() ?? "\\"))
            default: tokens.append(.literal(character))
            }
        }
        // matches[j]: the first i characters of text match the first j tokens.
        var matches = [Bool](repeating: false, count: tokens.count + 1)
        matches[0] = true
        for (j, token) in tokens.enumerated() where token == .any { matches[j + 1] = matches[j] }
        for character in text {
            var next = [Bool](repeating: false, count: tokens.count + 1)
            for (j, token) in tokens.enumerated() {
                switch token {
                case .any: next[j + 1] = next[j] || matches[j + 1]
                case .one: next[j + 1] = matches[j]
                case .literal(let expected): next[j + 1] = matches[j] && expected == character
                }
            }
            matches = next
        }
        return matches[tokens.count]
    }
}
