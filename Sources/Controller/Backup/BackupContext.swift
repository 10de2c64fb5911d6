import Foundation

/// Where backups read from and write to: paths, the store, the event log, and how `command`
/// targets are found. Built from `controller.yaml` by `make(settings:checkout:)`, or by hand in tests.
public struct BackupContext: Sendable {
    /// A `command` resolved to an executable and the folder it runs in.
    public struct ResolvedCommand: Sendable, Hashable {
        public var executable: String
        public var arguments: [String]
        public var workingDirectory: String

        public init(executable: String, arguments: [String], workingDirectory: String) {
            self.executable = executable
            self.arguments = arguments
            self.workingDirectory = workingDirectory
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
    /// Values replaced by `***` in every output tail and message.
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
    public static func inheritedEnvironment() -> [String: String] {
        let current = ProcessInfo.processInfo.environment
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

/// The store a `stateStore` backup copies.
public enum BackupDatabase: Sendable, Hashable {
    case sqlite(path: String)
    case postgres(PostgresTarget)

    /// Parses a resolved `store.url` (`sqlite://PATH`, relative to `baseDirectory`, or `postgres://…`).
    public static func parse(_ url: String, baseDirectory: String) throws -> BackupDatabase {
        guard let range = url.range(of: "://") else { throw BackupError("store.url is not a URL; use sqlite://PATH or postgres://USER@HOST/DB") }
        let scheme = url[..<range.lowerBound].lowercased()
        let rest = String(url[range.upperBound...])
        switch scheme {
        case "sqlite":
            let path = rest.hasPrefix("/") ? rest : (baseDirectory as NSString).appendingPathComponent(rest)
            return .sqlite(path: (path as NSString).standardizingPath)
        case "postgres", "postgresql":
            return .postgres(try PostgresTarget.parse(rest))
        default:
            throw BackupError("store.url has an unknown scheme \"\(scheme)\"; use sqlite:// or postgres://")
        }
    }
}

/// The connection parameters `pg_dump` gets as options and environment (the password only as `PGPASSWORD`).
public struct PostgresTarget: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// `sslmode=` from the URL, passed as `PGSSLMODE`.
    public var sslMode: String?

    /// Parses what follows `postgres://`: `user[:password]@host[:port][/database][?sslmode=…]`.
    static func parse(_ rest: String) throws -> PostgresTarget {
        var main = Substring(rest), query: Substring = "", path: Substring = ""
        if let mark = main.firstIndex(of: "?") { query = main[main.index(after: mark)...]; main = main[..<mark] }
        if let slash = main.firstIndex(of: "/") { path = main[main.index(after: slash)...]; main = main[..<slash] }
        guard let at = main.lastIndex(of: "@") else { throw BackupError("store.url has no user name; use postgres://USER@HOST:PORT/DATABASE") }
        let userInfo = main[..<at]
        var hostPort = main[main.index(after: at)...]
        func decode(_ text: Substring) -> String { String(text).removingPercentEncoding ?? String(text) }
        var user = decode(userInfo), password: String?
        if let colon = userInfo.firstIndex(of: ":") {
            user = decode(userInfo[..<colon])
            password = decode(userInfo[userInfo.index(after: colon)...])
        }
        var port = 5432
        if hostPort.hasPrefix("["), let close = hostPort.firstIndex(of: "]") {
            let after = hostPort[hostPort.index(after: close)...]
            if after.hasPrefix(":"), let value = Int(after.dropFirst()) { port = value }
            hostPort = hostPort[hostPort.index(after: hostPort.startIndex)..<close]
        } else if let colon = hostPort.lastIndex(of: ":") {
            guard let value = Int(hostPort[hostPort.index(after: colon)...]) else { throw BackupError("store.url has a bad port") }
            port = value
            hostPort = hostPort[..<colon]
        }
        guard !user.isEmpty, !hostPort.isEmpty else { throw BackupError("store.url needs a user and a host: postgres://USER@HOST:PORT/DATABASE") }
        var sslMode: String?
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.first == "sslmode", parts.count == 2 { sslMode = decode(parts[1]) }
        }
        return PostgresTarget(host: String(hostPort), port: port, user: user, password: password,
                              database: path.isEmpty ? user : decode(path), sslMode: sslMode)
    }
}
