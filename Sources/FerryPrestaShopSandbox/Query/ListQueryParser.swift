import Foundation

/// Validates `display`, `filter[…]`, `sort`, `limit`, `date`, `language` and `schema` against a resource,
/// with PrestaShop's error codes and messages (`WebserviceRequest::manageFilters`, `setFieldsToDisplay`).
enum ListQueryParser {
    /// A list request (`GET /api/orders?…`).
    static func parseList(
        _ parameters: QueryParameters,
        definition: ResourceDefinition
    ) throws(WebserviceError) -> ListQuery {
        var query = ListQuery()
        query.languages = try languages(parameters)
        if let schema = parameters["schema"] {
            guard schema == "blank" || schema == "synopsis" else {
                throw WebserviceError(
                    400,
                    28,
                    "Please select a schema of type 'synopsis' to get the whole schema informations (which fields "
                        + "are required, which kind of content...) or 'blank' to get an empty schema to fill before "
                        + "using POST request"
                )
            }
            query.schema = schema
            return query
        }
        let dateEnabled = !(parameters["date"] ?? "").isEmpty && parameters["date"] != "0"
        let available = availableFilters(definition, dateEnabled: dateEnabled)
        let multilingual = definition.fields.filter { $0.kind == .multilingual }.map(\.name)

        for filter in parameters.filters {
            guard let field = definition.field(named: filter.field) else {
                throw unknownFilter(filter, available: available)
            }
            if field.kind == .multilingual {
                guard filter.subKey == nil, !filter.value.isEmpty else {
                    throw unknownFilter(filter, available: available)
                }
                query.filters.append(FilterClause(field: field, operation: FilterOperation(filter.value)))
                continue
            }
            guard available.contains(field.name) else { throw unknownFilter(filter, available: available) }
            if filter.subKey != nil {
                throw WebserviceError(400, 31, "There is no existing linked table for this resource")
            }
            if filter.value.isEmpty {
                throw WebserviceError(400, 33, "The filter \"\(field.name)\" is malformed.")
            }
            if field.dynamic {
                throw WebserviceError(
                    400,
                    34,
                    "The field \"\(field.name)\" is dynamic. It is not possible to filter GET query with this field."
                )
            }
            query.filters.append(FilterClause(field: field, operation: FilterOperation(filter.value)))
        }

        try applyDisplay(parameters, definition: definition, to: &query)

        if let sort = parameters["sort"] {
            query.sort = try sortKeys(sort, definition: definition, available: available, multilingual: multilingual)
        }
        if let limit = parameters["limit"] {
            let parts = limit.split(separator: ",", omittingEmptySubsequences: false).map { phpInt(String($0)) }
            guard parts.count <= 2 else {
                throw WebserviceError(
                    400,
                    39,
                    "The \"limit\" value has to be formed as this example: \"5,25\" or \"10\""
                )
            }
            query.limit = parts.count == 2 ? (max(parts[0], 0), max(parts[1], 0)) : (0, max(parts[0], 0))
        }
        return query
    }

    /// A detail request (`GET /api/orders/5?…`): display defaults to full; filters and sort do not apply.
    static func parseDetail(
        _ parameters: QueryParameters,
        definition: ResourceDefinition
    ) throws(WebserviceError) -> ListQuery {
        var query = ListQuery()
        query.languages = try languages(parameters)
        query.display = .full
        try applyDisplay(parameters, definition: definition, to: &query)
        return query
    }

    // MARK: - Parts

    static func availableFilters(_ definition: ResourceDefinition, dateEnabled: Bool) -> [String] {
        definition.fields.filter { field in
            field.kind != .multilingual && (dateEnabled || (field.name != "date_add" && field.name != "date_upd"))
        }.map(\.name)
    }

    private static func unknownFilter(
        _ filter: (field: String, subKey: String?, value: String),
        available: [String]
    ) -> WebserviceError {
        if filter.subKey != nil {
            return WebserviceError(400, 31, "There is no existing linked table for this resource")
        }
        return WebserviceError(
            400,
            32,
            WebserviceError.didYouMean("This filter does not exist", filter.field, available)
        )
    }

    private static func applyDisplay(
        _ parameters: QueryParameters,
        definition: ResourceDefinition,
        to query: inout ListQuery
    ) throws(WebserviceError) {
        guard let display = parameters["display"] else { return }
        query.displayGiven = true
        let fieldList = definition.fields.map(\.name).joined(separator: ", ")
        switch display {
        case "full":
            query.display = .full
        case "minimum":
            query.display = .minimum
        default:
            guard display.hasPrefix("["), display.hasSuffix("]"), display.count >= 2 else {
                throw WebserviceError(
                    400,
                    36,
                    "The 'display' syntax is wrong. You can set 'full' or '[field_1,field_2,field_3,...]'. "
                        + "These are available: \(fieldList)"
                )
            }
            var fields: [String] = []
            var associations: [String: [String]] = [:]
            for (name, subFields) in displayParts(String(display.dropFirst().dropLast())) {
                let valid: Bool
                if let subFields {
                    if let association = definition.association(named: name) {
                        valid = subFields.allSatisfy { $0 == "id" || association.field(named: $0) != nil }
                    } else {
                        valid = false
                    }
                    associations[name, default: []].append(contentsOf: subFields)
                } else {
                    valid = definition.field(named: name) != nil
                    fields.append(name)
                }
                guard valid else {
                    let details = subFields.map { " (details : " + $0.joined(separator: ", ") + ")" } ?? ""
                    throw WebserviceError(
                        400,
                        35,
                        "Unable to display this field \"\(name)\(details)\". However, these are available: \(fieldList)"
                    )
                }
            }
            query.display = .fields(fields, associations: associations)
        }
    }

