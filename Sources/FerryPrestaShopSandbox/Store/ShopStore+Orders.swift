import FerrySandboxData
import Foundation

/// Why `POST /_sandbox/orders` could not create an order.
struct OrderSpecError: Error, Sendable {
    let message: String
}

/// An order as created: its id and reference.
struct CreatedOrder: Sendable {
    let id: Int
    let reference: String
}

extension ShopStore {
    // MARK: - State machine

    /// `OrderHistory::changeIdOrderState()` + history row: new state, `valid`, payments, invoice and delivery
    /// numbers, `date_upd`, and an e-mail when asked. Returns the history row, or nil when the state is unchanged.
    /// The caller stores `order`.
    func changeState(of order: inout Record, to stateID: Int, sendEmail: Bool, employeeID: Int = 0) -> Record? {
        guard order["current_state"].intValue != stateID, let state = orderState(stateID) else { return nil }
        let timestamp = self.timestamp
        let historyID = nextID("order_histories")
        let history = Record(
            id: historyID,
            fields: [
                "id_employee": .int(employeeID), "id_order_state": .int(stateID), "id_order": .int(order.id),
                "date_add": .string(timestamp),
            ]
        )
        insert("order_histories", history)
        historiesByOrder[order.id, default: []].append(historyID)

        order["current_state"] = .int(stateID)
        order["valid"] = .bool(state["logable"].boolValue)
        order["date_upd"] = .string(timestamp)
        if state["paid"].boolValue {
            let reference = order["reference"].stringValue
            if (paymentsByReference[reference] ?? []).isEmpty {
                addPayment(for: order, date: timestamp)
            }
            order["total_paid_real"] = order["total_paid_tax_incl"]
        }
        if state["invoice"].boolValue, (order["invoice_number"].intValue ?? 0) == 0 {
            order["invoice_number"] = .int(nextInvoiceNumber)
            order["invoice_date"] = .string(timestamp)
            nextInvoiceNumber += 1
        }
        if state["delivery"].boolValue, (order["delivery_number"].intValue ?? 0) == 0 {
            order["delivery_number"] = .int(nextDeliveryNumber)
            order["delivery_date"] = .string(timestamp)
            nextDeliveryNumber += 1
        }
        if sendEmail, state["send_email"].boolValue {
            let template: String = if case .text(let names) = state["template"] { names[1] ?? "" } else { "" }
            emails.append(SentEmail(orderID: order.id, stateID: stateID, template: template, date: timestamp))
        }
        return history
    }

    private func addPayment(for order: Record, date: String) {
        let id = nextID("order_payments")
        let module = order["module"].stringValue
        let transaction = ["stripe_official": "pi_", "paypal": "PAYID-"][module].map { $0 + randomHex(16) } ?? ""
        insert(
            "order_payments",
            Record(
                id: id,
                fields: [
                    "order_reference": order["reference"], "id_currency": order["id_currency"],
                    "amount": order["total_paid_tax_incl"], "payment_method": order["payment"],
                    "conversion_rate": order["conversion_rate"], "transaction_id": .string(transaction),
                    "card_number": .string(""), "card_brand": .string(""), "card_expiration": .string(""),
                    "card_holder": .string(""), "date_add": .string(date), "id_employee": .int(0),
                ]
            )
        )
        paymentsByReference[order["reference"].stringValue, default: []].append(id)
    }

    // MARK: - Creating orders

