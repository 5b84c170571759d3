import FerryTestSupport
import Foundation
import InMemoryLogging
import Testing

@testable import FerryPrestaShop

private let fixtureResponse = StubHTTPServer.Response.json(200, Fixtures.orderGetResponse)

@Suite("PrestaShopClient against a stub server")
struct PrestaShopClientTests {
    // MARK: Authentication and transport

    @Test func basicAuthenticationWithEmptyPasswordAndJSONOutput() async throws {
        try await withStubClient(handler: { _ in fixtureResponse }) { client, server in
            let order = try await client.order(id: 549_085)
            #expect(order.reference == "FMHGOYBGK")
            let request = try #require(server.requests.first)
            #expect(request.method == "GET")
            #expect(request.path == "/api/orders/549085")
            #expect(request.query == ["output_format": "JSON"])
            let expected = "Basic " + Data("\(stubKey):".utf8).base64EncodedString()
            #expect(request.headers["authorization"] == expected)
        }
    }

    @Test func queryParameterAuthenticationSendsWsKeyAndNoAuthorizationHeader() async throws {
        let logs = InMemoryLogHandler()
        let logger = logs.logger()
        try await withStubClient(authentication: .queryParameter, handler: { _ in fixtureResponse }) { client, server in
            _ = try await client.order(id: 549_085, logger: logger)
            let request = try #require(server.requests.first)
            #expect(request.headers["authorization"] == nil)
            #expect(request.query["ws_key"] == stubKey)
            #expect(request.query["output_format"] == "JSON")
        }
        let lines = logs.lines
        #expect(!lines.isEmpty)
        #expect(lines.allSatisfy { !$0.contains(stubKey) && !$0.contains("127.0.0.1") && !$0.contains("549085") })
    }

