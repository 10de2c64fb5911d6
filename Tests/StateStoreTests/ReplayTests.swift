import EventLog
import Foundation
import Manifests
import Reconcile
import StewardTesting
import Testing
@testable import StateStore

/// DESIGN §14: the event log alone rebuilds the state. Every batch's state rows go to the log as
/// `stateChanged` records; replaying them gives exactly what the store holds.
@Suite struct ReplayTests {
    /// Random batches over every replayed table (upserts, deletes, released holds, linked seqs,
    /// one batch of 2,500 resources split over records): after each commit the replay of the whole
    /// log equals the store, on both backends.
    @Test(arguments: Backend.allCases)
    func replayEqualsTheStoreAfterEveryCommit(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            for (step, batch) in Self.batches(seed: 0x5EED_0014, count: 40, bigAt: 37).enumerated() {
                try await store.commit(batch)
                // Fixture specs do not hash to their made-up spec_hash: the rows are compared, not the bodies.
                let check = try await store.checkReplay()
                #expect(check.replay.state.firstDifference(fromStore: check.stored) == nil, "after step \(step)")
                #expect(check.replay.state.resources.count == check.stored.resources.count)
            }
            let stored = try await store.stateSnapshot().state
            #expect(stored.history.count > 10 && stored.resources.count > 2_000 && !stored.holdList.isEmpty)
            let records = try await store.events(since: 0, limit: nil).filter { $0.type == "stateChanged" }
            #expect(records.contains { $0.message.hasSuffix("(part 3 of 3)") }, "2,500 rows take three records")
            #expect(try await store.verifyEventLog().isValid)
        }
    }

    /// A row edited by hand is named: which resource, which field, and the seq that last wrote it.
    @Test(arguments: Backend.allCases)
    func aRowEditedByHandIsTheFirstDifference(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            var batch = StoreBatch()
            batch.upsertResources = [Fixtures.resource("planner")]
            batch.events = [Fixtures.event("Deployed")]
            let records = try await store.commit(batch)
            try await rawSQL("UPDATE resources SET health = 'Healthy' WHERE name = 'planner'", on: store)
            let check = try await store.checkReplay()
            #expect(check.difference
                == "Deployment/planner in staging: health: the store has Healthy, the log Progressing (last written at seq \(records[1].seq))")
        }
    }

    /// A store written before the log carried state gets a baseline when it is upgraded: replay
    /// from it equals the store, and a point before it is refused with the reason.
    @Test(arguments: Backend.allCases)
    func anUpgradedStoreGetsABaseline(_ backend: Backend) async throws {
        try await withContext(backend) { context in
            try await context.withStore { store in
                var old = StoreBatch()
                old.upsertResources = Fixtures.resources(5)
                old.history = [HistoryEntry(deployment: "agent-0", environment: "staging", version: "1.2.0", action: "deploy",
                                            outcome: "succeeded", commit: "c0ffee", time: Fixtures.date(3))]
                old.holds = [Hold(deployment: "agent-1", environment: "production", version: "1.3.0", specHash: "x", reason: "failed", time: Fixtures.date(4))]
                try await Self.writeWithoutLog(old, on: store)
                var event = StoreBatch()
                event.events = [Fixtures.event("Deployed")]
                try await store.commit(event)
                // Back to the schema before the log carried state (and before what came after it).
                try await downgradeToBeforeTargets(store)
                try await rawSQL("DELETE FROM schema_migrations WHERE version >= \(StoreSchema.logCarriesState)", on: store)
                try await rawSQL("DROP TABLE notification_outbox", on: store)
            }
            try await context.withStore { store in
                let records = try await store.events(since: 0, limit: nil)
                let baseline = try #require(records.last)
                #expect(baseline.reason == "StateBaseline")
                #expect(baseline.message.hasPrefix("state baseline: 5 resources; history agent-0 in staging: deploy 1.2.0 succeeded; hold agent-1 1.3.0 in production"))
                let (stored, seq) = try await store.stateSnapshot()
                let replay = try StateReplay.state(of: records, at: .seq(seq))
                #expect(replay.knownFrom == baseline.seq)
                #expect(replay.state.firstDifference(fromStore: stored) == nil)
                let early = #expect(throws: StoreError.self) { try StateReplay.state(of: records, at: .seq(1)) }
                #expect(early?.message == "the event log records the state only from seq \(baseline.seq) (\(baseline.time)), when this store was upgraded to a steward that writes state to the log; seq 1 is before that")
            }
            // Reopening does not add another baseline.
            try await context.withStore { store in
                let baselines = try await store.events(since: 0, limit: nil).filter { $0.reason == "StateBaseline" }
                #expect(baselines.count == 1)
            }
        }
    }

    /// `status --at` reads the log a page at a time, never whole: at seqs, at times and commits,
    /// and for points it refuses, the paged replay is the replay of the whole log read at once,
    /// including points inside a batch whose state takes three records.
    @Test(arguments: Backend.allCases)
    func aPagedReplayIsTheReplayOfTheWholeLog(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            for (step, var batch) in Self.batches(seed: 0x5EED_0025, count: 16, bigAt: 9).enumerated() {
                if step == 9 { batch.events = [NewEvent(time: Fixtures.date(9_000), commit: "c9", type: .reconcileStarted, reason: "Big", message: "big")] }
                try await store.commit(batch)
            }
            let records = try await store.events(since: 0, limit: nil)
            #expect(records.contains { $0.message.hasSuffix("(part 3 of 3)") })
            // Every third seq and every state record (where a point is extended over its batch).
            var points = records.filter { $0.seq % 3 == 0 || $0.type == StateReplay.recordType }.map { ReplayPoint.seq($0.seq) }
            points += [0, records.count / 2, records.count - 1].compactMap { records[$0].date }.map(ReplayPoint.time)
            let commits = Set(records.compactMap(\.commit)).sorted()
            #expect(commits.contains("c9") && commits.count > 2)
            points += commits.map(ReplayPoint.commit)
            for point in points {
                let whole = try StateReplay.state(of: records, at: point)
                for pageSize in [7, 2_000] {
                    let paged = try await store.replayState(at: point, pageSize: pageSize)
                    #expect(paged.seq == whole.seq && paged.knownFrom == whole.knownFrom, "\(point), pages of \(pageSize)")
                    #expect(paged.state.firstDifference(fromStore: whole.state) == nil, "\(point), pages of \(pageSize)")
                    #expect(paged.state.resources.count == whole.state.resources.count)
                }
            }
            for refused in [ReplayPoint.seq(Int64(records.count) + 5), .commit("dead"), .time(Fixtures.date(-5_000))] {
                let whole = #expect(throws: StoreError.self) { try StateReplay.state(of: records, at: refused) }
                await #expect(throws: StoreError.self) { try await store.replayState(at: refused, pageSize: 7) }
                do {
                    _ = try await store.replayState(at: refused, pageSize: 7)
                } catch let error as StoreError {
                    #expect(error.message == whole?.message)
                }
            }
            let check = try await store.checkReplay(pageSize: 3)
            #expect(check.replay.state.firstDifference(fromStore: check.stored) == nil)
            #expect(check.replay.state.resources.count == check.stored.resources.count)
        }
    }

    /// The state at a seq, a time and a commit.
    @Test func replayStopsAtThePointAsked() throws {
        var first = StateRows(), second = StateRows()
        first.resources = [Fixtures.resource("planner", version: "1.2.0")]
        second.resources = [Fixtures.resource("planner", version: "1.3.0")]
        let events = try StateDelta.records(first, commit: "aaaa111", time: Fixtures.date(0))
            + [NewEvent(time: Fixtures.date(500), commit: "bbbb222", type: .reconcileStarted, reason: "Reconcile", message: "pass")]
            + (try StateDelta.records(second, commit: "bbbb222", time: Fixtures.date(1000)))
        let records = EventChain.seal(events, after: .empty)
        #expect(try StateReplay.state(of: records, at: .seq(1)).state.resources.values.first?.version == "1.2.0")
        #expect(try StateReplay.state(of: records, at: .seq(3)).state.resources.values.first?.version == "1.3.0")
        #expect(try StateReplay.state(of: records, at: .time(Fixtures.date(999))).state.resources.values.first?.version == "1.2.0")
        #expect(try StateReplay.state(of: records, at: .commit("aaaa")).seq == 1)
        #expect(try StateReplay.state(of: records, at: .commit("bbbb222")).seq == 3)
        // A point inside a batch of several records is the whole batch (it was written at once).
        var many = StateRows()
        many.resources = Fixtures.resources(2_500)
        let parts = EventChain.seal(try StateDelta.records(many, commit: "dddd444"), after: .empty)
        #expect(parts.count == 3)
        let middle = try StateReplay.state(of: parts, at: .seq(1))
        #expect(middle.seq == 3 && middle.state.resources.count == 2_500)
        let unknown = #expect(throws: StoreError.self) { try StateReplay.state(of: records, at: .commit("cccc")) }
        #expect(unknown?.message == "no event log record carries commit cccc")
        let ahead = #expect(throws: StoreError.self) { try StateReplay.state(of: records, at: .seq(9)) }
        #expect(ahead?.message == "the event log ends at seq 3; there is no seq 9 yet")
    }

    @Test func pointsParse() throws {
        #expect(try ReplayPoint(parsing: "812") == .seq(812))
        #expect(try ReplayPoint(parsing: "seq:812") == .seq(812))
        #expect(try ReplayPoint(parsing: "abc1234") == .commit("abc1234"))
        #expect(try ReplayPoint(parsing: "commit:1234567") == .commit("1234567"))
        #expect(try ReplayPoint(parsing: "2026-12-06T03:12:00Z") == .time(Date(timeIntervalSince1970: 1_796_526_720)))
        let bad = #expect(throws: StoreError.self) { try ReplayPoint(parsing: "yesterday") }
        #expect(bad?.message == "--at \"yesterday\" is not a seq (42), a time (2026-12-06T03:12:00Z) or a commit (abc1234); say seq:, time: or commit: to be explicit")
    }

    /// Every row type comes back from its record as the store reads it (resources without their spec).
    @Test func recordsCarryEveryRowType() throws {
        var rows = StateRows()
        rows.versions = [RegisteredVersion(blueprint: BlueprintRef(name: "planner", version: "1.2.0"), specHash: "v", commit: "c", registeredAt: Fixtures.date(1))]
        rows.history = [HistoryEntry(deployment: "planner", environment: "staging", version: "1.2.0", action: "deploy", outcome: "succeeded",
                                     commit: "c", seq: 4, time: Fixtures.date(2), blueprint: "planner", archive: "/a.tar.gz", archiveSha256: "ab")]
        rows.approvals = [Approval(deployment: "planner", version: "1.3.0", approvedBy: "ada", time: Fixtures.date(3))]
        rows.releasedHolds = ["other"]
        rows.holds = [Hold(deployment: "planner", environment: "production", version: "1.3.0", specHash: "s", reason: "r", seq: 5, time: Fixtures.date(4))]
        rows.backupRuns = [BackupRun(schedule: "nightly", scheduledFor: Fixtures.date(5), startedAt: Fixtures.date(6), finishedAt: Fixtures.date(7),
                                     outcome: "succeeded", archive: "/b.tar.gz", sizeBytes: 42, message: "ok")]
        rows.cursor = SourceCursor(lastSeenCommit: "d", lastAppliedCommit: "c", errors: [], updatedAt: Fixtures.date(8))
        rows.resources = [Fixtures.resource("planner")]
        rows.deletedResources = [ResourceKey(kind: .deployment, name: "gone", environment: "staging")]
        let records = EventChain.seal(try StateDelta.records(rows, commit: "c"), after: .empty)
        #expect(records.count == 1)
        var back = try StateDelta.part(of: records[0]).rows
        #expect(back.resources.map(\.spec) == [.null])
        back.resources = back.resources.map { var r = $0; r.spec = rows.resources[0].spec; return r }
        #expect(back == rows)
    }

    // MARK: - Helpers

    /// `count` random batches from `seed`; the one at `bigAt` is `big()`.
    static func batches(seed: UInt64, count: Int, bigAt: Int) -> [StoreBatch] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { step in step == bigAt ? big() : randomBatch(&random, step: step) }
    }

    /// A batch touching every replayed table at random.
    static func randomBatch(_ random: inout SplitMix64, step: Int) -> StoreBatch {
        var batch = StoreBatch()
        let names = ["nav", "planner", "vision", "arm"], environments = ["staging", "production"]
        for _ in 0..<random.next(upTo: 4) {
            var resource = Fixtures.resource(names[random.next(upTo: 4)], environment: environments[random.next(upTo: 2)],
                                             version: ["1.2.0", "1.3.0", nil][random.next(upTo: 3)], commit: "c\(step)", hash: "h\(random.next(upTo: 3))")
            resource.health = [.healthy, .degraded, .progressing][random.next(upTo: 3)]
            resource.message = random.next(upTo: 2) == 0 ? nil : "step \(step)"
            resource.updatedAt = Fixtures.date(Int64(step) * 1000)
            batch.upsertResources.append(resource)
        }
        if random.next(upTo: 3) == 0 {
            batch.deleteResources = [ResourceKey(kind: .deployment, name: names[random.next(upTo: 4)], environment: environments[random.next(upTo: 2)])]
        }
        let deployment = names[random.next(upTo: 4)]
        if random.next(upTo: 2) == 0 {
            let event = batch.append(Fixtures.event("Step\(step)"))
            batch.append(HistoryEntry(deployment: deployment, environment: "staging", version: "1.3.0", action: "deploy",
                                      outcome: ["succeeded", "failed", "proven"][random.next(upTo: 3)], commit: "c\(step)",
                                      time: Fixtures.date(Int64(random.next(upTo: 5)) * 1000)),
                         seqOfEvent: event)
        }
        switch random.next(upTo: 4) {
        case 0:
            let event = batch.append(Fixtures.event("Held\(step)"))
            batch.append(Hold(deployment: deployment, environment: "production", version: "1.3.0", specHash: "h\(random.next(upTo: 2))",
                              reason: "failed at step \(step)", time: Fixtures.date(Int64(step))), seqOfEvent: event)
        case 1: batch.releaseHolds = [deployment]
        case 2: batch.approvals = [Approval(deployment: deployment, version: "1.3.0", approvedBy: "ada", time: Fixtures.date(Int64(step)))]
        default: break
        }
        if random.next(upTo: 3) == 0 {
            batch.registerVersions = [RegisteredVersion(blueprint: BlueprintRef(name: deployment, version: "1.\(random.next(upTo: 3)).0"),
                                                        specHash: "v\(step)", commit: "c\(step)", registeredAt: Fixtures.date(Int64(step)))]
        }
        if random.next(upTo: 3) == 0 {
            batch.backupRuns = [BackupRun(schedule: "nightly", scheduledFor: Fixtures.date(Int64(random.next(upTo: 2)) * 3_600_000),
                                          startedAt: Fixtures.date(Int64(step)), outcome: ["running", "succeeded"][random.next(upTo: 2)])]
        }
        if random.next(upTo: 2) == 0 {
            batch.cursor = SourceCursor(lastSeenCommit: "c\(step)", lastAppliedCommit: "c\(step - random.next(upTo: 2))", updatedAt: Fixtures.date(Int64(step)))
        }
        batch.actionKeys = [Fixtures.actionKey("k\(step)")]
        return batch
    }

    /// 2,500 resources in one batch: three records.
    static func big() -> StoreBatch {
        var batch = StoreBatch()
        batch.upsertResources = Fixtures.resources(2_499, prefix: "fleet")
        batch.cursor = SourceCursor(lastSeenCommit: "big", lastAppliedCommit: "big", updatedAt: Fixtures.date(9))
        return batch
    }

    /// Writes a batch's state as a steward before schema 7 did: no stateChanged record.
    static func writeWithoutLog(_ batch: StoreBatch, on store: any StateStore) async throws {
        if let store = store as? SQLiteStateStore {
            try await store.withTransaction { try await StateWriter(session: $0).write(batch) }
        } else if let store = store as? PostgresStateStore {
            try await store.withTransaction { try await StateWriter(session: $0).write(batch) }
        }
    }
}
