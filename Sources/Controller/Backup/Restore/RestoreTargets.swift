import Actions
import EventLog
import Foundation

/// Puts a checked archive back, one function per kind of target. Each returns what it did, one line.
enum RestoreTargets {
    /// `stateStore` on SQLite: the archive is copied beside the database, then renamed over it (atomic);
    /// the previous file (and its WAL) stays as `<db>.before-restore-<stamp>`.
    static func sqlite(archive: String, database: String, stamp: String) async throws -> String {
        let partial = database + ".restore-partial"
        let aside = database + ".before-restore-\(stamp)"
        try? FileManager.default.removeItem(atPath: partial)
        defer { try? FileManager.default.removeItem(atPath: partial) }
        try await BlockingIO.run {
            try? FileManager.default.createDirectory(atPath: (database as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            do { try FileManager.default.copyItem(atPath: archive, toPath: partial) } catch {
                throw BackupError("cannot copy \(archive) beside the store: \(error.localizedDescription)")
            }
            if let handle = FileHandle(forUpdatingAtPath: partial) { try? handle.synchronize(); try? handle.close() }
        }
        var kept = ""
        if FileManager.default.fileExists(atPath: database) {
            do { try FileManager.default.linkItem(atPath: database, toPath: aside) } catch {
                throw BackupError("cannot keep the current store as \(aside): \(error.localizedDescription)")
            }
            kept = "; the previous store is kept as \(aside)"
        }
        // The WAL belongs to the file being replaced: it goes aside with it, never onto the restored copy.
        if FileManager.default.fileExists(atPath: database + "-wal") { _ = rename(database + "-wal", aside + "-wal") }
        try? FileManager.default.removeItem(atPath: database + "-shm")
        guard rename(partial, database) == 0 else {
            throw BackupError("cannot move the restored store into place at \(database): \(String(cString: strerror(errno)))")
        }
        return "replaced the SQLite store \(database) with the archive\(kept)"
    }

    /// `stateStore` on PostgreSQL: creates the database first when it is gone (`create`), then
    /// `pg_restore --clean --if-exists --single-transaction` into it (all or nothing); the password only in `PGPASSWORD`.
    static func postgres(archive: String, target: PostgresTarget, create: Bool, tools: BackupTools) async throws -> String {
        var environment = ["PGCONNECT_TIMEOUT": "30", "PGAPPNAME": "steward-restore", "PGSSLMODE": target.sslMode]
        if let password = target.password { environment["PGPASSWORD"] = password }
        let connection = ["--no-password", "--host=\(target.host)", "--port=\(target.port)", "--username=\(target.user)"]
        if create {
            do {
                try await tools.run("createdb", connection + ["--maintenance-db=postgres", target.database],
                                    install: BackupTools.postgresHint, extraEnvironment: environment)
            } catch let error as BackupError {
                throw BackupError("the database \(target.database) is gone and cannot be created (create it, empty, and restore again): \(error.message)")
            }
        }
        let created = create ? "created the missing database \(target.database), then " : ""
        let database = target.database.contains("=")
            ? "dbname='\(target.database.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'"))'"
            : target.database
        do {
            try await tools.run("pg_restore", connection + [
                "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error",
                "--dbname=\(database)", archive,
            ], install: BackupTools.postgresHint, extraEnvironment: environment)
        } catch let error as BackupError {
            throw BackupError("pg_restore into \(target.database) on \(target.host):\(target.port) failed, nothing was changed (one transaction): \(error.message)")
        }
        return "\(created)restored \(target.database) on \(target.host):\(target.port) with pg_restore --clean (one transaction)"
    }

    /// `eventLog`: extracts the archive beside the log folder, checks the extracted chain, then swaps
    /// it in; the previous folder stays as `<folder>.before-restore-<stamp>`.
    static func eventLog(archive: String, directory: String, stamp: String, tools: BackupTools) async throws -> (note: String, verification: ChainVerification) {
        let parent = (directory as NSString).deletingLastPathComponent
        let folder = (directory as NSString).lastPathComponent
        let scratch = (parent as NSString).appendingPathComponent(".\(folder).restore-\(stamp)")
        try? FileManager.default.removeItem(atPath: scratch)
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        do { try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true) } catch {
            throw BackupError("cannot create \(scratch) to extract the archive: \(error.localizedDescription)")
        }
        try await tools.run("tar", ["-xzf", archive, "-C", scratch, "--no-same-owner", "--no-same-permissions"], install: BackupTools.tarHint)
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: scratch)) ?? []).sorted()
        var isDirectory: ObjCBool = false
        guard entries.count == 1, FileManager.default.fileExists(atPath: scratch + "/" + entries[0], isDirectory: &isDirectory),
              isDirectory.boolValue else {
            throw BackupError("archive \(archive) does not hold one event log folder (it holds: \(entries.joined(separator: ", "))); nothing was restored")
        }
        let extracted = (scratch as NSString).appendingPathComponent(entries[0])
        let checked = try await verify(extracted)
        if case .broken(let seq, let reason) = checked {
            throw BackupError("the event log in \(archive) does not verify (broken at seq \(seq): \(reason)); nothing was restored")
        }
        let aside = directory + ".before-restore-\(stamp)"
        var kept = ""
        if FileManager.default.fileExists(atPath: directory) {
            guard rename(directory, aside) == 0 else {
                throw BackupError("cannot move the current event log aside to \(aside): \(String(cString: strerror(errno)))")
            }
            kept = "; the previous log is kept as \(aside)"
        }
        guard rename(extracted, directory) == 0 else {
            let reason = String(cString: strerror(errno))
            if !kept.isEmpty { _ = rename(aside, directory) }
            throw BackupError("cannot move the restored event log into place at \(directory): \(reason)")
        }
        return ("replaced the event log \(directory) with the archive\(kept)", try await verify(directory))
    }

    /// The check `steward verify-log` makes of a file log: the whole hash chain.
    static func verify(_ directory: String) async throws -> ChainVerification {
        try await BlockingIO.run {
            do { return try FileEventLog(directory: directory).verify() } catch {
                throw BackupError("cannot read the event log \(directory): \(error)")
            }
        }
    }

    /// `command`: the schedule's `restore` command, no shell, the archive in `$STEWARD_BACKUP_ARCHIVE`.
    static func command(_ command: [String], archive: String, schedule: String, context: BackupContext,
                        timeoutSeconds: Double) async throws -> String {
        let resolved: BackupContext.ResolvedCommand
        do { resolved = try await context.resolveCommand(command) } catch let error as BackupError {
            throw BackupError("spec.restore: \(error.message); nothing was restored")
        }
        let name = (resolved.executable as NSString).lastPathComponent
        let outcome = try await BackupTargets.run(resolved, context: context, timeoutSeconds: timeoutSeconds,
                                                  variables: ["STEWARD_BACKUP_ARCHIVE": archive, "STEWARD_BACKUP_SCHEDULE": schedule],
                                                  what: "restore command \(name)")
        do {
            try BackupTools.check(outcome, name: "restore command \(name)", timeoutSeconds: timeoutSeconds, explain: true)
        } catch let error as BackupError {
            throw BackupError(Redactor(secrets: context.secrets).redact(error.message))
        }
        return "ran the restore command \(([name] + resolved.arguments).joined(separator: " ")) with STEWARD_BACKUP_ARCHIVE=\(archive)"
    }
}
