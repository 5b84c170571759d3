/// A PrestaShop payload (a webhook body or a webservice answer) that cannot be used, with the exact field at fault.
///
/// `path` names the field the way the payload spells it, for example
/// `order.associations.order_rows[0].product_quantity`, so that the gateway can answer 400 with it and an
/// operator can find the field in the shop's JSON. The description never contains field values.
public struct PrestaShopPayloadError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong with the field.
    public enum Problem: Sendable, Hashable, CustomStringConvertible {
        /// The body is not JSON (or not well-formed XML for XML answers).
        case malformedDocument
        /// A required field or object is absent (or dropped by the JSON writer because it was falsy).
        case missing
        /// The field has the wrong JSON type; `expected` names the accepted form.
        case wrongType(expected: String)
        /// A number or id string that is not a whole number.
        case notAnInteger
        /// A money or rate string that is not a plain decimal such as `"20.230000"`.
        case malformedDecimal
        /// A flag that is neither `"1"`/`"0"`/`true`/`false`/missing.
        case malformedBoolean
        /// A number too large (or too small) to be meaningful for this field.
        case outOfRange
        /// A value that must be greater than zero.
        case notPositive
        /// A string or list that must not be empty.
        case empty

        public var description: String {
            switch self {
            case .malformedDocument: "is not a well-formed document"
            case .missing: "is missing"
            case .wrongType(let expected): "must be \(expected)"
            case .notAnInteger: "must be a whole number"
            case .malformedDecimal: "must be a decimal number such as \"20.230000\""
            case .malformedBoolean: "must be \"1\", \"0\", true or false"
            case .outOfRange: "is out of range"
            case .notPositive: "must be greater than 0"
            case .empty: "must not be empty"
            }
        }
    }

    /// The field path, e.g. `order.associations.order_rows[0].product_quantity`; `$` for the document itself.
    public let path: String
    /// What is wrong with it.
    public let problem: Problem

    /// Creates an error for the field at `path`.
    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path) \(problem)" }
}
