import FerryMetricCatalogue

extension FerryMetrics {
    /// ``render()`` with a `# HELP` line from ``FerryMetric/help`` before each of Ferry's metric families.
    ///
    /// swift-metrics has no help text, and swift-prometheus refuses a second registration of a name with a
    /// different help text, so the text is added when rendering instead. Serve this on `/metrics`.
    public func renderWithHelp() -> String { FerryMetric.addingHelp(to: render()) }
}
