import Foundation

/// The scheduler's time: the wall clock in production, a hand-driven clock in tests.
public protocol BackupClock: Sendable {
    /// The current time.
    func now() -> Date
    /// Returns once `now()` is at or after `date`; throws `CancellationError` when the task is cancelled.
    func sleep(until date: Date) async throws
}

/// The system clock (UTC instants; cron is evaluated in UTC).
public struct SystemBackupClock: BackupClock {
    public init() {}

    public func now() -> Date { Date() }

    public func sleep(until date: Date) async throws {
        let seconds = date.timeIntervalSinceNow
        if seconds > 0 { try await Task.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up)))) }
        try Task.checkCancellation()
    }
}
