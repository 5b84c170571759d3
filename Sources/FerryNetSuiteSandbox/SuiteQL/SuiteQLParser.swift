import Foundation

/// A parsed SuiteQL query, from the small fixed grammar the sandbox understands (A13.8):
///
/// ```
/// SELECT * | item [, item]* FROM table [alias]
///   [WHERE condition (AND condition)*]
///   [ORDER BY column [ASC|DESC] [, column [ASC|DESC]]*]
/// item      := column [[AS] alias] | TO_CHAR(column, 'pattern') [[AS] alias] | COUNT(*) [[AS] alias]
/// condition := operand (= | != | <> | < | <= | > | >=) value
///            | operand [NOT] IN (value [, value]*) | operand IS [NOT] NULL | operand [NOT] LIKE 'pattern'
/// operand   := column | LOWER(column) | UPPER(column)
/// value     := 'string' | number | TO_DATE('text', 'pattern')
/// ```
/// Keywords are case-insensitive; columns may be qualified with the table alias (`t.id`).
struct SuiteQLQuery: Sendable, Equatable {
    enum Selection: Sendable, Equatable {
        case all
        case items([SelectItem])
    }

    struct SelectItem: Sendable, Equatable {
        var expression: Expression
        var alias: String?
    }

    enum Expression: Sendable, Equatable {
        case column(String)
        case toChar(column: String, pattern: String)
        case countAll
    }

    enum Operand: Sendable, Equatable {
        case column(String)
        case lower(String)
        case upper(String)

        var column: String {
            switch self {
            case .column(let name), .lower(let name), .upper(let name): name
            }
        }
    }

    enum Literal: Sendable, Equatable {
        case text(String)
        case number(Decimal)
        case date(Date)
    }

    enum Comparison: String, Sendable {
        case equal = "="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
    }

    enum Condition: Sendable, Equatable {
        case compare(Operand, Comparison, Literal)
        case isIn(Operand, [Literal], negated: Bool)
        case isNull(Operand, negated: Bool)
        case like(Operand, String, negated: Bool)

        var operand: Operand {
            switch self {
            case .compare(let operand, _, _), .isIn(let operand, _, _), .isNull(let operand, _),
                .like(let operand, _, _):
                operand
            }
        }
    }

    struct Ordering: Sendable, Equatable {
        var column: String
        var ascending: Bool
    }

    var selection: Selection
    var table: String
    var conditions: [Condition]
    var ordering: [Ordering]
}

/// Why a query could not be parsed or run; the text goes into NetSuite's "Invalid search query" detail.
struct SuiteQLError: Error, Sendable, Equatable {
    var reason: String
}

enum SuiteQLParser {
    static func parse(_ text: String) throws -> SuiteQLQuery {
        var parser = Parser(tokens: try Lexer.tokens(text))
        return try parser.query()
    }
}

// MARK: - Lexer

private enum Token: Equatable {
    case word(String)
    case string(String)
    case number(Decimal)
    case symbol(String)

    func isKeyword(_ keyword: String) -> Bool {
        if case .word(let word) = self { return word.uppercased() == keyword }
        return false
    }
}

private enum Lexer {
    static func tokens(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace {
                index += 1
            } else if character == "'" {
                var value = ""
                index += 1
                while true {
                    guard index < characters.count else { throw SuiteQLError(reason: "Unterminated string literal.") }
                    if characters[index] == "'" {
                        if index + 1 < characters.count, characters[index + 1] == "'" {
                            value.append("'")
                            index += 2
                            continue
                        }
                        index += 1
                        break
                    }
                    value.append(characters[index])
                    index += 1
                }
                tokens.append(.string(value))
            } else if character.isNumber {
                var value = ""
                while index < characters.count, characters[index].isNumber || characters[index] == "." {
                    value.append(characters[index])
                    index += 1
                }
                guard let number = Decimal(string: value, locale: Locale(identifier: "en_US_POSIX")) else {
                    throw SuiteQLError(reason: "Invalid number '\(value)'.")
                }
                tokens.append(.number(number))
            } else if character.isLetter || character == "_" {
                var value = ""
                while index < characters.count,
                    characters[index].isLetter || characters[index].isNumber || characters[index] == "_"
                        || characters[index] == "."
                {
                    value.append(characters[index])
                    index += 1
                }
                tokens.append(.word(value))
            } else {
                let pair = index + 1 < characters.count ? String(characters[index...index + 1]) : ""
                if ["<=", ">=", "<>", "!="].contains(pair) {
                    tokens.append(.symbol(pair == "<>" ? "!=" : pair))
                    index += 2
                } else if "=<>(),*;-".contains(character) {
                    tokens.append(.symbol(String(character)))
                    index += 1
                } else {
                    throw SuiteQLError(reason: "Unexpected character '\(character)'.")
                }
            }
        }
        return tokens
    }
}

