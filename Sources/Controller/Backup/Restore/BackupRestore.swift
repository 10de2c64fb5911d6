import EventLog
import Foundation
import Logging
import Manifests
import StateStore

/// `steward backup restore NAME [--archive FILE] [--dry-run]`: ordered checks first (schedule,
/// restore command, archive, sha256, integrity, leadership), then one restore. Any check that fails
/// throws a one-line `BackupError` before anything is touched; a dry run stops after the checks.
public enum BackupRestore {
    /// What a restore did (or, dry, would do).
    public struct Report: Sendable {
        public var schedule: String
        public var target: String
        public var archive: String
        public var sha256: String
        public var verification: String
        public var dryRun: Bool
        /// What was done, or would be done, in order.
        public var actions: [String]
        /// The event log after the restore (verified), when the restore touched it.
        public var eventLog: ChainVerification?
    }

    public static func run(name: String, archive explicit: String?, dryRun: Bool, settings: ControllerSettings,
                           logger: Logger) async throws -> Report {
        // The store is read only for the applied commit and the lease; a lost store is no obstacle.
        var store: (any StateStore)?
        var missingDatabase = false
        do { store = try await settings.openStore(logger: logger, access: .readOnly) } catch {
            missingDatabase = "\(error)".contains("[SQLSTATE 3D000]")   // PostgreSQL: the database does not exist
        }
        do {
            let report = try await run(name: name, explicit: explicit, dryRun: dryRun, settings: settings, store: store,
                                       missingDatabase: missingDatabase, logger: logger)
            try? await store?.close()
            return report
        } catch {
            try? await store?.close()
            throw error
        }
    }

    private static func run(name: String, explicit: String?, dryRun: Bool, settings: ControllerSettings, store: (any StateStore)?,
                            missingDatabase: Bool, logger: Logger) async throws -> Report {
        let schedules = AppliedBackupSchedules(settings: settings, store: store, logger: logger)
        guard let loaded = try await schedules.load(fallbackToBranch: true) else { throw BackupError("no commit to read backup schedules from") }
        let schedule = try loaded.schedule(name)
        let spec = schedule.spec
        if spec.target == .command, spec.restore?.isEmpty ?? true {
            throw BackupError("backup \(name) has no restore command (spec.restore): a command backup is restored only by its own command; nothing was restored")
        }
        let context = try BackupContext.make(settings: settings, checkout: { try await schedules.checkout() })
        let timeout = Double(spec.timeoutSeconds ?? BackupRunner.defaultTimeoutSeconds)
        let archive = try RestoreArchive.locate(explicit: explicit, schedule: name, destination: context.resolve(spec.destination))
        let sha256 = try await RestoreArchive.checkChecksum(archive)
        let expected: BackupVerifier.Format? = switch spec.target {
        case .eventLog: .gzip
        case .stateStore: if case .sqlite = context.database { .sqlite } else { .postgresCustom }
        case .command: nil
        }
        let verification = try await RestoreArchive.checkIntegrity(archive, expected: expected, context: context, timeoutSeconds: timeout, logger: logger)

        var report = Report(schedule: name, target: spec.target.rawValue, archive: archive, sha256: sha256,
                            verification: verification, dryRun: dryRun, actions: [])
        let lockPath = context.lockPath(name)
        if let holder = BackupLock.holder(path: lockPath) {
            throw BackupError("backup \(name) is running (\(holder)): restore when it has finished; nothing was restored")
        }
        var hold = RestoreLeadership.Hold(lock: nil)
        switch (spec.target, context.database) {
        case (.command, _): break
        case (_, .sqlite):
            if let path = try settings.leaderLockPath() { hold = try RestoreLeadership.claimSQLite(lockPath: path, dryRun: dryRun) }
        case (_, .postgres):
            try await RestoreLeadership.checkPostgres(store)
        }
        // Steward's own store is closed before it is replaced; a command restore still needs the applied commit.
        if spec.target != .command { try? await store?.close() }
        defer { withExtendedLifetime(hold) {} }

        let backupLock = dryRun ? nil : try BackupLock.tryAcquire(path: lockPath, owner: "steward backup restore")
        if !dryRun, backupLock == nil { throw BackupError("backup \(name) started meanwhile: restore when it has finished; nothing was restored") }
        defer { backupLock?.release() }
        let stamp = BackupArchiveName.timestamp(Date())
        let tools = BackupTools(context: context, timeoutSeconds: timeout)
        switch (spec.target, context.database) {
        case (.command, _):
            let restore = spec.restore ?? []
            guard !dryRun else {
                report.actions = ["would run the restore command \(restore.joined(separator: " ")) with STEWARD_BACKUP_ARCHIVE=\(archive)"]
                return report
            }
            report.actions = [try await RestoreTargets.command(restore, archive: archive, schedule: name, context: context, timeoutSeconds: timeout)]
        case (.eventLog, _):
            guard let directory = context.eventLogDirectory else {
                throw BackupError("with a PostgreSQL store the event log is a table in the database: restore a stateStore backup instead")
            }
            guard !dryRun else {
                report.actions = ["would replace the event log \(directory) with the archive (the previous log kept as \(directory).before-restore-<time>), then verify it"]
                return report
            }
            let restored = try await RestoreTargets.eventLog(archive: archive, directory: directory, stamp: stamp, tools: tools)
            report.actions = [restored.note]
            report.eventLog = restored.verification
        case (.stateStore, .sqlite(let path)):
            guard !dryRun else {
                report.actions = ["would replace the SQLite store \(path) with the archive (the previous file kept as \(path).before-restore-<time>)"]
                return report
            }
            report.actions = [try await RestoreTargets.sqlite(archive: archive, database: path, stamp: stamp)]
        case (.stateStore, .postgres(let target)):
            guard !dryRun else {
                let create = missingDatabase ? "create the missing database \(target.database), then " : ""
                report.actions = ["would \(create)restore \(target.database) on \(target.host):\(target.port) with pg_restore --clean (one transaction), then verify the event log"]
                return report
            }
            report.actions = [try await RestoreTargets.postgres(archive: archive, target: target, create: missingDatabase, tools: tools)]
            report.eventLog = try await settings.withStore(access: .readOnly) { try await $0.verifyEventLog() }
        }
        if case .broken(let seq, let reason)? = report.eventLog {
            throw BackupError("restored backup \(name) from \(archive), but the event log does not verify: broken at seq \(seq): \(reason)")
        }
        return report
    }
}
