import Crypto
import FerryNetSuite
import FerryNetSuiteSandbox
import FerrySandboxData
import FerryTestSupport
import Foundation
import InMemoryLogging
import Logging
import Testing
import _CryptoExtras

/// The client against Ferry's NetSuite sandbox over real HTTP on a loopback port. Each test starts its own sandbox.
@Suite("NetSuite client against the sandbox")
struct SandboxIntegrationTests {
    static let dataset = SandboxDataset.standard

    /// A body for a new customer with a unique external id.
    static func customerBody(externalID: String, email: String? = nil) -> JSON {
        [
            "externalId": .string(externalID),
            "firstName": "Camille",
            "lastName": "Martin",
            "email": .string(email ?? "\(externalID)@example.fr"),
            "isPerson": true,
        ]
    }

    /// A sales order for `customerID` with one line per item id.
    static func salesOrderBody(externalID: String, customerID: String, itemIDs: [Int]) -> JSON {
        let lines: [JSON] = itemIDs.map { ["item": .reference($0), "quantity": 2, "rate": 9.775] }
        return [
            "externalId": .string(externalID),
            "entity": .reference(customerID),
            "tranDate": "2024-07-05",
            "memo": "PrestaShop order",
            "item": ["items": .array(lines)],
        ]
    }

    // MARK: Records