    /// Creates an order as `PaymentModule::validateOrder()` would: order, details, first history row, payment
    /// for paid states, stock decrement.
    func createOrder(_ spec: OrderSpec) throws(OrderSpecError) -> CreatedOrder {
        guard let customer = record("customers", spec.customerID) else {
            throw OrderSpecError(message: "customer \(spec.customerID) does not exist")
        }
        guard !spec.rows.isEmpty else { throw OrderSpecError(message: "an order needs at least one row") }
        guard orderState(spec.stateID) != nil else {
            throw OrderSpecError(message: "order state \(spec.stateID) does not exist")
        }
        let deliveryID = spec.deliveryAddressID ?? addressesByCustomer[spec.customerID]?.first ?? 0
        guard let address = record("addresses", deliveryID) else {
            throw OrderSpecError(message: "address \(deliveryID) does not exist")
        }
        let invoiceID = spec.invoiceAddressID ?? deliveryID
        guard exists("addresses", id: invoiceID) else {
            throw OrderSpecError(message: "address \(invoiceID) does not exist")
        }
        let countryID = address["id_country"].intValue ?? 0
        guard let country = record("countries", countryID) else {
            throw OrderSpecError(message: "country \(countryID) does not exist")
        }
        let currencyID = country["id_currency"].intValue.flatMap { $0 == 0 ? nil : $0 } ?? 1
        let conversionRate = record("currencies", currencyID)?["conversion_rate"].decimalValue ?? 1
        let moduleName = spec.paymentModule ?? dataset.paymentModules.first?.module ?? "ps_wirepayment"
        let paymentLabel = dataset.paymentModules.first { $0.module == moduleName }?.label ?? moduleName
        let carrierID = spec.carrierID ?? dataset.carriers.first?.id ?? 1

        var lines: [OrderFactory.Line] = []
        for row in spec.rows {
            guard (1...1_000_000).contains(row.quantity) else {
                throw OrderSpecError(message: "quantity must be between 1 and 1000000")
            }
            lines.append(try line(row, countryID: countryID, conversionRate: conversionRate, roundType: spec.roundType))
        }
        guard (1...3).contains(spec.roundType) else {
            throw OrderSpecError(message: "round_type must be 1 (item), 2 (line) or 3 (total)")
        }
        var rules: [SandboxDataset.CartRule] = []
        for id in spec.cartRuleIDs {
            guard let rule = dataset.cartRules.first(where: { $0.id == id }) else {
                throw OrderSpecError(message: "cart rule \(id) does not exist")
            }
            rules.append(rule)
        }
        let carrierTax = tax(group: dataset.carrierTaxCategoryID, country: countryID)?.rate ?? 0
        let wrappingTax = tax(group: dataset.giftWrappingTaxCategoryID, country: countryID)?.rate ?? 0
        let totals = OrderFactory.totals(
            lines: lines,
            carrierID: carrierID,
            carrierTaxRate: carrierTax,
            conversionRate: conversionRate,
            roundType: spec.roundType,
            rules: rules,
            wrapping: spec.giftWrapping ? (dataset.giftWrappingPrice, wrappingTax) : nil
        )

        let orderID = nextID("orders")
        let reference = newReference()
        let date = spec.date ?? dates.string(from: now())
        var order = Record(
            id: orderID,
            fields: [
                "id_address_delivery": .int(deliveryID), "id_address_invoice": .int(invoiceID),
                "id_cart": .int(nextCartID),
                "id_currency": .int(currencyID), "id_lang": .int(1), "id_customer": .int(spec.customerID),
                "id_carrier": .int(carrierID), "current_state": .int(0), "module": .string(moduleName),
                "invoice_number": .int(0), "invoice_date": .string("0000-00-00 00:00:00"), "delivery_number": .int(0),
                "delivery_date": .string("0000-00-00 00:00:00"), "valid": .bool(false), "date_add": .string(date),
                "date_upd": .string(date), "shipping_number": .string(""), "id_shop_group": .int(1), "id_shop": .int(1),
                "secure_key": customer["secure_key"], "payment": .string(paymentLabel), "recyclable": .bool(false),
                "gift": .bool(spec.giftWrapping), "gift_message": .string(spec.giftWrapping ? "Happy birthday!" : ""),
                "mobile_theme": .bool(false), "total_discounts": .decimal(totals.discountsTaxIncl),
                "total_discounts_tax_incl": .decimal(totals.discountsTaxIncl),
                "total_discounts_tax_excl": .decimal(totals.discountsTaxExcl),
                "total_paid": .decimal(totals.paidTaxIncl),
                "total_paid_tax_incl": .decimal(totals.paidTaxIncl),
                "total_paid_tax_excl": .decimal(totals.paidTaxExcl),
                "total_paid_real": .decimal(0), "total_products": .decimal(totals.productsTaxExcl),
                "total_products_wt": .decimal(totals.productsTaxIncl),
                "total_shipping": .decimal(totals.shippingTaxIncl),
                "total_shipping_tax_incl": .decimal(totals.shippingTaxIncl),
                "total_shipping_tax_excl": .decimal(totals.shippingTaxExcl),
                "carrier_tax_rate": .decimal(totals.carrierTaxRate), "total_wrapping": .decimal(totals.wrappingTaxIncl),
                "total_wrapping_tax_incl": .decimal(totals.wrappingTaxIncl),
                "total_wrapping_tax_excl": .decimal(totals.wrappingTaxExcl), "round_mode": .int(2),
                "round_type": .int(spec.roundType), "conversion_rate": .decimal(conversionRate),
                "reference": .string(reference),
                "note": .string(""),
            ]
        )
        nextCartID += 1

        for line in lines {
            let detailID = nextID("order_details")
            insert("order_details", Self.detailRecord(detailID, orderID: orderID, line: line))
            detailsByOrder[orderID, default: []].append(detailID)
            adjustStock(StockKey(productID: line.productID, attributeID: line.attributeID), by: -line.quantity)
        }
        for applied in totals.rules {
            insert(
                "order_cart_rules",
                Record(
                    id: nextID("order_cart_rules"),
                    fields: [
                        "id_order": .int(orderID), "id_cart_rule": .int(applied.rule.id), "id_order_invoice": .int(0),
                        "name": .string(applied.rule.name), "value": .decimal(applied.valueTaxIncl),
                        "value_tax_excl": .decimal(applied.valueTaxExcl), "free_shipping": .bool(applied.freeShipping),
                        "deleted": .bool(false),
                    ]
                )
            )
        }
        if let history = changeState(of: &order, to: spec.stateID, sendEmail: false) {
            // validateOrder() stamps the first history row with the order's own date.
            var first = history
            first["date_add"] = .string(date)
            insert("order_histories", first)
        }
        order["date_upd"] = .string(date)
        insert("orders", order)
        noteOrderCreated()
        return CreatedOrder(id: orderID, reference: reference)
    }

