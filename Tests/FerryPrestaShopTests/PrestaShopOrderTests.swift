import Foundation
import Testing

@testable import FerryPrestaShop

private func decimal(_ text: String) -> Decimal { Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))! }

/// Runs `PrestaShopOrder.validated(from:)` and returns the error it throws, or nil.
private func validationError(_ body: Data) -> PrestaShopPayloadError? {
    do {
        _ = try PrestaShopOrder.validated(from: body)
        return nil
    } catch {
        return error
    }
}

@Suite("PrestaShopOrder decoding")
struct PrestaShopOrderDecodingTests {
    @Test func decodesTheRealFixtureExactly() throws {
        let order = try PrestaShopOrder.validated(from: Data(Fixtures.orderGetResponse.utf8))
        #expect(order.id == 549_085)
        #expect(order.reference == "FMHGOYBGK")
        #expect(order.shopID == 1)
        #expect(order.shopGroupID == 1)
        #expect(order.customerID == 532_822)
        #expect(order.deliveryAddressID == 967_452)
        #expect(order.invoiceAddressID == 967_452)
        #expect(order.cartID == 817_776)
        #expect(order.currencyID == 1)
        #expect(order.carrierID == 103)
        #expect(order.languageID == 1)
        #expect(order.currentState == 4)
        #expect(order.module == "feedbiz")
        #expect(order.payment == "Amazon - FR")
        #expect(order.isValid)
        #expect(order.dateAdd == "2024-07-05 16:40:18")
        #expect(order.dateUpd == "2024-10-23 11:09:16")
        #expect(order.conversionRate == 1)
        #expect(order.totalPaid == decimal("20.23"))
        #expect(order.totalPaidTaxIncl == decimal("20.23"))
        #expect(order.totalPaidTaxExcl == decimal("16.86"))
        #expect(order.totalPaidReal == decimal("40.46"))
        #expect(order.totalProducts == decimal("9.78"))
        #expect(order.totalProductsWithTax == decimal("11.73"))
        #expect(order.totalShipping == decimal("8.5"))
        #expect(order.totalShippingTaxIncl == decimal("8.5"))
        #expect(order.totalShippingTaxExcl == decimal("7.08"))
        #expect(order.carrierTaxRate == 20)
        #expect(order.totalDiscounts == 0)
        #expect(order.totalDiscountsTaxIncl == 0)
        #expect(order.totalDiscountsTaxExcl == 0)
        #expect(order.totalWrapping == 0)
        #expect(order.totalWrappingTaxIncl == 0)
        #expect(order.totalWrappingTaxExcl == 0)
        #expect(order.rows.count == 1)
        let row = try #require(order.rows.first)
        #expect(row.id == 983_222)
        #expect(row.productID == 52_695)
        #expect(row.productAttributeID == 0)
        #expect(row.quantity == 1)
        #expect(row.name == "Porte Clé Capitaine Flam - Professeur Simon Gomme 8cm")
        #expect(row.reference == "4589504961513")
        #expect(row.ean13 == "4589504961513")
        #expect(row.unitPriceTaxIncl == decimal("11.73"))
        #expect(row.unitPriceTaxExcl == decimal("9.775"))
        #expect(row.productPrice == decimal("9.775"))
    }

    @Test func decimalsAreExactNotBinaryFloatingPoint() throws {
        // 0.1 + 0.2 is not 0.3 in Double; with exact decoding the sum of the strings is exact.
        let body = try Fixtures.mutatedBody {
            $0["total_paid"] = "0.100000"
            $0["total_shipping"] = "0.200000"
            $0["total_paid_tax_incl"] = "1234567890.123456"
        }
        // Decoding only: these amounts no longer add up, which validation would refuse.
        let order = try PrestaShopOrder(jsonBody: body)
        #expect(order.totalPaid + order.totalShipping == decimal("0.3"))
        #expect(order.totalPaidTaxIncl.description == "1234567890.123456")
    }

    @Test func decimalsSentAsJSONNumbersAreExactToo() throws {
        let text =
            #"{"order":{"id":1,"reference":"ABCDEFGHI","id_customer":2,"id_currency":1,"total_paid":20.23,"#
            + #""carrier_tax_rate":5.5,"associations":{"order_rows":[{"product_id":3,"product_quantity":2,"#
            + #""unit_price_tax_incl":0.1}]}}}"#
        let body = Data(text.utf8)
        let order = try PrestaShopOrder(jsonBody: body)
        #expect(order.totalPaid == decimal("20.23"))
        #expect(order.carrierTaxRate == decimal("5.5"))
        #expect(order.rows[0].unitPriceTaxIncl == decimal("0.1"))
    }

