import EventLog
import Reconcile
import Testing
@testable import StateStore

/// Resources: upsert, delete, a batch that fails, and a 10,000-resource commit.
@Suite struct ResourceTests {
    @Test(arguments: Backend.allCases)
    func upsertThenDelete(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            let first = [Fixtures.resource("a"), Fixtures.resource("b"), Fixtures.resource("a", environment: "production"),
                         Fixtures.resource("global", environment: nil, kind: .environment, version: nil)]
            var batch = StoreBatch()
            batch.upsertResources = first
            try await store.commit(batch)
            #expect(Set(try await store.resources()) == Set(first))

            // An update replaces the row; a key repeated in one batch keeps its last value.
            var updated = first[0]
            updated.sync = .synced
            updated.health = .healthy
            updated.version = "1.3.0"
            updated.updatedAt = Fixtures.date(1_000)
            var twice = updated
            twice.message = "first write, replaced"
            batch = StoreBatch()
            batch.upsertResources = [twice, updated]
            try await store.commit(batch)
            let afterUpdate = try await store.resources()
            #expect(afterUpdate.count == 4)
            #expect(afterUpdate.first { $0.key == updated.key } == updated)

            batch = StoreBatch()
            batch.deleteResources = [first[1].key, first[3].key, ResourceKey(kind: .deployment, name: "never-there", environment: "x")]
            try await store.commit(batch)
            #expect(Set(try await store.resources().map(\.key)) == [first[0].key, first[2].key])
        }
    }

    @Test(arguments: Backend.allCases)
    func aFailingBatchRollsBackEntirely(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            var good = StoreBatch()
            good.upsertResources = [Fixtures.resource("planner")]
            good.events = [Fixtures.event("Deployed")]
            let committed = try await store.commit(good)
            let headBefore = try await store.eventHead()
            #expect(headBefore.seq == 2, "its event and its stateChanged record")

            // 300 resources over two SQL chunks; the 251st breaks a constraint, after everything else was written.
            var bad = StoreBatch()
            var changed = Fixtures.resource("planner")
            changed.version = "9.9.9"
            var many = Fixtures.resources(300)
            many[250].key.name = ""
            bad.upsertResources = [changed] + many
            bad.deleteResources = [changed.key]
            bad.registerVersions = [RegisteredVersion(blueprint: .init(name: "planner", version: "9.9.9"), specHash: "x", commit: "c9",
                                                      registeredAt: Fixtures.date())]
            bad.history = [HistoryEntry(deployment: "planner", environment: "staging", version: "9.9.9", action: "deploy", outcome: "succeeded",
                                        commit: "c9", time: Fixtures.date())]
            bad.approvals = [Approval(deployment: "planner", version: "9.9.9", approvedBy: "eve", time: Fixtures.date())]
            bad.holds = [Hold(deployment: "planner", environment: "staging", version: "9.9.9", specHash: "x", reason: "r", time: Fixtures.date())]
            bad.backupRuns = [BackupRun(schedule: "nightly", scheduledFor: Fixtures.date(), startedAt: Fixtures.date(), outcome: "running")]
            bad.cursor = SourceCursor(lastSeenCommit: "c9", updatedAt: Fixtures.date())
            bad.actionKeys = [Fixtures.actionKey("k9")]
            bad.events = [Fixtures.event("Nope"), Fixtures.event("Nope again")]
            let error = await #expect(throws: StoreError.self) { try await store.commit(bad) }
            #expect(error?.message.contains("constraint") == true)
            #expect(error?.message.contains("\n") == false)

            #expect(try await store.resources() == [Fixtures.resource("planner")])
            #expect(try await store.registeredVersions().isEmpty)
            #expect(try await store.history(deployment: "planner").isEmpty)
            #expect(try await store.approvals(deployment: "planner").isEmpty)
            #expect(try await store.holds().isEmpty)
            #expect(try await store.backupRuns(schedule: nil).isEmpty)
            #expect(try await store.sourceCursor() == nil)
            #expect(try await store.actionKeys(["k9"]).isEmpty)
            #expect(try await store.eventHead() == headBefore)
            #expect(try await store.events(since: 0, limit: nil) == committed)
            #expect(try await store.verifyEventLog() == .valid(count: 2, head: headBefore))

            // The store is still usable, and the chain continues from where it was.
            let next = try await store.commit(good)
            #expect(next.map(\.seq) == [3, 4])
            #expect(next.first?.prev == headBefore.hash)
        }
    }

    @Test(arguments: Backend.allCases)
    func tenThousandResourcesInOneCommit(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            var batch = StoreBatch()
            batch.upsertResources = Fixtures.resources(10_000)
            batch.events = [Fixtures.event("Applied 10000")]
            try await store.commit(batch)
            let stored = try await store.resources()
            #expect(stored.count == 10_000)
            #expect(Set(stored) == Set(batch.upsertResources))

            batch = StoreBatch()
            batch.upsertResources = Fixtures.resources(10_000, commit: "beef")
            try await store.commit(batch)
            #expect(try await store.resources().allSatisfy { $0.commit == "beef" })

            batch = StoreBatch()
            batch.deleteResources = Fixtures.resources(10_000).map(\.key)
            try await store.commit(batch)
            #expect(try await store.resources().isEmpty)
        }
    }
}
