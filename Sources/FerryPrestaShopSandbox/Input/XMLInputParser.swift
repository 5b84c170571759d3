import Foundation

#if canImport(FoundationXML)
import FoundationXML
#endif

/// A parsed XML element: just enough DOM for webservice write bodies.
struct XMLElementNode: Sendable {
    var name: String
    var attributes: [String: String]
    var children: [XMLElementNode] = []
    var text = ""

    func child(_ name: String) -> XMLElementNode? {
        children.first { $0.name == name }
    }
}

/// One entity of a write body (`<order>…</order>`), before it is checked against the resource definition.
struct InputEntity: Sendable {
    enum Value: Sendable {
        case text(String)
        /// `<name><language id="1">…</language></name>`
        case languages([Int: String])
    }

    var nodeName: String
    var values: [String: Value]
    /// `<associations><order_rows><order_row><id>…` → name → entries (field → text).
    var associations: [String: [[String: String]]]
    /// Association elements present in the body, in order (to report unknown ones).
    var associationNames: [String]

    /// The `<id>` text when present and non-empty.
    var id: String? {
        if case .text(let text) = values["id"] {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
        return nil
    }
}

/// Parses write bodies the way `SimpleXMLElement` sees them, with FoundationXML's `XMLParser`.
enum XMLInputParser {
    enum Failure: Error, Equatable {
        case malformed(String)
    }

    /// Parses the body into its root element.
    static func parseDocument(_ data: Data) -> Result<XMLElementNode, Failure> {
        guard !data.isEmpty else { return .failure(.malformed("String could not be parsed as XML")) }
        let delegate = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = delegate
        guard parser.parse(), let root = delegate.root else {
            return .failure(.malformed(delegate.failure ?? "String could not be parsed as XML"))
        }
        return .success(root)
    }

    /// The entities below `<prestashop>` (or whatever the root is, as PrestaShop does not check it).
    static func entities(in root: XMLElementNode) -> [InputEntity] {
        root.children.map(entity)
    }

    private static func entity(_ element: XMLElementNode) -> InputEntity {
        var values: [String: InputEntity.Value] = [:]
        var associations: [String: [[String: String]]] = [:]
        var associationNames: [String] = []
        for child in element.children {
            if child.name == "associations" {
                for association in child.children {
                    associationNames.append(association.name)
                    associations[association.name] = association.children.map { entry in
                        var fields: [String: String] = [:]
                        for field in entry.children { fields[field.name] = field.text }
                        return fields
                    }
                }
                continue
            }
            let languages = child.children.filter { $0.name == "language" }
            if !languages.isEmpty {
                var texts: [Int: String] = [:]
                for language in languages {
                    if let id = language.attributes["id"].flatMap({ Int($0) }) { texts[id] = language.text }
                }
                values[child.name] = .languages(texts)
            } else {
                values[child.name] = .text(child.text)
            }
        }
        return InputEntity(
            nodeName: element.name,
            values: values,
            associations: associations,
            associationNames: associationNames
        )
    }

    private final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [XMLElementNode] = []
        var root: XMLElementNode?
        var failure: String?

        func parser(
            _ parser: XMLParser,
            didStartElement elementName: String,
            namespaceURI: String?,
            qualifiedName qName: String?,
            attributes attributeDict: [String: String] = [:]
        ) {
            stack.append(XMLElementNode(name: elementName, attributes: attributeDict))
        }

        func parser(
            _ parser: XMLParser,
            didEndElement elementName: String,
            namespaceURI: String?,
            qualifiedName qName: String?
        ) {
            guard let element = stack.popLast() else { return }
            if stack.isEmpty {
                root = element
            } else {
                stack[stack.count - 1].children.append(element)
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
            if failure == nil {
                failure = "String could not be parsed as XML (line \(parser.lineNumber), column \(parser.columnNumber))"
            }
        }
    }
}
