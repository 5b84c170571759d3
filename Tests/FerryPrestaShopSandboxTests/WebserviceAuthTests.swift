import FerryPrestaShopSandbox
import Foundation
import Testing

@Suite("Webservice authentication and permissions")
struct WebserviceAuthTests {
    static let realm =
        "Basic realm=\"Welcome to PrestaShop Webservice, please enter the authentication key as the login. "
        + "No password required.\""

    @Test func missingKeyGives401WithRealmAndCode16() async throws {
        try await withSandbox { client in
            let result = try await client.get("/api/orders", auth: .none)
            #expect(result.status == 401)
            #expect(result.header("WWW-Authenticate") == Self.realm)
            #expect(result.body.contains("<code><![CDATA[16]]></code>"))
            #expect(result.header("PSWS-Version") == nil)
            #expect(result.header("X-Powered-By") == "PrestaShop Webservice")
            #expect(result.header("Access-Time") != nil)
            #expect(result.header("Execution-Time") != nil)
        }
    }

    @Test func keyErrorsHaveTheirCodes() async throws {
        let inactiveKey = "INACTIVE0KEY00000000000000000001"
        let emptyKey = "NOPERMISSIONS0KEY000000000000001"
        let config = configuration {
            $0.apiKeys[inactiveKey] = .init(active: false)
            $0.apiKeys[emptyKey] = .init(resources: [:])
        }
        try await withSandbox(config) { client in
            let cases: [(Auth, Int)] = [
                (.wsKey(""), 17), (.wsKey("SHORTKEY"), 18), (.wsKey("UNKNOWN0KEY000000000000000000001"), 20),
                (.basic(inactiveKey), 20), (.basic(emptyKey), 21),
            ]
            for (auth, code) in cases {
                let result = try await client.get("/api/orders?output_format=JSON", auth: auth)
                #expect(result.status == 401)
                #expect(result.errorCode == code, "\(result.body)")
                #expect(result.header("WWW-Authenticate") == Self.realm)
            }
        }
    }

    @Test func basicAndWsKeyBothAuthenticate() async throws {
        try await withSandbox { client in
            let basic = try await client.get("/api/customers/1", auth: .basic(apiKey))
            let query = try await client.get("/api/customers/1", auth: .wsKey(apiKey))
            #expect(basic.status == 200)
            #expect(query.status == 200)
            #expect(basic.header("PSWS-Version") == "8.1.7")
            #expect(query.header("PSWS-Version") == "8.1.7")
        }
    }

    @Test func permissionsPerResourceAndMethod() async throws {
        let readOnlyKey = "READONLY0PRODUCTS000000000000001"
        let config = configuration { $0.apiKeys[readOnlyKey] = .readOnly(["products", "stock_availables"]) }
        try await withSandbox(config) { client in
            let allowed = try await client.get("/api/products/1", auth: .basic(readOnlyKey))
            #expect(allowed.status == 200)

            let otherResource = try await client.get("/api/orders?output_format=JSON", auth: .basic(readOnlyKey))
            #expect(otherResource.status == 401)
            #expect(otherResource.errorCode == 26)

            let patch = try await client.request(
                "PATCH",
                "/api/products/1?output_format=JSON",
                auth: .basic(readOnlyKey),
                body: "<prestashop><product><id>1</id><price>1</price></product></prestashop>"
            )
            #expect(patch.status == 405)
            #expect(patch.errorCode == 25)

            let listing = try await client.get("/api/", auth: .basic(readOnlyKey))
            #expect(listing.body.contains("<products "))
            #expect(!listing.body.contains("<orders "))
        }
    }

    @Test func stockAvailablesRefusePostAndDelete() async throws {
        try await withSandbox { client in
            let post = try await client.request(
                "POST",
                "/api/stock_availables?output_format=JSON",
                body: "<prestashop><stock_available><quantity>1</quantity></stock_available></prestashop>"
            )
            #expect(post.status == 405)
            #expect(post.errorCode == 101)
            let delete = try await client.request("DELETE", "/api/stock_availables/1?output_format=JSON")
            #expect(delete.status == 405)
            #expect(delete.errorCode == 101)
        }
    }

    @Test func invalidMethodAndUnknownResource() async throws {
        try await withSandbox { client in
            let method = try await client.get("/api/orders?ps_method=FETCH&output_format=JSON")
            #expect(method.status == 405)
            #expect(method.errorCode == 23)

            let resource = try await client.get("/api/order?output_format=JSON")
            #expect(resource.status == 400)
            #expect(resource.errorCode == 27)
            #expect(resource.body.contains("Did you mean: \\\"orders\\\""))
        }
    }

    @Test func psMethodOverridesTheHTTPMethod() async throws {
        try await withSandbox { client in
            let result = try await client.request(
                "POST",
                "/api/customers/1?ps_method=PATCH&output_format=JSON",
                body: "<prestashop><customer><id>1</id><firstname>Renamed</firstname></customer></prestashop>"
            )
            #expect(result.status == 200, "\(result.body)")
            let customer = try await client.getJSON("/api/customers/1").object?["customer"] as? [String: Any]
            #expect(customer?["firstname"] as? String == "Renamed")
        }
    }

    @Test func disabledWebserviceGives503Code22() async throws {
        try await withSandbox { client in
            _ = try await client.control("POST", "faults", ["webserviceDisabled": true])
            let result = try await client.get("/api/orders?output_format=JSON")
            #expect(result.status == 503)
            #expect(result.errorCode == 22)
            _ = try await client.control("POST", "faults", [:])
            #expect(try await client.get("/api/orders").status == 200)
        }
    }

    @Test func strippedAuthorizationHeaderLeavesOnlyWsKey() async throws {
        try await withSandbox { client in
            _ = try await client.control("POST", "faults", ["authorizationHeaderIgnored": true])
            let basic = try await client.get("/api/customers/1?output_format=JSON", auth: .basic(apiKey))
            #expect(basic.status == 401)
            #expect(basic.errorCode == 16)
            #expect(basic.header("WWW-Authenticate") == Self.realm)
            let query = try await client.get("/api/customers/1", auth: .wsKey(apiKey))
            #expect(query.status == 200)
        }
    }

    @Test func rootListsResourcesForTheKey() async throws {
        try await withSandbox { client in
            let xml = try await client.get("/api/")
            #expect(xml.status == 200)
            #expect(xml.body.contains("<api shopName=\"Ferry Sandbox\">"))
            for resource in [
                "orders", "order_details", "order_histories", "order_states", "order_payments", "customers",
                "addresses", "countries", "currencies", "products", "combinations", "stock_availables",
                "taxes", "tax_rules", "tax_rule_groups", "order_cart_rules",
            ] {
                #expect(xml.body.contains("<\(resource) xlink:href=\"http://127.0.0.1:"), "\(resource)")
            }
            #expect(xml.body.contains("<stock_availables xlink:href") && xml.body.contains("post=\"false\""))
            let json = try await client.getJSON("/api/")
            let names = json.json as? [String]
            #expect(names?.count == 16)
            #expect(names?.contains("orders") == true)
        }
    }
}
