import Foundation

/// XML output as `WebserviceOutputXML` writes it: `<prestashop xmlns:xlink=…>`, values in CDATA,
/// `xlink:href` on references, `<language id="…">` for multilingual fields.
enum XMLRenderer {
    static func document(_ content: String) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<prestashop xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n"
            + content + "</prestashop>\n"
    }

    static func detail(_ entities: [RenderedEntity], definition: ResourceDefinition, options: RenderOptions) -> String {
        document(entities.map { entity(definition.nodeName, $0, options: options, depth: 0) }.joined())
    }

    static func list(
        _ entities: [RenderedEntity],
        definition: ResourceDefinition,
        idsOnly: Bool,
        options: RenderOptions
    ) -> String {
        var content = "<\(definition.name)>\n"
        for entity in entities {
            if idsOnly {
                content +=
                    "\t<\(definition.nodeName) id=\"\(entity.id)\" xlink:href=\""
                    + attribute(options.apiBaseURL + definition.name + "/\(entity.id)") + "\"/>\n"
            } else {
                content += self.entity(definition.nodeName, entity, options: options, depth: 1)
            }
        }
        content += "</\(definition.name)>\n"
        return document(content)
    }

    static func errors(_ errors: [WebserviceError]) -> String {
        var content = "<errors>\n"
        for error in errors {
            content += "<error>\n<code>\(cdata(String(error.code)))</code>\n"
            content += "<message>\(cdata(error.message))</message>\n</error>\n"
        }
        content += "</errors>\n"
        return document(content)
    }

    /// `GET /api/`: every resource the key may use, with its methods.
    static func resourceList(
        _ resources: [(ResourceDefinition, Set<String>)],
        shopName: String,
        options: RenderOptions
    ) -> String {
        var content = "<api shopName=\"\(attribute(shopName))\">\n"
        for (definition, methods) in resources {
            let href = attribute(options.apiBaseURL + definition.name)
            let flags = ["get", "put", "post", "patch", "delete", "head"].map { method in
                "\(method)=\"\(methods.contains(method.uppercased()) ? "true" : "false")\""
            }.joined(separator: " ")
            content += "<\(definition.name) xlink:href=\"\(href)\" \(flags)>\n"
            content += "<description xlink:href=\"\(href)\" \(flags)>\(escape(definition.description))</description>\n"
            content += "<schema xlink:href=\"\(href)?schema=blank\" type=\"blank\"/>\n"
            content += "<schema xlink:href=\"\(href)?schema=synopsis\" type=\"synopsis\"/>\n"
            content += "</\(definition.name)>\n"
        }
        content += "</api>\n"
        return document(content)
    }

    static func schema(_ entity: RenderedEntity, definition: ResourceDefinition, synopsis: Bool) -> String {
        var content = "<\(definition.nodeName)>\n"
        for (field, _) in entity.fields {
            var attributes = ""
            if synopsis {
                if field.required { attributes += " required=\"true\"" }
                attributes += " format=\"\(format(field))\""
                if !field.writable { attributes += " read_only=\"true\"" }
            }
            if field.kind == .multilingual {
                let languages = ShopSeed.languages.map { "<language id=\"\($0)\"></language>" }.joined()
                content += "\t<\(field.name)\(attributes)>\(languages)</\(field.name)>\n"
            } else {
                content += "\t<\(field.name)\(attributes)></\(field.name)>\n"
            }
        }
        if !entity.associations.isEmpty {
            content += "\t<associations>\n"
            for association in entity.associations {
                content += "\t\t<\(association.definition.name) nodeType=\"\(association.definition.nodeType)\">\n"
                content += "\t\t\t<\(association.definition.nodeType)>\n"
                for field in association.fields { content += "\t\t\t\t<\(field.name)></\(field.name)>\n" }
                content += "\t\t\t</\(association.definition.nodeType)>\n"
                content += "\t\t</\(association.definition.name)>\n"
            }
            content += "\t</associations>\n"
        }
        content += "</\(definition.nodeName)>\n"
        return document(content)
    }

    // MARK: - Entities

    private static func entity(
        _ nodeName: String,
        _ entity: RenderedEntity,
        options: RenderOptions,
        depth: Int
    ) -> String {
        let indent = String(repeating: "\t", count: depth)
        var content = "\(indent)<\(nodeName)>\n"
        for (field, value) in entity.fields {
            content += indent + "\t" + self.field(field, value, options: options) + "\n"
        }
        if !entity.associations.isEmpty {
            content += "\(indent)\t<associations>\n"
            for association in entity.associations {
                var attributes = ""
                if association.definition.virtualEntity { attributes += " virtualEntity=\"true\"" }
                if association.definition.readOnly { attributes += " readOnly=\"true\"" }
                attributes += " nodeType=\"\(association.definition.nodeType)\""
                content += "\(indent)\t\t<\(association.definition.name)\(attributes)>\n"
                for row in association.rows {
                    content += "\(indent)\t\t\t<\(association.definition.nodeType)"
                    // An id-only entry carries the link itself: <category xlink:href="…"><id>2</id></category>.
                    var fields = association.fields
                    if fields.count == 1, fields[0].name == "id", let xlink = fields[0].xlink,
                        let id = row["id"]?.intValue
                    {
                        content += " xlink:href=\"\(attribute(options.apiBaseURL + xlink + "/\(id)"))\">\n"
                        fields = [FieldDefinition.id("id")]
                    } else {
                        content += ">\n"
                    }
                    for field in fields {
                        content +=
                            "\(indent)\t\t\t\t" + self.field(field, row[field.name] ?? .null, options: options) + "\n"
                    }
                    content += "\(indent)\t\t\t</\(association.definition.nodeType)>\n"
                }
                content += "\(indent)\t\t</\(association.definition.name)>\n"
            }
            content += "\(indent)\t</associations>\n"
        }
        content += "\(indent)</\(nodeName)>\n"
        return content
    }

    private static func field(_ field: FieldDefinition, _ value: FieldValue, options: RenderOptions) -> String {
        if field.kind == .multilingual {
            let texts: [Int: String] = if case .text(let texts) = value { texts } else { [:] }
            let languages = options.languages.map { language in
                let href = attribute(options.apiBaseURL + "languages/\(language)")
                let text = texts[language] ?? ""
                return
                    "<language id=\"\(language)\" xlink:href=\"\(href)\">\(text.isEmpty ? "" : cdata(text))</language>"
            }.joined()
            return "<\(field.name)>\(languages)</\(field.name)>"
        }
        let text = value.rawString(kind: field.kind)
        var attributes = ""
        if let xlink = field.xlink, let id = value.intValue, id != 0 {
            attributes += " xlink:href=\"\(attribute(options.apiBaseURL + xlink + "/\(id)"))\""
        }
        if field.dynamic { attributes += " notFilterable=\"true\"" }
        return "<\(field.name)\(attributes)>\(text.isEmpty ? "" : cdata(text))</\(field.name)>"
    }

    private static func format(_ field: FieldDefinition) -> String {
        if field.validation == .email { return "isEmail" }
        switch field.kind {
        case .id: return "isUnsignedId"
        case .integer: return "isInt"
        case .decimal: return "isPrice"
        case .bool: return "isBool"
        case .string: return "isGenericName"
        case .date: return "isDate"
        case .multilingual: return "isGenericName"
        }
    }

    static func cdata(_ text: String) -> String {
        "<![CDATA[" + text.replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>") + "]]>"
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static func attribute(_ text: String) -> String {
        escape(text).replacingOccurrences(of: "\"", with: "&quot;")
    }
}
