import Foundation

/// How a field is typed on the wire. Drives JSON typing, XML text, parsing of XML input and comparisons in filters.
enum FieldKind: Sendable, Equatable {
    /// Primary or foreign key. A JSON number on 8.x.
    case id
    /// Other integer (`round_mode`, `invoice_number`, `quantity`). A JSON number on 8.x.
    case integer
    /// Fixed-scale decimal, always a string (`"20.230000"`).
    case decimal(scale: Int)
    /// `"1"` / `"0"` strings.
    case bool
    case string
    /// `YYYY-MM-DD HH:MM:SS` in shop time, no offset.
    case date
    /// One value per language: `[{"id":1,"value":"…"}]` or `<language id="1">`.
    case multilingual

    var isNumeric: Bool {
        switch self {
        case .id, .integer, .decimal, .bool: true
        case .string, .date, .multilingual: false
        }
    }
}

/// One field of a resource, as listed in the ObjectModel's `$webserviceParameters` and `$definition`.
struct FieldDefinition: Sendable {
    let name: String
    let kind: FieldKind
    /// Missing on POST/PUT gives code 41 (non-multilingual) or a validation error 84 (multilingual).
    var required = false
    /// `'setter' => false`: sending it gives code 93.
    var writable = true
    /// Has a getter: cannot be filtered (code 34).
    var dynamic = false
    /// Resource the `xlink:href` attribute points to in XML.
    var xlink: String?
    var validation: Validation = .none

    enum Validation: Sendable {
        case none
        case email
    }

    static func id(_ name: String, _ xlink: String? = nil, required: Bool = false) -> Self {
        .init(name: name, kind: .id, required: required, xlink: xlink)
    }

    static func int(_ name: String, required: Bool = false) -> Self {
        .init(name: name, kind: .integer, required: required)
    }

    /// A 6-decimal amount, like every price and total in PrestaShop.
    static func money(_ name: String, required: Bool = false) -> Self {
        .init(name: name, kind: .decimal(scale: 6), required: required)
    }

    static func decimal(_ name: String, scale: Int, required: Bool = false) -> Self {
        .init(name: name, kind: .decimal(scale: scale), required: required)
    }

    static func bool(_ name: String, required: Bool = false) -> Self {
        .init(name: name, kind: .bool, required: required)
    }

    static func string(_ name: String, required: Bool = false) -> Self {
        .init(name: name, kind: .string, required: required)
    }

    static func date(_ name: String) -> Self {
        .init(name: name, kind: .date)
    }

    static func text(_ name: String, required: Bool = false) -> Self {
        .init(name: name, kind: .multilingual, required: required)
    }

    /// Read-only (`'setter' => false`) and computed (`'getter' => …`).
    func computed() -> Self {
        var copy = self
        copy.writable = false
        copy.dynamic = true
        return copy
    }

    /// Has a getter and a setter: writable, not filterable.
    func withGetter() -> Self {
        var copy = self
        copy.dynamic = true
        return copy
    }

    func validated(_ validation: Validation) -> Self {
        var copy = self
        copy.validation = validation
        return copy
    }
}

/// An association (`<associations><order_rows>…`), rendered inside each entity.
struct AssociationDefinition: Sendable {
    let name: String
    /// Element name of each entry (`order_row`).
    let nodeType: String
    let fields: [FieldDefinition]
    var virtualEntity = false
    /// `'setter' => false`: associations sent in XML are ignored.
    var readOnly = false

    func field(named name: String) -> FieldDefinition? {
        fields.first { $0.name == name }
    }
}

/// A webservice resource: `orders`, `products`, …
struct ResourceDefinition: Sendable {
    /// Plural URL segment and list node (`orders`).
    let name: String
    /// Singular node (`order`).
    let nodeName: String
    /// PHP class, used in validation messages.
    let className: String
    let description: String
    let fields: [FieldDefinition]
    var associations: [AssociationDefinition] = []
    /// Methods refused with 405 / code 101 whatever the key.
    var forbiddenMethods: Set<String> = []

    func field(named name: String) -> FieldDefinition? {
        fields.first { $0.name == name }
    }

    func association(named name: String) -> AssociationDefinition? {
        associations.first { $0.name == name }
    }

    var hasDateFields: Bool {
        field(named: "date_add") != nil || field(named: "date_upd") != nil
    }
}
