import Foundation

/// A PrestaShop payload (a webhook body or a webservice answer) that cannot be used, with the exact field at fault.
///
/// `path` names the field the way the payload spells it, for example
/// `order.associations.order_rows[0].product_quantity`, so that the gateway can answer 400 with it and an
/// operator can find the field in the shop's JSON. The description never contains text of the payload; the
/// problems that compare amounts show the amounts they compared, as Ferry parsed them (numbers, never names,
/// addresses or keys), so that an operator sees what does not add up:
/// `order.total_paid_tax_incl is 105.00 but products + shipping + wrapping - discounts (tax incl.) is 100.00
/// (allowed difference 0.01)`.
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
        /// A money amount, price or rate below zero.
        case negative
        /// An order reference that is not 9 upper-case letters A-Z, the form `Order::generateReference()` gives.
        case notAReference
        /// An amount that does not agree with the amounts it is made of: `expected` is what `computedAs` (for an
        /// operator, e.g. "products + shipping + wrapping - discounts") gives, and the two are more than `tolerance`
        /// (PrestaShop's rounding) apart.
        case inconsistent(actual: Decimal, expected: Decimal, computedAs: String, tolerance: Decimal)
        /// An amount below the smallest the order's other amounts allow: `minimum` is what `computedAs` gives
        /// (e.g. a tax-included total below its tax-excluded one).
        case belowMinimum(actual: Decimal, minimum: Decimal, computedAs: String)
        /// An amount above the largest the order's other amounts allow: `maximum` is what `computedAs` gives
        /// (e.g. discounts larger than what they discount).
        case aboveMaximum(actual: Decimal, maximum: Decimal, computedAs: String)

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
            case .negative: "must not be negative"
            case .notAReference: "must be 9 upper-case letters A-Z, as PrestaShop generates order references"
            case .inconsistent(let actual, let expected, let computedAs, let tolerance):
                "is \(Self.amount(actual)) but \(computedAs) is \(Self.amount(expected))"
                    + " (allowed difference \(Self.amount(tolerance)))"
            case .belowMinimum(let actual, let minimum, let computedAs):
                "is \(Self.amount(actual)) but must be at least \(computedAs), \(Self.amount(minimum))"
            case .aboveMaximum(let actual, let maximum, let computedAs):
                "is \(Self.amount(actual)) but must be at most \(computedAs), \(Self.amount(maximum))"
            }
        }

        /// An amount as an operator reads it: at least 2 decimals (`100.00`, `9.775`), never an exponent.
        static func amount(_ value: Decimal) -> String {
            var text = value.description
            let fractionDigits = text.firstIndex(of: ".").map { text.distance(from: $0, to: text.endIndex) - 1 }
            switch fractionDigits {
            case nil: text += ".00"
            case 1: text += "0"
            default: break
            }
            return text
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
