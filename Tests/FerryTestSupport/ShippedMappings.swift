import FerryCore
import Foundation

/// The mapping files the repository ships (`sandbox/mappings/*.csv`, matching the sandboxes' world), parsed; with
/// `onlyProduct`, `products.csv` keeps only that product's row (importing 15,000 products costs seconds per test).
public func shippedMappings(onlyProduct product: (productID: Int, combinationID: Int)? = nil) throws -> [MappingRow] {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("sandbox/mappings")
    var rows: [MappingRow] = []
    for kind in MappingKind.allCases {
        let url = directory.appendingPathComponent("\(kind.rawValue).csv")
        guard var text = try? String(contentsOf: url, encoding: .utf8) else { continue }
        if kind == .products, let product {
            let prefix = "\(product.productID),\(product.combinationID),"
            let lines = text.split(whereSeparator: \.isNewline)
            text = ([lines[0]] + lines.dropFirst().filter { $0.hasPrefix(prefix) }).joined(separator: "\n") + "\n"
        }
        switch MappingCSV.parse(text, kind: kind) {
        case .success(let parsed): rows += parsed
        case .failure(let error): throw TestSetupError("\(kind.rawValue).csv: \(error.description)")
        }
    }
    return rows
}
