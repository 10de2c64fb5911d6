import Foundation
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing
@testable import Controller

/// A scheduler on a test clock over a sandbox, started in a task of its own.
final class SchedulerHarness: @unchecked Sendable {
    let sandbox: BackupSandbox
    let clock: TestClock
    let scheduler: BackupScheduler
    let names: [String]
    private var task: Task<Void, Never>?

    init(_ sandbox: BackupSandbox, schedules: [String: BackupSchedule], start: Date) {
        self.sandbox = sandbox
        clock = TestClock(start)
        names = schedules.keys.sorted()
        scheduler = BackupScheduler(store: sandbox.store, context: sandbox.context, fixed: schedules, clock: clock, logger: backupTestLogger)
    }

    /// Starts the loop and waits for its first pass (and any run it started) to finish.
    func start() async throws {
        let before = clock.parked
        task = Task { [scheduler] in try? await scheduler.run() }
        try await clock.waitParked(moreThan: before)
        try await runsFinished()
    }

    /// Moves the clock, waits for the pass it causes and for the runs it started.
    func advance(to date: Date, waitForRuns: Bool = true) async throws {
        let before = clock.parked
        clock.advance(to: date)
        try await clock.waitParked(moreThan: before)
        if waitForRuns { try await runsFinished() }
    }

