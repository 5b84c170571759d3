import Foundation
import Testing

@testable import FerryPrestaShop

@Suite("PrestaShop XML bodies and error parsing")
struct PrestaShopXMLTests {
    @Test(arguments: [
        "plain", "a & b < c > d \" e ' f", "ends with ]]>", "]]>]]>", "Café ☕ 日本", "line\nbreak\ttab",
    ])
    func textRoundTripsThroughCDATA(text: String) throws {
        let document = PrestaShopXMLElement.document(resource: "thing", fields: [.field("value", text)])
        let xml = document.serializedDocument()
        #expect(xml.hasPrefix(#"<?xml version="1.0" encoding="UTF-8"?>"#))
        let parsed = try #require(PrestaShopXMLElement.parse(Data(xml.utf8)))
        #expect(parsed.child("thing")?.child("value")?.text == text)
    }

    @Test func controlCharactersXMLCannotCarryAreDropped() throws {
        let document = PrestaShopXMLElement.document(resource: "thing", fields: [.field("value", "a\u{0}b\u{1B}c")])
        let parsed = try #require(PrestaShopXMLElement.parse(Data(document.serializedDocument().utf8)))
        #expect(parsed.child("thing")?.child("value")?.text == "abc")
    }

    @Test func attributesAreEntityEscaped() throws {
        var element = PrestaShopXMLElement(name: "a", attributes: ["title": "x\"<&>'y"])
        element.text = "t"
        let xml = element.serializedDocument()
        #expect(xml.contains("title=\"x&quot;&lt;&amp;&gt;&apos;y\""))
        #expect(PrestaShopXMLElement.parse(Data(xml.utf8))?.attributes["title"] == "x\"<&>'y")
    }

    @Test func orderHistoryBodyMatchesTheDocumentedShape() {
        let xml = PrestaShopXMLElement.document(
            resource: "order_history",
            fields: [.field("id_order", "6"), .field("id_order_state", "4")]
        ).serializedDocument()
        #expect(
            xml.hasSuffix(
                #"<prestashop xmlns:xlink="http://www.w3.org/1999/xlink"><order_history>"#
                    + "<id_order><![CDATA[6]]></id_order><id_order_state><![CDATA[4]]></id_order_state>"
                    + "</order_history></prestashop>"
            )
        )
    }

    @Test(arguments: ["", "<html><body>x", "not xml", "<a><b></a>"])
    func malformedXMLIsNil(text: String) {
        #expect(PrestaShopXMLElement.parse(Data(text.utf8)) == nil)
    }

    @Test func externalEntitiesAreNotResolved() {
        let xml = #"<?xml version="1.0"?><!DOCTYPE a [<!ENTITY e SYSTEM "file:///etc/passwd">]><a>&e;</a>"#
        let text = PrestaShopXMLElement.parse(Data(xml.utf8))?.text ?? ""
        #expect(!text.contains("root:"))
    }

    @Test func xmlResourceConvertsToTheJSONShape() throws {
        let xml = #"""
            <prestashop><order_state><id><![CDATA[2]]></id><paid>1</paid>
            <name><language id="1"><![CDATA[Paiement accepté]]></language>
            <language id="2">Payment accepted</language></name>
            <associations><order_rows nodeType="order_row">
            <order_row><id>1</id></order_row><order_row><id>2</id></order_row></order_rows>
            <empty_list></empty_list></associations></order_state></prestashop>
            """#
        let root = try #require(PrestaShopXMLElement.parse(Data(xml.utf8)))
        let object = try root.child("order_state")!.jsonValue().root.object()
        let state = try PrestaShopOrderState(reading: object)
        #expect(state.id == 2 && state.isPaid)
        #expect(state.name.value(languageID: 2) == "Payment accepted")
        let associations = try object.field("associations").optionalObject()
        #expect(try associations.field("order_rows").list().count == 2)
        #expect(try associations.field("empty_list").list().isEmpty)
    }

    @Test func webserviceErrorsFromEveryBodyForm() {
        #expect(
            PrestaShopError.parseWebserviceErrors(Data(#"{"errors":[{"code":87,"message":"Id(s) not exists"}]}"#.utf8))
                == [.init(code: 87, message: "Id(s) not exists")]
        )
        #expect(
            PrestaShopError.parseWebserviceErrors(
                Data(
                    ("\n<?xml version=\"1.0\"?><prestashop><errors><error><code><![CDATA[ 90 ]]>"
                        + "</code><message><![CDATA[id is required when modifying a resource]]></message>"
                        + "</error><error><code>41</code><message>x</message></error></errors></prestashop>")
                        .utf8
                )
            )
                == [
                    .init(code: 90, message: "id is required when modifying a resource"), .init(code: 41, message: "x"),
                ]
        )
        #expect(PrestaShopError.parseWebserviceErrors(Data("<!DOCTYPE html><html></html>".utf8)).isEmpty)
        #expect(PrestaShopError.parseWebserviceErrors(Data("".utf8)).isEmpty)
        #expect(PrestaShopError.parseWebserviceErrors(Data(#"{"errors":"oops"}"#.utf8)).isEmpty)
        #expect(
            PrestaShopError.parseWebserviceErrors(Data(#"{"errors":[{"message":"no code"}]}"#.utf8)) == [
                .init(code: 0, message: "no code")
            ]
        )
    }
}
