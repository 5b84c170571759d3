import ArgumentParser

@main
struct Ferry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ferry", abstract: "PrestaShop → NetSuite event-driven sync.")
}