// MARK: - Parser

private struct Parser {
    let tokens: [Token]
    var position = 0
    var tableAlias: String?

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    private var current: Token? { position < tokens.count ? tokens[position] : nil }

    private mutating func advance() -> Token? {
        defer { position += 1 }
        return current
    }

    private mutating func accept(keyword: String) -> Bool {
        guard current?.isKeyword(keyword) == true else { return false }
        position += 1
        return true
    }

    private mutating func accept(symbol: String) -> Bool {
        guard current == .symbol(symbol) else { return false }
        position += 1
        return true
    }

    private mutating func expect(keyword: String) throws {
        guard accept(keyword: keyword) else { throw unexpected(expecting: keyword) }
    }

    private mutating func expect(symbol: String) throws {
        guard accept(symbol: symbol) else { throw unexpected(expecting: "'\(symbol)'") }
    }

    private func unexpected(expecting: String) -> SuiteQLError {
        let found: String
        switch current {
        case .word(let word)?: found = word
        case .string(let value)?: found = "'\(value)'"
        case .number(let value)?: found = value.plainDescription
        case .symbol(let symbol)?: found = symbol
        case nil: found = "end of query"
        }
        return SuiteQLError(reason: "Invalid or unsupported search: expected \(expecting) but found \(found).")
    }

    private static let reserved: Set<String> = [
        "SELECT", "FROM", "WHERE", "AND", "OR", "ORDER", "BY", "ASC", "DESC", "IN", "NOT", "IS", "NULL", "LIKE", "AS",
        "GROUP", "HAVING", "JOIN", "LEFT", "RIGHT", "INNER", "OUTER", "ON", "UNION", "DISTINCT",
    ]

    mutating func query() throws -> SuiteQLQuery {
        try expect(keyword: "SELECT")
        if current?.isKeyword("DISTINCT") == true {
            throw SuiteQLError(reason: "Invalid or unsupported search: DISTINCT is not supported by the sandbox.")
        }
        let selectionStart = position
        // Skip the select list to read the table alias first, so qualified columns can be resolved.
        while let token = current, !token.isKeyword("FROM") { position += 1 }
        try expect(keyword: "FROM")
        let table = try identifier(what: "a table name").lowercased()
        if case .word(let word)? = current, !Self.reserved.contains(word.uppercased()) {
            tableAlias = word.lowercased()
            position += 1
        }
        let afterTable = position
        position = selectionStart
        let selection = try selectionList()
        position = afterTable

        var conditions: [SuiteQLQuery.Condition] = []
        if accept(keyword: "WHERE") {
            repeat {
                conditions.append(try condition())
            } while accept(keyword: "AND")
            if current?.isKeyword("OR") == true {
                throw SuiteQLError(reason: "Invalid or unsupported search: OR is not supported by the sandbox.")
            }
        }
        var ordering: [SuiteQLQuery.Ordering] = []
        if accept(keyword: "ORDER") {
            try expect(keyword: "BY")
            repeat {
                let column = try columnName()
                var ascending = true
                if accept(keyword: "DESC") {
                    ascending = false
                } else {
                    _ = accept(keyword: "ASC")
                }
                ordering.append(.init(column: column, ascending: ascending))
            } while accept(symbol: ",")
        }
        _ = accept(symbol: ";")
        guard current == nil else { throw unexpected(expecting: "end of query") }
        return SuiteQLQuery(selection: selection, table: table, conditions: conditions, ordering: ordering)
    }

