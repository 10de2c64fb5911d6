import ArgumentParser
import Controller
import Foundation
import Logging

/// `steward backup run NAME [--config FILE]`: run one schedule of the applied commit now, under its lock.
struct BackupRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a BackupSchedule now (exit 1 when the backup fails).")

    @Argument(help: "The BackupSchedule's name.")
    var name: String

    @OptionGroup var configOption: ConfigOption

    func run() async throws {
        let settings = try configOption.load()
        var logger = Logger(label: "steward.backup")
        logger.logLevel = .warning
        let result: ManualBackup.Result
        do {
            result = try await ManualBackup.run(name: name, settings: settings, logger: logger)
        } catch let error as BackupError {
            throw CLIError(error.message)
        } catch let error as ControllerError {
            throw CLIError(error.message)
        }
        if case .requested(let holder) = result.mode {
            Terminal.standardError("a running controller holds the store (\(holder)): it ran the backup")
        }
        let message = (result.run.message ?? "backup \(name) \(result.run.outcome)")
            .split(whereSeparator: \.isNewline).joined(separator: "; ")
        guard result.run.outcome == "succeeded" else { throw CLIError(message) }
        print(message)
    }
}
