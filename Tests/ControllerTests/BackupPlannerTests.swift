import Foundation
import Manifests
import Reconcile
import Testing
@testable import Controller

@Suite("BackupPlanner: what a schedule owes, decided from recorded runs")
struct BackupPlannerTests {
    let hourly = try! CronExpression(parsing: "0 * * * *")

    private func run(_ fire: Date, _ outcome: String = "succeeded", finished: Date? = nil) -> BackupRun {
        BackupRun(schedule: "s", scheduledFor: fire, startedAt: fire, finishedAt: finished ?? fire.addingTimeInterval(5), outcome: outcome)
    }

    @Test func nothingDueBeforeTheFirstFireAfterFirstSight() {
        let decision = BackupPlanner.decide(cron: hourly, runs: [], anchor: T.at(10, 30), now: T.at(10, 59, 59))
        #expect(decision.run == nil && decision.missed.isEmpty)
        #expect(decision.next == T.at(11))
    }

    @Test func theFireTimeIsDueOnceReached() {
        let decision = BackupPlanner.decide(cron: hourly, runs: [], anchor: T.at(10, 30), now: T.at(11, 0, 1))
        #expect(decision.run == T.at(11))
        #expect(decision.missed.isEmpty)
        #expect(decision.next == T.at(12))
        let after = BackupPlanner.decide(cron: hourly, runs: [run(T.at(11))], anchor: T.at(10, 30), now: T.at(11, 30))
        #expect(after.run == nil && after.next == T.at(12))
    }

    @Test func afterDowntimeOnlyTheLatestIsCaughtUpAndTheRestAreMissed() {
        let decision = BackupPlanner.decide(cron: hourly, runs: [run(T.at(10))], anchor: T.at(0), now: T.at(15, 20))
        #expect(decision.run == T.at(15))
        #expect(decision.missed.map(\.fireTime) == [T.at(11), T.at(12), T.at(13), T.at(14)])
        #expect(decision.missed.allSatisfy { $0.reason == .notRunning })
        #expect(!decision.moreMissed)
    }

    @Test func aVeryLongDowntimeRecordsABoundedNumberOfMissedRuns() throws {
        let everyMinute = try CronExpression(parsing: "* * * * *")
        let decision = BackupPlanner.decide(cron: everyMinute, runs: [run(T.at(0))], anchor: T.at(0), now: T.at(0, day: 30))
        #expect(decision.run == T.at(0, day: 30))
        #expect(decision.missed.count == BackupPlanner.maxMissedRecorded)
        #expect(decision.moreMissed)
        #expect(decision.missed.last?.fireTime == T.at(23, 59, day: 29))
    }

    @Test func fireTimesDuringALongRunAreMissedAsOverlapped() {
        let long = run(T.at(10), finished: T.at(12, 10))
        let decision = BackupPlanner.decide(cron: hourly, runs: [long], anchor: T.at(0), now: T.at(13, 0, 2))
        #expect(decision.run == T.at(13))
        #expect(decision.missed == [.init(fireTime: T.at(11), reason: .overlapped), .init(fireTime: T.at(12), reason: .overlapped)])
    }

    @Test func aRunStillInProgressOwesNothingButMisses() {
        let running = BackupRun(schedule: "s", scheduledFor: T.at(10), startedAt: T.at(10), outcome: "running")
        let decision = BackupPlanner.decide(cron: hourly, runs: [running], anchor: T.at(0), now: T.at(11, 0, 1))
        #expect(decision.run == nil)
        #expect(decision.missed == [.init(fireTime: T.at(11), reason: .overlapped)])
    }

    @Test func manualRunsAndRequestsNeverMoveTheSchedule() {
        let manual = BackupPlanner.manualTime(T.at(10, 30))
        #expect(manual != T.at(10, 30) && abs(manual.timeIntervalSince(T.at(10, 30))) < 0.01)
        let runs = [run(T.at(10)), run(manual), BackupRun(schedule: "s", scheduledFor: BackupPlanner.manualTime(T.at(10, 45, 12)),
                                                            startedAt: T.at(10, 45, 12), outcome: "requested")]
        #expect(runs.filter(BackupPlanner.isScheduled).count == 1)
        let decision = BackupPlanner.decide(cron: hourly, runs: runs, anchor: T.at(0), now: T.at(11, 0, 1))
        #expect(decision.run == T.at(11))
        #expect(decision.missed.isEmpty)
    }

    @Test func missedRecordsDoNotCountAsBusy() {
        let runs = [run(T.at(10)), BackupRun(schedule: "s", scheduledFor: T.at(11), startedAt: T.at(13), finishedAt: T.at(13), outcome: "missed")]
        let decision = BackupPlanner.decide(cron: hourly, runs: runs, anchor: T.at(0), now: T.at(12, 0, 1))
        #expect(decision.run == T.at(12))
        #expect(decision.missed.isEmpty)
    }
}
