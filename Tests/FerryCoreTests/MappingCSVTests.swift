import FerryCore
import Foundation
import Testing

@Suite struct MappingCSVTests {
    @Test func parsesEveryKind() throws {
        let products = try MappingCSV.parse(
            "prestashop_product_id,prestashop_combination_id,reference,netsuite_item_id\n1,0,FS-00001,10000\r\n2,7,\"FS-2, \"\"red\"\"\",10001\n\n",
            kind: .products
        ).get()
        #expect(
            products == [
                .product(.init(productID: 1, combinationID: 0), reference: "FS-00001", itemID: 10_000),
                .product(.init(productID: 2, combinationID: 7), reference: "FS-2, \"red\"", itemID: 10_001),
            ]
        )
        let taxes = try MappingCSV.parse(
            "netsuite_tax_code_id,country_iso,tax_category_id,subsidiary_id,rate_percent\n105,fr,1,1,5.5\n",
            kind: .taxCodes
        ).get()
        #expect(
            taxes == [
                .taxCode(
                    .init(countryISO: "FR", taxCategoryID: 1, subsidiaryID: 1),
                    taxCodeID: 105,
                    ratePercent: Decimal(string: "5.5")!
                )
            ]
        )
        #expect(
            try MappingCSV.parse("prestashop_currency_iso,netsuite_currency_id\nEUR,1", kind: .currencies).get() == [
                .currency(iso: "EUR", currencyID: 1)
            ]
        )
        #expect(
            try MappingCSV.parse("prestashop_module,netsuite_payment_method_id\npaypal,8", kind: .paymentMethods).get()
                == [.paymentMethod(module: "paypal", paymentMethodID: 8)]
        )
        #expect(
            try MappingCSV.parse(
                "prestashop_carrier_id,netsuite_ship_method_id,tax_category_id\n2,502,1\n1,501,0",
                kind: .carriers
            ).get() == [
                .carrier(carrierID: 2, .init(shipMethodID: 502, taxCategoryID: 1)),
                .carrier(carrierID: 1, .init(shipMethodID: 501, taxCategoryID: nil)),
            ]
        )
        #expect(
            try MappingCSV.parse("prestashop_cart_rule_id,netsuite_item_id\ndefault,90001\n7,90002", kind: .discounts)
                .get() == [.discount(.fallback, itemID: 90_001), .discount(.rule(7), itemID: 90_002)]
        )
        #expect(
            try MappingCSV.parse(
                "purpose,netsuite_item_id,tax_category_id\nwrapping,90010,1\nRounding,90020,\n",
                kind: .orderItems
            ).get() == [
                .orderItem(.wrapping, .init(itemID: 90_010, taxCategoryID: 1)),
                .orderItem(.rounding, .init(itemID: 90_020, taxCategoryID: nil)),
            ]
        )
        #expect(
            try MappingCSV.parse("prestashop_shop_id,netsuite_subsidiary_id,netsuite_location_id\n1,1,3", kind: .shops)
                .get()
                == [.shop(shopID: 1, .init(subsidiaryID: 1, locationID: 3))]
        )
    }

    @Test(arguments: [
        (
            "",
            MappingCSVError(
                line: 1,
                column: nil,
                message: "empty file; expected header prestashop_currency_iso,netsuite_currency_id"
            )
        ),
        (
            "iso,id\nEUR,1",
            MappingCSVError(
                line: 1,
                column: "prestashop_currency_iso",
                message: "missing column; expected prestashop_currency_iso,netsuite_currency_id"
            )
        ),
        (
            "prestashop_currency_iso,netsuite_currency_id\nEUR,1\nEURO,2",
            MappingCSVError(
                line: 3,
                column: "prestashop_currency_iso",
                message: "expected a 3-letter ISO 4217 code, found 'EURO'"
            )
        ),
        (
            "prestashop_currency_iso,netsuite_currency_id\nEUR,x",
            MappingCSVError(line: 2, column: "netsuite_currency_id", message: "expected a positive integer, found 'x'")
        ),
        (
            "prestashop_currency_iso,netsuite_currency_id\nEUR,0",
            MappingCSVError(line: 2, column: "netsuite_currency_id", message: "expected a positive integer, found '0'")
        ),
        (
            "prestashop_currency_iso,netsuite_currency_id\n\"EUR,1",
            MappingCSVError(line: 2, column: nil, message: "unterminated quoted field")
        ),
    ])
    func badFilesNameTheLineAndColumn(text: String, error: MappingCSVError) {
        #expect(MappingCSV.parse(text, kind: .currencies) == .failure(error))
    }

    @Test(arguments: [
        (
            MappingKind.taxCodes,
            "country_iso,tax_category_id,subsidiary_id,netsuite_tax_code_id,rate_percent\nFR,1,1,101,20%",
            MappingCSVError(
                line: 2,
                column: "rate_percent",
                message: "expected a tax rate in percent between 0 and 100 (e.g. 20 or 5.5), found '20%'"
            )
        ),
        (
            MappingKind.taxCodes, "country_iso,tax_category_id,subsidiary_id,netsuite_tax_code_id\nFR,1,1,101",
            MappingCSVError(
                line: 1,
                column: "rate_percent",
                message:
                    "missing column; expected country_iso,tax_category_id,subsidiary_id,netsuite_tax_code_id,rate_percent"
            )
        ),
        (
            MappingKind.discounts, "prestashop_cart_rule_id,netsuite_item_id\nall,90001",
            MappingCSVError(
                line: 2,
                column: "prestashop_cart_rule_id",
                message: "expected a positive cart rule id or 'default', found 'all'"
            )
        ),
        (
            MappingKind.orderItems, "purpose,netsuite_item_id,tax_category_id\nshipping,90010,1",
            MappingCSVError(
                line: 2,
                column: "purpose",
                message: "expected one of wrapping, rounding, found 'shipping'"
            )
        ),
    ])
    func badMoneyMappingsNameTheLineAndColumn(kind: MappingKind, text: String, error: MappingCSVError) {
        #expect(MappingCSV.parse(text, kind: kind) == .failure(error))
    }
}