    /// `parseDisplayFields`: top-level commas split fields; `name[a,b]` lists association fields.
    private static func displayParts(_ text: String) -> [(String, [String]?)] {
        var parts: [String] = []
        var level = 0
        var current = ""
        for character in text {
            if character == "," && level == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
            if character == "[" { level += 1 }
            if character == "]" { level -= 1 }
        }
        if !current.isEmpty { parts.append(current) }
        return parts.map { part in
            guard let open = part.firstIndex(of: "[") else {
                return (part.trimmingCharacters(in: .whitespaces), nil)
            }
            let name = part[..<open].trimmingCharacters(in: .whitespaces)
            let inner = part[part.index(after: open)...].dropLast(part.hasSuffix("]") ? 1 : 0)
            return (name, inner.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        }
    }

    private static func sortKeys(
        _ sort: String,
        definition: ResourceDefinition,
        available: [String],
        multilingual: [String]
    ) throws(WebserviceError) -> [SortKey] {
        let items: [String]
        if sort.hasPrefix("["), sort.hasSuffix("]"), sort.count >= 2 {
            items = sort.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        } else {
            items = [sort]
        }
        var keys: [SortKey] = []
        for item in items {
            guard let underscore = item.lastIndex(of: "_") else { throw malformedSort }
            let name = String(item[..<underscore])
            let direction = item[item.index(after: underscore)...].uppercased()
            guard direction == "ASC" || direction == "DESC" else { throw malformedSort }
            guard available.contains(name) || multilingual.contains(name), let field = definition.field(named: name)
            else {
                throw WebserviceError(
                    400,
                    38,
                    "Unable to filter by this field. However, these are available: "
                        + available.joined(separator: ", ") + ", for i18n fields:"
                        + multilingual.joined(separator: ", ")
                )
            }
            keys.append(SortKey(field: field, ascending: direction == "ASC"))
        }
        return keys
    }

    private static let malformedSort = WebserviceError(
        400,
        37,
        "The \"sort\" value has to be formed as this example: \"field_ASC\" or "
            + "'[field_1_DESC,field_2_ASC,field_3_ASC,...]' (\"field\" has to be an available field)"
    )

    /// `filterLanguage()`: `1`, `[1|2]`, `[1,2]` (range) or `[1]`; unknown languages are dropped.
    static func languages(_ parameters: QueryParameters) throws(WebserviceError) -> [Int] {
        guard let value = parameters["language"] else { return ShopSeed.languages }
        var requested: [String] = []
        if Int(value) != nil {
            requested = [value]
        } else if value.hasPrefix("["), value.hasSuffix("]"), value.count >= 2 {
            let inner = String(value.dropFirst().dropLast())
            let hasBar = inner.contains("|")
            let hasComma = inner.contains(",")
            if hasBar != hasComma {
                if hasBar {
                    requested = inner.split(separator: "|").map(String.init)
                } else {
                    let bounds = inner.split(separator: ",").map(String.init)
                    guard bounds.count == 2 else {
                        throw WebserviceError(400, 78, "A range value for a language must contains only 2 values")
                    }
                    let low = phpInt(bounds[0])
                    let high = phpInt(bounds[1])
                    requested = ShopSeed.languages.filter { $0 >= low && $0 <= high }.map(String.init)
                }
            } else if Int(inner) != nil {
                requested = [inner]
            }
        } else {
            throw WebserviceError(400, 79, "language value is wrong")
        }
        if requested.count > 1, requested.dropFirst().contains(where: { Int($0) == nil }) {
            throw WebserviceError(400, 80, "Language ID must be numeric")
        }
        let languages = requested.compactMap { Int($0) }.filter { ShopSeed.languages.contains($0) }
        guard !languages.isEmpty else { throw WebserviceError(400, 81, "language is not available") }
        return languages
    }

    /// PHP's `(int)` cast: leading optional sign and digits, 0 otherwise.
    static func phpInt(_ text: String) -> Int {
        let trimmed = text.drop { $0 == " " || $0 == "\t" || $0 == "\n" }
        var digits = ""
        for (offset, character) in trimmed.enumerated() {
            if character.isASCII, character.isNumber {
                digits.append(character)
            } else if offset == 0, character == "-" || character == "+" {
                digits.append(character)
            } else {
                break
            }
        }
        return Int(digits) ?? 0
    }
}
