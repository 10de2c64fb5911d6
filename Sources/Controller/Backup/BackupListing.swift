import Foundation
import Manifests
import Reconcile

/// What `steward backup list` shows per schedule of the applied commit: the last run and its
/// outcome, the archive, and the next run the scheduler owes (an overdue catch-up, else the next fire time).
public struct BackupListing: Sendable {
    public struct Row: Sendable, Hashable {
        public var name: String
        public var schedule: String
        public var lastRun: Date?
        public var outcome: String?
        public var archive: String?
        public var sizeBytes: Int64?
        public var nextRun: Date?
    }

    public var rows: [Row]

    /// - Parameter runs: every recorded run (any schedule, any order).
    public init(schedules: [String: BackupSchedule], runs: [BackupRun], now: Date) {
        let bySchedule = Dictionary(grouping: runs, by: \.schedule)
        rows = schedules.keys.sorted().map { name in
            let spec = schedules[name]!.spec
            let mine = bySchedule[name] ?? []
            let last = mine.max { a, b in Self.time(of: a) < Self.time(of: b) }
            var next: Date?
            if let cron = try? CronExpression(parsing: spec.schedule) {
                let decision = BackupPlanner.decide(cron: cron, runs: mine, anchor: now, now: now)
                next = decision.run ?? decision.next
            }
            return Row(name: name, schedule: spec.schedule, lastRun: last.map(Self.time(of:)), outcome: last?.outcome,
                       archive: last?.archive, sizeBytes: last?.sizeBytes, nextRun: next)
        }
    }

    /// When a run happened: its start, or its fire time for one that never started (`missed`).
    static func time(of run: BackupRun) -> Date { run.outcome == "missed" ? run.scheduledFor : run.startedAt }

    /// `1.2 MiB`-style sizes.
    public static func humanSize(_ bytes: Int64) -> String {
        guard bytes >= 1024 else { return "\(bytes) B" }
        var value = Double(bytes) / 1024
        for unit in ["KiB", "MiB", "GiB", "TiB"] {
            if value < 1024 || unit == "TiB" { return String(format: value < 10 ? "%.1f" : "%.0f", value) + " " + unit }
            value /= 1024
        }
        return "\(bytes) B"
    }
}
