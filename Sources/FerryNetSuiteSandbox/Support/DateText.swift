import Foundation

/// The date spellings the sandbox reads and writes, all in UTC.
enum DateText {
    private static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        return calendar
    }()

    /// `YYYY-MM-DD`, the REST record form of a date field.
    static func day(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
    }

    /// `M/D/YYYY`, how SuiteQL prints a date or date-time column without `TO_CHAR`.
    static func suiteQLDay(_ date: Date) -> String {
        let parts = utc.dateComponents([.year, .month, .day], from: date)
        return "\(parts.month ?? 0)/\(parts.day ?? 0)/\(parts.year ?? 0)"
    }

    /// ISO 8601 date-time with `Z`, the REST record form of `createdDate` / `lastModifiedDate`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// Parses `YYYY-MM-DD` strictly (a real calendar day).
    static func parseDay(_ text: String) -> Date? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return nil }
        return makeDate(year: year, month: month, day: day)
    }

    /// Parses a date literal as SuiteQL users write it: `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS`, `YYYY-MM-DDTHH:MM:SSZ`
    /// or `M/D/YYYY`.
    static func parseLiteral(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let date = parseDay(trimmed) { return date }
        if let date = try? Date(trimmed, strategy: .iso8601) { return date }
        if trimmed.count == 19 {
            let iso = trimmed.replacingOccurrences(of: " ", with: "T") + "Z"
            if let date = try? Date(iso, strategy: .iso8601) { return date }
        }
        let slashed = trimmed.split(separator: "/")
        if slashed.count == 3, let month = Int(slashed[0]), let day = Int(slashed[1]), let year = Int(slashed[2]) {
            return makeDate(year: year, month: month, day: day)
        }
        return nil
    }

    /// Formats with an Oracle `TO_CHAR` / `TO_DATE` pattern: `YYYY`, `MM`, `DD`, `HH24`, `MI`, `SS`; other characters
    /// are copied.
    static func format(_ date: Date, oraclePattern pattern: String) -> String {
        let parts = utc.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        var output = ""
        var rest = Substring(pattern.uppercased())
        let tokens: [(String, String)] = [
            ("YYYY", String(format: "%04d", parts.year ?? 0)), ("HH24", String(format: "%02d", parts.hour ?? 0)),
            ("MM", String(format: "%02d", parts.month ?? 0)), ("DD", String(format: "%02d", parts.day ?? 0)),
            ("MI", String(format: "%02d", parts.minute ?? 0)), ("SS", String(format: "%02d", parts.second ?? 0)),
        ]
        outer: while let first = rest.first {
            for (token, value) in tokens where rest.hasPrefix(token) {
                output += value
                rest = rest.dropFirst(token.count)
                continue outer
            }
            output.append(first)
            rest = rest.dropFirst()
        }
        return output
    }

    /// Parses with an Oracle pattern (the subset ``format(_:oraclePattern:)`` writes).
    static func parse(_ text: String, oraclePattern pattern: String) -> Date? {
        var values: [String: Int] = [:]
        var input = Substring(text)
        var rest = Substring(pattern.uppercased())
        let widths: [(String, Int)] = [("YYYY", 4), ("HH24", 2), ("MM", 2), ("DD", 2), ("MI", 2), ("SS", 2)]
        outer: while let first = rest.first {
            for (token, width) in widths where rest.hasPrefix(token) {
                guard input.count >= width, let value = Int(input.prefix(width)) else { return nil }
                values[token] = value
                input = input.dropFirst(width)
                rest = rest.dropFirst(token.count)
                continue outer
            }
            guard input.first == first else { return nil }
            input = input.dropFirst()
            rest = rest.dropFirst()
        }
        guard input.isEmpty, let year = values["YYYY"], let month = values["MM"], let day = values["DD"] else {
            return nil
        }
        return makeDate(
            year: year,
            month: month,
            day: day,
            hour: values["HH24"] ?? 0,
            minute: values["MI"] ?? 0,
            second: values["SS"] ?? 0
        )
    }

    private static func makeDate(
        year: Int,
        month: Int,
        day: Int,
        hour: Int = 0,
        minute: Int = 0,
        second: Int = 0
    ) -> Date? {
        let components = DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second)
        guard let date = utc.date(from: components) else { return nil }
        let check = utc.dateComponents([.year, .month, .day], from: date)
        guard check.year == year, check.month == month, check.day == day else { return nil }
        return date
    }
}
