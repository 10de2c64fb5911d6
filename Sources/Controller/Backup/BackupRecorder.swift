import EventLog
import Foundation
import Logging
import Manifests
import Metrics
import Reconcile
import StateStore

/// Writes what backups did: `BackupRun` upserts, `backup` events (reasons `BackupSucceeded`,
/// `BackupFailed`, `BackupMissed`), the BackupSchedule's status message, and the metrics
/// `steward_backup_failures_total{schedule}` and `steward_backup_last_success_timestamp_seconds{schedule}`.
///
/// Writes are shielded from task cancellation, so a run stopped by shutdown is still recorded.
struct BackupRecorder: Sendable {
    let store: any StateStore
    let logger: Logger

    static func resource(_ schedule: String) -> String { ResourceKey(kind: .backupSchedule, name: schedule).resource }

    /// The `running` row of a run that starts.
    func started(_ run: BackupRun) async {
        var batch = StoreBatch()
        batch.backupRuns = [run]
        await write(batch, what: "the start of backup \(run.schedule)")
    }

    /// A finished run (`succeeded` or `failed`): its row, its event, metrics and status message.
    func finished(_ run: BackupRun, data: [String: JSONValue], at eventTime: Date? = nil) async {
        let succeeded = run.outcome == "succeeded"
        let time = eventTime ?? run.finishedAt ?? Date()
        var batch = StoreBatch()
        batch.backupRuns = [run]
        var members = data
        members["schedule"] = .string(run.schedule)
        members["scheduledFor"] = .string(CanonicalJSON.timestamp(run.scheduledFor))
        members["outcome"] = .string(run.outcome)
        if let archive = run.archive { members["archive"] = .string(archive) }
        if let size = run.sizeBytes { members["sizeBytes"] = .int(Int(size)) }
        batch.events = [NewEvent(time: time, resource: Self.resource(run.schedule), type: .backup,
                                 reason: succeeded ? "BackupSucceeded" : "BackupFailed",
                                 message: run.message ?? "backup \(run.schedule) \(run.outcome)", data: .object(members))]
        let status = succeeded
            ? "last backup succeeded at \(CanonicalJSON.timestamp(time)): \(run.archive ?? "") (\(run.sizeBytes ?? 0) bytes)"
            : "last backup failed at \(CanonicalJSON.timestamp(time)): \(Self.reason(run.message, schedule: run.schedule))"
        await addStatus(status, schedule: run.schedule, time: time, to: &batch)
        await write(batch, what: "the outcome of backup \(run.schedule)")
        if succeeded {
            Gauge(label: "steward_backup_last_success_timestamp_seconds", dimensions: [("schedule", run.schedule)])
                .record(time.timeIntervalSince1970)
        } else {
            Counter(label: "steward_backup_failures_total", dimensions: [("schedule", run.schedule)]).increment()
        }
    }

    /// Fire times that were not run: one `missed` row each and one event for all of them.
    func missed(schedule: String, _ missed: [BackupPlanner.Missed], more: Bool, now: Date, detail: String? = nil) async {
        guard let first = missed.first, let last = missed.last else { return }
        var batch = StoreBatch()
        batch.backupRuns = missed.map { item in
            BackupRun(schedule: schedule, scheduledFor: item.fireTime, startedAt: now, finishedAt: now, outcome: "missed",
                      message: detail ?? Self.describe(item.reason))
        }
        let count = missed.count
        let when = count == 1 && !more
            ? "the run scheduled for \(CanonicalJSON.timestamp(first.fireTime))"
            : "\(more ? "more than " : "")\(count) runs scheduled from \(CanonicalJSON.timestamp(first.fireTime)) to \(CanonicalJSON.timestamp(last.fireTime))"
        let reasons = Set(missed.map(\.reason))
        let why = detail ?? (reasons.count == 1 ? Self.describe(first.reason) : "Steward was not running or the previous run was still going")
        batch.events = [NewEvent(time: now, resource: Self.resource(schedule), type: .backup, reason: "BackupMissed",
                                 message: "backup \(schedule) missed \(when): \(why)",
                                 data: .object(["schedule": .string(schedule), "missed": .int(count), "more": .bool(more),
                                                "fireTimes": .array(missed.map { .string(CanonicalJSON.timestamp($0.fireTime)) })]))]
        await addStatus("missed \(when): \(why)", schedule: schedule, time: now, to: &batch)
        await write(batch, what: "missed runs of backup \(schedule)")
    }

    static func describe(_ reason: BackupPlanner.MissReason) -> String {
        switch reason {
        case .notRunning: "Steward was not running at that time (only the latest missed run is caught up)"
        case .overlapped: "the previous run of this schedule was still going"
        }
    }

    /// The reason part of a failed run's message.
    static func reason(_ message: String?, schedule: String) -> String {
        let prefix = "backup \(schedule) failed: "
        guard let message else { return "unknown error" }
        return message.hasPrefix(prefix) ? String(message.dropFirst(prefix.count)) : message
    }

    /// Sets the BackupSchedule's status message when Steward has recorded the schedule as applied.
    private func addStatus(_ message: String, schedule: String, time: Date, to batch: inout StoreBatch) async {
        let key = ResourceKey(kind: .backupSchedule, name: schedule)
        guard let resources = try? await shielded({ try await store.resources() }),
              var record = resources.first(where: { $0.key == key }) else { return }
        record.message = message
        record.updatedAt = time
        batch.upsertResources = [record]
    }

    /// Commits `batch`, logging (not throwing) a failure: the run itself already happened.
    private func write(_ batch: StoreBatch, what: String) async {
        do {
            _ = try await shielded { try await store.commit(batch) }
        } catch {
            logger.error("cannot record \(what)", metadata: ["error": "\(error)"])
        }
    }

    /// Runs `body` in a task that does not inherit this one's cancellation.
    private func shielded<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Task { try await body() }.value
    }
}
