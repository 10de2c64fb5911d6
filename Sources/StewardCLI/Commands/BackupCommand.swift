import ArgumentParser

/// `steward backup run NAME | list [-o table|json]`.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Run a BackupSchedule now, or list the schedules with their last and next runs.",
        subcommands: [BackupRunCommand.self, BackupListCommand.self])
}
