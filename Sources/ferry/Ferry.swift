import ArgumentParser

/// One executable, one subcommand per role (the same image runs every deployment).
@main
struct Ferry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ferry",
        abstract: "Event-driven sync from a PrestaShop webshop to Oracle NetSuite.",
        discussion: "Configuration comes from FERRY_* environment variables; see README, section Configuration.",
        subcommands: [
            GatewayCommand.self, WorkerCommand.self, MigrateCommand.self, MappingsCommand.self, DLQCommand.self,
            SimCommand.self, DevCommand.self,
        ]
    )
}
