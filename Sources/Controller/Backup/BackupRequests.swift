import Foundation
import Manifests
import Reconcile
import StateStore

/// `steward backup run` while a controller holds the SQLite store: the CLI writes a `requested`
/// run to the store (no event — only the controller appends to the file event log) and rings a
/// doorbell file `<stateDir>/backups/<name>.request`; the scheduler runs the request under the
/// schedule's lock and records it like any run.
public enum BackupRequests {
    /// Requests older than this are not run any more (the CLI that asked has given up).
    public static let expirySeconds: Double = 600

    /// The doorbell file of a schedule.
    public static func doorbell(stateDirectory: String, schedule: String) -> String {
        ((stateDirectory as NSString).appendingPathComponent("backups") as NSString).appendingPathComponent("\(schedule).request")
    }

    /// Creates (or touches) the doorbell.
    public static func ring(stateDirectory: String, schedule: String) {
        let path = doorbell(stateDirectory: stateDirectory, schedule: schedule)
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: path, contents: Data())
    }

    /// Writes a `requested` run of `schedule` and rings; returns it (its `scheduledFor` is its key).
    public static func submit(schedule: String, store: any StateStore, stateDirectory: String, now: Date = Date()) async throws -> BackupRun {
        let who = ProcessInfo.processInfo.environment["USER"] ?? "unknown"
        let request = BackupRun(schedule: schedule, scheduledFor: BackupPlanner.manualTime(now), startedAt: now, outcome: "requested",
                                message: "requested by \(who) with steward backup run")
        var batch = StoreBatch()
        batch.backupRuns = [request]
        try await store.commit(batch)
        ring(stateDirectory: stateDirectory, schedule: schedule)
        return request
    }

    /// Whether two run keys are the same instant (store times have millisecond precision).
    static func sameKey(_ a: Date, _ b: Date) -> Bool {
        Int64((a.timeIntervalSince1970 * 1000).rounded()) == Int64((b.timeIntervalSince1970 * 1000).rounded())
    }
}

extension BackupScheduler {
    /// The requests to run now, one per schedule, with their locks taken; expired requests and
    /// requests for schedules not in the applied commit are recorded as failed.
    func requestedRuns(_ schedules: [String: BackupSchedule], now: Date) async -> [Start] {
        let folder = context.backupsDirectory
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [])
            .filter { $0.hasSuffix(".request") }.map { String($0.dropLast(".request".count)) }.sorted()
        var starts: [Start] = []
        let recorder = BackupRecorder(store: store, logger: logger)
        for name in names where !isRunning(name) {
            let doorbell = BackupRequests.doorbell(stateDirectory: context.stateDirectory, schedule: name)
            guard let runs = try? await store.backupRuns(schedule: name) else { continue }
            let requests = runs.filter { $0.outcome == "requested" }.sorted { $0.scheduledFor < $1.scheduledFor }
            var pending: [BackupRun] = []
            for var request in requests {
                if now.timeIntervalSince(request.startedAt) > BackupRequests.expirySeconds {
                    request.outcome = "failed"
                    request.finishedAt = now
                    request.message = "backup \(name) failed: the request expired before Steward could run it"
                    await recorder.finished(request, data: ["requested": .bool(true)])
                } else if schedules[name] == nil {
                    request.outcome = "failed"
                    request.finishedAt = now
                    request.message = "backup \(name) failed: no BackupSchedule '\(name)' in the applied commit"
                    await recorder.finished(request, data: ["requested": .bool(true)])
                } else {
                    pending.append(request)
                }
            }
            guard let request = pending.first, let schedule = schedules[name] else {
                try? FileManager.default.removeItem(atPath: doorbell)
                continue
            }
            guard let lock = try? BackupLock.tryAcquire(path: context.lockPath(name), owner: "steward run (requested)") else { continue }
            markRunning(name)
            starts.append(Start(name: name, schedule: schedule, scheduledFor: request.scheduledFor, lock: lock))
        }
        return starts
    }
}