    func runsFinished(seconds: Double = 60) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while names.contains(where: scheduler.isRunning) {
            guard Date() < deadline else { throw ProcessFailure(message: "backup runs did not finish within \(seconds) s") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    func stop() async {
        task?.cancel()
        await task?.value
    }
}

@Suite("BackupScheduler on a test clock: due runs, catch-up, no overlap, restarts", .serialized)
struct BackupSchedulerTests {
    /// A command schedule whose script writes one line to the archive path.
    private func hourly(_ sandbox: BackupSandbox, schedule: String = "0 * * * *") throws -> [String: BackupSchedule] {
        try sandbox.script("backup.sh", #"echo "backup of $STEWARD_BACKUP_SCHEDULE" > "$STEWARD_BACKUP_DESTINATION""#)
        return ["nightly": try backupSchedule("nightly", #"{"schedule": "\#(schedule)", "target": "command", "command": ["./backup.sh"], "destination": "./var/backups"}"#)]
    }

    @Test func dueRunsFireAtTheirTimesAndNotBefore() async throws {
        let sandbox = try await BackupSandbox.make()
        let harness = SchedulerHarness(sandbox, schedules: try hourly(sandbox), start: T.at(10, 30))
        try await harness.start()
        #expect(try await sandbox.runs("nightly").isEmpty)
        try await harness.advance(to: T.at(10, 59, 59))
        #expect(try await sandbox.runs("nightly").isEmpty)
        try await harness.advance(to: T.at(11))
        try await harness.advance(to: T.at(12, 0, 5))
        await harness.stop()
        let runs = try await sandbox.runs("nightly")
        #expect(runs.map(\.scheduledFor) == [T.at(11), T.at(12)])
        #expect(runs.map(\.outcome) == ["succeeded", "succeeded"])
        #expect(runs[1].startedAt == T.at(12, 0, 5))
        #expect(sandbox.files(in: "var/backups") == ["nightly-20240101T110000Z.backup", "nightly-20240101T120005Z.backup"])
        let text = try String(contentsOfFile: sandbox.path + "/var/backups/nightly-20240101T110000Z.backup", encoding: .utf8)
        #expect(text == "backup of nightly\n")
        #expect(try await sandbox.events(reason: "BackupSucceeded").count == 2)
        await sandbox.close()
    }

    @Test func afterALongDowntimeOneRunIsCaughtUpAndTheOthersAreRecordedMissed() async throws {
        let sandbox = try await BackupSandbox.make()
        var batch = StoreBatch()
        batch.backupRuns = [BackupRun(schedule: "nightly", scheduledFor: T.at(10), startedAt: T.at(10), finishedAt: T.at(10, 0, 3), outcome: "succeeded")]
        try await sandbox.store.commit(batch)
        let harness = SchedulerHarness(sandbox, schedules: try hourly(sandbox), start: T.at(15, 20))
        try await harness.start()
        var runs = try await sandbox.runs("nightly")
        #expect(runs.map(\.scheduledFor) == [T.at(10), T.at(11), T.at(12), T.at(13), T.at(14), T.at(15)])
        #expect(runs.map(\.outcome) == ["succeeded", "missed", "missed", "missed", "missed", "succeeded"])
        #expect(runs[1].message?.contains("not running") == true)
        let missed = try await sandbox.events(reason: "BackupMissed")
        #expect(missed.count == 1)
        #expect(missed.first?.message.contains("missed 4 runs scheduled from 2024-01-01T11:00:00.000Z to 2024-01-01T14:00:00.000Z") == true)
        #expect(missed.first?.resource == "BackupSchedule/nightly")
        // Back to normal: the next fire time runs once, nothing more is missed.
        try await harness.advance(to: T.at(16, 0, 1))
        await harness.stop()
        runs = try await sandbox.runs("nightly")
        #expect(runs.last?.scheduledFor == T.at(16) && runs.last?.outcome == "succeeded")
        #expect(runs.filter { $0.outcome == "missed" }.count == 4)
        await sandbox.close()
    }

    @Test func aRunNeverOverlapsItselfAndFireTimesDuringItAreMissed() async throws {
        let sandbox = try await BackupSandbox.make()
        // The script fails if another copy runs at once (mkdir is atomic) and waits for a release file.
        try sandbox.script("slow.sh", """
            mkdir "\(sandbox.path)/running" || exit 3
            echo started >> "\(sandbox.path)/starts"
            while [ ! -f "\(sandbox.path)/release" ]; do sleep 0.02; done
            echo data > "$STEWARD_BACKUP_DESTINATION"
            rmdir "\(sandbox.path)/running"
            """)
        let schedules = ["every-minute": try backupSchedule("every-minute", #"{"schedule": "* * * * *", "target": "command", "command": ["./slow.sh"], "destination": "./var/backups"}"#)]
        let harness = SchedulerHarness(sandbox, schedules: schedules, start: T.at(10, 0, 30))
        try await harness.start()
        try await harness.advance(to: T.at(10, 1), waitForRuns: false)
        try await waitUntil { (try? String(contentsOfFile: sandbox.path + "/starts", encoding: .utf8)) != nil }
        #expect(try await sandbox.runs("every-minute").map(\.outcome) == ["running"])
        try await harness.advance(to: T.at(10, 2), waitForRuns: false)
        try await harness.advance(to: T.at(10, 3), waitForRuns: false)
        #expect(harness.scheduler.isRunning("every-minute"))
        try Data().write(to: URL(fileURLWithPath: sandbox.path + "/release"))
        try await harness.runsFinished()
        try await harness.advance(to: T.at(10, 4))
        await harness.stop()
        let starts = try String(contentsOfFile: sandbox.path + "/starts", encoding: .utf8)
        #expect(starts == "started\nstarted\n")
        let runs = try await sandbox.runs("every-minute")
        #expect(runs.map(\.scheduledFor) == [T.at(10, 1), T.at(10, 2), T.at(10, 3), T.at(10, 4)])
        #expect(runs.map(\.outcome) == ["succeeded", "missed", "missed", "succeeded"])
        #expect(runs[1].message?.contains("still going") == true)
        await sandbox.close()
    }

    @Test func aFireTimeWhileBackupRunHoldsTheLockIsSkippedNotOverlapped() async throws {
        let sandbox = try await BackupSandbox.make()
        let harness = SchedulerHarness(sandbox, schedules: try hourly(sandbox), start: T.at(10, 30))
        try await harness.start()
        let held = try #require(try BackupLock.tryAcquire(path: sandbox.context.lockPath("nightly"), owner: "steward backup run"))
        try await harness.advance(to: T.at(11))
        held.release()
        try await harness.advance(to: T.at(12))
        await harness.stop()
        let runs = try await sandbox.runs("nightly")
        #expect(runs.map(\.outcome) == ["missed", "succeeded"])
        #expect(runs[0].message?.contains("another run of this schedule was in progress (steward backup run, pid") == true)
        #expect(sandbox.files(in: "var/backups") == ["nightly-20240101T120000Z.backup"])
        await sandbox.close()
    }

    @Test func aRestartResumesFromTheStore() async throws {
        let sandbox = try await BackupSandbox.make()
        let schedules = try hourly(sandbox)
        let first = SchedulerHarness(sandbox, schedules: schedules, start: T.at(10, 30))
        try await first.start()
        try await first.advance(to: T.at(11))
        await first.stop()
        // A new process half an hour later: nothing is owed until 12:00.
        let second = SchedulerHarness(sandbox, schedules: schedules, start: T.at(11, 30))
        try await second.start()
        #expect(try await sandbox.runs("nightly").count == 1)
        try await second.advance(to: T.at(12))
        await second.stop()
        // Down from 12:00 to 15:10: 15:00 is caught up, 13:00 and 14:00 are missed.
        let third = SchedulerHarness(sandbox, schedules: schedules, start: T.at(15, 10))
        try await third.start()
        await third.stop()
        let runs = try await sandbox.runs("nightly")
        #expect(runs.map(\.scheduledFor) == [T.at(11), T.at(12), T.at(13), T.at(14), T.at(15)])
        #expect(runs.map(\.outcome) == ["succeeded", "succeeded", "missed", "missed", "succeeded"])
        await sandbox.close()
    }

    @Test func aRunInterruptedByACrashIsMarkedFailedAtStart() async throws {
        let sandbox = try await BackupSandbox.make()
        var batch = StoreBatch()
        batch.backupRuns = [BackupRun(schedule: "nightly", scheduledFor: T.at(10), startedAt: T.at(10), outcome: "running")]
        try await sandbox.store.commit(batch)
        let harness = SchedulerHarness(sandbox, schedules: try hourly(sandbox), start: T.at(10, 40))
        try await harness.start()
        await harness.stop()
        let runs = try await sandbox.runs("nightly")
        #expect(runs.map(\.outcome) == ["failed"])
        #expect(runs[0].message == "backup nightly failed: interrupted (Steward stopped while it ran)")
        #expect(try await sandbox.events(reason: "BackupFailed").count == 1)
        await sandbox.close()
    }

    @Test func aRequestFromTheCLIIsRunByTheScheduler() async throws {
        let sandbox = try await BackupSandbox.make()
        let harness = SchedulerHarness(sandbox, schedules: try hourly(sandbox), start: T.at(10, 30))
        try await harness.start()
        let request = try await BackupRequests.submit(schedule: "nightly", store: sandbox.store, stateDirectory: sandbox.context.stateDirectory,
                                                      now: T.at(10, 30, 1))
        try await harness.advance(to: T.at(10, 30, 3))
        try await harness.advance(to: T.at(10, 30, 6))
        await harness.stop()
        let runs = try await sandbox.runs("nightly")
        #expect(runs.count == 1)
        #expect(runs.first.map { BackupRequests.sameKey($0.scheduledFor, request.scheduledFor) } == true)
        #expect(runs.first?.outcome == "succeeded")
        #expect(!FileManager.default.fileExists(atPath: BackupRequests.doorbell(stateDirectory: sandbox.context.stateDirectory, schedule: "nightly")))
        await sandbox.close()
    }

    private func waitUntil(seconds: Double = 30, _ condition: () -> Bool) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        while !condition() {
            guard Date() < deadline else { throw ProcessFailure(message: "condition not met within \(seconds) s") }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
