import ArgumentParser
import Foundation

/// `steward` — the GitOps controller for agent fleets.
public struct Steward: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "steward",
        abstract: "GitOps controller for agent fleets: Git is the desired state, Steward converges the fleet.",
        version: "0.1.0",
        subcommands: [RunCommand.self, ValidateCommand.self, DiffCommand.self, StatusCommand.self, LogsCommand.self, HistoryCommand.self, VerifyLogCommand.self, SchemaCommand.self, BackupCommand.self, PromoteCommand.self, RollbackCommand.self, ApproveCommand.self, ExplainCommand.self, RolloutCommand.self]
    )

    public init() {}

    /// Parses the arguments, runs the command, prints user errors as one line and exits with the
    /// documented code: 0 success, 1 error, 64 usage error.
    public static func runMain(arguments: [String]? = nil) async -> Int32 {
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return 0
        } catch let error as CLIError {
            if !error.message.isEmpty { Terminal.standardError("error: \(error.message)") }
            return error.exitCode
        } catch {
            let code = exitCode(for: error)
            switch code.rawValue {
            case 0:
                let text = fullMessage(for: error)
                if !text.isEmpty { print(text) }
            case ExitCode.validationFailure.rawValue:
                Terminal.standardError(fullMessage(for: error))
            default:
                // Not an argument error: one line, no stack trace.
                Terminal.standardError("error: \(error)")
            }
            return code.rawValue
        }
    }
}