    private func line(
        _ row: OrderSpec.Row,
        countryID: Int,
        conversionRate: Decimal,
        roundType: Int
    ) throws(OrderSpecError) -> OrderFactory.Line {
        let product = record("products", row.productID)
        let combination = row.attributeID == 0 ? nil : record("combinations", row.attributeID)
        let productName: String = if case .text(let names) = product?["name"] ?? .null { names[1] ?? "" } else { "" }
        var name = row.name ?? (productName.isEmpty ? "Product #\(row.productID)" : productName)
        if row.name == nil, let combination {
            let label = combination["reference"].stringValue.split(separator: "-").last.map(String.init) ?? ""
            if !label.isEmpty { name += " - \(label)" }
        }
        let base =
            row.unitPriceTaxExcl
            ?? ((product?["price"].decimalValue ?? 10) + (combination?["price"].decimalValue ?? 0))
        let group = row.taxRulesGroupID ?? product?["id_tax_rules_group"].intValue ?? 1
        let tax = self.tax(group: group, country: countryID) ?? (0, 0, "")
        return OrderFactory.line(
            productID: row.productID,
            attributeID: row.attributeID,
            quantity: row.quantity,
            name: name,
            reference: row.reference ?? combination?["reference"].stringValue ?? product?["reference"].stringValue
                ?? "",
            ean13: combination?["ean13"].stringValue ?? product?["ean13"].stringValue ?? "",
            weight: product?["weight"].decimalValue ?? 0,
            basePrice: base,
            taxRulesGroupID: group,
            tax: tax,
            conversionRate: conversionRate,
            roundType: roundType
        )
    }

