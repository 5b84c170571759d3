import Foundation

/// The query string as PHP's `$_GET` sees it: keys and values percent-decoded, `+` as space, last value wins.
struct QueryParameters: Sendable {
    private(set) var items: [(key: String, value: String)] = []

    init(rawQuery: String?) {
        guard let rawQuery, !rawQuery.isEmpty else { return }
        for pair in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : ""
            guard !key.isEmpty else { continue }
            items.append((key, value))
        }
    }

    init(items: [(key: String, value: String)]) {
        self.items = items
    }

    subscript(key: String) -> String? {
        items.last { $0.key == key }?.value
    }

    func contains(_ key: String) -> Bool {
        items.contains { $0.key == key }
    }

    /// `filter[field]=value` and `filter[field][sub]=value`, in request order, last value per key.
    var filters: [(field: String, subKey: String?, value: String)] {
        var seen: [String: Int] = [:]
        var result: [(field: String, subKey: String?, value: String)] = []
        for item in items where item.key.hasPrefix("filter[") {
            let brackets = Self.bracketParts(item.key.dropFirst("filter".count))
            guard let field = brackets.first else { continue }
            let entry = (field: field, subKey: brackets.count > 1 ? brackets[1] : nil, value: item.value)
            if let index = seen[item.key] {
                result[index] = entry
            } else {
                seen[item.key] = result.count
                result.append(entry)
            }
        }
        return result
    }

    /// `[a][b]` → `["a", "b"]`.
    private static func bracketParts(_ text: Substring) -> [String] {
        var parts: [String] = []
        var rest = text
        while rest.first == "[", let close = rest.firstIndex(of: "]") {
            parts.append(String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return parts
    }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
