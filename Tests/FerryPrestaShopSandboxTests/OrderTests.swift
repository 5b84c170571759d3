import FerryPrestaShopSandbox
import FerrySandboxData
import Foundation
import Testing

func historyXML(order: Int, state: Int) -> String {
    "<prestashop><order_history><id_order>\(order)</id_order>"
        + "<id_order_state>\(state)</id_order_state></order_history></prestashop>"
}

func round2(_ value: Decimal) -> Decimal {
    var input = value
    var result = Decimal()
    NSDecimalRound(&result, &input, 2, .plain)
    return result
}

@Suite("Orders: consistency, state machine, history")
struct OrderTests {
    /// A product id per tax rules group (1 standard, 2 reduced, 3 books).
    private func productsByTaxGroup(_ client: SandboxClient) async throws -> [Int: (id: Int, price: Decimal)] {
        var result: [Int: (id: Int, price: Decimal)] = [:]
        for group in [1, 2, 3] {
            let list = try await client.getJSON(
                "/api/products?display=\(encoded("[id,price]"))"
                    + "&filter[id_tax_rules_group]=\(encoded("[\(group)]"))&limit=1"
            )
            let row = try #require((list.object?["products"] as? [[String: Any]])?.first, "group \(group)")
            result[group] = (try #require(row["id"] as? Int), try #require(decimal(row["price"])))
        }
        return result
    }

    @Test(arguments: [8, 1, 10, 14, 18, 20, 26])
    func totalsAreConsistentForTheDeliveryCountry(countryID: Int) async throws {
        try await withSandbox { client in
            let country = try #require(smallDataset.country(id: countryID))
            let currency = try #require(smallDataset.currency(id: country.currencyID))
            let products = try await productsByTaxGroup(client)
            let place = try await address(in: countryID, client)
            let orderID = try await client.createOrder([
                "customerId": place.customerID, "addressId": place.addressID, "carrierId": 3, "state": 2,
                "paymentModule": "stripe_official",
                "rows": [1, 2, 3].map { ["productId": products[$0]!.id, "quantity": $0] },
            ])
            let order = try await client.order(orderID)
            #expect(order["id_currency"] as? Int == currency.id)
            #expect(decimal(order["conversion_rate"]) == currency.conversionRate)
            #expect(order["module"] as? String == "stripe_official")
            #expect(order["payment"] as? String == "Stripe")
            #expect(order["id_carrier"] as? Int == 3)
            #expect(order["id_shop"] as? Int == 1)
            #expect(order["valid"] as? String == "1")
            let reference = try #require(order["reference"] as? String)
            #expect(reference.count == 9 && reference.allSatisfy { $0.isUppercase && $0.isLetter && $0.isASCII })

            let details = try await client.getJSON(
                "/api/order_details?display=full&filter[id_order]=\(encoded("[\(orderID)]"))"
            )
            let rows = try #require(details.object?["order_details"] as? [[String: Any]], "\(details.body)")
            #expect(rows.count == 3)
            var productsExcl: Decimal = 0
            var productsIncl: Decimal = 0
            for row in rows {
                let group = try #require(row["id_tax_rules_group"] as? Int)
                let rate = try #require(country.vatRates[group])
                let quantity = try #require(row["product_quantity"] as? Int)
                let unitExcl = try #require(decimal(row["unit_price_tax_excl"]))
                let totalExcl = try #require(decimal(row["total_price_tax_excl"]))
                let totalIncl = try #require(decimal(row["total_price_tax_incl"]))
                #expect(decimal(row["tax_rate"]) == rate)
                #expect(unitExcl == round2(products[group]!.price * currency.conversionRate))
                #expect(decimal(row["unit_price_tax_incl"]) == round2(unitExcl * (1 + rate / 100)))
                #expect(totalExcl == unitExcl * Decimal(quantity))
                #expect(totalIncl == round2(totalExcl * (1 + rate / 100)))
                #expect((row["unit_price_tax_incl"] as? String)?.split(separator: ".").last?.count == 6)
                productsExcl += totalExcl
                productsIncl += totalIncl
            }
            let shippingExcl = try #require(decimal(order["total_shipping_tax_excl"]))
            let shippingIncl = try #require(decimal(order["total_shipping_tax_incl"]))
            let carrierRate = try #require(decimal(order["carrier_tax_rate"]))
            #expect(carrierRate == country.vatRates[1])
            #expect(shippingIncl == round2(shippingExcl * (1 + carrierRate / 100)))
            #expect(decimal(order["total_shipping"]) == shippingIncl)
            #expect(decimal(order["total_products"]) == productsExcl)
            #expect(decimal(order["total_products_wt"]) == productsIncl)
            #expect(decimal(order["total_paid_tax_excl"]) == productsExcl + shippingExcl)
            #expect(decimal(order["total_paid_tax_incl"]) == productsIncl + shippingIncl)
            #expect(decimal(order["total_paid"]) == productsIncl + shippingIncl)
            #expect(decimal(order["total_paid_real"]) == productsIncl + shippingIncl)

            let payments = try await client.getJSON(
                "/api/order_payments?display=full&filter[order_reference]=\(encoded("[\(reference)]"))"
            )
            let payment = try #require(
                (payments.object?["order_payments"] as? [[String: Any]])?.first,
                "\(payments.body)"
            )
            #expect(decimal(payment["amount"]) == productsIncl + shippingIncl)
            #expect(payment["id_currency"] as? Int == currency.id)
            #expect(payment["payment_method"] as? String == "Stripe")
        }
    }

