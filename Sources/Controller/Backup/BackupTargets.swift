import Actions
import Foundation
import Logging
import Manifests
import SQLiteNIO

/// Writes one archive for each kind of target into a temporary path (renamed into place by the runner).
enum BackupTargets {
    /// `eventLog`: a snapshot of the segments, then `tar -czf` (system tar and gzip, no shell).
    static func eventLog(context: BackupContext, tools: BackupTools, into partial: String, scratch: String) async throws -> String {
        guard let directory = context.eventLogDirectory else {
            throw BackupError("with a PostgreSQL store the event log is a table in the database: back it up with target: stateStore")
        }
        let folder = (directory as NSString).lastPathComponent
        let snapshot = (scratch as NSString).appendingPathComponent(folder)
        try? FileManager.default.removeItem(atPath: scratch)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let copied = try await BlockingIO.run { try EventLogSnapshot.copy(from: directory, to: snapshot) }
        try await tools.run("tar", ["-czf", partial, "-C", scratch, folder], install: BackupTools.tarHint)
        return "\(copied.files) segment file\(copied.files == 1 ? "" : "s"), \(copied.bytes) bytes of log"
    }

    /// `stateStore` on SQLite: `VACUUM INTO` on a connection of its own (an online, consistent copy).
    static func sqlite(path: String, into partial: String, logger: Logger) async throws -> String {
        guard FileManager.default.fileExists(atPath: path) else { throw BackupError("the SQLite store \(path) does not exist") }
        let connection: SQLiteConnection
        do {
            connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            throw BackupError("cannot open the SQLite store \(path): \(error)")
        }
        do {
            _ = try await connection.query("PRAGMA busy_timeout=5000", [])
            _ = try await connection.query("VACUUM INTO ?", [.text(partial)])
            try await connection.close()
        } catch {
            try? await connection.close()
            throw BackupError("VACUUM INTO failed for \(path): \(error)")
        }
        return "online copy of \((path as NSString).lastPathComponent) (VACUUM INTO)"
    }

    /// `stateStore` on PostgreSQL: `pg_dump --format=custom`, the password only in `PGPASSWORD`.
    static func postgres(_ target: PostgresTarget, tools: BackupTools, into partial: String) async throws -> String {
        var environment = ["PGCONNECT_TIMEOUT": "30", "PGAPPNAME": "steward-backup", "PGSSLMODE": target.sslMode]
        if let password = target.password { environment["PGPASSWORD"] = password }
        // A database name holding '=' would be read as a connection string: pass it as one, quoted.
        let database = target.database.contains("=")
            ? "dbname='\(target.database.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"))'"
            : target.database
        try await tools.run("pg_dump", [
            "--format=custom", "--file=\(partial)", "--no-password", "--host=\(target.host)", "--port=\(target.port)",
            "--username=\(target.user)", "--dbname=\(database)",
        ], install: BackupTools.postgresHint, extraEnvironment: environment)
        return "pg_dump of \(target.database) on \(target.host):\(target.port)"
    }

    /// `command`: the schedule's command, no shell, writing to `$STEWARD_BACKUP_DESTINATION`.
    static func command(_ command: [String], schedule: String, context: BackupContext, timeoutSeconds: Double,
                        into partial: String) async throws -> ProcessOutcome {
        let resolved = try await context.resolveCommand(command)
        let name = (resolved.executable as NSString).lastPathComponent
        let outcome = try await run(resolved, context: context, timeoutSeconds: timeoutSeconds,
                                    variables: ["STEWARD_BACKUP_DESTINATION": partial, "STEWARD_BACKUP_SCHEDULE": schedule])
        do {
            try BackupTools.check(outcome, name: name, timeoutSeconds: timeoutSeconds)
        } catch let error as BackupError {
            throw CommandFailure(message: error.message, outcome: outcome)
        }
        return outcome
    }

    /// Runs a resolved schedule command (no shell) with the context's environment plus `variables`;
    /// the checkout it runs from stays until it ended. A command that cannot start is a `BackupError`.
    static func run(_ resolved: BackupContext.ResolvedCommand, context: BackupContext, timeoutSeconds: Double,
                    variables: [String: String], what: String? = nil) async throws -> ProcessOutcome {
        let environment = context.environment.merging(variables) { $1 }
        defer { withExtendedLifetime(resolved.hold) {} }
        do {
            return try await ProcessRunner.run(ProcessRequest(
                executable: resolved.executable, arguments: resolved.arguments, environment: environment,
                workingDirectory: resolved.workingDirectory, timeoutSeconds: timeoutSeconds, secrets: context.secrets))
        } catch let error as DriverError {
            throw BackupError(what.map { "\($0): \(error.message)" } ?? error.message)
        }
    }

    /// A command that failed, with its output tails for the event.
    struct CommandFailure: Error, CustomStringConvertible {
        var message: String
        var outcome: ProcessOutcome
        var description: String { message }
    }
}
