/// The record types the sandbox serves under `/services/rest/record/v1/{type}`.
enum RecordType: String, CaseIterable, Sendable, Hashable {
    case salesOrder, customer, customerDeposit, inventoryItem

    /// Matches a URL path segment case-insensitively (`salesOrder`, `salesorder`, `SALESORDER`).
    init?(pathSegment: some StringProtocol) {
        let lowered = pathSegment.lowercased()
        guard let type = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = type
    }

    /// The spelling NetSuite uses in `links` (lower case).
    var linkName: String { rawValue.lowercased() }

    var isTransaction: Bool { self == .salesOrder || self == .customerDeposit }

    /// The SuiteQL `transaction.type` code.
    var transactionTypeCode: String? {
        switch self {
        case .salesOrder: "SalesOrd"
        case .customerDeposit: "CustDep"
        default: nil
        }
    }

    var schema: RecordSchema {
        switch self {
        case .salesOrder: .salesOrder
        case .customer: .customer
        case .customerDeposit: .customerDeposit
        case .inventoryItem: .inventoryItem
        }
    }
}

/// What a reference field points at.
enum ReferenceTarget: Sendable, Hashable {
    case record(RecordType)
    case taxCode, currency, subsidiary, location, shipMethod, paymentMethod, priceLevel

    /// The record type NetSuite names in the reference's self link; nil when the sandbox does not serve it.
    var servedType: RecordType? {
        if case .record(let type) = self { return type }
        return nil
    }
}

/// How a body field is validated and stored.
enum FieldKind: Sendable, Hashable {
    case text
    case number
    case boolean
    /// `YYYY-MM-DD`.
    case date
    case reference(ReferenceTarget, label: String)
    /// Stored as sent (select fields the sandbox does not model, addresses, custom fields).
    case opaque
}

/// The fields of one record type: which exist, which are read-only, which are required, and its sublist.
struct RecordSchema: Sendable {
    var fields: [String: FieldKind]
    /// Fields NetSuite computes; writing them is `400 INVALID_CONTENT`.
    var readOnly: Set<String>
    /// Other spellings accepted for a field (the community writes `salesorder` on deposits).
    var aliases: [String: String] = [:]
    /// The item sublist (`item.items[]`), when the record has one.
    var sublist: Sublist?

    struct Sublist: Sendable {
        var name: String
        var fields: [String: FieldKind]
        var readOnly: Set<String>
    }

    func canonicalName(_ field: String) -> String {
        aliases[field] ?? field
    }
}

extension RecordSchema {
    static let salesOrder = RecordSchema(
        fields: [
            "externalId": .text, "tranId": .text, "tranDate": .date, "otherRefNum": .text, "memo": .text,
            "entity": .reference(.record(.customer), label: "entity"),
            "subsidiary": .reference(.subsidiary, label: "subsidiary"),
            "currency": .reference(.currency, label: "currency"),
            "location": .reference(.location, label: "location"),
            "shipMethod": .reference(.shipMethod, label: "shipmethod"),
            "shippingCost": .number, "handlingCost": .number, "exchangeRate": .number, "shipDate": .date,
            "shippingTaxCode": .reference(.taxCode, label: "shippingtaxcode"),
            "email": .text, "orderStatus": .opaque, "department": .opaque, "class": .opaque,
            "billingAddress": .opaque, "shippingAddress": .opaque, "billAddress": .text, "shipAddress": .text,
        ],
        readOnly: ["id", "subTotal", "taxTotal", "total", "createdDate", "lastModifiedDate"],
        sublist: Sublist(
            name: "item",
            fields: [
                "line": .number,
                "item": .reference(.record(.inventoryItem), label: "item"),
                "quantity": .number, "rate": .number, "amount": .number,
                "taxCode": .reference(.taxCode, label: "taxcode"),
                "price": .reference(.priceLevel, label: "price"),
                "location": .reference(.location, label: "location"),
                "description": .text, "isClosed": .boolean,
            ],
            readOnly: []
        )
    )

    static let customer = RecordSchema(
        fields: [
            "externalId": .text, "entityId": .text, "email": .text, "firstName": .text, "lastName": .text,
            "companyName": .text, "isPerson": .boolean, "phone": .text,
            "subsidiary": .reference(.subsidiary, label: "subsidiary"),
            "currency": .reference(.currency, label: "currency"),
            "addressBook": .opaque, "defaultAddress": .text, "comments": .text,
        ],
        readOnly: ["id", "dateCreated", "lastModifiedDate"]
    )

    static let customerDeposit = RecordSchema(
        fields: [
            "externalId": .text, "tranId": .text, "tranDate": .date, "memo": .text,
            "customer": .reference(.record(.customer), label: "customer"),
            "salesOrder": .reference(.record(.salesOrder), label: "salesorder"),
            "payment": .number, "exchangeRate": .number,
            "currency": .reference(.currency, label: "currency"),
            "subsidiary": .reference(.subsidiary, label: "subsidiary"),
            "location": .reference(.location, label: "location"),
            "paymentMethod": .reference(.paymentMethod, label: "paymentmethod"),
            "undepFunds": .boolean, "account": .opaque, "department": .opaque, "class": .opaque, "checkNum": .text,
        ],
        readOnly: ["id", "total", "createdDate", "lastModifiedDate"],
        aliases: ["salesorder": "salesOrder"]
    )

    static let inventoryItem = RecordSchema(
        fields: [
            "externalId": .text, "itemId": .text, "displayName": .text, "description": .text,
            "salesDescription": .text, "upcCode": .text, "isInactive": .boolean,
        ],
        readOnly: ["id", "createdDate", "lastModifiedDate"]
    )
}