    @Test("customer: create, get by id and external id, upsert, patch, delete")
    func customerRoundTrip() async throws {
        try await withSandbox { _, client, logger in
            let externalID = uniqueExternalID("FERRY-CUST")
            let created = try await client.create(
                "customer",
                body: Self.customerBody(externalID: externalID),
                logger: logger
            )
            #expect(created.type == "customer")
            #expect(Int(created.id) != nil, "internal ids are numeric strings")

            let byID = try await client.get("customer", id: created.id, logger: logger)
            #expect(byID.id == created.id)
            #expect(byID["externalId"]?.stringValue == externalID)
            #expect(byID["email"]?.stringValue == "\(externalID)@example.fr")

            let byExternalID = try await client.get("customer", externalID: externalID, logger: logger)
            #expect(byExternalID.id == created.id)
            #expect(try await client.internalID(of: "customer", externalID: externalID, logger: logger) == created.id)

            let upserted = try await client.upsert(
                "customer",
                externalID: externalID,
                body: ["firstName": "Camille", "lastName": "Martin", "email": "changed@example.fr"],
                logger: logger
            )
            #expect(upserted.id == created.id, "an upsert of an existing external id updates that record")

            let patched = try await client.patch(
                "customer",
                id: created.id,
                body: ["phone": "+33 4 00 00 00 00"],
                logger: logger
            )
            #expect(patched.id == created.id)
            let afterPatch = try await client.get("customer", id: created.id, logger: logger)
            #expect(afterPatch["email"]?.stringValue == "changed@example.fr")
            #expect(afterPatch["phone"]?.stringValue == "+33 4 00 00 00 00")

            try await client.delete("customer", id: created.id, logger: logger)
            await #expect {
                _ = try await client.get("customer", id: created.id, logger: logger)
            } throws: { error in
                let error = error as? NetSuiteError
                return error?.kind == .notFound && error?.status == 404 && error?.errorCode == "NONEXISTENT_ID"
            }
            #expect(try await client.internalID(of: "customer", externalID: externalID, logger: logger) == nil)
        }
    }

    @Test("upsert of an unknown external id creates the record")
    func upsertCreates() async throws {
        try await withSandbox { server, client, logger in
            let externalID = uniqueExternalID("FERRY-UPSERT")
            let ref = try await client.upsert(
                "customer",
                externalID: externalID,
                body: Self.customerBody(externalID: externalID),
                logger: logger
            )
            let record = try await client.get("customer", id: ref.id, logger: logger)
            #expect(record["externalId"]?.stringValue == externalID)
            #expect(await server.createCounts(recordType: "customer")[externalID] == 1)
        }
    }

    @Test("sales order: lines are appended on PATCH, replaced by upsert with replace=item; deposit blocks delete")
    func salesOrderSublistsAndDependents() async throws {
        try await withSandbox { _, client, logger in
            let items = Self.dataset.skus.prefix(3).map(\.netSuiteItemID)
            let customer = try await client.create(
                "customer",
                body: Self.customerBody(externalID: uniqueExternalID("FERRY-CUST")),
                logger: logger
            )
            let orderExternalID = uniqueExternalID("PS-ORDER")
            let order = try await client.create(
                "salesOrder",
                body: Self.salesOrderBody(externalID: orderExternalID, customerID: customer.id, itemIDs: [items[0]]),
                logger: logger
            )
            let created = try await client.get("salesOrder", id: order.id, expandSubResources: true, logger: logger)
            #expect(created["item"]?["items"]?.arrayValue?.count == 1)
            #expect(created["total"]?.decimalValue != nil, "NetSuite computes total")
            #expect(created["entity"]?.id == customer.id)

            // A line without its key is appended, as NetSuite does.
            try await client.patch(
                "salesOrder",
                id: order.id,
                body: ["item": ["items": [["item": .reference(items[1]), "quantity": 1]]]],
                logger: logger
            )
            let patched = try await client.get("salesOrder", id: order.id, expandSubResources: true, logger: logger)
            #expect(patched["item"]?["items"]?.arrayValue?.count == 2)

            // A replayed upsert with replace=item leaves exactly the lines sent.
            for _ in 0..<2 {
                let ref = try await client.upsert(
                    "salesOrder",
                    externalID: orderExternalID,
                    body: Self.salesOrderBody(
                        externalID: orderExternalID,
                        customerID: customer.id,
                        itemIDs: [items[2]]
                    ),
                    replaceSublists: ["item"],
                    logger: logger
                )
                #expect(ref.id == order.id)
            }
            let replaced = try await client.get(
                "salesOrder",
                externalID: orderExternalID,
                expandSubResources: true,
                logger: logger
            )
            let lines = try #require(replaced["item"]?["items"]?.arrayValue)
            #expect(lines.count == 1)
            #expect(lines.first?["item"]?.id == String(items[2]))

            let deposit = try await client.create(
                "customerDeposit",
                body: [
                    "externalId": .string(uniqueExternalID("PS-PAY")),
                    "customer": .reference(customer.id),
                    "salesOrder": .reference(order.id),
                    "payment": 19.55,
                ],
                logger: logger
            )
            let depositRecord = try await client.get("customerDeposit", id: deposit.id, logger: logger)
            #expect(depositRecord["payment"]?.decimalValue == Decimal(string: "19.55"))

            await #expect {
                try await client.delete("salesOrder", id: order.id, logger: logger)
            } throws: { error in
                let error = error as? NetSuiteError
                return error?.kind == .cannotDelete && error?.mayHaveCommitted == false
            }
        }
    }

    @Test("external ids that cannot go in a URL are looked up with a q= query")
    func unsafeExternalID() async throws {
        try await withSandbox { _, client, logger in
            let externalID = "RED|PO|" + UUID().uuidString.prefix(8)
            let created = try await client.create(
                "customer",
                body: Self.customerBody(externalID: externalID, email: "red@example.fr"),
                logger: logger
            )
            let record = try await client.get("customer", externalID: externalID, logger: logger)
            #expect(record.id == created.id)
            #expect(try await client.internalID(of: "customer", externalID: externalID, logger: logger) == created.id)
            #expect(try await client.internalID(of: "customer", externalID: "RED|PO|none", logger: logger) == nil)
            await #expect {
                _ = try await client.get("customer", externalID: "RED|PO|none", logger: logger)
            } throws: { error in
                (error as? NetSuiteError)?.kind == .notFound
            }
        }
    }

    @Test("a duplicate external id on create is .duplicate")
    func duplicateExternalID() async throws {
        try await withSandbox { _, client, logger in
            let externalID = uniqueExternalID("FERRY-DUP")
            _ = try await client.create("customer", body: Self.customerBody(externalID: externalID), logger: logger)
            await #expect {
                _ = try await client.create("customer", body: Self.customerBody(externalID: externalID), logger: logger)
            } throws: { error in
                guard let error = error as? NetSuiteError else { return false }
                return error.kind == .duplicate && error.status == 400 && error.errorCode == "USER_ERROR"
                    && !error.mayHaveCommitted
            }
        }
    }

    @Test("an unknown item on a sales order line is .validation with the error path")
    func unknownItem() async throws {
        try await withSandbox { _, client, logger in
            let customer = try await client.create(
                "customer",
                body: Self.customerBody(externalID: uniqueExternalID("FERRY-CUST")),
                logger: logger
            )
            await #expect {
                _ = try await client.create(
                    "salesOrder",
                    body: Self.salesOrderBody(
                        externalID: uniqueExternalID("PS-ORDER"),
                        customerID: customer.id,
                        itemIDs: [9_999_999]
                    ),
                    logger: logger
                )
            } throws: { error in
                guard let error = error as? NetSuiteError else { return false }
                return error.kind == .validation && error.errorCode == "INVALID_CONTENT"
                    && error.errorPath == "item.items[0].item" && !error.mayHaveCommitted
            }
        }
    }

    // MARK: SuiteQL and governance

    @Test("a seeded customer is found by e-mail with SuiteQL")
    func customerByEmail() async throws {
        let customer = try #require(Self.dataset.customers.first { $0.netSuiteID != nil })
        try await withSandbox { _, client, logger in
            let page = try await client.suiteQL(
                "SELECT id, email, firstname FROM customer WHERE LOWER(email) = '\(customer.email.lowercased())'",
                logger: logger
            )
            #expect(page.count == 1)
            #expect(page.hasMore == false)
            #expect(page.items.first?["id"]?.intValue == customer.netSuiteID)
            #expect(page.items.first?["email"]?.stringValue == customer.email)
            #expect(page.items.first?["links"] == nil)

            let none = try await client.suiteQL(
                "SELECT id FROM customer WHERE email = 'nobody@example.invalid'",
                logger: logger
            )
            #expect(none.items.isEmpty && none.totalResults == 0)
        }
    }

    @Test("suiteQLAll pages through inventoryitemlocations")
    func inventoryPaging() async throws {
        let expected = Self.dataset.inventory.filter { $0.locationID == 1 && $0.itemID < 10_600 }
        try await withSandbox { _, client, logger in
            let query =
                "SELECT item, location, quantityonhand FROM inventoryitemlocations "
                + "WHERE location = 1 AND item < 10600 ORDER BY item"
            let first = try await client.suiteQL(query, limit: 250, offset: 0, logger: logger)
            #expect(first.count == 250)
            #expect(first.hasMore)
            #expect(first.totalResults == expected.count)

            let rows = try await client.suiteQLAll(query, pageSize: 250, logger: logger)
            #expect(rows.count == expected.count)
            #expect(rows.compactMap { $0["item"]?.intValue } == expected.map(\.itemID).sorted())
            let onHand = Dictionary(uniqueKeysWithValues: expected.map { ($0.itemID, $0.quantityOnHand) })
            for row in rows.prefix(50) {
                let item = try #require(row["item"]?.intValue)
                #expect(row["quantityonhand"]?.intValue == onHand[item])
            }

            let capped = try await client.suiteQLAll(query, maxRows: 300, pageSize: 250, logger: logger)
            #expect(capped.count == 300)
            #expect(capped.map { $0["item"] } == rows.prefix(300).map { $0["item"] })
        }
    }

    @Test("a bad SuiteQL query is .validation, not a crash")
    func badQuery() async throws {
        try await withSandbox { _, client, logger in
            await #expect {
                _ = try await client.suiteQL("SELECT FROM nowhere", logger: logger)
            } throws: { error in
                let error = error as? NetSuiteError
                return error?.kind == .validation && error?.status == 400
            }
        }
    }

    @Test("governance limits report the account's concurrency limit")
    func governance() async throws {
        try await withSandbox(NetSuiteSandboxConfiguration(concurrencyLimit: 7)) { _, client, logger in
            let limits = try await client.governanceLimits(logger: logger)
            #expect(limits.accountConcurrencyLimit == 7)
            #expect(limits.accountUnallocatedConcurrencyLimit == 7)
            #expect(limits.availableConcurrency == 7)
            #expect(limits.integrationLimitType == "accountLimit")
            #expect(limits.integrationConcurrencyLimit == nil)
        }
    }

    // MARK: Authentication

    @Test("TBA signs correctly against a base URL with upper-case scheme and a trailing slash")
    func tbaNormalisedBaseURL() async throws {
        let baseURL: (NetSuiteSandboxServer) -> String = { "HTTP://127.0.0.1:\($0.port)/" }
        try await withSandbox(baseURL: baseURL) { _, client, logger in
            let page = try await client.suiteQL(
                "SELECT id FROM location ORDER BY id",
                limit: 2,
                offset: 1,
                logger: logger
            )
            #expect(page.offset == 1)
            #expect(page.items.count == 2)
        }
    }

    @Test("wrong TBA secrets are .authentication")
    func tbaWrongSecret() async throws {
        let wrong = NetSuiteAuthentication.tba(
            consumerKey: NetSuiteSandboxConfiguration.TBACredential.sandboxDefault.consumerKey,
            consumerSecret: NetSuiteSandboxConfiguration.TBACredential.sandboxDefault.consumerSecret,
            tokenID: NetSuiteSandboxConfiguration.TBACredential.sandboxDefault.tokenID,
            tokenSecret: "not-the-token-secret"
        )
        try await withSandbox(auth: wrong) { _, client, logger in
            await #expect {
                _ = try await client.get("customer", id: "1", logger: logger)
            } throws: { error in
                let error = error as? NetSuiteError
                return error?.kind == .authentication && error?.status == 401 && error?.errorCode == "INVALID_LOGIN"
            }
        }
    }

    @Test(
        "OAuth 2.0 client credentials authenticate with keys generated here",
        arguments: [NetSuiteJWTAlgorithm.ps256, .es256]
    )
    func oauth2(algorithm: NetSuiteJWTAlgorithm) async throws {
        let (privatePEM, publicPEM) = try Self.keyPair(algorithm)
        let sandbox = NetSuiteSandboxConfiguration(
            oauth2Clients: [
                .init(clientID: "ferry-client", certificateID: "cert-\(algorithm.rawValue)", publicKeyPEM: publicPEM)
            ]
        )
        let auth = NetSuiteAuthentication.oauth2(
            clientID: "ferry-client",
            certificateID: "cert-\(algorithm.rawValue)",
            privateKeyPEM: privatePEM,
            algorithm: algorithm
        )
        try await withSandbox(sandbox, auth: auth) { server, client, logger in
            server.resetStatistics()
            // Eight concurrent first calls share one token request.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        _ = try await client.suiteQL("SELECT id FROM location", logger: logger)
                    }
                }
                try await group.waitForAll()
            }
            let statistics = server.statistics()
            #expect(statistics.requestsTotal == 9, "8 queries and exactly one token request")
            #expect(statistics.requestsByStatus["401"] == nil)

            let externalID = uniqueExternalID("FERRY-OAUTH")
            let created = try await client.create(
                "customer",
                body: Self.customerBody(externalID: externalID),
                logger: logger
            )
            #expect(try await client.get("customer", externalID: externalID, logger: logger).id == created.id)
        }
    }

    @Test("an unknown certificate id fails the token request as .authentication")
    func oauth2UnknownKid() async throws {
        let (privatePEM, publicPEM) = try Self.keyPair(.es256)
        let sandbox = NetSuiteSandboxConfiguration(
            oauth2Clients: [.init(clientID: "ferry-client", certificateID: "cert-1", publicKeyPEM: publicPEM)]
        )
        let auth = NetSuiteAuthentication.oauth2(
            clientID: "ferry-client",
            certificateID: "cert-unknown",
            privateKeyPEM: privatePEM,
            algorithm: .es256
        )
        try await withSandbox(sandbox, auth: auth) { _, client, logger in
            await #expect {
                _ = try await client.create("customer", body: Self.customerBody(externalID: "X-1"), logger: logger)
            } throws: { error in
                guard let error = error as? NetSuiteError else { return false }
                return error.kind == .authentication && error.errorCode == "invalid_client" && !error.mayHaveCommitted
            }
        }
    }

    @Test("a bearer token NetSuite no longer accepts is renewed once and the request retried")
    func oauth2ExpiredTokenRetried() async throws {
        let (privatePEM, publicPEM) = try Self.keyPair(.es256)
        let clock = AdjustableClock()
        let sandbox = NetSuiteSandboxConfiguration(
            oauth2Clients: [.init(clientID: "ferry-client", certificateID: "cert-1", publicKeyPEM: publicPEM)],
            accessTokenLifetime: .seconds(60),
            clock: clock.now
        )
        let auth = NetSuiteAuthentication.oauth2(
            clientID: "ferry-client",
            certificateID: "cert-1",
            privateKeyPEM: privatePEM,
            algorithm: .es256
        )
        try await withSandbox(sandbox, auth: auth) { server, client, logger in
            _ = try await client.suiteQL("SELECT id FROM location", logger: logger)
            // The sandbox now sees the cached token as expired; the client still thinks it is valid.
            clock.advance(by: 120)
            server.resetStatistics()
            let page = try await client.suiteQL("SELECT id FROM location", logger: logger)
            #expect(!page.items.isEmpty)
            let statistics = server.statistics()
            #expect(statistics.requestsByStatus["401"] == 1, "the stale token was refused once")
            #expect(statistics.requestsTotal == 3, "refused query, one token request, retried query")
        }
    }

    @Test("overload answered with slow 401s is .authentication after one bearer retry, never a crash")
    func overload401() async throws {
        let (privatePEM, publicPEM) = try Self.keyPair(.es256)
        let sandbox = NetSuiteSandboxConfiguration(
            oauth2Clients: [.init(clientID: "ferry-client", certificateID: "cert-1", publicKeyPEM: publicPEM)]
        )
        let auth = NetSuiteAuthentication.oauth2(
            clientID: "ferry-client",
            certificateID: "cert-1",
            privateKeyPEM: privatePEM,
            algorithm: .es256
        )
        try await withSandbox(sandbox, auth: auth) { server, client, logger in
            _ = try await client.suiteQL("SELECT id FROM location", logger: logger)
            server.faults = NetSuiteFaults(overload: .init(fraction: 1, delaySeconds: 0.2))
            await #expect {
                _ = try await client.suiteQL("SELECT id FROM location", logger: logger)
            } throws: { error in
                let error = error as? NetSuiteError
                return error?.kind == .authentication && error?.status == 401
            }
        }
    }

    // MARK: Governance and faults

    @Test("a full concurrency pool is .concurrencyLimit and did not commit")
    func concurrencyLimit() async throws {
        let sandbox = NetSuiteSandboxConfiguration(
            concurrencyLimit: 3,
            faults: NetSuiteFaults(otherIntegrationSlots: 3)
        )
        try await withSandbox(sandbox) { server, client, logger in
            let externalID = uniqueExternalID("FERRY-429")
            await #expect {
                _ = try await client.create("customer", body: Self.customerBody(externalID: externalID), logger: logger)
            } throws: { error in
                guard let error = error as? NetSuiteError else { return false }
                return error.kind == .concurrencyLimit && error.status == 429
                    && error.errorCode == "CONCURRENCY_LIMIT_EXCEEDED" && !error.mayHaveCommitted
                    && error.shortForm == "concurrency_limit"
            }
            #expect(await server.createCounts(recordType: "customer")[externalID] == nil)
        }
    }

    @Test("the maintenance page (503 HTML) is .maintenance")
    func maintenance() async throws {
        try await withSandbox(NetSuiteSandboxConfiguration(faults: NetSuiteFaults(maintenance: .init()))) {
            _,
            client,
            logger in
            await #expect {
                _ = try await client.suiteQL("SELECT id FROM location", logger: logger)
            } throws: { error in
                guard let error = error as? NetSuiteError else { return false }
                return error.kind == .maintenance && error.status == 503 && error.details.isEmpty
                    && !error.description.contains("<html")
            }
        }
    }

    @Test("commit then drop the connection: .connection with mayHaveCommitted, and the record exists")
    func commitThenDrop() async throws {
        let faults = NetSuiteFaults(
            commitThenFail: [.init(method: "POST", recordType: "customer", failure: .dropConnection, count: 1)]
        )
        try await withSandbox(NetSuiteSandboxConfiguration(faults: faults)) { server, client, logger in
            let externalID = uniqueExternalID("FERRY-DROP")
            await #expect {
                _ = try await client.create("customer", body: Self.customerBody(externalID: externalID), logger: logger)
            } throws: { error in
                guard let error = error as? NetSuiteError else { return false }
                return error.kind == .connection && error.mayHaveCommitted && error.status == nil
            }
            #expect(server.statistics().droppedConnections == 1)
            // The safe pattern: look the external id up before retrying.
            let found = try await client.internalID(of: "customer", externalID: externalID, logger: logger)
            #expect(found != nil)
        }
    }

    @Test("commit then 502 HTML: .serverError with mayHaveCommitted")
    func commitThenBadGateway() async throws {
        let faults = NetSuiteFaults(
            commitThenFail: [.init(method: "PUT", recordType: "customer", failure: .badGateway, count: 1)]
        )
        try await withSandbox(NetSuiteSandboxConfiguration(faults: faults)) { _, client, logger in
            let externalID = uniqueExternalID("FERRY-502")
            await #expect {
                _ = try await client.upsert(
                    "customer",
                    externalID: externalID,
                    body: Self.customerBody(externalID: externalID),
                    logger: logger
                )
            } throws: { error in
                guard let error = error as? NetSuiteError else { return false }
                return error.kind == .serverError && error.status == 502 && error.mayHaveCommitted
            }
            let found = try await client.internalID(of: "customer", externalID: externalID, logger: logger)
            #expect(found != nil)
        }
    }

    @Test("a client timeout is .timeout with mayHaveCommitted")
    func clientTimeout() async throws {
        let faults = NetSuiteFaults(
            commitThenFail: [
                .init(method: "POST", recordType: "customer", failure: .delay, delaySeconds: 5, count: 1)
            ]
        )
        try await withSandbox(NetSuiteSandboxConfiguration(faults: faults), requestTimeout: .seconds(1)) {
            _,
            client,
            logger in
            let externalID = uniqueExternalID("FERRY-SLOW")
            let start = ContinuousClock.now
            await #expect {
                _ = try await client.create("customer", body: Self.customerBody(externalID: externalID), logger: logger)
            } throws: { error in
                guard let error = error as? NetSuiteError else { return false }
                return error.kind == .timeout && error.mayHaveCommitted && error.status == nil
            }
            #expect(ContinuousClock.now - start < .seconds(4), "the client gave up at its own timeout")
            let found = try await client.internalID(of: "customer", externalID: externalID, logger: logger)
            #expect(found != nil)
        }
    }

    @Test("reads that time out or lose the connection never claim a commit")
    func readTimeout() async throws {
        try await withSandbox(requestTimeout: .seconds(1)) { server, client, logger in
            server.latency = .fixed(.seconds(3))
            await #expect {
                _ = try await client.get("customer", id: "2000", logger: logger)
            } throws: { error in
                guard let error = error as? NetSuiteError else { return false }
                return error.kind == .timeout && !error.mayHaveCommitted
            }
        }
    }

    @Test("cancelling the calling task ends the request promptly as .cancelled")
    func cancellation() async throws {
        try await withSandbox { server, client, logger in
            server.latency = .fixed(.seconds(10))
            let task = Task {
                try await client.create(
                    "customer",
                    body: Self.customerBody(externalID: uniqueExternalID("X")),
                    logger: logger
                )
            }
            try await Task.sleep(for: .milliseconds(300))
            let start = ContinuousClock.now
            task.cancel()
            let result = await task.result
            #expect(ContinuousClock.now - start < .seconds(5))
            #expect(throws: NetSuiteError.self) { try result.get() }
            if case .failure(let error as NetSuiteError) = result {
                #expect(error.kind == .cancelled)
                #expect(error.mayHaveCommitted, "a cancelled write may already be in NetSuite")
            }
        }
    }

    // MARK: Logging

    @Test("logs carry method, path and status, and never secrets, signatures or tokens")
    func loggingHasNoSecrets() async throws {
        let logs = InMemoryLogHandler()
        let (privatePEM, publicPEM) = try Self.keyPair(.es256)
        let sandbox = NetSuiteSandboxConfiguration(
            oauth2Clients: [.init(clientID: "ferry-client", certificateID: "cert-1", publicKeyPEM: publicPEM)]
        )
        try await withSandbox(sandbox, logs: logs) { _, client, logger in
            _ = try await client.suiteQL(
                "SELECT id FROM customer WHERE email = 'secret-query@example.fr'",
                logger: logger
            )
            _ = try? await client.get("customer", id: "999999", logger: logger)
        }
        let auth = NetSuiteAuthentication.oauth2(
            clientID: "ferry-client",
            certificateID: "cert-1",
            privateKeyPEM: privatePEM,
            algorithm: .es256
        )
        try await withSandbox(sandbox, auth: auth, logs: logs) { _, client, logger in
            _ = try await client.suiteQL("SELECT id FROM location", logger: logger)
        }
        let text = logs.lines.joined(separator: "\n")
        let credential = NetSuiteSandboxConfiguration.TBACredential.sandboxDefault
        #expect(!text.contains(credential.consumerSecret))
        #expect(!text.contains(credential.tokenSecret))
        #expect(!text.contains("oauth_signature"))
        #expect(!text.lowercased().contains("bearer"))
        #expect(!text.contains("client_assertion="))
        #expect(!text.contains("PRIVATE KEY"))
        #expect(!text.contains("secret-query@example.fr"), "request bodies are not logged")

        let finished = logs.entries.filter { $0.message == "netsuite request finished" }
        #expect(finished.contains { $0.metadata["netsuite.path"] == "/services/rest/query/v1/suiteql" })
        #expect(finished.allSatisfy { $0.metadata["netsuite.status"] != nil && $0.metadata["netsuite.method"] != nil })
        #expect(finished.allSatisfy { $0.metadata["netsuite.duration_ms"] != nil })
        let failed = logs.entries.filter { $0.message == "netsuite request failed" }
        #expect(
            failed.contains {
                $0.metadata["netsuite.status"] == "404" && $0.metadata["netsuite.error_code"] == "NONEXISTENT_ID"
            }
        )
    }

    // MARK: Keys

    /// A fresh key pair as PEM: RSA 2048 for PS* (quick to generate; real NetSuite wants 3072+), P-256 for ES256.
    static func keyPair(_ algorithm: NetSuiteJWTAlgorithm) throws -> (privatePEM: String, publicPEM: String) {
        switch algorithm {
        case .ps256, .ps384, .ps512:
            let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        default:
            let key = P256.Signing.PrivateKey()
            return (key.pemRepresentation, key.publicKey.pemRepresentation)
        }
    }
}
