import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A minimal XML element tree for the webservice's write bodies and XML answers.
///
/// Writes are XML only (external-apis.md B9). Bodies are built here with every text value in CDATA, and
/// answers (error bodies, write results, a resource read back for GET-modify-PUT) are parsed into this tree.
struct PrestaShopXMLElement: Sendable, Hashable {
    var name: String
    var attributes: [String: String]
    var children: [PrestaShopXMLElement]
    var text: String

    init(name: String, attributes: [String: String] = [:], children: [PrestaShopXMLElement] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// A leaf element holding `text`.
    static func field(_ name: String, _ text: String) -> PrestaShopXMLElement {
        PrestaShopXMLElement(name: name, text: text)
    }

    /// `<prestashop xmlns:xlink=…><resource>fields…</resource></prestashop>`.
    static func document(resource: String, fields: [PrestaShopXMLElement]) -> PrestaShopXMLElement {
        PrestaShopXMLElement(
            name: "prestashop",
            attributes: ["xmlns:xlink": "http://www.w3.org/1999/xlink"],
            children: [PrestaShopXMLElement(name: resource, children: fields)]
        )
    }

    func child(_ name: String) -> PrestaShopXMLElement? { children.first { $0.name == name } }

    // MARK: Writing

    /// The document with an XML declaration. Text goes into CDATA sections; attribute values are entity-escaped.
    func serializedDocument() -> String {
        var output = #"<?xml version="1.0" encoding="UTF-8"?>"# + "\n"
        write(into: &output)
        return output
    }

    private func write(into output: inout String) {
        output += "<\(name)"
        for key in attributes.keys.sorted() {
            output += " \(key)=\"\(Self.escapeAttribute(attributes[key] ?? ""))\""
        }
        output += ">"
        if children.isEmpty {
            output += Self.cdata(text)
        } else {
            for child in children { child.write(into: &output) }
        }
        output += "</\(name)>"
    }

    /// Wraps text in CDATA; `]]>` inside is split across two sections and characters XML 1.0 forbids are dropped.
    static func cdata(_ text: String) -> String {
        guard !text.isEmpty else { return "" }
        let clean = String(String.UnicodeScalarView(text.unicodeScalars.filter(isAllowedXMLScalar)))
        return "<![CDATA[" + clean.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>") + "]]>"
    }

    static func escapeAttribute(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars where isAllowedXMLScalar(scalar) {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&apos;"
            case "\n": result += "&#10;"
            case "\r": result += "&#13;"
            case "\t": result += "&#9;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    private static func isAllowedXMLScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    // MARK: Parsing

    /// Parses a document; `nil` when it is not well-formed XML.
    static func parse(_ data: some DataProtocol) -> PrestaShopXMLElement? {
        // A declaration must come first; tolerate whitespace a PHP file or proxy put before it.
        let bytes = Data(data.drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
        let builder = TreeBuilder()
        let parser = XMLParser(data: bytes)
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [PrestaShopXMLElement] = []
        var root: PrestaShopXMLElement?

        func parser(
            _ parser: XMLParser,
            didStartElement elementName: String,
            namespaceURI: String?,
            qualifiedName qName: String?,
            attributes attributeDict: [String: String] = [:]
        ) {
            stack.append(PrestaShopXMLElement(name: elementName, attributes: attributeDict))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA cdataBlock: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: cdataBlock, as: UTF8.self)
        }

        func parser(
            _ parser: XMLParser,
            didEndElement elementName: String,
            namespaceURI: String?,
            qualifiedName qName: String?
        ) {
            guard var element = stack.popLast() else { return }
            if !element.children.isEmpty {
                element.text = ""  // whitespace between child elements
            }
            if stack.isEmpty {
                root = element
            } else {
                stack[stack.count - 1].children.append(element)
            }
        }
    }

    // MARK: Conversion

    /// The element's content in the JSON shape the webservice writes, so the JSON readers apply unchanged:
    /// leaves become strings (the 1.7 style), `<name><language id="1">…</language></name>` becomes
    /// `[{"id":"1","value":"…"}]`, association lists (children of `<associations>`) become arrays, and other
    /// elements with children become objects.
    func jsonValue(inAssociations: Bool = false) -> PrestaShopJSON {
        if children.isEmpty {
            return inAssociations ? .array([]) : .string(text)
        }
        if children.allSatisfy({ $0.name == "language" }) {
            return .array(
                children.map {
                    .object(["id": .string($0.attributes["id"] ?? ""), "value": .string($0.text)])
                }
            )
        }
        if inAssociations {
            return .array(children.map { $0.jsonValue() })
        }
        var members: [String: PrestaShopJSON] = [:]
        for child in children {
            members[child.name] = child.jsonValue(inAssociations: name == "associations")
        }
        return .object(members)
    }
}
