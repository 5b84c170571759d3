/// A webservice error as PrestaShop reports it: an HTTP status and one or more (code, message) pairs.
struct WebserviceError: Error, Sendable, Equatable {
    let status: Int
    let code: Int
    let message: String

    init(_ status: Int, _ code: Int, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    // MARK: - Authentication (B4)

    static let keyMissing = WebserviceError(
        401,
        16,
        "Please enter the authentication key as the login. No password required"
    )
    static let keyEmpty = WebserviceError(401, 17, "Authentication key is empty")
    static let keyFormat = WebserviceError(401, 18, "Invalid authentication key format")
    static let keyInactive = WebserviceError(401, 20, "Authentification key is not active")
    static let keyWithoutPermission = WebserviceError(401, 21, "No permission for this authentication key")
    static let webserviceDisabled = WebserviceError(
        503,
        22,
        "The PrestaShop webservice is disabled. Please activate it in the PrestaShop Back Office"
    )

    static func resourceNotAllowed(_ resource: String) -> WebserviceError {
        .init(401, 26, "Resource of type \"\(resource)\" is not allowed with this authentication key")
    }

    static func unknownResource(_ resource: String, available: [String]) -> WebserviceError {
        .init(400, 27, didYouMean("Resource of type \"\(resource)\" does not exists", resource, available))
    }

    static func methodNotValid(_ method: String) -> WebserviceError {
        .init(405, 23, "Method \(method) is not valid")
    }

    static func methodForbidden(_ method: String, resource: String) -> WebserviceError {
        .init(405, 101, "Method \(method) is not allowed for the resource \(resource)")
    }

    static func methodNotAllowedForKey(_ method: String, resource: String) -> WebserviceError {
        .init(405, 25, "Method \(method) is not allowed for the resource \(resource) with this authentication key")
    }

    // MARK: - Reads

    static func idsNotFound(_ ids: [String]) -> WebserviceError {
        .init(404, 87, "Id(s) not exists: \(ids.joined(separator: ", "))")
    }

    // MARK: - Writes

    static func xmlParse(_ detail: String, body: String) -> WebserviceError {
        .init(500, 127, "XML error : \(detail)\nXML length : \(body.utf8.count)\nOriginal XML : \(body)")
    }

    static let idDuplicate = WebserviceError(400, 89, "id is duplicate in request")
    static let idRequired = WebserviceError(400, 90, "id is required when modifying a resource")
    static let idForbidden = WebserviceError(400, 91, "id is forbidden when adding a new resource")
    static let invalidID = WebserviceError(404, 92, "Invalid ID")
    static let unableToSave = WebserviceError(500, 46, "Unable to save resource")

    static func required(_ field: String) -> WebserviceError {
        .init(400, 41, "parameter \"\(field)\" required")
    }

    static func notWritable(_ field: String) -> WebserviceError {
        .init(400, 93, "parameter \"\(field)\" not writable. Please remove this attribute of this XML")
    }

    static func invalidProperty(_ className: String, _ field: String) -> WebserviceError {
        .init(400, 85, "Validation error: \"Property \(className)->\(field) is not valid\"")
    }

    static func emptyLanguageProperty(_ className: String, _ field: String) -> WebserviceError {
        .init(400, 84, "Validation error: \"Property \(className)->\(field) is empty.\"")
    }

    static func unknownAssociation(_ name: String) -> WebserviceError {
        .init(400, 86, "The association \"\(name)\" does not exists")
    }

    static func notDeleted(_ ids: [Int]) -> WebserviceError {
        .init(500, 88, "Id(s) wasn't deleted: \(ids.map(String.init).joined(separator: ", "))")
    }

    /// PrestaShop's `setErrorDidYouMean`: the closest value by Levenshtein distance, then the full list.
    static func didYouMean(_ label: String, _ value: String, _ available: [String]) -> String {
        var closest = ""
        var shortest = -1
        for word in available {
            let distance = levenshtein(value, word)
            if distance == 0 {
                closest = word
                break
            }
            if distance <= shortest || shortest < 0 {
                closest = word
                shortest = distance
            }
        }
        let list = available.count > 1 ? " The full list is: \"" + available.joined(separator: "\", \"") + "\"" : ""
        return "\(label). Did you mean: \"\(closest)\"?\(list)"
    }

    static func levenshtein(_ lhs: String, _ rhs: String) -> Int {
        let a = Array(lhs.utf8)
        let b = Array(rhs.utf8)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}
