/// NATS message headers: case-sensitive names, each with one or more values.
///
/// W3C trace context (`traceparent`, `tracestate`) and `Nats-Msg-Id` travel here.
public struct NATSHeaders: Sendable, Hashable, ExpressibleByDictionaryLiteral, Sequence {
    /// Every name with its values (in the order the values were added).
    public private(set) var storage: [String: [String]]

    /// Creates empty headers.
    public init() {
        storage = [:]
    }

    /// Creates headers from a dictionary of names and values.
    public init(_ values: [String: [String]]) {
        storage = values.filter { !$0.value.isEmpty }
    }

    /// Creates headers with one value per name.
    public init(dictionaryLiteral elements: (String, String)...) {
        storage = [:]
        for (name, value) in elements {
            add(value, for: name)
        }
    }

    /// The first value of `name`; setting replaces all values (nil removes the header).
    public subscript(name: String) -> String? {
        get { storage[name]?.first }
        set {
            if let newValue {
                storage[name] = [newValue]
            } else {
                storage[name] = nil
            }
        }
    }

    /// All values of `name` (empty when absent).
    public func values(for name: String) -> [String] {
        storage[name] ?? []
    }

    /// Appends a value to `name`.
    public mutating func add(_ value: String, for name: String) {
        storage[name, default: []].append(value)
    }

    /// Removes `name`.
    public mutating func remove(_ name: String) {
        storage[name] = nil
    }

    /// The header names, sorted.
    public var names: [String] { storage.keys.sorted() }

    /// True when there are no headers.
    public var isEmpty: Bool { storage.isEmpty }

    /// Iterates `(name, values)` pairs sorted by name.
    public func makeIterator() -> IndexingIterator<[(name: String, values: [String])]> {
        storage.keys.sorted().map { (name: $0, values: storage[$0] ?? []) }.makeIterator()
    }
}