    private static func detailRecord(_ id: Int, orderID: Int, line: OrderFactory.Line) -> Record {
        Record(
            id: id,
            fields: [
                "id_order": .int(orderID), "product_id": .int(line.productID),
                "product_attribute_id": .int(line.attributeID), "product_quantity_reinjected": .int(0),
                "group_reduction": .decimal(0), "discount_quantity_applied": .int(0), "download_hash": .string(""),
                "download_deadline": .string("0000-00-00 00:00:00"), "id_order_invoice": .int(0),
                "id_warehouse": .int(0), "id_shop": .int(1), "id_customization": .int(0),
                "product_name": .string(line.name), "product_quantity": .int(line.quantity),
                "product_quantity_in_stock": .int(line.quantity), "product_quantity_return": .int(0),
                "product_quantity_refunded": .int(0), "product_price": .decimal(line.unitTaxExcl),
                "reduction_percent": .decimal(0), "reduction_amount": .decimal(0),
                "reduction_amount_tax_incl": .decimal(0), "reduction_amount_tax_excl": .decimal(0),
                "product_quantity_discount": .decimal(0), "product_ean13": .string(line.ean13),
                "product_isbn": .string(""), "product_upc": .string(""), "product_mpn": .string(""),
                "product_reference": .string(line.reference), "product_supplier_reference": .string(""),
                "product_weight": .decimal(line.weight), "tax_computation_method": .int(0),
                "id_tax_rules_group": .int(line.taxRulesGroupID), "ecotax": .decimal(0), "ecotax_tax_rate": .decimal(0),
                "download_nb": .int(0), "unit_price_tax_incl": .decimal(line.unitTaxIncl),
                "unit_price_tax_excl": .decimal(line.unitTaxExcl), "total_price_tax_incl": .decimal(line.totalTaxIncl),
                "total_price_tax_excl": .decimal(line.totalTaxExcl), "total_shipping_price_tax_excl": .decimal(0),
                "total_shipping_price_tax_incl": .decimal(0), "purchase_supplier_price": .decimal(0),
                "original_product_price": .decimal(line.unitTaxExcl), "original_wholesale_price": .decimal(0),
                "total_refunded_tax_excl": .decimal(0), "total_refunded_tax_incl": .decimal(0),
                "tax_name": .string(line.taxName), "tax_rate": .decimal(line.taxRate),
            ],
            associations: ["taxes": line.taxID == 0 ? [] : [["id": .int(line.taxID)]]]
        )
    }

    // MARK: - Views for the control API

    struct OrderTimeline: Sendable {
        let orderID: Int
        let currentState: Int
        let history: [Record]
        let emails: [SentEmail]
    }

    func timeline(orderID: Int) -> OrderTimeline? {
        guard let order = record("orders", orderID) else { return nil }
        return OrderTimeline(
            orderID: orderID,
            currentState: order["current_state"].intValue ?? 0,
            history: (historiesByOrder[orderID] ?? []).compactMap { record("order_histories", $0) },
            emails: emails.filter { $0.orderID == orderID }
        )
    }

    /// Adds a product (and its combinations) that exists only in the shop.
    func addShopOnlyProduct(
        name: String,
        price: Decimal,
        reference: String,
        ean13: String,
        taxRulesGroupID: Int,
        quantity: Int,
        combinations: [(reference: String, priceImpact: Decimal, quantity: Int)]
    ) -> (productID: Int, combinationIDs: [Int]) {
        let productID = nextID("products")
        let fields = CatalogueRows.productFields(
            name: name,
            frenchName: name,
            reference: reference,
            ean13: ean13,
            price: price,
            taxRulesGroupID: taxRulesGroupID,
            weight: Decimal(string: "0.5")!,
            hasCombinations: !combinations.isEmpty,
            date: timestamp
        )
        insert("products", Record(id: productID, fields: fields, associations: ["categories": [["id": .int(2)]]]))
        addStockRow(StockKey(productID: productID, attributeID: 0), quantity: combinations.isEmpty ? quantity : 0)
        var combinationIDs: [Int] = []
        for (offset, combination) in combinations.enumerated() {
            let id = nextID("combinations")
            insert(
                "combinations",
                Record(
                    id: id,
                    fields: CatalogueRows.combinationFields(
                        productID: productID,
                        reference: combination.reference,
                        ean13: "",
                        priceImpact: combination.priceImpact,
                        isDefault: offset == 0
                    )
                )
            )
            combinationsByProduct[productID, default: []].append(id)
            addStockRow(StockKey(productID: productID, attributeID: id), quantity: combination.quantity)
            combinationIDs.append(id)
        }
        syncProductStock(productID)
        return (productID, combinationIDs)
    }
}
