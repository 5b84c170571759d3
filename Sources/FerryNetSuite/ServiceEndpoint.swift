/// The parsed base URL of a SuiteTalk domain: where requests go and what the TBA base string signs.
struct ServiceEndpoint: Sendable, Equatable {
    /// Lower-case scheme (`https`, `http`).
    let scheme: String
    /// Lower-case host name or address (IPv6 in brackets).
    let host: String
    /// Port written in the base URL, if any.
    let port: Int?
    /// Path prefix without a trailing slash: `""` or e.g. `/netsuite`.
    let pathPrefix: String

    init(baseURL: String) throws(NetSuiteError) {
        let text = baseURL.trimmingWhitespace()
        guard let schemeEnd = text.range(of: "://") else {
            throw NetSuiteError.invalidConfiguration("baseURL must look like scheme://host[:port][/path]")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter || $0.isNumber || "+-.".contains($0) }) else {
            throw NetSuiteError.invalidConfiguration("baseURL has an invalid scheme")
        }
        let rest = text[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = String(rest[authorityEnd...])
        guard !path.contains("?"), !path.contains("#") else {
            throw NetSuiteError.invalidConfiguration("baseURL must not contain a query or fragment")
        }
        guard !authority.isEmpty, !authority.contains("@") else {
            throw NetSuiteError.invalidConfiguration("baseURL needs a host and no user info")
        }
        var host = Substring(authority)
        var port: Int?
        if let colon = authority.lastIndex(of: ":"), !authority[colon...].contains("]") {
            guard let value = Int(authority[authority.index(after: colon)...]), (1...65_535).contains(value) else {
                throw NetSuiteError.invalidConfiguration("baseURL has an invalid port")
            }
            port = value
            host = authority[..<colon]
        }
        guard !host.isEmpty else {
            throw NetSuiteError.invalidConfiguration("baseURL needs a host")
        }
        while path.hasSuffix("/") { path.removeLast() }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = port
        self.pathPrefix = path
    }

    /// `scheme://host[:port]` exactly as requests are sent.
    var origin: String {
        scheme + "://" + host + (port.map { ":\($0)" } ?? "")
    }

    /// `scheme://host[:port]` for the OAuth 1.0a base string: lower case, default port (80/443) left out.
    var signatureOrigin: String {
        let defaultPort = scheme == "https" ? 443 : (scheme == "http" ? 80 : nil)
        if let port, port != defaultPort {
            return scheme + "://" + host + ":\(port)"
        }
        return scheme + "://" + host
    }

    /// The full URL of `path` (already percent-encoded, starting with `/`) with `query`.
    func url(path: String, query: [(name: String, value: String)]) -> String {
        let base = origin + pathPrefix + path
        return query.isEmpty ? base : base + "?" + PercentEncoding.query(query)
    }

    /// The base-string URL of `path`: lower-case origin without the default port, path, no query.
    func signatureURL(path: String) -> String {
        signatureOrigin + pathPrefix + path
    }
}
