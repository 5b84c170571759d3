import Foundation

/// What to output for each entity (`display=`).
enum DisplaySelection: Sendable, Equatable {
    /// Ids only (lists without `display`).
    case minimum
    case full
    /// `display=[id,reference,order_rows[product_id]]`
    case fields([String], associations: [String: [String]])

    func includes(_ field: String) -> Bool {
        switch self {
        case .minimum: field == "id"
        case .full: true
        case .fields(let fields, _): fields.contains(field)
        }
    }

    /// Association fields to output, nil when the association is not displayed.
    func associationFields(_ association: AssociationDefinition) -> [FieldDefinition]? {
        switch self {
        case .minimum: return nil
        case .full: return association.fields
        case .fields(_, let associations):
            guard let names = associations[association.name] else { return nil }
            return association.fields.filter { names.contains($0.name) || ($0.name == "id" && names.isEmpty) }
        }
    }
}

/// A filter condition, as `SQLUtils::getSQLRetrieveFilter` builds it.
enum FilterOperation: Sendable, Equatable {
    /// `[a|b]`
    case anyOf([String])
    /// `[a,b]`, bounds sorted, inclusive.
    case between(String, String)
    /// `[x]`, or a value without brackets.
    case equals(String)
    /// `[x]%`, `%[x]`, `%[x]%`: SQL LIKE with `%` and `_`.
    case like(String)
    case greater(String)
    case less(String)
    /// `![a|b]`
    case notEqual([String])
    /// Any other prefix: PrestaShop adds no condition.
    case ignored

    init(_ value: String) {
        guard let (prefix, inner, suffix) = Self.split(value) else {
            self = .equals(value)
            return
        }
        if prefix == "%" || suffix == "%" {
            self = .like(prefix + inner + suffix)
        } else if prefix.isEmpty && suffix.isEmpty {
            if let bar = inner.firstIndex(of: "|"), bar > inner.startIndex {
                self = .anyOf(inner.split(separator: "|", omittingEmptySubsequences: false).map(String.init))
            } else if let (low, high) = Self.interval(inner) {
                self = .between(low, high)
            } else {
                self = .equals(inner)
            }
        } else if prefix == ">" {
            self = .greater(inner)
        } else if prefix == "<" {
            self = .less(inner)
        } else if prefix == "!" {
            self = .notEqual(inner.split(separator: "|", omittingEmptySubsequences: false).map(String.init))
        } else {
            self = .ignored
        }
    }

    /// `/^(.*)\[(.*)\](.*)$/` with greedy groups.
    private static func split(_ value: String) -> (String, String, String)? {
        guard let close = value.lastIndex(of: "]") else { return nil }
        guard let open = value[..<close].lastIndex(of: "[") else { return nil }
        return (
            String(value[..<open]), String(value[value.index(after: open)..<close]),
            String(value[value.index(after: close)...])
        )
    }

    /// `/^([\d\.:\-\s]+),([\d\.:\-\s]+)$/`, bounds sorted like PHP's `sort()`.
    private static func interval(_ inner: String) -> (String, String)? {
        let parts = inner.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 2 else { return nil }
        let allowed = Set("0123456789.:- \t\n\r")
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(allowed.contains) }) else { return nil }
        let low = String(parts[0])
        let high = String(parts[1])
        if let a = Double(low.trimmingCharacters(in: .whitespaces)),
            let b = Double(high.trimmingCharacters(in: .whitespaces))
        {
            return a <= b ? (low, high) : (high, low)
        }
        return low <= high ? (low, high) : (high, low)
    }
}

struct FilterClause: Sendable {
    let field: FieldDefinition
    let operation: FilterOperation
}

struct SortKey: Sendable {
    let field: FieldDefinition
    let ascending: Bool
}

/// A validated list or detail request: filters, sort, limit, display and languages.
struct ListQuery: Sendable {
    var filters: [FilterClause] = []
    var sort: [SortKey] = []
    var limit: (offset: Int, count: Int)?
    var display: DisplaySelection = .minimum
    /// The `display` parameter was given (JSON then wraps even a single entity in the plural list).
    var displayGiven = false
    /// Languages to output; several give `[{id,value}]`, one gives a plain string.
    var languages: [Int] = ShopSeed.languages
    var schema: String?

    /// Lists need full rows when they filter, sort on fields or display more than ids.
    var needsRecords: Bool {
        !filters.isEmpty || !sort.isEmpty || display != .minimum
    }
}
