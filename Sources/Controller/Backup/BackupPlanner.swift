import Foundation
import Manifests
import Reconcile

/// Decides, purely, what a schedule owes at `now` from its recorded runs: the fire time to run
/// (at most one — the latest; older missed fire times are reported as missed), and the next fire.
///
/// Scheduled runs are keyed by their cron fire time (whole minutes); manual runs and requests by
/// `manualTime(_:)`, which is never on a whole minute, so they never move the schedule.
public enum BackupPlanner {
    /// Older missed fire times than this many are summed up, not recorded one by one.
    public static let maxMissedRecorded = 100

    /// Why a fire time was not run.
    public enum MissReason: String, Sendable, Hashable {
        /// Steward was not running (or not yet scheduling) at that time.
        case notRunning
        /// The previous run of the schedule was still going.
        case overlapped
    }

    public struct Missed: Sendable, Hashable {
        public var fireTime: Date
        public var reason: MissReason
    }

    public struct Decision: Sendable, Hashable {
        /// The fire time to run now, if one is due.
        public var run: Date?
        /// Fire times to record as missed, oldest first.
        public var missed: [Missed] = []
        /// Whether even older fire times were missed than those listed.
        public var moreMissed = false
        /// The first fire time after `now`.
        public var next: Date?
    }

    /// Whether a run's `scheduledFor` is a cron fire time (whole minute) rather than a manual run.
    public static func isScheduled(_ run: BackupRun) -> Bool { isWholeMinute(run.scheduledFor) }

    static func isWholeMinute(_ date: Date) -> Bool {
        Int64((date.timeIntervalSince1970 * 1000).rounded()) % 60_000 == 0
    }

    /// The key of a manual run started at `now`: `now` to the millisecond, moved off a whole minute.
    public static func manualTime(_ now: Date) -> Date {
        let millis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        return Date(timeIntervalSince1970: Double(millis % 60_000 == 0 ? millis + 1 : millis) / 1000)
    }

    /// - Parameters:
    ///   - runs: this schedule's recorded runs (any order).
    ///   - anchor: where counting starts when no scheduled run was ever recorded (when Steward first saw the schedule).
    public static func decide(cron: CronExpression, runs: [BackupRun], anchor: Date, now: Date) -> Decision {
        var decision = Decision(next: cron.next(after: now))
        let last = runs.filter(isScheduled).max { $0.scheduledFor < $1.scheduledFor }
        let start = last?.scheduledFor ?? anchor
        guard let latest = cron.previous(atOrBefore: now), latest > start else { return decision }
        // Fire times in (start, now], newest first, at most maxMissedRecorded + 1 of them.
        var fires = [latest]
        var cursor = latest
        while let earlier = cron.previous(atOrBefore: cursor.addingTimeInterval(-1)), earlier > start {
            if fires.count > maxMissedRecorded {
                decision.moreMissed = true
                break
            }
            fires.append(earlier)
            cursor = earlier
        }
        // A fire time before the previous run finished (or while it still runs) overlapped it.
        // (A `missed` record never ran, so it kept nothing busy.)
        let busyUntil: Date? = last.flatMap { run in
            run.outcome == "missed" ? nil : run.outcome == "running" ? now : (run.finishedAt ?? run.startedAt)
        }
        var missed: [Missed] = []
        for fire in fires {
            if let busyUntil, fire <= busyUntil {
                missed.append(Missed(fireTime: fire, reason: .overlapped))
            } else if decision.run == nil, last?.outcome != "running" {
                decision.run = fire
            } else {
                missed.append(Missed(fireTime: fire, reason: .notRunning))
            }
        }
        decision.missed = missed.reversed()
        return decision
    }
}
