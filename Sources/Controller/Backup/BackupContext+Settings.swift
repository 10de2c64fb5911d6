import Foundation

extension BackupContext {
    /// The context `controller.yaml` describes (DESIGN §3): destinations relative to its folder;
    /// a `command` whose first element is relative names a script in the repository, run from the
    /// read-only checkout of the applied commit that `checkout` holds (until the command is done);
    /// an absolute one must be listed in `drivers.exec.allowedCommands`.
    public static func make(settings: ControllerSettings, checkout: @escaping @Sendable () async throws -> CheckoutHold) throws -> BackupContext {
        let url: String
        do { url = try settings.storeURL() } catch let error as ControllerError { throw BackupError(error.message) }
        let database = try BackupDatabase.parse(url, baseDirectory: settings.baseDirectory)
        var secrets: [String] = []
        if case .postgres(let target) = database, let password = target.password { secrets.append(password) }
        let eventLog: String? = if case .sqlite = database { settings.resolve(settings.config.eventLogDirectory) } else { nil }
        let allowed = settings.config.drivers?.exec?.allowedCommands ?? []
        return BackupContext(
            baseDirectory: settings.baseDirectory, stateDirectory: settings.stateDirectory, database: database,
            eventLogDirectory: eventLog, secrets: secrets,
            resolveCommand: { command in
                guard let program = command.first, !program.isEmpty else { throw BackupError("the backup has no command") }
                let hold = try await checkout()
                let directory = hold.path
                if program.hasPrefix("/") {
                    guard allowed.contains(program) else {
                        throw BackupError("backup command \(program) is not listed in drivers.exec.allowedCommands")
                    }
                    return ResolvedCommand(executable: program, arguments: Array(command.dropFirst()), workingDirectory: directory, hold: hold)
                }
                let script = ((directory as NSString).appendingPathComponent(program) as NSString).standardizingPath
                guard DriverFactory.isInside(script, directory) else { throw BackupError("backup command \(program) leaves the repository") }
                guard FileManager.default.isExecutableFile(atPath: script) else {
                    throw BackupError("backup command \(program) is not an executable file in the repository")
                }
                return ResolvedCommand(executable: script, arguments: Array(command.dropFirst()), workingDirectory: directory, hold: hold)
            })
    }
}
