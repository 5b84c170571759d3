/// How JSON values are typed.
public enum PrestaShopJSONTyping: String, Sendable, Codable {
    /// 8.x: ids and integers are JSON numbers; decimals and booleans are strings.
    case v8
    /// 1.7 captures: every value is a string.
    case v17
}

/// Output settings that depend on the request.
struct RenderOptions: Sendable {
    var languages: [Int] = ShopSeed.languages
    var typing: PrestaShopJSONTyping = .v8
    /// `http://host/api/`, for `xlink:href`.
    var apiBaseURL: String = "http://localhost/api/"
}

/// An entity reduced to the fields and associations to output, in output order.
struct RenderedEntity: Sendable {
    struct Association: Sendable {
        let definition: AssociationDefinition
        let fields: [FieldDefinition]
        let rows: [[String: FieldValue]]
    }

    let id: Int
    let fields: [(FieldDefinition, FieldValue)]
    let associations: [Association]

    init(record: Record, definition: ResourceDefinition, display: DisplaySelection) {
        id = record.id
        fields = definition.fields.filter { display.includes($0.name) }.map { ($0, record[$0.name]) }
        associations = definition.associations.compactMap { association in
            guard let fields = display.associationFields(association) else { return nil }
            return Association(
                definition: association,
                fields: fields,
                rows: record.associations[association.name] ?? []
            )
        }
    }

    /// The empty template of `schema=blank` / `schema=synopsis`.
    init(blank definition: ResourceDefinition) {
        id = 0
        fields = definition.fields.map { ($0, FieldValue.null) }
        associations = definition.associations.map {
            Association(definition: $0, fields: $0.fields, rows: [[:]])
        }
    }
}
