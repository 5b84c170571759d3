import FerryCore
import FerryPostgres
import FerryTestSupport
import Foundation
import Logging
import PostgresNIO
import Testing

@Suite struct MigrationTests {
    @Test func migrationsAreIdempotentAndSafeToRunConcurrently() async throws {
        try await TestDatabase.with(migrate: false) { client, _ in
            let logger = TestDatabase.logger
            let results = try await withThrowingTaskGroup(of: [Int].self) { group in
                for _ in 0..<4 { group.addTask { try await Migrations.migrate(client, logger: logger) } }
                return try await group.reduce(into: [[Int]]()) { $0.append($1) }
            }
            #expect(
                results.flatMap { $0 }.sorted() == Migrations.all.map(\.version),
                "each migration applied exactly once"
            )
            #expect(try await Migrations.migrate(client, logger: logger).isEmpty)
        }
    }

    @Test func databaseURLsParse() throws {
        let c = try DatabaseConfiguration(url: "postgres://ferry:s3cret@db.internal:6432/ferry?sslmode=require")
        #expect(c.host == "db.internal" && c.port == 6432 && c.username == "ferry" && c.password == "s3cret")
        #expect(c.database == "ferry" && c.tls == .require)
        #expect(throws: DatabaseError.self) { try DatabaseConfiguration(url: "mysql://x@y/z") }
        do {
            _ = try DatabaseConfiguration(url: "postgres://u:topsecret@h/d?sslmode=bogus")
            Issue.record("expected an error")
        } catch {
            #expect(!error.description.contains("topsecret"))
        }
    }
}

@Suite struct MappingStoreTests {
    static let order = ShopOrder(
        id: 10,
        shopID: 1,
        reference: "ABCDEFGHI",
        customerID: 5,
        deliveryAddressID: 6,
        currencyID: 1,
        carrierID: 2,
        paymentModule: "ps_wirepayment",
        currentState: 2,
        dateAdd: "2026-11-26 10:00:00",
        totalPaidTaxIncl: 12,
        totalShippingTaxExcl: 0,
        totalShippingTaxIncl: 0,
        lines: [
            .init(
                rowID: 1,
                productID: 100,
                combinationID: 3,
                reference: "FS-00100-M",
                name: "A",
                quantity: 1,
                unitPriceTaxExcl: 10,
                unitPriceTaxIncl: 12
            ),
            .init(
                rowID: 2,
                productID: 200,
                combinationID: 0,
                reference: "FS-00200",
                name: "B",
                quantity: 2,
                unitPriceTaxExcl: 5,
                unitPriceTaxIncl: 6
            ),
        ]
    )