    @Test func acceptsThe17StyleWhereEveryValueIsAString() throws {
        let order = try Fixtures.orderObject()
        let body = try Fixtures.body(order: Fixtures.allStrings(order))
        #expect(String(decoding: body, as: UTF8.self).contains(#""id":"549085""#))
        let decoded = try PrestaShopOrder.validated(from: body)
        let original = try PrestaShopOrder.validated(from: Data(Fixtures.orderGetResponse.utf8))
        #expect(decoded == original)
    }

    @Test func droppedFalsyFieldsReadAsZeroOrEmpty() throws {
        // The real JSON writer drops 0, "0", "" and null: money at zero, valid "0", an empty module...
        let body = try Fixtures.mutatedBody { order in
            for key in [
                "total_discounts", "total_discounts_tax_incl", "total_discounts_tax_excl", "total_wrapping",
                "total_wrapping_tax_incl", "total_wrapping_tax_excl", "valid", "id_carrier", "module",
                "conversion_rate", "carrier_tax_rate", "date_upd",
            ] {
                order.removeValue(forKey: key)
            }
            var associations = try #require(order["associations"] as? [String: Any])
            var rows = try #require(associations["order_rows"] as? [[String: Any]])
            rows[0].removeValue(forKey: "product_attribute_id")
            rows[0].removeValue(forKey: "product_ean13")
            associations["order_rows"] = rows
            order["associations"] = associations
        }
        let order = try PrestaShopOrder(jsonBody: body)
        #expect(order.totalDiscounts == 0)
        #expect(order.totalWrappingTaxExcl == 0)
        #expect(order.isValid == false)
        #expect(order.carrierID == 0)
        #expect(order.module == "")
        #expect(order.conversionRate == 0)
        #expect(order.dateUpd == "")
        #expect(order.rows[0].productAttributeID == 0)
        #expect(order.rows[0].ean13 == "")
        // Every one of them may be dropped but the conversion rate, which is never 0 on a real order.
        #expect(validationError(body) == PrestaShopPayloadError(path: "order.conversion_rate", problem: .notPositive))
        var withRate = order
        withRate.conversionRate = 1
        try withRate.validate()
    }

    @Test func nullAndEmptyStringsReadAsAbsent() throws {
        let body = try Fixtures.mutatedBody {
            $0["total_wrapping"] = NSNull()
            $0["id_carrier"] = ""
            $0["payment"] = NSNull()
        }
        let order = try PrestaShopOrder.validated(from: body)
        #expect(order.totalWrapping == 0)
        #expect(order.carrierID == 0)
        #expect(order.payment == "")
    }

    @Test(arguments: [
        ("\"1\"", true), ("\"0\"", false), ("1", true), ("0", false), ("true", true), ("false", false),
    ])
    func booleansInEveryForm(literal: String, expected: Bool) throws {
        var text = Fixtures.orderGetResponse
        text = text.replacingOccurrences(of: #""valid": "1""#, with: #""valid": \#(literal)"#)
        #expect(text.contains(#""valid": \#(literal)"#))
        let order = try PrestaShopOrder.validated(from: Data(text.utf8))
        #expect(order.isValid == expected)
    }

    @Test func absentValidFlagIsFalse() throws {
        let order = try PrestaShopOrder.validated(from: try Fixtures.mutatedBody { $0.removeValue(forKey: "valid") })
        #expect(order.isValid == false)
    }

    @Test func garbageBooleanIsRejected() throws {
        let error = validationError(try Fixtures.mutatedBody { $0["valid"] = "yes" })
        #expect(error == PrestaShopPayloadError(path: "order.valid", problem: .malformedBoolean))
    }

    @Test func shopIDDefaultsToOneWhenAbsent() throws {
        let order = try PrestaShopOrder.validated(
            from: try Fixtures.mutatedBody {
                $0.removeValue(forKey: "id_shop")
                $0.removeValue(forKey: "id_shop_group")
            }
        )
        #expect(order.shopID == 1)
        #expect(order.shopGroupID == 1)
    }

    @Test func multistoreShopIDIsKept() throws {
        let order = try PrestaShopOrder.validated(from: try Fixtures.mutatedBody { $0["id_shop"] = 3 })
        #expect(order.shopID == 3)
    }

    @Test func emptyRowsWrittenAsBareArrayDecodeToNoRows() throws {
        let body = try Fixtures.mutatedBody { $0["associations"] = ["order_rows": [Any]()] }
        let order = try PrestaShopOrder(jsonBody: body)
        #expect(order.rows.isEmpty)
        #expect(validationError(body) == PrestaShopPayloadError(path: "order.associations.order_rows", problem: .empty))
    }

    @Test func emptyAssociationsWrittenAsBareArrayDecodeToNoRows() throws {
        let body = try Fixtures.mutatedBody { $0["associations"] = [Any]() }
        #expect(try PrestaShopOrder(jsonBody: body).rows.isEmpty)
        #expect(validationError(body) == PrestaShopPayloadError(path: "order.associations.order_rows", problem: .empty))
    }

    @Test func missingAssociationsOrRowsDecodeToNoRows() throws {
        let withoutAssociations = try Fixtures.mutatedBody { $0.removeValue(forKey: "associations") }
        #expect(try PrestaShopOrder(jsonBody: withoutAssociations).rows.isEmpty)
        let withoutRows = try Fixtures.mutatedBody { $0["associations"] = ["carriers": [Any]()] }
        #expect(try PrestaShopOrder(jsonBody: withoutRows).rows.isEmpty)
        #expect(
            validationError(withoutRows)
                == PrestaShopPayloadError(path: "order.associations.order_rows", problem: .empty)
        )
    }

