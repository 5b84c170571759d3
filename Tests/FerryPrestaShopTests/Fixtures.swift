import Foundation
import Testing

/// Test payloads. `orderGetResponse` is a verbatim copy of `shared/fixtures/prestashop-order-get-response.json`
/// (a real 8.x-typed capture, see that folder's README for provenance); `fixtureMatchesSharedCopy` checks the
/// copy when the shared folder is present.
enum Fixtures {
    static let orderGetResponse = #"""
        {
          "order": {
            "id": 549085,
            "id_address_delivery": 967452,
            "id_address_invoice": 967452,
            "id_cart": 817776,
            "id_currency": 1,
            "id_lang": 1,
            "id_customer": 532822,
            "id_carrier": 103,
            "current_state": 4,
            "module": "feedbiz",
            "invoice_number": 541557,
            "invoice_date": "2024-07-05 19:40:27",
            "delivery_number": 528463,
            "delivery_date": "2024-07-08 10:52:56",
            "valid": "1",
            "date_add": "2024-07-05 16:40:18",
            "date_upd": "2024-10-23 11:09:16",
            "shipping_number": "885000009059824",
            "id_shop_group": 1,
            "id_shop": 1,
            "secure_key": "00000000000000000000000000000000",
            "payment": "Amazon - FR",
            "total_discounts": "0.000000",
            "total_discounts_tax_incl": "0.000000",
            "total_discounts_tax_excl": "0.000000",
            "total_paid": "20.230000",
            "total_paid_tax_incl": "20.230000",
            "total_paid_tax_excl": "16.860000",
            "total_paid_real": "40.460000",
            "total_products": "9.780000",
            "total_products_wt": "11.730000",
            "total_shipping": "8.500000",
            "total_shipping_tax_incl": "8.500000",
            "total_shipping_tax_excl": "7.080000",
            "carrier_tax_rate": "20.000",
            "total_wrapping": "0.000000",
            "total_wrapping_tax_incl": "0.000000",
            "total_wrapping_tax_excl": "0.000000",
            "round_mode": 2,
            "round_type": 2,
            "conversion_rate": "1.000000",
            "reference": "FMHGOYBGK",
            "associations": {
              "order_rows": [
                {
                  "id": 983222,
                  "product_id": 52695,
                  "product_attribute_id": 0,
                  "product_quantity": 1,
                  "product_name": "Porte Clé Capitaine Flam - Professeur Simon Gomme 8cm",
                  "product_reference": "4589504961513",
                  "product_ean13": "4589504961513",
                  "product_isbn": "",
                  "product_upc": "",
                  "product_price": "9.775000",
                  "id_customization": 0,
                  "unit_price_tax_incl": "11.730000",
                  "unit_price_tax_excl": "9.775000"
                }
              ]
            }
          }
        }
        """#

    /// The fixture as a mutable JSON object, for building mutated copies.
    static func orderObject() throws -> [String: Any] {
        let root = try JSONSerialization.jsonObject(with: Data(orderGetResponse.utf8)) as? [String: Any]
        return try #require(root?["order"] as? [String: Any])
    }

    /// Serialises `{"order": order}`.
    static func body(order: Any) throws -> Data {
        try JSONSerialization.data(withJSONObject: ["order": order])
    }

    /// The fixture with `change` applied to its order object.
    static func mutatedBody(_ change: (inout [String: Any]) throws -> Void) throws -> Data {
        var order = try orderObject()
        try change(&order)
        return try body(order: order)
    }

    /// The fixture's order with every value turned into a string, as 1.7 shops write it.
    static func allStrings(_ value: Any) -> Any {
        switch value {
        case let object as [String: Any]: object.mapValues(allStrings)
        case let array as [Any]: array.map(allStrings)
        case let number as NSNumber: number.stringValue
        default: value
        }
    }

    /// `shared/fixtures/…` next to the repository, when present (developer machines and CI).
    static var sharedFixtureURL: URL? {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/fixtures/prestashop-order-get-response.json")
        return FileManager.default.fileExists(atPath: url.path) ? url : nil
    }
}

@Test(.enabled(if: Fixtures.sharedFixtureURL != nil, "shared/fixtures not present"))
func fixtureMatchesSharedCopy() throws {
    let url = try #require(Fixtures.sharedFixtureURL)
    let shared = try String(contentsOf: url, encoding: .utf8)
    #expect(shared.trimmingCharacters(in: .whitespacesAndNewlines) == Fixtures.orderGetResponse)
}
