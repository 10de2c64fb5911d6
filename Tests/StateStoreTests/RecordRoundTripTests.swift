import Manifests
import Reconcile
import Testing
@testable import StateStore

/// Every record type goes in and comes back equal, dates to the millisecond.
@Suite struct RecordRoundTripTests {
    @Test(arguments: Backend.allCases)
    func everyRecordTypeRoundTrips(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            let resources = [Fixtures.resource("planner"), Fixtures.resource("shared", environment: nil, kind: .runtimeAdapter, version: nil)]
            var noMessage = Fixtures.resource("quiet", environment: "production")
            noMessage.message = nil
            noMessage.conditions = []
            let version = RegisteredVersion(blueprint: BlueprintRef(name: "planner", version: "1.2.0"), specHash: "v1", commit: "c1",
                                            registeredAt: Fixtures.date(3))
            let history = [
                HistoryEntry(deployment: "planner", environment: "staging", version: "1.2.0", action: "deploy", outcome: "succeeded",
                             commit: "c1", seq: 1, time: Fixtures.date(4)),
                HistoryEntry(deployment: "planner", environment: "staging", version: "1.2.0", action: "promote", outcome: "proven",
                             commit: "c1", seq: nil, time: Fixtures.date(5)),
                HistoryEntry(deployment: "other", environment: "staging", version: "0.1.0", action: "deploy", outcome: "failed",
                             commit: "c1", time: Fixtures.date(4)),
            ]
            let approval = Approval(deployment: "planner", version: "1.3.0", approvedBy: "ada", time: Fixtures.date(6))
            let hold = Hold(deployment: "planner", environment: "production", version: "1.3.0", specHash: "bad", reason: "auto-rollback",
                            seq: 7, time: Fixtures.date(7))
            let run = BackupRun(schedule: "nightly", scheduledFor: Fixtures.date(8), startedAt: Fixtures.date(9), outcome: "running")
            let older = BackupRun(schedule: "nightly", scheduledFor: Fixtures.date(-86_400_000), startedAt: Fixtures.date(-86_399_000),
                                  finishedAt: Fixtures.date(-86_300_000), outcome: "succeeded", archive: "/backups/a.tar.gz",
                                  sizeBytes: 5_000_000_000, message: "ok")
            let cursor = SourceCursor(lastSeenCommit: "c2", lastAppliedCommit: "c1",
                                      errors: [ValidationError(file: "apps/planner.yaml", position: SourcePosition(line: 3, column: 5),
                                                               resource: "Deployment/planner", field: "spec.version", message: "bad")],
                                      updatedAt: Fixtures.date(10))
            let keys = [Fixtures.actionKey("k-started", state: .started), Fixtures.actionKey("k-done"), Fixtures.actionKey("k-failed", state: .failed)]

            var batch = StoreBatch()
            #expect(batch.isEmpty)
            batch.upsertResources = resources + [noMessage]
            batch.registerVersions = [version]
            batch.history = history
            batch.approvals = [approval]
            batch.holds = [hold]
            batch.backupRuns = [older, run]
            batch.cursor = cursor
            batch.actionKeys = keys
            #expect(!batch.isEmpty)
            // No events of its own: only the stateChanged record of its state (action keys are not replayed).
            #expect(try await store.commit(batch).map(\.type) == ["stateChanged"])

            #expect(Set(try await store.resources()) == Set(resources + [noMessage]))
            #expect(try await store.registeredVersions() == [version])
            #expect(try await store.history(deployment: "planner") == Array(history.prefix(2)))
            #expect(try await store.history(deployment: "nobody").isEmpty)
            #expect(try await store.approvals(deployment: "planner") == [approval])
            #expect(try await store.holds() == [hold])
            #expect(try await store.backupRuns(schedule: "nightly") == [run, older])
            #expect(try await store.backupRuns(schedule: nil) == [run, older])
            #expect(try await store.backupRuns(schedule: "weekly").isEmpty)
            #expect(try await store.sourceCursor() == cursor)
            let found = try await store.actionKeys(["k-started", "k-done", "k-failed", "k-missing"])
            #expect(found == Dictionary(uniqueKeysWithValues: keys.map { ($0.key, $0) }))

            // Second batch: versions are insert-if-absent; runs, cursor and keys are upserts; holds are released.
            var finished = run
            finished.finishedAt = Fixtures.date(100)
            finished.outcome = "succeeded"
            var changedVersion = version
            changedVersion.specHash = "v2"
            var second = StoreBatch()
            second.registerVersions = [changedVersion, RegisteredVersion(blueprint: BlueprintRef(name: "planner", version: "1.3.0"),
                                                                         specHash: "v3", commit: "c2", registeredAt: Fixtures.date(11))]
            second.backupRuns = [finished]
            second.cursor = SourceCursor(lastSeenCommit: "c3", lastAppliedCommit: "c3", updatedAt: Fixtures.date(12))
            second.actionKeys = [Fixtures.actionKey("k-started")]
            second.releaseHolds = ["planner"]
            try await store.commit(second)

            let versions = try await store.registeredVersions()
            #expect(versions.map(\.specHash) == ["v1", "v3"])
            #expect(try await store.backupRuns(schedule: "nightly") == [finished, older])
            #expect(try await store.sourceCursor()?.errors == [])
            #expect(try await store.sourceCursor()?.lastAppliedCommit == "c3")
            #expect(try await store.actionKeys(["k-started"])["k-started"]?.state == .completed)
            #expect(try await store.holds().isEmpty)
        }
    }

    @Test(arguments: Backend.allCases)
    func actionKeysAreLookedUpInChunks(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            var batch = StoreBatch()
            batch.actionKeys = (0..<2_500).map { Fixtures.actionKey("key-\($0)") }
            try await store.commit(batch)
            let wanted = (0..<2_600).map { "key-\($0)" } + ["key-1", "key-1"]
            let found = try await store.actionKeys(wanted)
            #expect(found.count == 2_500)
            #expect(found["key-2499"]?.state == .completed)
            #expect(found["key-2500"] == nil)
            #expect(try await store.actionKeys([]).isEmpty)
        }
    }
}
