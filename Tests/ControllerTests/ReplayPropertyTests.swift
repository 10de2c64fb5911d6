@testable import Controller
import Foundation
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

/// DESIGN §14, on the real controller: for random sequences of commits — version bumps, reverts,
/// failing smoke tests, approvals, prunes — replaying the event log gives exactly the store's state
/// after every pass, on SQLite and PostgreSQL.
@Suite("replay of the event log equals the store after every pass", .serialized)
struct ReplayPropertyTests {
    @Test(arguments: ["sqlite", "postgres"], [UInt64(0x5EED_0001), 0x5EED_0002])
    func randomCommitsReplayToTheStore(_ backend: String, seed: UInt64) async throws {
        let url = backend == "sqlite" ? "sqlite://.steward/state.db" : try await TestPostgres.freshDatabaseURL()
        let fleet = try await PromotionFleet(production: .init(requireApproval: true), store: url)
        let reconciler = try await fleet.reconciler()
        do {
            try await walk(fleet, reconciler, seed: seed)
        } catch {
            Issue.record(error)
        }
        try await reconciler.store.close()
        await fleet.stop()
    }

    private func walk(_ fleet: PromotionFleet, _ reconciler: Reconciler, seed: UInt64) async throws {
        let desktop = try #require(try String(contentsOfFile: StewardProcess.packageRoot.appendingPathComponent("examples/quickstart/deployments/desktop-assistant-staging.yaml").path, encoding: .utf8))
        var random = SplitMix64(seed: seed)
        var done: [String] = []
        _ = try await reconciler.pass()
        for step in 0..<24 {
            _ = try? fleet.repo.git("reset", "--hard", "-q", "HEAD")   // the controller may have committed a revert
            let operation = random.next(upTo: 6)
            switch operation {
            case 0:
                let current = fleet.repo.read("deployments/robot-nav-staging.yaml")?.contains("1.3.0") == true
                try? fleet.setVersion("robot-nav-staging", current ? "1.2.0" : "1.3.0")
                _ = try fleet.repo.commit("staging bump \(step)", allowEmpty: true)
            case 1:
                let staging = fleet.repo.read("deployments/robot-nav-staging.yaml")?.contains("1.3.0") == true
                try? fleet.setVersion("robot-nav-production", staging ? "1.3.0" : "1.2.0")
                _ = try fleet.repo.commit("production bump \(step)", allowEmpty: true)
            case 2:
                _ = try? fleet.repo.git("revert", "--no-edit", "HEAD")
            case 3:
                fleet.console.setSmokeTests(version: "1.3.0", passed: random.next(upTo: 2) == 0)
            case 4:
                _ = try? await ReleaseOperations.approve(deployment: "robot-nav-production", version: nil, by: "ada",
                                                         settings: try fleet.settings(), store: reconciler.store)
            default:
                if fleet.repo.read("deployments/desktop-assistant-staging.yaml") == nil {
                    try fleet.repo.write("deployments/desktop-assistant-staging.yaml", desktop)
                } else {
                    try fleet.repo.remove("deployments/desktop-assistant-staging.yaml")
                }
                _ = try fleet.repo.commit("prune or restore \(step)", allowEmpty: true)
            }
            done.append(["staging bump", "production bump", "revert", "smoke tests", "approve", "prune"][operation])
            _ = try await reconciler.pass()
            let difference = try await reconciler.store.checkReplay().difference
            #expect(difference == nil, "after \(done.joined(separator: ", "))")
            if difference != nil { break }
        }
        let history = try await reconciler.store.stateSnapshot().state.history
        #expect(history.count >= 3, "the passes did something: \(history.map(\.outcome))")
    }
}
