import Foundation
import Logging
import Manifests
import Reconcile
import StateStore

/// `steward backup run NAME`: runs one schedule now, under its lock. With SQLite, when a
/// controller holds the store, the run is requested from that controller instead (only one
/// process may append to the file event log) and this waits for its outcome.
public enum ManualBackup {
    /// How the run happened.
    public enum Mode: Sendable { case direct, requested(holder: String) }

    public struct Result: Sendable {
        public var run: BackupRun
        public var mode: Mode
    }

    public static func run(name: String, settings: ControllerSettings, logger: Logger) async throws -> Result {
        var leader: LeaderLock?
        var holder: String?
        if let path = try settings.leaderLockPath() {
            do { leader = try LeaderLock(path: path) } catch { holder = LeaderLock.currentHolder(path: path) ?? "another steward" }
        }
        defer { _ = leader }
        let store = try await settings.openStore()
        do {
            let result = try await run(name: name, settings: settings, store: store, controller: holder, logger: logger)
            try? await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }

    private static func run(name: String, settings: ControllerSettings, store: any StateStore, controller: String?,
                            logger: Logger) async throws -> Result {
        let source = AppliedBackupSchedules(settings: settings, store: store, logger: logger)
        guard let loaded = try await source.load(fallbackToBranch: true) else { throw BackupError("no commit to read backup schedules from") }
        let schedule = try loaded.schedule(name)
        if let controller {
            let run = try await request(name: name, schedule: schedule, settings: settings, store: store)
            return Result(run: run, mode: .requested(holder: controller))
        }
        let context = try BackupContext.make(settings: settings, checkout: { try await source.checkout() })
        let lockPath = context.lockPath(name)
        guard let lock = try BackupLock.tryAcquire(path: lockPath, owner: "steward backup run") else {
            throw BackupError("backup \(name) is already running (\(BackupLock.holder(path: lockPath) ?? "unknown")); try again when it finishes")
        }
        defer { lock.release() }
        let runner = BackupRunner(store: store, context: context, logger: logger)
        await runner.recoverInterrupted(schedule: name, runs: try await store.backupRuns(schedule: name))
        let run = await runner.run(name: name, schedule: schedule, scheduledFor: BackupPlanner.manualTime(Date()), holding: lock)
        return Result(run: run, mode: .direct)
    }

    /// Asks the running controller and waits for the outcome (the timeout plus two minutes at most).
    private static func request(name: String, schedule: BackupSchedule, settings: ControllerSettings, store: any StateStore) async throws -> BackupRun {
        let request = try await BackupRequests.submit(schedule: name, store: store, stateDirectory: settings.stateDirectory)
        let limit = Double(schedule.spec.timeoutSeconds ?? BackupRunner.defaultTimeoutSeconds) + 120
        let started = Date()
        var lastRing = started
        let leaderPath = try settings.leaderLockPath()
        while true {
            try await Task.sleep(for: .milliseconds(300))
            let current = try await store.backupRuns(schedule: name).first { BackupRequests.sameKey($0.scheduledFor, request.scheduledFor) }
            guard var current else { throw BackupError("the request to run backup \(name) disappeared from the store") }
            if current.outcome == "succeeded" || current.outcome == "failed" { return current }
            if current.outcome == "requested", let leaderPath, LeaderLock.currentHolder(path: leaderPath) == nil {
                current.outcome = "failed"
                current.finishedAt = Date()
                current.message = "backup \(name) failed: the controller stopped before running the request"
                var batch = StoreBatch()
                batch.backupRuns = [current]
                try await store.commit(batch)
                throw BackupError("the controller stopped before running backup \(name); run steward backup run \(name) again")
            }
            if Date().timeIntervalSince(started) > limit {
                throw BackupError("timed out after \(Int(limit)) s waiting for the controller to run backup \(name)")
            }
            if Date().timeIntervalSince(lastRing) > 5 {
                BackupRequests.ring(stateDirectory: settings.stateDirectory, schedule: name)
                lastRing = Date()
            }
        }
    }
}
