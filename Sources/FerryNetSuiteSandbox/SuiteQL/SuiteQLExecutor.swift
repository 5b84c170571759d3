import Foundation

/// One cell of a SuiteQL table.
enum SQLValue: Sendable, Equatable {
    case null
    case text(String)
    case number(Decimal)
    case date(Date)

    /// How SuiteQL over REST prints the value: everything is a string, dates as `M/D/YYYY`; nil for NULL.
    var output: String? {
        switch self {
        case .null: nil
        case .text(let text): text
        case .number(let number): number.plainDescription
        case .date(let date): DateText.suiteQLDay(date)
        }
    }

    /// The text an index is keyed by.
    var indexKey: String? {
        switch self {
        case .null: nil
        case .text(let text): text
        case .number(let number): number.plainDescription
        case .date(let date): DateText.day(date)
        }
    }
}

/// A table SuiteQL can read: its columns, a full scan in its natural order, and optional index look-ups.
struct SuiteQLTable {
    let name: String
    let columns: [String]
    /// Calls `visit` with every row, in the table's natural order.
    let scan: (_ visit: ([SQLValue]) -> Void) -> Void
    /// Rows whose `column` has one of `keys` (index keys, see ``SQLValue/indexKey``), or nil if not indexed.
    let lookup: (_ column: String, _ keys: [String]) -> [[SQLValue]]?
}

/// One output row: lower-case column names and string values, NULL columns left out.
typealias SuiteQLRow = [(name: String, value: String)]

