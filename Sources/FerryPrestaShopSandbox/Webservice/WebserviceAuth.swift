import Foundation
import Hummingbird

/// Finds and checks the webservice key (`WebserviceRequest::authenticate`, B1/B4).
struct WebserviceAuth: Sendable {
    let keys: [String: PrestaShopSandboxConfiguration.KeyPermissions]

    /// The key from HTTP Basic (username, any password) or `ws_key`; nil when neither is present.
    /// With `ignoreAuthorizationHeader` (CGI mode) only `ws_key` is seen.
    static func key(
        headers: HTTPFields,
        parameters: QueryParameters,
        ignoreAuthorizationHeader: Bool
    ) -> String? {
        if !ignoreAuthorizationHeader, let authorization = headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "basic",
                let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces))
            {
                let credentials = String(decoding: decoded, as: UTF8.self)
                return String(
                    credentials.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
                        .first ?? ""
                )
            }
        }
        return parameters["ws_key"]
    }

    /// The key's permissions, or the authentication error with its code.
    func authenticate(_ key: String?) throws(WebserviceError) -> PrestaShopSandboxConfiguration.KeyPermissions {
        guard let key else { throw WebserviceError.keyMissing }
        let trimmed = key.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw WebserviceError.keyEmpty }
        guard trimmed.utf8.count == 32 else { throw WebserviceError.keyFormat }
        guard let permissions = keys[trimmed], permissions.active else { throw WebserviceError.keyInactive }
        if let resources = permissions.resources, resources.values.allSatisfy(\.isEmpty) {
            throw WebserviceError.keyWithoutPermission
        }
        return permissions
    }

    /// `checkResource` + `checkHTTPMethod` for a resource.
    static func authorize(
        method: String,
        resource: ResourceDefinition,
        permissions: PrestaShopSandboxConfiguration.KeyPermissions
    ) throws(WebserviceError) {
        guard let allowed = permissions.methods(for: resource.name), !allowed.isEmpty else {
            throw WebserviceError.resourceNotAllowed(resource.name)
        }
        guard let parsed = PrestaShopSandboxConfiguration.WebserviceMethod(rawValue: method) else {
            throw WebserviceError.methodNotValid(method)
        }
        if resource.forbiddenMethods.contains(method) {
            throw WebserviceError.methodForbidden(method, resource: resource.name)
        }
        guard allowed.contains(parsed) else {
            throw WebserviceError.methodNotAllowedForKey(method, resource: resource.name)
        }
    }
}
