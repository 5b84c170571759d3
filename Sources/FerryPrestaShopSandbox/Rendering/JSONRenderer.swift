import Foundation

/// JSON output as `WebserviceOutputJSON` writes it.
///
/// Quirks kept on purpose: falsy fields (`0`, `"0"`, `""`, null) are dropped from each entity, an empty list is
/// `[]`, a list without `display` has ids only, `display` on a single entity still gives the plural list,
/// decimals are strings, and `/` is escaped as PHP's `json_encode` does.
enum JSONRenderer {
    static func detail(
        _ entities: [RenderedEntity],
        definition: ResourceDefinition,
        asList: Bool,
        options: RenderOptions
    ) -> String {
        if asList {
            return list(entities, definition: definition, idsOnly: false, options: options)
        }
        guard let entity = entities.last else { return "[]" }
        return JSONNode.object([(definition.nodeName, object(entity, options: options))]).serialized
    }

    static func list(
        _ entities: [RenderedEntity],
        definition: ResourceDefinition,
        idsOnly: Bool,
        options: RenderOptions
    ) -> String {
        guard !entities.isEmpty else { return "[]" }
        let items: [JSONNode] = entities.map { entity in
            idsOnly ? .object([("id", number(entity.id, options: options))]) : object(entity, options: options)
        }
        return JSONNode.object([(definition.name, .array(items))]).serialized
    }

    static func errors(_ errors: [WebserviceError]) -> String {
        let items: [JSONNode] = errors.map { .object([("code", .number($0.code)), ("message", .string($0.message))]) }
        return JSONNode.object([("errors", .array(items))]).serialized
    }

    /// `GET /api/` in JSON: PrestaShop emits the bare list of resource names.
    static func resourceList(_ names: [String]) -> String {
        JSONNode.array(names.map(JSONNode.string)).serialized
    }

    static func schema(_ entity: RenderedEntity, definition: ResourceDefinition) -> String {
        var members: [(String, JSONNode)] = entity.fields.map { field, _ in
            if field.kind == .multilingual {
                return (
                    field.name,
                    .array(ShopSeed.languages.map { .object([("id", .number($0)), ("value", .string(""))]) })
                )
            }
            return (field.name, .string(""))
        }
        if !entity.associations.isEmpty {
            members.append(
                (
                    "associations",
                    .object(
                        entity.associations.map { association in
                            (
                                association.definition.name,
                                .array([.object(association.fields.map { ($0.name, .string("")) })])
                            )
                        }
                    )
                )
            )
        }
        return JSONNode.object([(definition.nodeName, .object(members))]).serialized
    }

    // MARK: - Entities

    private static func object(_ entity: RenderedEntity, options: RenderOptions) -> JSONNode {
        var members: [(String, JSONNode)] = []
        for (field, value) in entity.fields {
            let node = self.value(value, field: field, options: options)
            if !node.isFalsy { members.append((field.name, node)) }
        }
        let associations: [(String, JSONNode)] = entity.associations.compactMap { association in
            guard !association.rows.isEmpty else { return nil }
            let rows: [JSONNode] = association.rows.map { row in
                .object(association.fields.map { ($0.name, value(row[$0.name] ?? .null, field: $0, options: options)) })
            }
            return (association.definition.name, .array(rows))
        }
        if !associations.isEmpty { members.append(("associations", .object(associations))) }
        return .object(members)
    }

    private static func number(_ value: Int, options: RenderOptions) -> JSONNode {
        options.typing == .v8 ? .number(value) : .string(String(value))
    }

    private static func value(_ value: FieldValue, field: FieldDefinition, options: RenderOptions) -> JSONNode {
        switch field.kind {
        case .multilingual:
            let texts: [Int: String] = if case .text(let texts) = value { texts } else { [:] }
            if options.languages.count == 1 {
                return .string(texts[options.languages[0]] ?? "")
            }
            return .array(
                options.languages.map { language in
                    .object([("id", number(language, options: options)), ("value", .string(texts[language] ?? ""))])
                }
            )
        case .id, .integer:
            if case .null = value { return .null }
            guard options.typing == .v8, let number = value.intValue else {
                return .string(value.rawString(kind: field.kind))
            }
            return .number(number)
        case .decimal, .bool, .string, .date:
            if case .null = value { return .null }
            return .string(value.rawString(kind: field.kind))
        }
    }
}

/// A JSON value with ordered object members.
indirect enum JSONNode: Sendable {
    case string(String)
    case number(Int)
    case array([JSONNode])
    case object([(String, JSONNode)])
    case null

    /// PHP's `array_filter` without callback: `0`, `"0"`, `""` and null are removed; arrays stay.
    var isFalsy: Bool {
        switch self {
        case .null: true
        case .number(let value): value == 0
        case .string(let value): value.isEmpty || value == "0"
        case .array, .object: false
        }
    }

    var serialized: String {
        var output = ""
        write(to: &output)
        return output
    }

    private func write(to output: inout String) {
        switch self {
        case .string(let value): Self.writeString(value, to: &output)
        case .number(let value): output += String(value)
        case .null: output += "null"
        case .array(let items):
            output += "["
            for (offset, item) in items.enumerated() {
                if offset > 0 { output += "," }
                item.write(to: &output)
            }
            output += "]"
        case .object(let members):
            output += "{"
            for (offset, member) in members.enumerated() {
                if offset > 0 { output += "," }
                Self.writeString(member.0, to: &output)
                output += ":"
                member.1.write(to: &output)
            }
            output += "}"
        }
    }

    private static func writeString(_ value: String, to output: inout String) {
        output += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "/": output += "\\/"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            default:
                if scalar.value < 0x20 {
                    output += String(format: "\\u%04x", scalar.value)
                } else {
                    output.unicodeScalars.append(scalar)
                }
            }
        }
        output += "\""
    }
}
