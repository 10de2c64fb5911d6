import Foundation
import Logging
import Manifests
import Reconcile
import ServiceLifecycle
import StateStore

/// Runs the BackupSchedules of the last applied commit (a `Service` beside the reconcile loop).
///
/// Every decision is derived from the store: the next fire time follows the schedule's last
/// recorded `scheduledFor`, so a restart resumes where the last process stopped. After downtime,
/// at most one missed run is caught up (the latest); older fire times are recorded `missed`.
/// A schedule runs at most once at a time: in this process (a run in progress is not started
/// again) and across processes (`<stateDir>/backups/<name>.lock`, also taken by `steward backup run`).
public final class BackupScheduler: Service, @unchecked Sendable {
    public typealias ScheduleProvider = @Sendable () async -> [String: BackupSchedule]

    let runner: BackupRunner
    let schedules: ScheduleProvider
    let logger: Logger
    /// Longest sleep, so schedule changes in new commits are picked up.
    let refreshSeconds: Double
    /// How often `steward backup run` requests are looked for.
    let requestPollSeconds: Double

    private let state = NSLock()
    private var running: Set<String> = []
    private var firstSeen: [String: Date] = [:]
    private var badCron: [String: String] = [:]
    /// When each schedule next needs a look (its next fire time), so the store is read only then;
    /// a cache of what the store says, dropped when a run ends or the cron expression changes.
    private var nextCheck: [String: (cron: String, at: Date)] = [:]

    public init(store: any StateStore, context: BackupContext, schedules: @escaping ScheduleProvider,
                clock: any BackupClock = SystemBackupClock(), logger: Logger,
                refreshSeconds: Double = 30, requestPollSeconds: Double = 2) {
        runner = BackupRunner(store: store, context: context, clock: clock, logger: logger)
        self.schedules = schedules
        self.logger = logger
        self.refreshSeconds = refreshSeconds
        self.requestPollSeconds = requestPollSeconds
    }

    /// A fixed set of schedules (tests, or a controller that feeds them itself).
    public convenience init(store: any StateStore, context: BackupContext, fixed: [String: BackupSchedule],
                            clock: any BackupClock = SystemBackupClock(), logger: Logger) {
        self.init(store: store, context: context, schedules: { fixed }, clock: clock, logger: logger)
    }

    var store: any StateStore { runner.store }
    var context: BackupContext { runner.context }
    var clock: any BackupClock { runner.clock }

    /// Schedules until graceful shutdown or cancellation; runs in progress are then stopped and recorded as failed.
    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown { try await self.loop() }
        } catch is CancellationError {
            return
        }
    }

    /// One started run: which schedule, for which time, holding its lock.
    struct Start: Sendable {
        var name: String
        var schedule: BackupSchedule
        var scheduledFor: Date
        var lock: BackupLock
    }

    func loop() async throws {
        try? FileManager.default.createDirectory(atPath: context.backupsDirectory, withIntermediateDirectories: true)
        await recoverInterrupted()
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let now = clock.now()
                let current = await schedules()
                var wake = now.addingTimeInterval(refreshSeconds)
                var starts: [Start] = []
                for name in current.keys.sorted() {
                    guard let schedule = current[name] else { continue }
                    let (start, next) = await due(name: name, schedule: schedule, now: now)
                    if let start { starts.append(start) }
                    if let next { wake = min(wake, next) }
                }
                starts += await requestedRuns(current, now: now)
                wake = min(wake, now.addingTimeInterval(requestPollSeconds))
                for start in starts {
                    group.addTask { [self] in
                        _ = await runner.run(name: start.name, schedule: start.schedule, scheduledFor: start.scheduledFor, holding: start.lock)
                        start.lock.release()
                        state.withLock {
                            _ = running.remove(start.name)
                            nextCheck[start.name] = nil
                        }
                    }
                }
                do { try await clock.sleep(until: wake) } catch { break }
            }
        }
    }

    /// What one schedule owes now: missed fire times are recorded here, a due run is returned
    /// with its lock taken, with the next fire time.
    func due(name: String, schedule: BackupSchedule, now: Date) async -> (Start?, Date?) {
        let cron: CronExpression
        do { cron = try CronExpression(parsing: schedule.spec.schedule) } catch {
            if state.withLock({ badCron.updateValue(schedule.spec.schedule, forKey: name) }) != schedule.spec.schedule {
                logger.error("backup schedule has a bad cron expression", metadata: ["schedule": "\(name)", "error": "\(error)"])
            }
            return (nil, nil)
        }
        let text = schedule.spec.schedule
        let (busy, anchor, cached) = state.withLock { () -> (Bool, Date, Date?) in
            if firstSeen[name] == nil { firstSeen[name] = now }
            let cached = nextCheck[name].flatMap { $0.cron == text ? $0.at : nil }
            return (running.contains(name), firstSeen[name] ?? now, cached)
        }
        guard !busy else { return (nil, cron.next(after: now)) }
        if let cached, now < cached { return (nil, cached) }
        let runs: [BackupRun]
        do { runs = try await store.backupRuns(schedule: name) } catch {
            logger.warning("cannot read backup runs", metadata: ["schedule": "\(name)", "error": "\(error)"])
            return (nil, now.addingTimeInterval(min(refreshSeconds, 5)))
        }
        let decision = BackupPlanner.decide(cron: cron, runs: runs, anchor: anchor, now: now)
        state.withLock { nextCheck[name] = (text, decision.next ?? .distantFuture) }
        let recorder = BackupRecorder(store: store, logger: logger)
        await recorder.missed(schedule: name, decision.missed, more: decision.moreMissed, now: now)
        guard let fire = decision.run else { return (nil, decision.next) }
        let lockPath = context.lockPath(name)
        do {
            if let lock = try BackupLock.tryAcquire(path: lockPath, owner: "steward run (scheduler)") {
                state.withLock { _ = running.insert(name) }
                return (Start(name: name, schedule: schedule, scheduledFor: fire, lock: lock), decision.next)
            }
            let holder = BackupLock.holder(path: lockPath) ?? "unknown"
            await recorder.missed(schedule: name, [.init(fireTime: fire, reason: .overlapped)], more: false, now: now,
                                  detail: "another run of this schedule was in progress (\(holder))")
        } catch {
            logger.error("cannot take the backup lock", metadata: ["schedule": "\(name)", "error": "\(error)"])
        }
        return (nil, decision.next)
    }

    /// At start: `running` rows whose lock is free were interrupted (Steward stopped during them): mark them failed.
    func recoverInterrupted() async {
        guard let runs = try? await store.backupRuns(schedule: nil) else { return }
        for name in Set(runs.filter { $0.outcome == "running" }.map(\.schedule)).sorted() {
            guard let lock = try? BackupLock.tryAcquire(path: context.lockPath(name), owner: "steward run (recovery)") else { continue }
            await runner.recoverInterrupted(schedule: name, runs: runs)
            lock.release()
        }
    }

    /// Whether schedule `name` is running in this process now.
    public func isRunning(_ name: String) -> Bool { state.withLock { running.contains(name) } }

    func markRunning(_ name: String) { state.withLock { _ = running.insert(name) } }
}