    @Test func rowsWrittenAsObjectWithNumericKeysAreAList() throws {
        // PHP writes a list whose keys are not 0…n-1 as an object.
        let body = try Fixtures.mutatedBody { order in
            let associations = try #require(order["associations"] as? [String: Any])
            let rows = try #require(associations["order_rows"] as? [[String: Any]])
            var second = rows[0]
            second["id"] = 983_223
            second["product_quantity"] = 4
            order["associations"] = ["order_rows": ["2": second, "1": rows[0]]]
        }
        let order = try PrestaShopOrder(jsonBody: body)
        #expect(order.rows.map(\.id) == [983_222, 983_223])
        #expect(order.rows.map(\.quantity) == [1, 4])
    }

    @Test func multipleRowsKeepTheirOrder() throws {
        let body = try Fixtures.mutatedBody { order in
            var associations = try #require(order["associations"] as? [String: Any])
            var rows = try #require(associations["order_rows"] as? [[String: Any]])
            var second = rows[0]
            second["id"] = 2
            second["product_id"] = 7
            second["product_attribute_id"] = "12"
            second["product_quantity"] = "3"
            rows.append(second)
            associations["order_rows"] = rows
            order["associations"] = associations
        }
        let order = try PrestaShopOrder(jsonBody: body)
        #expect(order.rows.count == 2)
        #expect(order.rows[1].productID == 7)
        #expect(order.rows[1].productAttributeID == 12)
        #expect(order.rows[1].quantity == 3)
    }
}

@Suite("PrestaShopOrder validation errors")
struct PrestaShopOrderValidationTests {
    /// Each required field removed from the fixture, and the path the error must name.
    @Test(arguments: [
        ("id", "order.id", PrestaShopPayloadError.Problem.missing),
        ("reference", "order.reference", .missing),
        ("id_customer", "order.id_customer", .missing),
        ("id_currency", "order.id_currency", .missing),
        ("associations", "order.associations.order_rows", .empty),
    ])
    func missingRequiredField(key: String, path: String, problem: PrestaShopPayloadError.Problem) throws {
        let body = try Fixtures.mutatedBody { $0.removeValue(forKey: key) }
        #expect(validationError(body) == PrestaShopPayloadError(path: path, problem: problem))
    }

    @Test(arguments: [
        ("product_quantity", PrestaShopPayloadError.Problem.missing),
        ("product_id", .missing),
    ])
    func missingRowField(key: String, problem: PrestaShopPayloadError.Problem) throws {
        let body = try Fixtures.mutatedBody { order in
            var associations = try #require(order["associations"] as? [String: Any])
            var rows = try #require(associations["order_rows"] as? [[String: Any]])
            rows.append(rows[0])
            rows[1].removeValue(forKey: key)
            associations["order_rows"] = rows
            order["associations"] = associations
        }
        let error = validationError(body)
        #expect(error == PrestaShopPayloadError(path: "order.associations.order_rows[1].\(key)", problem: problem))
        #expect(error?.description == "order.associations.order_rows[1].\(key) is missing")
    }

    @Test(arguments: [
        ("id", -5, "order.id"), ("id_customer", -1, "order.id_customer"), ("id_currency", -2, "order.id_currency"),
        ("id_shop", 0, "order.id_shop"), ("id_shop", -1, "order.id_shop"),
    ])
    func nonPositiveIDs(key: String, value: Int, path: String) throws {
        let body = try Fixtures.mutatedBody { $0[key] = value }
        #expect(validationError(body) == PrestaShopPayloadError(path: path, problem: .notPositive))
    }

