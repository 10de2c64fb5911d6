import Foundation

/// Where backups read from and write to: paths, the store, the event log, and how `command`
/// targets are found. Built from `controller.yaml` by `make(settings:checkout:)`, or by hand in tests.
public struct BackupContext: Sendable {
    /// A `command` resolved to an executable and the folder it runs in.
    public struct ResolvedCommand: Sendable {
        public var executable: String
        public var arguments: [String]
        public var workingDirectory: String
        /// Keeps the checkout the command runs from until the command is done with it.
        public var hold: CheckoutHold?

        public init(executable: String, arguments: [String], workingDirectory: String, hold: CheckoutHold? = nil) {
            self.executable = executable
            self.arguments = arguments
            self.workingDirectory = workingDirectory
            self.hold = hold
        }
    }

    /// Destinations resolve against this folder (the one holding `controller.yaml`).
    public var baseDirectory: String
    /// Steward's working folder; locks live in `<stateDirectory>/backups`.
    public var stateDirectory: String
    /// The state store the `stateStore` target copies.
    public var database: BackupDatabase
    /// The file event log's folder, nil when the log is a PostgreSQL table.
    public var eventLogDirectory: String?
    /// The environment tools and commands get: `PATH` and `HOME` only, plus the `STEWARD_*` variables per run.
    public var environment: [String: String]
    /// Values replaced by `[redacted]` in every output tail and message.
    public var secrets: [String]
    /// Finds a schedule's `command`.
    public var resolveCommand: @Sendable ([String]) async throws -> ResolvedCommand

    public init(baseDirectory: String, stateDirectory: String, database: BackupDatabase, eventLogDirectory: String?,
                environment: [String: String] = BackupContext.inheritedEnvironment(), secrets: [String] = [],
                resolveCommand: @escaping @Sendable ([String]) async throws -> ResolvedCommand) {
        self.baseDirectory = Self.absolute(baseDirectory)
        self.stateDirectory = Self.absolute(stateDirectory)
        if case .sqlite(let path) = database { self.database = .sqlite(path: Self.absolute(path)) } else { self.database = database }
        self.eventLogDirectory = eventLogDirectory.map(Self.absolute)
        self.environment = environment
        self.secrets = secrets
        self.resolveCommand = resolveCommand
    }

    /// `path` made absolute against the current directory (tools run from `/`), standardized.
    static func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(path)
        return (joined as NSString).standardizingPath
    }

    /// `PATH` and `HOME` of this process.
    /// - Parameter current: the controller's environment (default: this process's); tests give one
    ///   rather than call `setenv`, which races with every thread reading the environment.
    public static func inheritedEnvironment(from current: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        var result: [String: String] = ["PATH": current["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"]
        if let home = current["HOME"] { result["HOME"] = home }
        return result
    }

    /// `path` resolved against `baseDirectory` (absolute paths unchanged).
    public func resolve(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : (baseDirectory as NSString).appendingPathComponent(path)
        return (joined as NSString).standardizingPath
    }

    /// `<stateDirectory>/backups`: locks, run requests, temporary snapshots.
    public var backupsDirectory: String { (stateDirectory as NSString).appendingPathComponent("backups") }

    /// The lock file of a schedule.
    public func lockPath(_ schedule: String) -> String { BackupLock.path(stateDirectory: stateDirectory, schedule: schedule) }

    /// A resolver for tests and simple set-ups: relative commands are found under `directory` and run there.
    public static func commands(in directory: String) -> @Sendable ([String]) async throws -> ResolvedCommand {
        { command in
            guard let program = command.first, !program.isEmpty else { throw BackupError("the backup has no command") }
            let executable = program.hasPrefix("/") ? program : ((directory as NSString).appendingPathComponent(program) as NSString).standardizingPath
            return ResolvedCommand(executable: executable, arguments: Array(command.dropFirst()), workingDirectory: directory)
        }
    }
}
