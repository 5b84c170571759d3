/// The rows of one resource.
///
/// Rows generated from the dataset are built on demand by `seed`, so startup does not materialise
/// some 40,000 records; a row that is written or deleted is kept in `stored` / `deleted` from then on.
struct ResourceTable: Sendable {
    let definition: ResourceDefinition
    private let seedIDs: [Int]
    private let seed: (@Sendable (Int) -> Record?)?
    private var stored: [Int: Record] = [:]
    private var deleted: Set<Int> = []
    private var lastID: Int
    private var seedRowsCached = false

    init(definition: ResourceDefinition, seedIDs: [Int] = [], seed: (@Sendable (Int) -> Record?)? = nil) {
        self.definition = definition
        self.seedIDs = seedIDs.sorted()
        self.seed = seed
        self.lastID = seedIDs.max() ?? 0
    }

    init(definition: ResourceDefinition, records: [Record]) {
        self.init(definition: definition)
        for record in records { insert(record) }
    }

    func record(_ id: Int) -> Record? {
        if deleted.contains(id) { return nil }
        if let record = stored[id] { return record }
        guard let seed, isSeedID(id) else { return nil }
        return seed(id)
    }

    func contains(_ id: Int) -> Bool {
        if deleted.contains(id) { return false }
        return stored[id] != nil || (seed != nil && isSeedID(id))
    }

    /// All live ids, ascending.
    var ids: [Int] {
        var result = seedIDs.filter { !deleted.contains($0) && stored[$0] == nil }
        result.append(contentsOf: stored.keys)
        result.sort()
        return result
    }

    var count: Int { ids.count }

    /// Keeps every generated row, so repeated filtered lists do not regenerate them.
    mutating func cacheSeedRows() {
        guard let seed, !seedRowsCached else { return }
        for id in seedIDs where stored[id] == nil && !deleted.contains(id) {
            if let record = seed(id) { stored[id] = record }
        }
        seedRowsCached = true
    }

    mutating func nextID() -> Int {
        lastID += 1
        return lastID
    }

    /// Inserts or replaces a row.
    mutating func insert(_ record: Record) {
        stored[record.id] = record
        deleted.remove(record.id)
        lastID = max(lastID, record.id)
    }

    @discardableResult
    mutating func delete(_ id: Int) -> Bool {
        guard contains(id) else { return false }
        stored[id] = nil
        deleted.insert(id)
        return true
    }

    private func isSeedID(_ id: Int) -> Bool {
        var low = 0
        var high = seedIDs.count - 1
        while low <= high {
            let middle = (low + high) / 2
            if seedIDs[middle] == id { return true }
            if seedIDs[middle] < id { low = middle + 1 } else { high = middle - 1 }
        }
        return false
    }
}
