import Foundation

/// One record as the sandbox keeps it. Reference fields are stored as `{"id": "<id>"}`; `refName` and `links`
/// are added when the record is rendered, and computed totals are worked out then too.
struct StoredRecord: Sendable {
    let type: RecordType
    let id: Int
    /// Body fields other than `id`, computed fields and the sublist.
    var body: [String: JSONValue]
    /// Lines of the `item` sublist, in order.
    var lines: [SublistLine] = []
    /// The `line` number the next appended line gets.
    var nextLineNumber = 1
    var created: Date
    var lastModified: Date
    /// True for records that came from the dataset rather than from an API call.
    var seeded = false

    var externalID: String? { body["externalId"]?.stringValue }

    /// The id held in a reference field, if set.
    func referenceID(_ field: String) -> Int? {
        body[field]?["id"]?.scalarText.flatMap { Int($0) }
    }

    func text(_ field: String) -> String? { body[field]?.stringValue }

    func number(_ field: String) -> Decimal? { body[field]?.numberValue }
}

/// One line of a sublist; `line` is its key, the number NetSuite assigns and PATCH uses to address it.
struct SublistLine: Sendable {
    var line: Int
    var fields: [String: JSONValue]

    func referenceID(_ field: String) -> Int? {
        fields[field]?["id"]?.scalarText.flatMap { Int($0) }
    }

    func number(_ field: String) -> Decimal? { fields[field]?.numberValue }
}

/// How the URL names a record: `/{type}/123` or `/{type}/eid:PS-1`.
enum RecordKey: Sendable, Hashable {
    case internalID(Int)
    case externalID(String)

    /// Parses the id segment of a record URL.
    ///
    /// An `eid:` value may only hold letters, digits, `_` and `-` (A4); anything else is `400`.
    /// A segment that is neither numeric nor `eid:` cannot name a record: `404 NONEXISTENT_ID`.
    static func parse(_ segment: some StringProtocol) throws(NetSuiteError) -> RecordKey {
        if segment.lowercased().hasPrefix("eid:") {
            let value = String(segment.dropFirst(4))
            let allowed = value.unicodeScalars.allSatisfy { scalar in
                scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "_" || scalar == "-")
            }
            guard !value.isEmpty, allowed else { throw .invalidExternalIDInURL(value) }
            return .externalID(value)
        }
        guard let id = Int(segment), id > 0 else { throw .nonexistentID() }
        return .internalID(id)
    }
}