    @Test func combinationPriceImpactIsInTheUnitPrice() async throws {
        try await withSandbox { client in
            let product = try #require(try await firstProductWithCombinations(client))
            let productID = try #require(product["id"] as? Int)
            let price = try #require(decimal(product["price"]))
            let combinations = try #require(
                (product["associations"] as? [String: Any])?["combinations"] as? [[String: Any]]
            )
            let combinationID = try #require(combinations.last?["id"] as? Int)
            let combination = try #require(
                try await client.getJSON("/api/combinations/\(combinationID)").object?["combination"] as? [String: Any]
            )
            let impact = try #require(decimal(combination["price"]))
            #expect(impact > 0)
            let french = try await address(in: 8, client)
            let orderID = try await client.createOrder([
                "customerId": french.customerID, "addressId": french.addressID,
                "rows": [["productId": productID, "productAttributeId": combinationID]],
            ])
            let rows =
                (try await client.order(orderID)["associations"] as? [String: Any])?["order_rows"] as? [[String: Any]]
            let row = try #require(rows?.first)
            #expect(row["product_attribute_id"] as? Int == combinationID)
            #expect(decimal(row["unit_price_tax_excl"]) == price + impact)
            #expect(row["product_reference"] as? String == combination["reference"] as? String)
        }
    }

    @Test func orderHistoriesChangeTheStateOnce() async throws {
        try await withSandbox { client in
            let orderID = try await client.createOrder([
                "customerId": 5, "rows": [["productId": 9]], "state": 2, "date": "2024-01-02 03:04:05",
            ])
            func post(_ state: Int, sendEmail: Bool) async throws -> HTTPResult {
                try await client.request(
                    "POST",
                    "/api/order_histories?output_format=JSON" + (sendEmail ? "&sendemail=1" : ""),
                    body:
                        historyXML(order: orderID, state: state)
                )
            }
            let first = try await post(3, sendEmail: false)
            #expect(first.status == 201, "\(first.body)")
            let history = try #require(first.object?["order_history"] as? [String: Any])
            #expect(history["id_order_state"] as? Int == 3)
            var order = try await client.order(orderID)
            #expect(order["current_state"] as? Int == 3)
            #expect(order["date_upd"] as? String != "2024-01-02 03:04:05")
            #expect(order["date_add"] as? String == "2024-01-02 03:04:05")

            #expect(try await post(4, sendEmail: true).status == 201)
            let repeated = try await post(4, sendEmail: true)
            #expect(repeated.status == 201)

            let timeline = try #require(try await client.control("GET", "orders/\(orderID)/history").object)
            let entries = try #require(timeline["history"] as? [[String: Any]])
            #expect(entries.compactMap { $0["stateId"] as? Int } == [2, 3, 4])
            let emails = try #require(timeline["emails"] as? [[String: Any]])
            #expect(emails.compactMap { $0["stateId"] as? Int } == [4])
            order = try await client.order(orderID)
            #expect(order["current_state"] as? Int == 4)
            #expect(order["delivery_number"] as? Int != nil)

            let listed = try await client.getJSON(
                "/api/order_histories?display=full&filter[id_order]=\(encoded("[\(orderID)]"))"
            )
            #expect((listed.object?["order_histories"] as? [[String: Any]])?.count == 3)
        }
    }

    @Test func patchingCurrentStateAlwaysEmails() async throws {
        try await withSandbox { client in
            let orderID = try await client.createOrder(["customerId": 6, "rows": [["productId": 10]], "state": 2])
            let body = "<prestashop><order><id>\(orderID)</id><current_state>6</current_state></order></prestashop>"
            let patch = try await client.request("PATCH", "/api/orders/\(orderID)?output_format=JSON", body: body)
            #expect(patch.status == 200, "\(patch.body)")
            #expect((patch.object?["order"] as? [String: Any])?["current_state"] as? Int == 6)
            _ = try await client.request("PATCH", "/api/orders/\(orderID)", body: body)
            let timeline = try #require(try await client.control("GET", "orders/\(orderID)/history").object)
            #expect((timeline["history"] as? [[String: Any]])?.count == 2)
            #expect((timeline["emails"] as? [[String: Any]])?.compactMap { $0["stateId"] as? Int } == [6])
            let order = try await client.order(orderID)
            #expect(order["valid"] == nil)  // canceled is not logable: "0" is dropped
        }
    }

    @Test func putWithTheFixtureBodyReplacesTheOrder() async throws {
        try await withSandbox { client in
            let orderID = try await client.createOrder([
                "customerId": 2, "rows": [["productId": 1]], "state": 2, "carrierId": 2,
            ])
            let before = try await client.order(orderID)
            let address = try #require(before["id_address_delivery"] as? Int)
            // fixtures/prestashop-order-update-request.xml with this order's ids.
            let body = """
                <?xml version="1.0" encoding="UTF-8"?>
                <prestashop xmlns:xlink="http://www.w3.org/1999/xlink">
                  <order>
                    <id>\(orderID)</id>
                    <id_address_delivery>\(address)</id_address_delivery>
                    <id_address_invoice>\(address)</id_address_invoice>
                    <id_cart>5</id_cart>
                    <id_currency>1</id_currency>
                    <id_lang>1</id_lang>
                    <id_customer>2</id_customer>
                    <id_carrier>2</id_carrier>
                    <current_state>1</current_state>
                    <module><![CDATA[ps_checkpayment]]></module>
                    <invoice_number><![CDATA[1]]></invoice_number>
                    <invoice_date><![CDATA[2024-01-15 10:00:00]]></invoice_date>
                    <shipping_number><![CDATA[123ABCDEF]]></shipping_number>
                    <valid>0</valid>
                    <note><![CDATA[Da Ba De Da Da]]></note>
                    <id_shop_group>1</id_shop_group>
                    <id_shop>1</id_shop>
                    <secure_key><![CDATA[0123456789abcdef0123456789abcdef]]></secure_key>
                    <payment><![CDATA[Payment by check]]></payment>
                    <recyclable>1</recyclable>
                    <gift>1</gift>
                    <gift_message><![CDATA[Gift Message]]></gift_message>
                    <total_paid><![CDATA[22.940000]]></total_paid>
                    <total_paid_real><![CDATA[4.560000]]></total_paid_real>
                    <total_products><![CDATA[19.120000]]></total_products>
                    <total_products_wt><![CDATA[22.940000]]></total_products_wt>
                    <conversion_rate><![CDATA[1.000000]]></conversion_rate>
                    <reference><![CDATA[JKLMNOPQR]]></reference>
                  </order>
                </prestashop>
                """
            let put = try await client.request("PUT", "/api/orders/\(orderID)", body: body)
            #expect(put.status == 200, "\(put.body)")
            #expect(put.body.contains("<note><![CDATA[Da Ba De Da Da]]></note>"))
            let order = try await client.order(orderID)
            #expect(order["current_state"] as? Int == 1)
            #expect(order["module"] as? String == "ps_checkpayment")
            #expect(order["gift"] as? String == "1")
            #expect(order["shipping_number"] as? String == "123ABCDEF")
            #expect(order["total_paid"] as? String == "22.940000")
            // Omitted by the body, so reset by PUT.
            #expect(order["total_shipping"] as? String == "0.000000")
            #expect(order["total_paid_tax_incl"] as? String == "0.000000")
            #expect(order["round_mode"] == nil)
            let timeline = try #require(try await client.control("GET", "orders/\(orderID)/history").object)
            #expect((timeline["history"] as? [[String: Any]])?.compactMap { $0["stateId"] as? Int } == [2, 1])
            #expect((timeline["emails"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func unpaidOrderGetsItsPaymentWhenPaid() async throws {
        try await withSandbox { client in
            let orderID = try await client.createOrder([
                "customerId": 7, "rows": [["productId": 11]], "state": 10, "paymentModule": "ps_wirepayment",
            ])
            var order = try await client.order(orderID)
            let reference = try #require(order["reference"] as? String)
            #expect(order["valid"] == nil)
            #expect(order["total_paid_real"] as? String == "0.000000")
            let noPayments = try await client.getJSON(
                "/api/order_payments?filter[order_reference]=\(encoded("[\(reference)]"))"
            )
            #expect(noPayments.body == "[]")

            _ = try await client.request(
                "POST",
                "/api/order_histories",
                body:
                    historyXML(order: orderID, state: 2)
            )
            order = try await client.order(orderID)
            #expect(order["valid"] as? String == "1")
            #expect(order["total_paid_real"] as? String == order["total_paid"] as? String)
            let payments = try await client.getJSON(
                "/api/order_payments?filter[order_reference]=\(encoded("[\(reference)]"))"
            )
            #expect((payments.object?["order_payments"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func ordersTakeStock() async throws {
        try await withSandbox { client in
            let product = try #require(
                try await client.getJSON("/api/products/2").object?["product"] as? [String: Any]
            )
            let before = product["quantity"] as? Int ?? 0
            _ = try await client.createOrder(["customerId": 1, "rows": [["productId": 2, "quantity": 2]]])
            let after =
                (try await client.getJSON("/api/products/2").object?["product"] as? [String: Any])?["quantity"] as? Int
                ?? 0
            #expect(after == before - 2)
        }
    }

    @Test func orderStatesAreConfigurable() async throws {
        // OrderState has no public initialiser, so a custom set is a subset of the defaults here.
        let states = SandboxDataset.defaultOrderStates.filter { [1, 2, 4, 14].contains($0.id) }
        try await withSandbox(configuration { $0.orderStates = states }) { client in
            let list = try await client.getJSON("/api/order_states?display=full")
            let rows = try #require(list.object?["order_states"] as? [[String: Any]])
            #expect(rows.compactMap { $0["id"] as? Int } == [1, 2, 4, 14])
            let custom = try #require(rows.last)
            #expect(custom["paid"] as? String == "1")
            #expect((custom["name"] as? [[String: Any]])?.first?["value"] as? String == "Exported to ERP")
            let orderID = try await client.createOrder(["customerId": 1, "rows": [["productId": 1]], "state": 14])
            #expect(try await client.order(orderID)["current_state"] as? Int == 14)
            let rejected = try await client.control(
                "POST",
                "orders",
                ["customerId": 1, "rows": [["productId": 1]], "state": 3]
            )
            #expect(rejected.status == 400)
        }
    }
}