    @Test func importsCSVRowsAndResolvesWhatAnOrderNeeds() async throws {
        try await TestDatabase.with { client, _ in
            let store = MappingStore(client: client)
            let logger = TestDatabase.logger
            let csv: [(MappingKind, String)] = [
                (
                    .products,
                    "prestashop_product_id,prestashop_combination_id,reference,netsuite_item_id\n100,3,FS-00100-M,9001\n999,0,FS-00200,9002\n"
                ),
                (
                    .taxCodes,
                    "country_iso,tax_category_id,subsidiary_id,netsuite_tax_code_id,rate_percent\nFR,1,1,105,20\nFR,2,1,106,5.5\nDE,1,1,108,19\n"
                ),
                (.currencies, "prestashop_currency_iso,netsuite_currency_id\nEUR,1\n"),
                (.paymentMethods, "prestashop_module,netsuite_payment_method_id\nps_wirepayment,1\n"),
                (.carriers, "prestashop_carrier_id,netsuite_ship_method_id,tax_category_id\n2,502,1\n3,503,0\n"),
                (.shops, "prestashop_shop_id,netsuite_subsidiary_id,netsuite_location_id\n1,1,1\n"),
                (.discounts, "prestashop_cart_rule_id,netsuite_item_id\ndefault,90001\n7,90007\n8,90008\n"),
                (.orderItems, "purpose,netsuite_item_id,tax_category_id\nwrapping,90010,1\nrounding,90020,\n"),
            ]
            for (kind, text) in csv {
                let rows = try MappingCSV.parse(text, kind: kind).get()
                #expect(try await store.importRows(rows, logger: logger) == rows.count)
            }
            let rule = ShopOrder.CartRule(id: 7, name: "10%", valueTaxIncl: 3, valueTaxExcl: 2, freeShipping: false)
            let resolved = try await store.resolve(
                for: Self.order,
                countryISO: "FR",
                currencyISO: "EUR",
                cartRules: [rule],
                logger: logger
            )
            #expect(resolved.products[ProductKey(productID: 100, combinationID: 3)] == 9001)
            #expect(resolved.productsByReference["FS-00200"] == 9002, "found by reference when the product id differs")
            #expect(
                resolved.taxCodes == [
                    TaxCodeKey(countryISO: "FR", taxCategoryID: 1, subsidiaryID: 1): 105,
                    TaxCodeKey(countryISO: "FR", taxCategoryID: 2, subsidiaryID: 1): 106,
                ]
            )
            #expect(resolved.taxRates == [105: 20, 106: Decimal(string: "5.5")!])
            #expect(resolved.carrierTaxCategories == [2: 1])
            #expect(
                resolved.discounts == [.rule(7): 90_007, .fallback: 90_001],
                "only the order's rules and the default"
            )
            #expect(
                resolved.orderItems == [
                    .wrapping: OrderItemMapping(itemID: 90_010, taxCategoryID: 1),
                    .rounding: OrderItemMapping(itemID: 90_020, taxCategoryID: nil),
                ]
            )
            #expect(resolved.currencies == ["EUR": 1] && resolved.paymentMethods == ["ps_wirepayment": 1])
            #expect(
                resolved.shipMethods == [2: 502] && resolved.shops == [1: ShopMapping(subsidiaryID: 1, locationID: 1)]
            )

            // Re-importing replaces a row instead of failing.
            _ = try await store.importRows([.currency(iso: "EUR", currencyID: 4)], logger: logger)
            let again = try await store.resolve(for: Self.order, countryISO: "FR", currencyISO: "EUR", logger: logger)
            #expect(again.currencies == ["EUR": 4])
            #expect(try await store.counts(logger: logger)[.products] == 2)
            #expect(try await store.counts(logger: logger)[.discounts] == 3)

            // Rows imported before rates and carrier tax categories existed read as not mapped, not as zero.
            try await client.query(
                "UPDATE map_tax_codes SET rate_percent = NULL WHERE netsuite_tax_code_id = 105",
                logger: logger
            )
            try await client.query("UPDATE map_carriers SET tax_category_id = NULL", logger: logger)
            let legacy = try await store.resolve(for: Self.order, countryISO: "FR", currencyISO: "EUR", logger: logger)
            #expect(legacy.taxRates == [106: Decimal(string: "5.5")!] && legacy.carrierTaxCategories.isEmpty)
        }
    }
}

@Suite struct OrderSyncStoreTests {
    let logger = TestDatabase.logger

