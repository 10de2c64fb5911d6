import Actions
import EventLog
import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

/// An auto-rollback whose backups are to be restored (`autoRollback.restoreBackup`, DESIGN §11).
struct PendingRestore {
    var key: ResourceKey
    var failedVersion: String
    var failedCommit: String
    /// The environment's `gates.backupBefore`.
    var schedules: [String]
}

extension Reconciler {
    /// After an auto-rollback: restores, through each schedule's `spec.restore`, the newest archive
    /// `gates.backupBefore` took before the failed version — each archive once (an action key of its
    /// own, so a crash or a later pass never restores it twice), checked against the sha256 recorded
    /// with it, recorded as a `restore` event and history entry. A restore that cannot run or fails
    /// leaves the Deployment `Degraded` with the reason (the failed version stays held). Returns
    /// whether it wrote the Deployment's record.
    func restoreBackups(_ restore: PendingRestore, fleet: Fleet, commit: CommitInfo, repository: GitRepository) async -> Bool {
        let environment = restore.key.environment ?? ""
        var batch = StoreBatch()
        var failures: [String] = []
        do {
            let taken = try await store.history(deployment: restore.key.name)
                .filter { $0.action == "backupBefore" && $0.environment == environment && $0.version == restore.failedVersion && $0.archive != nil }
                .sorted { $0.time > $1.time }
            let hold = try checkouts.hold(commit.sha, from: repository)
            let context = try BackupContext.make(settings: settings, checkout: { hold })
            for name in restore.schedules {
                if let failure = try await restoreArchive(of: name, taken: taken, restore: restore, fleet: fleet, context: context, into: &batch) {
                    failures.append(failure)
                }
            }
        } catch {
            failures.append("the restore cannot start: \(error)")
        }
        var wroteRecord = false
        if !failures.isEmpty, var record = try? await store.appliedTable()[restore.key] {
            record.health = .degraded
            record.message = "rolled back from \(restore.failedVersion), but the restore failed: \(failures.joined(separator: "; "))"
            record.updatedAt = Date()
            batch.upsertResources.append(record)
            wroteRecord = true
        }
        guard !batch.isEmpty else { return false }
        do {
            _ = try await store.commit(batch)
        } catch {
            logger.error("cannot record the restore", metadata: ["deployment": "\(restore.key.name)", "error": "\(error)"])
            return false
        }
        return wroteRecord
    }

    /// Restores the newest archive of schedule `name` among `taken`; nil when restored (or restored
    /// before), else why not.
    private func restoreArchive(of name: String, taken: [HistoryEntry], restore: PendingRestore, fleet: Fleet, context: BackupContext,
                                into batch: inout StoreBatch) async throws -> String? {
        let environment = restore.key.environment ?? ""
        guard let schedule = fleet.backups[name], let command = schedule.spec.restore, !command.isEmpty else {
            return "BackupSchedule '\(name)' has no spec.restore"
        }
        guard let entry = taken.first(where: { BackupArchiveName.parse((($0.archive ?? "") as NSString).lastPathComponent, schedule: name) != nil }),
              let archive = entry.archive else {
            return "no archive of '\(name)' was taken before \(restore.failedVersion)"
        }
        let key = ContentHash.sha256Hex("restore\n\(restore.key.resource)\n\(environment)\n\(archive)")
        if try await store.actionKeys([key])[key]?.state == .completed { return nil }
        guard let recorded = entry.archiveSha256, (try? FileDigest.sha256(path: archive)) == recorded else {
            return "\(archive) does not match the sha256 recorded when it was taken; not restored"
        }
        let resource = restore.key.resource
        func keyRecord(_ state: ActionKeyRecord.State, _ message: String?) -> ActionKeyRecord {
            ActionKeyRecord(key: key, state: state, action: "restore", resource: resource, environment: environment, startedAt: Date(),
                            finishedAt: state == .started ? nil : Date(), message: message)
        }
        var started = StoreBatch()
        started.actionKeys.append(keyRecord(.started, nil))
        _ = try await store.commit(started)
        let data = JSONValue.object(["schedule": .string(name), "archive": .string(archive), "sha256": .string(recorded),
                                     "rolledBackFrom": .string(restore.failedVersion)])
        func history(_ outcome: String) -> HistoryEntry {
            HistoryEntry(deployment: restore.key.name, environment: environment, version: restore.failedVersion, action: "restore",
                         outcome: outcome, commit: restore.failedCommit, time: Date(), blueprint: entry.blueprint,
                         archive: archive, archiveSha256: recorded)
        }
        do {
            let message = try await RestoreTargets.command(command, archive: archive, schedule: name, context: context,
                                                           timeoutSeconds: Double(schedule.spec.timeoutSeconds ?? 3600))
            batch.actionKeys.append(keyRecord(.completed, message))
            let event = batch.append(NewEvent(commit: restore.failedCommit, resource: resource, environment: environment, type: "restore",
                                              reason: "BackupRestored",
                                              message: "restored \(archive) (backup \(name), taken before \(restore.failedVersion)) after the rollback",
                                              data: data))
            batch.append(history("succeeded"), seqOfEvent: event)
            return nil
        } catch {
            let why = "\(error)"
            batch.actionKeys.append(keyRecord(.failed, why))
            let event = batch.append(NewEvent(commit: restore.failedCommit, resource: resource, environment: environment, type: .warning,
                                              reason: "RestoreFailed", message: "could not restore \(archive) after the rollback: \(why)", data: data))
            batch.append(history("failed"), seqOfEvent: event)
            return "restore of \(archive) failed: \(why)"
        }
    }
}