    @Test func negativeQuantityIsRejected() throws {
        let body = try Fixtures.mutatedBody { order in
            var associations = try #require(order["associations"] as? [String: Any])
            var rows = try #require(associations["order_rows"] as? [[String: Any]])
            rows[0]["product_quantity"] = "-2"
            associations["order_rows"] = rows
            order["associations"] = associations
        }
        #expect(
            validationError(body)
                == PrestaShopPayloadError(
                    path: "order.associations.order_rows[0].product_quantity",
                    problem: .notPositive
                )
        )
    }

    @Test func blankReferenceIsRejected() throws {
        #expect(
            validationError(try Fixtures.mutatedBody { $0["reference"] = "   " })
                == PrestaShopPayloadError(path: "order.reference", problem: .empty)
        )
    }

    @Test(arguments: [
        ("total_paid", "20,23"), ("total_paid", "abc"), ("total_paid_tax_incl", "12abc"), ("total_shipping", "1e5"),
        ("total_products", "."), ("total_products_wt", "1."), ("conversion_rate", ".5"), ("carrier_tax_rate", "--1"),
        ("total_paid_real", " 1.00"), ("total_discounts", "+1.0"), ("total_wrapping", "1.2.3"),
        ("total_paid_tax_excl", "NaN"), ("total_shipping_tax_incl", "Infinity"),
    ])
    func garbageDecimalsNameTheField(key: String, value: String) throws {
        let body = try Fixtures.mutatedBody { $0[key] = value }
        #expect(validationError(body) == PrestaShopPayloadError(path: "order.\(key)", problem: .malformedDecimal))
    }

    @Test func garbageDecimalInARowNamesTheRow() throws {
        let body = try Fixtures.mutatedBody { order in
            var associations = try #require(order["associations"] as? [String: Any])
            var rows = try #require(associations["order_rows"] as? [[String: Any]])
            rows[0]["unit_price_tax_incl"] = "11,73"
            associations["order_rows"] = rows
            order["associations"] = associations
        }
        #expect(
            validationError(body)
                == PrestaShopPayloadError(
                    path: "order.associations.order_rows[0].unit_price_tax_incl",
                    problem: .malformedDecimal
                )
        )
    }

    @Test(arguments: [
        ("id", "12a", PrestaShopPayloadError.Problem.notAnInteger),
        ("id", "1.5", .notAnInteger),
        ("id_customer", "", .missing),
        ("id_currency", "0x1", .notAnInteger),
    ])
    func badIDStrings(key: String, value: String, problem: PrestaShopPayloadError.Problem) throws {
        let body = try Fixtures.mutatedBody { $0[key] = value }
        #expect(validationError(body) == PrestaShopPayloadError(path: "order.\(key)", problem: problem))
    }

    @Test func fractionalIDNumberIsRejected() throws {
        let body = Data(
            Fixtures.orderGetResponse.replacingOccurrences(of: #""id_customer": 532822"#, with: #""id_customer": 5.5"#)
                .utf8
        )
        #expect(validationError(body) == PrestaShopPayloadError(path: "order.id_customer", problem: .notAnInteger))
    }

    @Test func wrongJSONTypesAreNamed() throws {
        #expect(
            validationError(try Fixtures.mutatedBody { $0["id"] = ["nested": 1] })
                == PrestaShopPayloadError(path: "order.id", problem: .wrongType(expected: "a whole number"))
        )
        #expect(
            validationError(try Fixtures.mutatedBody { $0["total_paid"] = true })
                == PrestaShopPayloadError(path: "order.total_paid", problem: .wrongType(expected: "a decimal number"))
        )
        #expect(
            validationError(try Fixtures.mutatedBody { $0["reference"] = [1, 2] })
                == PrestaShopPayloadError(path: "order.reference", problem: .wrongType(expected: "a string"))
        )
        #expect(
            validationError(try Fixtures.mutatedBody { $0["associations"] = ["order_rows": "none"] })
                == PrestaShopPayloadError(
                    path: "order.associations.order_rows",
                    problem: .wrongType(expected: "a list")
                )
        )
        #expect(
            validationError(try Fixtures.mutatedBody { $0["associations"] = ["order_rows": [5]] })
                == PrestaShopPayloadError(
                    path: "order.associations.order_rows[0]",
                    problem: .wrongType(expected: "an object")
                )
        )
    }

    @Test(arguments: [
        (#"99999999999999999999"#, "order.id"),
        (#"1e400"#, "order.id"),
        (#""123456789012345678901234567890""#, "order.id"),
    ])
    func hugeIDs(literal: String, path: String) throws {
        let body = Data(
            Fixtures.orderGetResponse.replacingOccurrences(of: #""id": 549085"#, with: #""id": \#(literal)"#).utf8
        )
        #expect(validationError(body) == PrestaShopPayloadError(path: path, problem: .outOfRange))
    }

    @Test(arguments: [
        #""total_paid": 1e400"#, #""total_paid": "1000000000000000000.000000""#,
        #""total_paid": 123456789012345678901234567890123456789012345"#,
    ])
    func hugeAmounts(replacement: String) throws {
        let body = Data(
            Fixtures.orderGetResponse.replacingOccurrences(of: #""total_paid": "20.230000""#, with: replacement).utf8
        )
        #expect(validationError(body) == PrestaShopPayloadError(path: "order.total_paid", problem: .outOfRange))
    }

    @Test func hugeQuantityIsOutOfRange() throws {
        let body = Data(
            Fixtures.orderGetResponse.replacingOccurrences(
                of: #""product_quantity": 1"#,
                with: #""product_quantity": 1000000000000000000000"#
            ).utf8
        )
        #expect(
            validationError(body)
                == PrestaShopPayloadError(
                    path: "order.associations.order_rows[0].product_quantity",
                    problem: .outOfRange
                )
        )
    }

    @Test(arguments: ["", "not json", "{", "[1,2", "\u{0}"])
    func notJSON(text: String) {
        #expect(validationError(Data(text.utf8)) == PrestaShopPayloadError(path: "$", problem: .malformedDocument))
    }

    @Test(arguments: [#"[]"#, #""order""#, #"42"#, #"null"#, #"[{"order":{}}]"#])
    func nonObjectJSON(text: String) {
        let error = validationError(Data(text.utf8))
        #expect(error?.path == "$")
    }

    @Test(arguments: [
        (#"{}"#, PrestaShopPayloadError(path: "order", problem: .missing)),
        (#"{"order":null}"#, PrestaShopPayloadError(path: "order", problem: .missing)),
        (#"{"order":[]}"#, PrestaShopPayloadError(path: "order", problem: .wrongType(expected: "an object"))),
        (#"{"order":"549085"}"#, PrestaShopPayloadError(path: "order", problem: .wrongType(expected: "an object"))),
        (#"{"orders":[{"id":1}]}"#, PrestaShopPayloadError(path: "order", problem: .missing)),
        (#"{"order":{}}"#, PrestaShopPayloadError(path: "order.id", problem: .missing)),
    ])
    func orderObjectMustBePresent(text: String, expected: PrestaShopPayloadError) {
        #expect(validationError(Data(text.utf8)) == expected)
    }

    @Test func errorDescriptionsCarryNoValues() throws {
        let error = try #require(validationError(try Fixtures.mutatedBody { $0["total_paid"] = "SECRET-VALUE" }))
        #expect(error.description == #"order.total_paid must be a decimal number such as "20.230000""#)
        #expect(!error.description.contains("SECRET-VALUE"))
    }

    @Test func validateChecksADecodedOrder() throws {
        var order = try PrestaShopOrder(jsonBody: Data(Fixtures.orderGetResponse.utf8))
        try order.validate()
        order.rows[0].quantity = 0
        #expect(
            throws: PrestaShopPayloadError(path: "order.associations.order_rows[0].product_quantity", problem: .missing)
        ) {
            try order.validate()
        }
    }
}

@Suite("PrestaShopDateTime")
struct PrestaShopDateTimeTests {
    @Test func formatsAndParsesInTheShopTimeZone() throws {
        let paris = try #require(TimeZone(identifier: "Europe/Paris"))
        let date = Date(timeIntervalSince1970: 1_729_674_556)  // 2024-10-23 09:09:16 UTC
        #expect(PrestaShopDateTime.format(date, timeZone: paris) == "2024-10-23 11:09:16")
        #expect(PrestaShopDateTime.format(date, timeZone: TimeZone(identifier: "UTC")!) == "2024-10-23 09:09:16")
        #expect(PrestaShopDateTime.parse("2024-10-23 11:09:16", timeZone: paris) == date)
    }

    @Test(arguments: [
        "", "2024-10-23", "2024-10-23T11:09:16", "2024-13-01 00:00:00", "2024-02-30 00:00:00",
        "2024-10-23 24:00:00", "abcd-ef-gh ij:kl:mn",
    ])
    func rejectsOtherForms(text: String) {
        #expect(PrestaShopDateTime.parse(text, timeZone: TimeZone(identifier: "UTC")!) == nil)
    }
}