    @Test func walksAnOrderThroughItsStages() async throws {
        try await TestDatabase.with { client, _ in
            let store = OrderSyncStore(client: client)
            let received = Date(timeIntervalSince1970: 1_800_000_000)
            let first = try await store.begin(
                key: "ps-1-order-7",
                shopID: 1,
                orderID: 7,
                reference: "ABC",
                webhookReceivedAt: received,
                logger: logger
            )
            #expect(first.stage == .received && first.attempts == 0 && first.webhookReceivedAt == received)
            // Seeing the order again (a redelivery) keeps its state.
            try await store.advance(key: "ps-1-order-7", to: .customerResolved, customerID: "2001", logger: logger)
            let second = try await store.begin(
                key: "ps-1-order-7",
                shopID: 1,
                orderID: 7,
                reference: "ABC",
                webhookReceivedAt: nil,
                logger: logger
            )
            #expect(
                second.stage == .customerResolved && second.netSuiteCustomerID == "2001"
                    && second.webhookReceivedAt == received
            )

            try await store.advance(key: "ps-1-order-7", to: .salesOrderCreated, salesOrderID: "501", logger: logger)
            #expect(try await store.processedSalesOrder(key: "ps-1-order-7", logger: logger) == nil)
            #expect(
                try await store.markProcessed(
                    key: "ps-1-order-7",
                    salesOrderID: "501",
                    depositID: "601",
                    logger: logger
                )
            )
            #expect(try await store.processedSalesOrder(key: "ps-1-order-7", logger: logger) == "501")
            #expect(
                try await store.markProcessed(
                    key: "ps-1-order-7",
                    salesOrderID: "501",
                    depositID: "601",
                    logger: logger
                ) == false
            )
            try await store.markWrittenBack(key: "ps-1-order-7", logger: logger)
            let done = try #require(try await store.fetch(key: "ps-1-order-7", logger: logger))
            #expect(done.stage == .writtenBack && done.netSuiteSalesOrderID == "501" && done.netSuiteDepositID == "601")
            // A late dead-letter mark cannot undo an order that is in NetSuite.
            try await store.markDeadLettered(key: "ps-1-order-7", logger: logger)
            #expect(try await store.fetch(key: "ps-1-order-7", logger: logger)?.stage == .writtenBack)
        }
    }

    @Test func onlyOneOfManyRacingWorkersRecordsTheOrder() async throws {
        try await TestDatabase.with { client, _ in
            let store = OrderSyncStore(client: client)
            let logger = self.logger
            _ = try await store.begin(
                key: "ps-1-order-8",
                shopID: 1,
                orderID: 8,
                reference: "X",
                webhookReceivedAt: nil,
                logger: logger
            )
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await store.markProcessed(
                            key: "ps-1-order-8",
                            salesOrderID: "77",
                            depositID: nil,
                            logger: logger
                        )
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }

    @Test func countsOnlyOrderSpecificAttemptsAndKeepsTheirErrors() async throws {
        try await TestDatabase.with { client, _ in
            let store = OrderSyncStore(client: client)
            _ = try await store.begin(
                key: "ps-1-order-9",
                shopID: 1,
                orderID: 9,
                reference: "X",
                webhookReceivedAt: nil,
                logger: logger
            )
            let now = Date().timeIntervalSince1970
            let counted = AttemptRecord(
                attempt: 0,
                at: now,
                stage: "transform",
                errorClass: "order_specific",
                message: "missing mappings: product 1 combination 0",
                netSuiteErrorCode: nil
            )
            let outage = AttemptRecord(
                attempt: 0,
                at: now,
                stage: "sales_order",
                errorClass: "systemic",
                message: "NetSuite maintenance",
                netSuiteErrorCode: nil
            )
            #expect(try await store.recordFailure(key: "ps-1-order-9", counted, counted: true, logger: logger) == 1)
            #expect(try await store.recordFailure(key: "ps-1-order-9", outage, counted: false, logger: logger) == 1)
            var invalid = counted
            invalid.netSuiteErrorCode = "INVALID_CONTENT"
            #expect(try await store.recordFailure(key: "ps-1-order-9", invalid, counted: true, logger: logger) == 2)
            let attempts = try await store.attempts(key: "ps-1-order-9", logger: logger)
            #expect(attempts.map(\.attempt) == [1, 2])
            #expect(attempts.map(\.netSuiteErrorCode) == [nil, "INVALID_CONTENT"])
            #expect(abs(attempts[0].at - now) < 1)

            try await store.markDeadLettered(key: "ps-1-order-9", logger: logger)
            #expect(try await store.countsByStage(logger: logger)[.deadLettered] == 1)
            try await store.resetForResubmission(key: "ps-1-order-9", logger: logger)
            let reset = try #require(try await store.fetch(key: "ps-1-order-9", logger: logger))
            #expect(reset.stage == .received && reset.attempts == 0)
            #expect(try await store.attempts(key: "ps-1-order-9", logger: logger).isEmpty)
        }
    }
}
