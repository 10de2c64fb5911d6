import Foundation
import Reconcile
@testable import StateStore
import Testing

/// Migration 9 (DESIGN §10): a store written before Targets keeps every row, read as the
/// environment's implicit target, and takes per-target rows beside them afterwards.
@Suite("Store migration to per-target state", .serialized)
struct TargetMigrationTests {
    @Test(arguments: Backend.allCases)
    func aStoreFromBeforeTargetsKeepsItsRows(_ backend: Backend) async throws {
        try await withContext(backend) { context in
            try await context.withStore { store in
                try await downgradeToBeforeTargets(store)
                // Rows as schema 8 writes them: no target column anywhere.
                try await rawSQL("""
                    INSERT INTO resources (kind, name, environment, spec_hash, spec, commit_sha, version, sync, health, message, conditions,
                                           created_at, updated_at)
                    VALUES ('Deployment', 'planner', 'production', 'h1', '{"spec":{"version":"1.2.0"}}', 'c0ffee', '1.2.0', 'Synced', 'Healthy',
                            NULL, '[]', 1000, 2000)
                    """, on: store)
                try await rawSQL("""
                    INSERT INTO deployment_history (deployment, environment, version, action, outcome, commit_sha, seq, time)
                    VALUES ('planner', 'production', '1.2.0', 'deploy', 'succeeded', 'c0ffee', NULL, 3000)
                    """, on: store)
            }
            try await context.withStore { store in
                #expect(try await count("SELECT COUNT(*) FROM schema_migrations WHERE version = 9", on: store) == 1)
                let resources = try await store.resources()
                let planner = try #require(resources.first { $0.key.name == "planner" })
                #expect(planner.key == ResourceKey(kind: .deployment, name: "planner", environment: "production"))
                #expect(planner.key.target == nil && planner.version == "1.2.0" && planner.health == .healthy && planner.specHash == "h1")
                let history = try await store.history(deployment: "planner")
                #expect(history.count == 1 && history.first?.target == nil && history.first?.outcome == "succeeded")
                // The same Deployment on two Targets: rows of their own beside the implicit target's.
                var batch = StoreBatch()
                for robot in ["robot-01", "robot-02"] {
                    var row = planner
                    row.key = ResourceKey(kind: .deployment, name: "planner", environment: "production", target: robot)
                    row.version = "1.3.0"
                    batch.upsertResources.append(row)
                    batch.history.append(HistoryEntry(deployment: "planner", environment: "production", version: "1.3.0", action: "deploy",
                                                      outcome: "succeeded", commit: "beef", time: Date(timeIntervalSince1970: 4), target: robot))
                }
                try await store.commit(batch)
                let after = try await store.resources().filter { $0.key.name == "planner" }
                #expect(after.map(\.key.target).sorted { ($0 ?? "") < ($1 ?? "") } == [nil, "robot-01", "robot-02"])
                #expect(after.first { $0.key.target == nil }?.version == "1.2.0")
                let perTarget = try await store.history(outcome: "succeeded").filter { $0.deployment == "planner" }
                #expect(Set(perTarget.map(\.target)) == [nil, "robot-01", "robot-02"])
                // The log still rebuilds the store, target rows included.
                let (stored, seq) = try await store.stateSnapshot()
                let replay = try StateReplay.state(of: try await store.events(since: 0, limit: nil), at: .seq(seq))
                #expect(replay.state.resources.keys.contains(ResourceKey(kind: .deployment, name: "planner", environment: "production", target: "robot-02")))
                _ = stored
            }
        }
    }
}
