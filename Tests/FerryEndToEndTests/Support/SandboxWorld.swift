import FerrySandboxData
import Foundation

/// The generated world both sandboxes share, and the shipped mapping files (`sandbox/mappings/*.csv`) that
/// match it: what a test orders and what NetSuite should receive for it.
enum SandboxWorld {
    static let dataset = SandboxDataset.standard

    static var mappingsDirectory: URL { FerryBinary.packageRoot.appendingPathComponent("sandbox/mappings") }

    /// A PrestaShop product and combination (0 for a product without combinations).
    struct SKUKey: Sendable, Hashable, CustomStringConvertible {
        var productID: Int
        var combinationID: Int
        var description: String { "\(productID)/\(combinationID)" }
    }

    /// `products.csv`, parsed: SKU → (reference, NetSuite item id).
    static let productMappings: [SKUKey: (reference: String, itemID: Int)] = {
        var result: [SKUKey: (reference: String, itemID: Int)] = [:]
        for row in csvRows("products") {
            guard row.count == 4, let product = Int(row[0]), let combination = Int(row[1]), let item = Int(row[3])
            else { continue }
            result[SKUKey(productID: product, combinationID: combination)] = (row[2], item)
        }
        return result
    }()

    /// `tax-codes.csv`: (country ISO, tax category, subsidiary) → NetSuite tax code id (the fifth column is the rate).
    static let taxCodes: [String: Int] = {
        var result: [String: Int] = [:]
        for row in csvRows("tax-codes") where row.count == 5 {
            if let code = Int(row[3]) { result["\(row[0])/\(row[1])/\(row[2])"] = code }
        }
        return result
    }()

    /// `currencies.csv`: ISO → NetSuite currency id.
    static let currencies: [String: Int] = {
        Dictionary(csvRows("currencies").compactMap { row in Int(row[1]).map { (row[0], $0) } }) { a, _ in a }
    }()

    /// `payment-methods.csv`: module → NetSuite payment method id.
    static let paymentMethods: [String: Int] = {
        Dictionary(csvRows("payment-methods").compactMap { row in Int(row[1]).map { (row[0], $0) } }) { a, _ in a }
    }()

    private static func csvRows(_ kind: String) -> [[String]] {
        let url = mappingsDirectory.appendingPathComponent("\(kind).csv")
        guard let text = try? String(contentsOf: url, encoding: .utf8) else { return [] }
        return text.split(whereSeparator: \.isNewline).dropFirst().map { line in
            line.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
        }
    }

    /// SKUs most tests order from: the first 40 of the catalogue (products with and without combinations).
    static let defaultSKUs: [SKUKey] = dataset.skus.prefix(40).map {
        SKUKey(productID: $0.productID, combinationID: $0.combinationID)
    }

    /// SKUs outside ``defaultSKUs``: orders of them are dead-lettered when a test imports only the default mappings.
    static let unmappedSKUs: [SKUKey] = dataset.skus.dropFirst(40).prefix(10).map {
        SKUKey(productID: $0.productID, combinationID: $0.combinationID)
    }

    /// A customer who already exists in NetSuite (found there by e-mail).
    static let existingCustomer: SandboxDataset.Customer = dataset.customers.first {
        $0.netSuiteID != nil && !$0.addressIDs.isEmpty
    }!

    /// Customers NetSuite does not know yet (Ferry creates them), each with a unique e-mail.
    static let newCustomers: [SandboxDataset.Customer] = {
        let existingEmails = Set(dataset.customers.filter { $0.netSuiteID != nil }.map { $0.email.lowercased() })
        return dataset.customers.filter {
            $0.netSuiteID == nil && !$0.addressIDs.isEmpty && !existingEmails.contains($0.email.lowercased())
        }
    }()

    static func country(ofAddress id: Int) -> SandboxDataset.Country? {
        guard let address = dataset.addresses.first(where: { $0.id == id }) else { return nil }
        return dataset.countries.first { $0.id == address.countryID }
    }

    static func taxCategory(ofProduct id: Int) -> Int? {
        dataset.products.first { $0.id == id }?.taxCategoryID
    }

    /// The shipped mapping files with only `products` in `products.csv`, written to `directory`.
    static func writeMappings(products: [SKUKey], to directory: URL) throws -> URL {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let files = try FileManager.default.contentsOfDirectory(atPath: mappingsDirectory.path).filter {
            $0.hasSuffix(".csv") && $0 != "products.csv"
        }
        for file in files {
            try FileManager.default.copyItem(
                at: mappingsDirectory.appendingPathComponent(file),
                to: directory.appendingPathComponent(file)
            )
        }
        var csv = "prestashop_product_id,prestashop_combination_id,reference,netsuite_item_id\n"
        for sku in Set(products).sorted(by: { ($0.productID, $0.combinationID) < ($1.productID, $1.combinationID) }) {
            guard let mapping = productMappings[sku] else { throw HarnessError("no mapping row for SKU \(sku)") }
            csv += "\(sku.productID),\(sku.combinationID),\(mapping.reference),\(mapping.itemID)\n"
        }
        try csv.write(to: directory.appendingPathComponent("products.csv"), atomically: true, encoding: .utf8)
        return directory
    }
}
