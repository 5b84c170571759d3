import Foundation

extension FerryMetric {
    /// Inserts `# HELP <name> <text>` before every `# TYPE <name> …` line of a metric in the catalogue that has no
    /// help line yet. Other lines are kept as they are.
    public static func addingHelp(to exposition: String) -> String {
        var out = ""
        out.reserveCapacity(exposition.utf8.count + 2048)
        var previous: Substring = ""
        for line in exposition.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("# TYPE ") {
                let name = line.dropFirst("# TYPE ".count).prefix { $0 != " " }
                if let metric = FerryMetric(rawValue: String(name)), !previous.hasPrefix("# HELP \(name) ") {
                    out += "# HELP \(name) \(escapedHelp(metric.help))\n"
                }
            }
            out += line
            out += "\n"
            previous = line
        }
        // split keeps the empty piece after a final newline; do not add one more.
        if out.hasSuffix("\n") { out.removeLast() }
        return out
    }

    /// Help text escaped as the text format wants it (`\` and line feeds).
    static func escapedHelp(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\n", with: "\\n")
    }
}
