import Foundation

/// Decimal text as PrestaShop writes it: fixed scale, `.` separator, half-up rounding.
enum DecimalFormat {
    static func string(_ value: Decimal, scale: Int) -> String {
        var input = value
        var rounded = Decimal()
        NSDecimalRound(&rounded, &input, scale, .plain)
        var text = rounded.description
        let negative = text.hasPrefix("-")
        if negative { text.removeFirst() }
        var parts = text.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.isEmpty { parts = ["0"] }
        var fraction = parts.count > 1 ? parts[1] : ""
        if fraction.count < scale {
            fraction += String(repeating: "0", count: scale - fraction.count)
        }
        let body = scale > 0 ? "\(parts[0]).\(fraction)" : parts[0]
        let isZero = rounded == 0
        return negative && !isZero ? "-" + body : body
    }

    /// Strict parse: optional sign, digits, optional fraction. Rejects `12abc`, which `Decimal(string:)` accepts.
    static func parse(_ text: String) -> Decimal? {
        var digits = 0
        var dots = 0
        for (offset, character) in text.enumerated() {
            switch character {
            case "0"..."9": digits += 1
            case ".": dots += 1
            case "-" where offset == 0, "+" where offset == 0: continue
            default: return nil
            }
        }
        guard digits > 0, dots <= 1 else { return nil }
        return Decimal(string: text, locale: Locale(identifier: "en_US_POSIX"))
    }
}

/// Dates in shop time, `YYYY-MM-DD HH:MM:SS`, without offset, as PrestaShop stores and returns them.
struct ShopDateFormat: Sendable {
    let timeZone: TimeZone

    func string(from date: Date) -> String {
        let seconds = Int(date.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: date)
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let (year, month, day) = Self.civil(fromDays: days)
        let time = [secondOfDay / 3_600, secondOfDay % 3_600 / 60, secondOfDay % 60].map { Self.pad($0, 2) }
        return "\(Self.pad(year, 4))-\(Self.pad(month, 2))-\(Self.pad(day, 2)) " + time.joined(separator: ":")
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    /// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func civil(fromDays days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthPrime = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthPrime + 2) / 5 + 1
        let month = monthPrime < 10 ? monthPrime + 3 : monthPrime - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