    @Test func keyNeverAppearsInLogsOrErrorsEvenWhenTheShopEchoesIt() async throws {
        let logs = InMemoryLogHandler()
        let logger = logs.logger()
        try await withStubClient(
            authentication: .queryParameter,
            handler: { _ in .json(401, #"{"errors":[{"code":20,"message":"Key \#(stubKey) is not active"}]}"#) }
        ) { client, _ in
            let error = try #require(await prestaShopError { try await client.order(id: 1, logger: logger) })
            #expect(error.kind == .authentication)
            #expect(error.codes == [20])
            #expect(!error.description.contains(stubKey))
            #expect(error.description.contains("<redacted>"))
            #expect(!String(reflecting: error).contains("ws_key"))
        }
        #expect(logs.lines.allSatisfy { !$0.contains(stubKey) })
    }

    @Test func baseURLPathPrefixAndTrailingSlashAreKept() async throws {
        try await withStubClient(pathPrefix: "/shop/", handler: { _ in fixtureResponse }) { client, server in
            _ = try await client.order(id: 549_085)
            #expect(server.requests.first?.path == "/shop/api/orders/549085")
        }
    }

    @Test func multistoreShopIDIsSentOnEveryRequest() async throws {
        try await withStubClient(shopID: 2, handler: { _ in fixtureResponse }) { client, server in
            _ = try await client.order(id: 549_085)
            #expect(server.requests.first?.query["id_shop"] == "2")
        }
    }

    @Test(arguments: ["ftp://shop.example.com", "shop.example.com", "", "http://", "https://shop.example.com/?a=1"])
    func invalidBaseURLIsRejected(baseURL: String) {
        #expect(throws: PrestaShopError.self) {
            _ = try PrestaShopClient(configuration: .init(baseURL: baseURL, apiKey: stubKey))
        }
        do {
            _ = try PrestaShopClient(configuration: .init(baseURL: baseURL, apiKey: stubKey))
        } catch {
            #expect(error.kind == .invalidConfiguration)
            #expect(!error.description.contains(stubKey))
        }
    }

    @Test func emptyKeyOrColonInBasicKeyIsRejected() {
        #expect(throws: PrestaShopError.self) {
            _ = try PrestaShopClient(configuration: .init(baseURL: "http://127.0.0.1:1", apiKey: ""))
        }
        #expect(throws: PrestaShopError.self) {
            _ = try PrestaShopClient(configuration: .init(baseURL: "http://127.0.0.1:1", apiKey: "abc:def"))
        }
    }

    @Test func configurationDescriptionHidesTheKey() {
        let configuration = PrestaShopClientConfiguration(baseURL: "https://shop.example.com", apiKey: stubKey)
        #expect(!"\(configuration)".contains(stubKey))
    }

    @Test func nonPositiveIDIsRefusedWithoutARequest() async throws {
        try await withStubClient(handler: { _ in fixtureResponse }) { client, server in
            let error = try #require(await prestaShopError { try await client.order(id: 0) })
            #expect(error.kind == .validation)
            #expect(error.status == nil)
            #expect(server.requests.isEmpty)
        }
    }

    // MARK: Orders

    @Test func incrementalOrderQueryIsEncodedAsTheWebserviceExpects() async throws {
        let paris = TimeZone(identifier: "Europe/Paris")!
        try await withStubClient(shopTimeZone: paris, handler: { _ in .json(200, "[]") }) { client, server in
            let from = Date(timeIntervalSince1970: 1_727_733_600)  // 2024-09-30 22:00:00 UTC
            let to = Date(timeIntervalSince1970: 1_729_720_799)  // 2024-10-23 21:59:59 UTC
            let orders = try await client.orders(updatedBetween: from...to, limit: 50, offset: 100)
            #expect(orders.isEmpty)
            let request = try #require(server.requests.first)
            #expect(request.path == "/api/orders")
            #expect(
                request.rawQuery
                    == "display=full&date=1"
                    + "&filter%5Bdate_upd%5D=%5B2024-10-01%2000%3A00%3A00%2C2024-10-23%2023%3A59%3A59%5D"
                    + "&sort=%5Bdate_upd_ASC%2Cid_ASC%5D&limit=100%2C50&output_format=JSON"
            )
            #expect(request.query["filter[date_upd]"] == "[2024-10-01 00:00:00,2024-10-23 23:59:59]")
        }
    }

    @Test func orderListDecodesEveryOrder() async throws {
        let order = try Fixtures.orderObject()
        var second = order
        second["id"] = 549_086
        second["reference"] = "ABCDEFGHI"
        let body = try JSONSerialization.data(withJSONObject: ["orders": [order, second]])
        let text = String(decoding: body, as: UTF8.self)
        try await withStubClient(handler: { _ in .json(200, text) }) { client, _ in
            let orders = try await client.orders(updatedBetween: Date(timeIntervalSince1970: 0)...Date())
            #expect(orders.map(\.id) == [549_085, 549_086])
            #expect(orders[1].reference == "ABCDEFGHI")
            #expect(orders[0].rows.count == 1)
        }
    }

    @Test func malformedOrderInAListNamesItsIndexAndField() async throws {
        var bad = try Fixtures.orderObject()
        bad["total_paid"] = "20,23"
        let body = try JSONSerialization.data(withJSONObject: ["orders": [try Fixtures.orderObject(), bad]])
        let text = String(decoding: body, as: UTF8.self)
        try await withStubClient(handler: { _ in .json(200, text) }) { client, _ in
            let error = try #require(
                await prestaShopError {
                    try await client.orders(updatedBetween: Date(timeIntervalSince1970: 0)...Date())
                }
            )
            #expect(error.kind == .invalidResponse)
            #expect(error.status == 200)
            #expect(
                error.payloadError == PrestaShopPayloadError(path: "orders[1].total_paid", problem: .malformedDecimal)
            )
        }
    }

    @Test(arguments: ["{}", #"{"order":[]}"#, ""])
    func listAnswerWithoutTheListIsAnErrorNotAnEmptyPage(body: String) async throws {
        try await withStubClient(handler: { _ in .json(200, body) }) { client, _ in
            let error = try #require(
                await prestaShopError {
                    try await client.orders(updatedBetween: Date(timeIntervalSince1970: 0)...Date())
                }
            )
            #expect(error.kind == .invalidResponse)
        }
    }

    @Test(arguments: [(0, 0), (-1, 0), (10, -1)])
    func badPagingIsRefused(limit: Int, offset: Int) async throws {
        try await withStubClient(handler: { _ in .json(200, "[]") }) { client, server in
            let error = try #require(
                await prestaShopError {
                    try await client.orders(updatedBetween: Date()...Date(), limit: limit, offset: offset)
                }
            )
            #expect(error.kind == .validation)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func orderDetailsQueryAndDecoding() async throws {
        let body = #"""
            {"order_details":[{"id":"7","id_order":"6","product_id":"52695","product_attribute_id":"0",
            "product_quantity":"2","product_name":"Mug","product_reference":"FS-00001","product_price":"10.000000",
            "unit_price_tax_incl":"12.000000","unit_price_tax_excl":"10.000000","total_price_tax_incl":"24.000000",
            "total_price_tax_excl":"20.000000","id_tax_rules_group":"1","tax_computation_method":"0",
            "tax_rate":"20.000","tax_name":"FR VAT 20%","associations":{"taxes":[{"id":"1"}]}}]}
            """#
        try await withStubClient(handler: { _ in .json(200, body) }) { client, server in
            let details = try await client.orderDetails(orderID: 6)
            #expect(details.count == 1)
            #expect(details[0].orderID == 6)
            #expect(details[0].quantity == 2)
            #expect(details[0].totalPriceTaxIncl == 24)
            #expect(details[0].taxRate == 20)
            #expect(details[0].taxIDs == [1])
            #expect(details[0].reductionPercent == 0)
            let query = try #require(server.requests.first).query
            #expect(query["filter[id_order]"] == "[6]")
            #expect(query["display"] == "full")
        }
    }

    @Test func orderStatesWithMultilingualNames() async throws {
        let body = #"""
            {"order_states":[{"id":2,"name":[{"id":1,"value":"Paiement accepté"},{"id":2,"value":"Payment accepted"}],
            "paid":"1","logable":"1","invoice":"1","send_email":"1","color":"#3498D8"},
            {"id":6,"name":"Canceled","color":"#2C3E50"}]}
            """#
        try await withStubClient(handler: { _ in .json(200, body) }) { client, server in
            let states = try await client.orderStates()
            #expect(states.map(\.id) == [2, 6])
            #expect(states[0].name.value(languageID: 2) == "Payment accepted")
            #expect(states[0].name.text == "Paiement accepté")
            #expect(states[0].isPaid && states[0].isLogable && !states[0].isShipped)
            #expect(states[1].name.text == "Canceled")
            #expect(!states[1].isPaid)
            #expect(server.requests.first?.path == "/api/order_states")
        }
    }

    @Test func customerAddressCountryCurrency() async throws {
        try await withStubClient(handler: { request in
            switch request.path {
            case "/api/customers/12":
                .json(
                    200,
                    #"{"customer":{"id":12,"email":"a@example.fr","firstname":"Camille","lastname":"Martin","#
                        + #""active":"1","id_lang":1}}"#
                )
            case "/api/addresses/3":
                .json(
                    200,
                    #"{"address":{"id":3,"id_customer":12,"id_country":8,"address1":"1 Rue X","#
                        + #""postcode":"69002","city":"Lyon"}}"#
                )
            case "/api/countries/8":
                .json(
                    200,
                    #"{"country":{"id":8,"iso_code":"FR","id_zone":1,"name":[{"id":1,"value":"France"}],"active":"1"}}"#
                )
            case "/api/currencies/1":
                .json(
                    200,
                    #"{"currency":{"id":1,"iso_code":"EUR","numeric_iso_code":"978","precision":2,"#
                        + #""conversion_rate":"1.000000","active":"1","name":"Euro"}}"#
                )
            default:
                .json(404, #"{"errors":[{"code":87,"message":"Id(s) not exists"}]}"#)
            }
        }) { client, _ in
            let customer = try await client.customer(id: 12)
            #expect(customer.email == "a@example.fr" && customer.isActive && customer.company == "")
            let address = try await client.address(id: 3)
            #expect(address.countryID == 8 && address.city == "Lyon" && address.vatNumber == "")
            let country = try await client.country(id: 8)
            #expect(country.isoCode == "FR" && country.name.text == "France")
            let currency = try await client.currency(id: 1)
            #expect(currency.isoCode == "EUR" && currency.conversionRate == 1 && currency.precision == 2)
            #expect(currency.name.text == "Euro")
        }
    }

    // MARK: Errors

    struct ErrorCase: Sendable, CustomStringConvertible {
        var status: Int
        var contentType: String
        var body: String
        var kind: PrestaShopError.Kind
        var codes: [Int]
        var description: String { "\(status) \(kind)" }
    }

    static let errorCases: [ErrorCase] = [
        .init(
            status: 401,
            contentType: "application/json",
            body: #"{"errors":[{"code":17,"message":"Authentication key is empty"}]}"#,
            kind: .authentication,
            codes: [17]
        ),
        .init(
            status: 404,
            contentType: "application/json",
            body: #"{"errors":[{"code":87,"message":"Id(s) not exists: 9"}]}"#,
            kind: .notFound,
            codes: [87]
        ),
        .init(
            status: 404,
            contentType: "text/xml",
            body:
                #"<?xml version="1.0" encoding="UTF-8"?><prestashop xmlns:xlink="http://www.w3.org/1999/xlink">"#
                + #"<errors><error><code><![CDATA[87]]></code><message><![CDATA[Id(s) not exists: 9]]>"#
                + #"</message></error></errors></prestashop>"#,
            kind: .notFound,
            codes: [87]
        ),
        .init(
            status: 400,
            contentType: "application/json",
            body: #"{"errors":[{"code":"32","message":"This filter does not exist"},{"code":33,"message":"x"}]}"#,
            kind: .validation,
            codes: [32, 33]
        ),
        .init(
            status: 405,
            contentType: "application/json",
            body: #"{"errors":[{"code":23,"message":"This method is not allowed"}]}"#,
            kind: .methodNotAllowed,
            codes: [23]
        ),
        .init(
            status: 500,
            contentType: "text/html",
            body:
                "<!DOCTYPE html><html><body><b>Fatal error</b>: Uncaught Error in <b>/var/www/x.php</b></body></html>",
            kind: .server,
            codes: []
        ),
        .init(status: 500, contentType: "application/json", body: "", kind: .server, codes: []),
        .init(
            status: 503,
            contentType: "text/xml",
            body:
                "<prestashop><errors><error><code>22</code><message>The PrestaShop webservice is disabled.</message>"
                + "</error></errors></prestashop>",
            kind: .server,
            codes: [22]
        ),
        .init(status: 502, contentType: "text/plain", body: "Bad Gateway", kind: .server, codes: []),
        .init(status: 429, contentType: "text/html", body: "<html>Too many</html>", kind: .rateLimited, codes: []),
        .init(status: 403, contentType: "text/html", body: "<html>Blocked by WAF</html>", kind: .forbidden, codes: []),
        .init(status: 409, contentType: "application/json", body: "{}", kind: .unexpectedStatus, codes: []),
    ]

    @Test(arguments: errorCases)
    func errorAnswersAreClassified(errorCase: ErrorCase) async throws {
        try await withStubClient(handler: { _ in
            .init(status: errorCase.status, headers: [("Content-Type", errorCase.contentType)], body: errorCase.body)
        }) { client, _ in
            let error = try #require(await prestaShopError { try await client.order(id: 9) })
            #expect(error.kind == errorCase.kind)
            #expect(error.status == errorCase.status)
            #expect(error.codes == errorCase.codes)
            #expect(error.operation == "GET orders")
            #expect(!error.description.contains("Fatal error"))
            #expect(!error.shortForm.isEmpty)
        }
    }

    @Test func errorMessagesAreParsed() async throws {
        try await withStubClient(handler: { _ in
            .json(404, #"{"errors":[{"code":87,"message":"Id(s) not exists: 9"}]}"#)
        }) { client, _ in
            let error = try #require(await prestaShopError { try await client.order(id: 9) })
            #expect(error.errors == [.init(code: 87, message: "Id(s) not exists: 9")])
            #expect(error.shortForm == "not_found")
            #expect(!error.isRetryable)
            #expect(error.description.contains("code 87"))
        }
    }

    @Test(arguments: ["<html>maintenance</html>", "", "null", #"{"order":{"id":"x"}}"#])
    func unreadableSuccessBodyIsInvalidResponse(body: String) async throws {
        try await withStubClient(handler: { _ in .json(200, body) }) { client, _ in
            let error = try #require(await prestaShopError { try await client.order(id: 1) })
            #expect(error.kind == .invalidResponse)
            #expect(error.shortForm == "invalid_response")
            #expect(error.payloadError != nil)
        }
    }

    @Test func slowShopTimesOut() async throws {
        try await withStubClient(
            requestTimeout: .milliseconds(300),
            handler: { _ in
                var response = fixtureResponse
                response.delay = .seconds(3)
                return response
            }
        ) { client, _ in
            let error = try #require(await prestaShopError { try await client.order(id: 1) })
            #expect(error.kind == .timeout)
            #expect(error.isRetryable)
            #expect(error.shortForm == "timeout")
        }
    }

    @Test func refusedConnectionIsAConnectionError() async throws {
        let server = try await StubHTTPServer.start { _ in fixtureResponse }
        let port = server.port
        try await server.shutdown()
        let client = try PrestaShopClient(
            configuration: .init(baseURL: "http://127.0.0.1:\(port)", apiKey: stubKey, requestTimeout: .seconds(2))
        )
        let error = await prestaShopError { try await client.order(id: 1) }
        try await client.shutdown()
        #expect(error?.kind == .connection)
        #expect(error?.isRetryable == true)
    }

    @Test func oversizedAnswerIsAnInvalidResponse() async throws {
        let server = try await StubHTTPServer.start { _ in fixtureResponse }
        let client = try PrestaShopClient(
            configuration: .init(baseURL: server.baseURL, apiKey: stubKey, maxResponseBytes: 256)
        )
        let error = await prestaShopError { try await client.order(id: 1) }
        try await client.shutdown()
        try await server.shutdown()
        #expect(error?.kind == .invalidResponse)
        #expect(error?.underlying != nil)
    }

    // MARK: Writes

    @Test(arguments: [false, true])
    func addOrderHistoryPostsXML(sendEmail: Bool) async throws {
        let answer = #"""
            <?xml version="1.0" encoding="UTF-8"?>
            <prestashop xmlns:xlink="http://www.w3.org/1999/xlink">
            <order_history>
            \#t<id><![CDATA[31]]></id>
            \#t<id_employee><![CDATA[0]]></id_employee>
            \#t<id_order_state xlink:href="http://x/api/order_states/4"><![CDATA[4]]></id_order_state>
            \#t<id_order xlink:href="http://x/api/orders/6"><![CDATA[6]]></id_order>
            \#t<date_add><![CDATA[2024-10-23 11:09:16]]></date_add>
            </order_history>
            </prestashop>
            """#
        try await withStubClient(handler: { _ in .xml(201, answer) }) { client, server in
            let history = try await client.addOrderHistory(orderID: 6, stateID: 4, sendEmail: sendEmail)
            #expect(history?.id == 31)
            #expect(history?.orderID == 6)
            #expect(history?.orderStateID == 4)
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.path == "/api/order_histories")
            #expect(request.query["sendemail"] == (sendEmail ? "1" : nil))
            #expect(request.headers["content-type"]?.hasPrefix("text/xml") == true)
            let root = try #require(PrestaShopXMLElement.parse(Data(request.body.utf8)))
            #expect(root.name == "prestashop")
            let history2 = try #require(root.child("order_history"))
            #expect(history2.child("id_order")?.text == "6")
            #expect(history2.child("id_order_state")?.text == "4")
            #expect(history2.child("id") == nil)
        }
    }

    @Test func addOrderHistoryWithUnreadable201ReturnsNil() async throws {
        try await withStubClient(handler: { _ in .xml(201, "") }) { client, _ in
            let history = try await client.addOrderHistory(orderID: 6, stateID: 4)
            #expect(history == nil)
        }
    }

    @Test func stockQuantityIsPatchedOn8x() async throws {
        try await withStubClient(handler: { _ in
            .xml(200, "<prestashop><stock_available><id>5</id></stock_available></prestashop>")
        }) {
            client,
            server in
            try await client.updateStockQuantity(stockAvailableID: 5, quantity: 42)
            let request = try #require(server.requests.first)
            #expect(server.requests.count == 1)
            #expect(request.method == "PATCH")
            #expect(request.path == "/api/stock_availables/5")
            let row = try #require(PrestaShopXMLElement.parse(Data(request.body.utf8))?.child("stock_available"))
            #expect(row.children.map(\.name) == ["id", "quantity"])
            #expect(row.child("id")?.text == "5")
            #expect(row.child("quantity")?.text == "42")
        }
    }

    static let stockRowXML = #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <prestashop xmlns:xlink="http://www.w3.org/1999/xlink">
        <stock_available>
        \#t<id><![CDATA[5]]></id>
        \#t<id_product xlink:href="http://x/api/products/52695"><![CDATA[52695]]></id_product>
        \#t<id_product_attribute><![CDATA[0]]></id_product_attribute>
        \#t<id_shop xlink:href="http://x/api/shops/1"><![CDATA[1]]></id_shop>
        \#t<id_shop_group><![CDATA[0]]></id_shop_group>
        \#t<quantity><![CDATA[7]]></quantity>
        \#t<depends_on_stock><![CDATA[0]]></depends_on_stock>
        \#t<out_of_stock><![CDATA[2]]></out_of_stock>
        \#t<location><![CDATA[Aisle 3 & <B> ]]]]><![CDATA[> end]]></location>
        </stock_available>
        </prestashop>
        """#

    @Test func stockUpdateFallsBackToGetModifyPutWhenPatchIs405() async throws {
        try await withStubClient(handler: { request in
            switch request.method {
            case "PATCH": .json(405, #"{"errors":[{"code":23,"message":"This method is not allowed"}]}"#)
            case "GET": .xml(200, Self.stockRowXML)
            default: .xml(200, Self.stockRowXML)
            }
        }) { client, server in
            try await client.updateStockQuantity(stockAvailableID: 5, quantity: 40)
            #expect(server.requests.map(\.method) == ["PATCH", "GET", "PUT"])
            let put = server.requests[2]
            #expect(put.path == "/api/stock_availables/5")
            #expect(server.requests[1].query["output_format"] == nil)
            let row = try #require(PrestaShopXMLElement.parse(Data(put.body.utf8))?.child("stock_available"))
            #expect(
                row.children.map(\.name) == [
                    "id", "id_product", "id_product_attribute", "id_shop", "id_shop_group", "quantity",
                    "depends_on_stock", "out_of_stock", "location",
                ]
            )
            #expect(row.child("quantity")?.text == "40")
            #expect(row.child("id_shop")?.text == "1")
            #expect(row.child("id_product")?.text == "52695")
            #expect(row.child("location")?.text == "Aisle 3 & <B> ]]> end")
            #expect(row.children.allSatisfy { $0.attributes.isEmpty })

            // The client remembers: the next update goes straight to GET-modify-PUT.
            try await client.updateStockQuantity(stockAvailableID: 5, quantity: 41)
            #expect(server.requests.map(\.method) == ["PATCH", "GET", "PUT", "GET", "PUT"])
        }
    }

    @Test func shopReporting17SkipsPatch() async throws {
        try await withStubClient(handler: { request in
            var response: StubHTTPServer.Response =
                request.path.hasPrefix("/api/orders") ? fixtureResponse : .xml(200, Self.stockRowXML)
            response.headers.append(("PSWS-Version", "1.7.8.11"))
            return response
        }) { client, server in
            _ = try await client.order(id: 549_085)
            #expect(client.shopVersion == "1.7.8.11")
            try await client.updateStockQuantity(stockAvailableID: 5, quantity: 3)
            #expect(server.requests.map(\.method) == ["GET", "GET", "PUT"])
        }
    }

    @Test func patchOnlyModeDoesNotFallBack() async throws {
        try await withStubClient(
            stockUpdateMethod: .patch,
            handler: { _ in .json(405, #"{"errors":[{"code":23,"message":"This method is not allowed"}]}"#) }
        ) { client, server in
            let error = try #require(
                await prestaShopError { try await client.updateStockQuantity(stockAvailableID: 5, quantity: 1) }
            )
            #expect(error.kind == .methodNotAllowed)
            #expect(server.requests.map(\.method) == ["PATCH"])
        }
    }

    @Test func putModeNeverPatches() async throws {
        try await withStubClient(stockUpdateMethod: .put, handler: { _ in .xml(200, Self.stockRowXML) }) {
            client,
            server in
            try await client.updateStockQuantity(stockAvailableID: 5, quantity: 1)
            #expect(server.requests.map(\.method) == ["GET", "PUT"])
        }
    }

    @Test func stockAvailablesQuery() async throws {
        let body = #"""
            {"stock_availables":[{"id":60251,"id_product":52695,"id_shop":1,"quantity":12,"out_of_stock":2}]}
            """#
        try await withStubClient(handler: { _ in .json(200, body) }) { client, server in
            let rows = try await client.stockAvailables(productID: 52_695, combinationID: 0)
            #expect(rows.count == 1)
            #expect(rows[0].id == 60_251)
            #expect(rows[0].productAttributeID == 0)
            #expect(rows[0].quantity == 12)
            #expect(rows[0].dependsOnStock == false)
            let query = try #require(server.requests.first).query
            #expect(query["filter[id_product]"] == "[52695]")
            #expect(query["filter[id_product_attribute]"] == "[0]")
            _ = try await client.stockAvailables(productID: 52_695)
            #expect(server.requests[1].query["filter[id_product_attribute]"] == nil)
        }
    }
}
