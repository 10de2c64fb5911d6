import Actions
import EventLog
import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

/// `gates.backupBefore` (DESIGN §11): before a deploy or promote into the environment, its
/// BackupSchedules run — through the backup runner, under each schedule's lock (so never beside the
/// scheduler or `steward backup run`), verified. The archive and its sha256 go into the Deployment's
/// history and an event naming the change they protect; a failed or unverified backup blocks it.
struct BackupBeforeOutcome {
    /// Why the change is blocked (nil: every backup succeeded).
    var failure: String?
    /// A schedule's lock was held by another run: blocked for this pass only, tried again at the next.
    var busy = false
}

extension Reconciler {
    /// Runs `schedules` before `action`; the history entries and events of the archives go into `batch`.
    func backupBefore(_ schedules: [String], action: PlannedAction, fleet: Fleet, commit: CommitInfo, repository: GitRepository,
                      into batch: inout StoreBatch) async -> BackupBeforeOutcome {
        let context: BackupContext
        do {
            let hold = try checkouts.hold(commit.sha, from: repository)
            context = try BackupContext.make(settings: settings, checkout: { hold })
        } catch {
            return BackupBeforeOutcome(failure: "backup before \(action.kind.rawValue) cannot start: \(error)")
        }
        let runner = BackupRunner(store: store, context: context, logger: logger)
        for name in schedules {
            guard let schedule = fleet.backups[name] else { return BackupBeforeOutcome(failure: "BackupSchedule '\(name)' not found") }
            let lockPath = context.lockPath(name)
            let lock: BackupLock?
            do { lock = try BackupLock.tryAcquire(path: lockPath, owner: "steward run (backup before \(action.key.name))") } catch {
                return BackupBeforeOutcome(failure: "backup '\(name)' cannot take its lock: \(error)")
            }
            guard let lock else {
                return BackupBeforeOutcome(failure: "waiting for backup '\(name)', already running (\(BackupLock.holder(path: lockPath) ?? "unknown"))",
                                           busy: true)
            }
            let run = await runner.run(name: name, schedule: schedule, scheduledFor: BackupPlanner.manualTime(Date()), holding: lock)
            lock.release()
            guard run.outcome == "succeeded", let archive = run.archive else {
                return BackupBeforeOutcome(failure: run.message ?? "backup '\(name)' failed")
            }
            guard let checksum = Self.checksum(of: archive) else {
                return BackupBeforeOutcome(failure: "backup '\(name)' was not verified (no \((archive as NSString).lastPathComponent).sha256)")
            }
            let message = "backup \(name) taken before \(action.kind.rawValue) of \(action.version ?? "?"): \(archive) (sha256 \(checksum))"
            let event = batch.append(NewEvent(commit: commit.sha, resource: action.key.resource, environment: action.key.environment,
                                              type: .backup, reason: "BackupBeforeDeploy", message: message,
                                              data: .object(["schedule": .string(name), "archive": .string(archive), "sha256": .string(checksum),
                                                             "version": .string(action.version ?? ""), "action": .string(action.kind.rawValue)])))
            batch.append(HistoryEntry(deployment: action.key.name, environment: action.environmentName, version: action.version ?? "",
                                      action: "backupBefore", outcome: "succeeded", commit: commit.sha, time: Date(),
                                      blueprint: action.document["spec"]?["blueprint"]?.string, archive: archive, archiveSha256: checksum),
                         seqOfEvent: event)
        }
        return BackupBeforeOutcome()
    }

    /// The hex sha256 in `ARCHIVE.sha256`, written only after the archive verified.
    static func checksum(of archive: String) -> String? {
        guard let text = try? String(contentsOfFile: archive + BackupArchiveName.checksumSuffix, encoding: .utf8),
              let hex = text.split(separator: " ").first, hex.count == 64 else { return nil }
        return String(hex)
    }
}