/// Runs a parsed query against a table.
enum SuiteQLExecutor {
    static func run(_ query: SuiteQLQuery, on table: SuiteQLTable) throws -> [SuiteQLRow] {
        let positions = Dictionary(table.columns.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        func position(_ column: String) throws -> Int {
            guard let index = positions[column] else {
                throw SuiteQLError(
                    reason: "Field '\(column)' for record '\(table.name)' was not found. "
                        + "Reason: NOT_EXPOSED - Not available for channel SEARCH/QUERY."
                )
            }
            return index
        }

        // Output columns.
        struct OutputColumn {
            var name: String
            var expression: SuiteQLQuery.Expression
            var position: Int?
        }
        var outputs: [OutputColumn] = []
        switch query.selection {
        case .all:
            outputs = table.columns.enumerated().map { OutputColumn(name: $1, expression: .column($1), position: $0) }
        case .items(let items):
            var expressionNumber = 0
            for item in items {
                switch item.expression {
                case .column(let column):
                    outputs.append(
                        .init(
                            name: item.alias ?? column,
                            expression: item.expression,
                            position: try position(column)
                        )
                    )
                case .toChar(let column, _):
                    expressionNumber += 1
                    outputs.append(
                        .init(
                            name: item.alias ?? "expr\(expressionNumber)",
                            expression: item.expression,
                            position: try position(column)
                        )
                    )
                case .countAll:
                    expressionNumber += 1
                    outputs.append(
                        .init(
                            name: item.alias ?? "expr\(expressionNumber)",
                            expression: .countAll,
                            position: nil
                        )
                    )
                }
            }
        }
        let isAggregate = outputs.contains { $0.expression == .countAll }
        if isAggregate && outputs.contains(where: { $0.expression != .countAll }) {
            throw SuiteQLError(
                reason: "Invalid or unsupported search: COUNT(*) cannot be mixed with columns "
                    + "without GROUP BY."
            )
        }

        // Filters and ordering, resolved to positions.
        let filters = try query.conditions.map { condition in (condition, try position(condition.operand.column)) }
        let orderings = try query.ordering.map { ordering -> (Int, Bool) in
            if let output = outputs.first(where: { $0.name == ordering.column }), let index = output.position {
                return (index, ordering.ascending)
            }
            return (try position(ordering.column), ordering.ascending)
        }

        // Candidate rows: an index when a plain equality or IN on an indexed column allows it.
        var matched: [[SQLValue]] = []
        let indexed = filters.lazy.compactMap { condition, _ -> [[SQLValue]]? in
            switch condition {
            case .compare(.column(let column), .equal, let literal):
                return table.lookup(column, [Self.indexKey(literal)])
            case .isIn(.column(let column), let literals, negated: false):
                return table.lookup(column, literals.map(Self.indexKey))
            default:
                return nil
            }
        }.first
        let accept: ([SQLValue]) -> Bool = { row in
            filters.allSatisfy { condition, index in Self.evaluate(condition, row[index]) }
        }
        if let indexed {
            matched = indexed.filter(accept)
        } else {
            table.scan { row in if accept(row) { matched.append(row) } }
        }

        if isAggregate {
            return [outputs.map { (name: $0.name, value: String(matched.count)) }]
        }
        if !orderings.isEmpty {
            matched.sort { lhs, rhs in
                for (index, ascending) in orderings {
                    let order = Self.order(lhs[index], rhs[index], ascending: ascending)
                    if order != .orderedSame { return order == .orderedAscending }
                }
                return false
            }
        }
        return matched.map { row in
            outputs.compactMap { output -> (name: String, value: String)? in
                guard let index = output.position else { return nil }
                let value: String?
                if case .toChar(_, let pattern) = output.expression, case .date(let date) = row[index] {
                    value = DateText.format(date, oraclePattern: pattern)
                } else {
                    value = row[index].output
                }
                return value.map { (name: output.name, value: $0) }
            }
        }
    }

    // MARK: Evaluation

    private static func indexKey(_ literal: SuiteQLQuery.Literal) -> String {
        switch literal {
        case .text(let text): text
        case .number(let number): number.plainDescription
        case .date(let date): DateText.day(date)
        }
    }

    private static func evaluate(_ condition: SuiteQLQuery.Condition, _ cell: SQLValue) -> Bool {
        switch condition {
        case .isNull(_, let negated):
            return (cell == .null) != negated
        case .compare(let operand, let comparison, let literal):
            guard let order = compare(apply(operand, cell), literal) else { return false }
            switch comparison {
            case .equal: return order == .orderedSame
            case .notEqual: return order != .orderedSame
            case .less: return order == .orderedAscending
            case .lessOrEqual: return order != .orderedDescending
            case .greater: return order == .orderedDescending
            case .greaterOrEqual: return order != .orderedAscending
            }
        case .isIn(let operand, let literals, let negated):
            let value = apply(operand, cell)
            guard value != .null else { return false }
            return literals.contains { compare(value, $0) == .orderedSame } != negated
        case .like(let operand, let pattern, let negated):
            guard let text = apply(operand, cell).indexKey else { return false }
            return like(Array(text), Array(pattern)) != negated
        }
    }

    private static func apply(_ operand: SuiteQLQuery.Operand, _ cell: SQLValue) -> SQLValue {
        switch operand {
        case .column: cell
        case .lower: cell.indexKey.map { .text($0.lowercased()) } ?? .null
        case .upper: cell.indexKey.map { .text($0.uppercased()) } ?? .null
        }
    }

    /// Compares a cell with a literal the way Oracle coerces: numbers numerically, dates as dates, text as text.
    private static func compare(_ cell: SQLValue, _ literal: SuiteQLQuery.Literal) -> ComparisonResult? {
        switch (cell, literal) {
        case (.null, _):
            return nil
        case (.number(let value), .number(let other)):
            return value == other ? .orderedSame : (value < other ? .orderedAscending : .orderedDescending)
        case (.number(let value), .text(let text)):
            guard let other = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
            return value == other ? .orderedSame : (value < other ? .orderedAscending : .orderedDescending)
        case (.text(let text), .number(let other)):
            guard let value = Decimal(string: text, locale: Locale(identifier: "en_US_POSIX")) else { return nil }
            return value == other ? .orderedSame : (value < other ? .orderedAscending : .orderedDescending)
        case (.text(let text), .text(let other)):
            return text == other ? .orderedSame : (text < other ? .orderedAscending : .orderedDescending)
        case (.date(let date), .date(let other)):
            return date.compare(other)
        case (.date(let date), .text(let text)):
            return DateText.parseLiteral(text).map { date.compare($0) }
        case (.text, .date), (.number, .date), (.date, .number):
            return nil
        }
    }

    private static func order(_ lhs: SQLValue, _ rhs: SQLValue, ascending: Bool) -> ComparisonResult {
        // Oracle puts NULLs last when ascending and first when descending: NULL sorts as the largest value.
        let result: ComparisonResult
        switch (lhs, rhs) {
        case (.null, .null): result = .orderedSame
        case (.null, _): result = .orderedDescending
        case (_, .null): result = .orderedAscending
        case (.number(let left), .number(let right)):
            result = left == right ? .orderedSame : (left < right ? .orderedAscending : .orderedDescending)
        case (.date(let left), .date(let right)):
            result = left.compare(right)
        default:
            let left = lhs.indexKey ?? ""
            let right = rhs.indexKey ?? ""
            result = left == right ? .orderedSame : (left < right ? .orderedAscending : .orderedDescending)
        }
        guard !ascending else { return result }
        switch result {
        case .orderedAscending: return .orderedDescending
        case .orderedDescending: return .orderedAscending
        case .orderedSame: return .orderedSame
        }
    }

    /// SQL LIKE with `%` (any run) and `_` (one character).
    private static func like(_ text: [Character], _ pattern: [Character]) -> Bool {
        var memo: [Int: Bool] = [:]
        func match(_ t: Int, _ p: Int) -> Bool {
            let key = t * (pattern.count + 1) + p
            if let known = memo[key] { return known }
            let result: Bool
            if p == pattern.count {
                result = t == text.count
            } else if pattern[p] == "%" {
                result = match(t, p + 1) || (t < text.count && match(t + 1, p))
            } else if t < text.count && (pattern[p] == "_" || pattern[p] == text[t]) {
                result = match(t + 1, p + 1)
            } else {
                result = false
            }
            memo[key] = result
            return result
        }
        return match(0, 0)
    }
}
