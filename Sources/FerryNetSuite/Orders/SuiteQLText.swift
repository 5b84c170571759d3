/// SuiteQL text with values escaped in one place: every value Ferry puts into a query goes through
/// ``literal(_:)``, so no caller interpolates a value into SuiteQL itself.
public enum SuiteQLText {
    /// `'value'`, with single quotes doubled.
    public static func literal(_ value: String) -> String {
        "'" + value.replacingOccurrences(of: "'", with: "''") + "'"
    }

    /// The customer with this external id.
    public static func customer(externalID: String) -> String {
        "SELECT id FROM customer WHERE externalid = \(literal(externalID))"
    }

    /// The oldest customer with this e-mail, case-insensitive.
    public static func customer(email: String) -> String {
        "SELECT id FROM customer WHERE LOWER(email) = \(literal(email.lowercased())) ORDER BY id"
    }

    /// A cheap query that succeeds whenever NetSuite answers normally: the worker's outage probe.
    public static let probe = "SELECT id FROM transaction WHERE externalid = 'ferry-probe'"
}