    private mutating func selectionList() throws -> SuiteQLQuery.Selection {
        if accept(symbol: "*") {
            guard current?.isKeyword("FROM") == true else { throw unexpected(expecting: "FROM") }
            return .all
        }
        var items: [SuiteQLQuery.SelectItem] = []
        repeat {
            let expression = try selectExpression()
            var alias: String?
            if accept(keyword: "AS") {
                alias = try identifier(what: "an alias").lowercased()
            } else if case .word(let word)? = current, !Self.reserved.contains(word.uppercased()) {
                alias = word.lowercased()
                position += 1
            }
            items.append(.init(expression: expression, alias: alias))
        } while accept(symbol: ",")
        guard current?.isKeyword("FROM") == true else { throw unexpected(expecting: "FROM") }
        return .items(items)
    }

    private mutating func selectExpression() throws -> SuiteQLQuery.Expression {
        if current?.isKeyword("COUNT") == true, tokens.indices.contains(position + 1),
            tokens[position + 1] == .symbol("(")
        {
            position += 2
            try expect(symbol: "*")
            try expect(symbol: ")")
            return .countAll
        }
        if current?.isKeyword("TO_CHAR") == true {
            position += 1
            try expect(symbol: "(")
            let column = try columnName()
            try expect(symbol: ",")
            guard case .string(let pattern)? = advance() else { throw unexpected(expecting: "a format string") }
            try expect(symbol: ")")
            return .toChar(column: column, pattern: pattern)
        }
        return .column(try columnName())
    }

    private mutating func condition() throws -> SuiteQLQuery.Condition {
        let operand = try self.operand()
        if accept(keyword: "IS") {
            let negated = accept(keyword: "NOT")
            try expect(keyword: "NULL")
            return .isNull(operand, negated: negated)
        }
        let negated = accept(keyword: "NOT")
        if accept(keyword: "IN") {
            try expect(symbol: "(")
            var values: [SuiteQLQuery.Literal] = []
            repeat {
                values.append(try literal())
            } while accept(symbol: ",")
            try expect(symbol: ")")
            return .isIn(operand, values, negated: negated)
        }
        if accept(keyword: "LIKE") {
            guard case .string(let pattern)? = advance() else { throw unexpected(expecting: "a LIKE pattern") }
            return .like(operand, pattern, negated: negated)
        }
        if negated { throw unexpected(expecting: "IN or LIKE") }
        guard case .symbol(let symbol)? = current, let comparison = SuiteQLQuery.Comparison(rawValue: symbol) else {
            throw unexpected(expecting: "a comparison operator")
        }
        position += 1
        return .compare(operand, comparison, try literal())
    }

    private mutating func operand() throws -> SuiteQLQuery.Operand {
        for function in ["LOWER", "UPPER"] where current?.isKeyword(function) == true {
            position += 1
            try expect(symbol: "(")
            let column = try columnName()
            try expect(symbol: ")")
            return function == "LOWER" ? .lower(column) : .upper(column)
        }
        return .column(try columnName())
    }

    private mutating func literal() throws -> SuiteQLQuery.Literal {
        if accept(symbol: "-") {
            guard case .number(let value)? = advance() else { throw unexpected(expecting: "a number") }
            return .number(-value)
        }
        if current?.isKeyword("TO_DATE") == true {
            position += 1
            try expect(symbol: "(")
            guard case .string(let text)? = advance() else { throw unexpected(expecting: "a date string") }
            var date = DateText.parseLiteral(text)
            if accept(symbol: ",") {
                guard case .string(let pattern)? = advance() else { throw unexpected(expecting: "a format string") }
                date = DateText.parse(text, oraclePattern: pattern)
            }
            try expect(symbol: ")")
            guard let date else { throw SuiteQLError(reason: "Parse of date/time '\(text)' failed.") }
            return .date(date)
        }
        switch advance() {
        case .string(let value)?: return .text(value)
        case .number(let value)?: return .number(value)
        default:
            position -= 1
            throw unexpected(expecting: "a literal value")
        }
    }

    /// A column, with the table alias (if any) stripped: `t.id` → `id`.
    private mutating func columnName() throws -> String {
        let name = try identifier(what: "a column name").lowercased()
        let parts = name.split(separator: ".")
        if parts.count == 2, let alias = tableAlias, parts[0] == alias { return String(parts[1]) }
        if parts.count == 1 { return name }
        throw SuiteQLError(reason: "Invalid or unsupported search: unknown qualifier in '\(name)'.")
    }

    private mutating func identifier(what: String) throws -> String {
        guard case .word(let word)? = current, !Self.reserved.contains(word.uppercased()) else {
            throw unexpected(expecting: what)
        }
        position += 1
        return word
    }
}
