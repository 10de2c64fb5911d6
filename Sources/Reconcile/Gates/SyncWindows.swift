import Foundation
import Manifests

/// Sync windows (DESIGN §2, §6): deny wins over allow; when any allow window exists, applies run only inside one.
public enum SyncWindows {
    /// Whether `window` is open at `now`: its latest fire time at or before `now` plus its duration is still ahead.
    public static func isActive(_ window: SyncWindow, at now: Date) -> Bool {
        guard let cron = try? CronExpression(parsing: window.schedule),
              let fired = cron.previous(atOrBefore: now, in: timeZone(of: window)) else { return false }
        return now < fired.addingTimeInterval(Double(window.durationMinutes) * 60)
    }

    /// Whether applies may run at `now`.
    public static func isAllowed(_ windows: [SyncWindow], at now: Date) -> Bool {
        if windows.contains(where: { $0.kind == .deny && isActive($0, at: now) }) { return false }
        let allows = windows.filter { $0.kind == .allow }
        return allows.isEmpty || allows.contains { isActive($0, at: now) }
    }

    /// Open, or closed until the first moment applies may run again (looked for up to a year ahead).
    public static func state(_ windows: [SyncWindow], at now: Date) -> SyncWindowState {
        guard !isAllowed(windows, at: now) else { return .open }
        var time = now
        let horizon = now.addingTimeInterval(366 * 86_400)
        for _ in 0..<1_000 {
            // Nothing runs before every deny window active now has ended (stepping to allow fire
            // times inside them would spend the steps minute by minute); else the next allow opens.
            var denyEnds: [Date] = [], allowFires: [Date] = []
            for window in windows {
                guard let cron = try? CronExpression(parsing: window.schedule) else { continue }
                let zone = timeZone(of: window)
                switch window.kind {
                case .deny:
                    if isActive(window, at: time), let fired = cron.previous(atOrBefore: time, in: zone) {
                        denyEnds.append(fired.addingTimeInterval(Double(window.durationMinutes) * 60))
                    }
                case .allow:
                    if let next = cron.next(after: time, in: zone) { allowFires.append(next) }
                }
            }
            guard let next = denyEnds.max() ?? allowFires.min(), next > time, next <= horizon else { return .closed(until: nil) }
            if isAllowed(windows, at: next) { return .closed(until: next) }
            time = next
        }
        return .closed(until: nil)
    }

    static func timeZone(of window: SyncWindow) -> TimeZone {
        window.timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")!
    }
}
