import ArgumentParser

/// `steward backup run NAME | list [-o table|json] | restore NAME [--archive FILE] [--dry-run]`.
struct BackupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup", abstract: "Run a BackupSchedule now, list the schedules with their last and next runs, or restore an archive.",
        subcommands: [BackupRunCommand.self, BackupListCommand.self, BackupRestoreCommand.self])
}
