@testable import Controller
import Foundation
import Manifests
import Reconcile
import SQLiteNIO
import StateStore
import StewardTesting
import Testing

/// DESIGN §2: a blueprint version, once registered, is immutable.
@Suite("Registered blueprint versions are immutable", .serialized)
struct VersionImmutabilityTests {
    private func reconciler(_ fleet: FleetWorkspace) async throws -> Reconciler {
        try await Reconciler.quiet(in: fleet.path)
    }

    private func blueprint(_ text: String, _ file: String) async throws -> Resource {
        try #require(ManifestParser.parse(file: file, bytes: Array(text.utf8)).resources.first)
    }

    @Test func aRegisteredVersionWhoseSpecChangesIsRefusedUntilItsVersionIsBumped() async throws {
        let fleet = try FleetWorkspace()
        let reconciler = try await reconciler(fleet)
        let first = try await reconciler.pass()
        #expect(first.plan.actions.contains { $0.kind == .registerVersion && $0.key.name == "desktop-assistant@1.0.0" })
        let path = "blueprints/desktop-assistant-1.0.0.yaml"
        let text = try #require(fleet.repo.read(path))
        let registered = try await reconciler.store.registeredVersions()
        let desktop = try #require(registered.first { $0.blueprint == BlueprintRef(name: "desktop-assistant", version: "1.0.0") })
        #expect(desktop.specHash == (try await blueprint(text, path)).specHash)
        #expect(desktop.commit == first.appliedCommit)
        let applied = try #require(fleet.file("var/fleet/staging/blueprints/desktop-assistant/1.0.0.json"))

        let changed = text.replacingOccurrences(of: "temperature: 0.3", with: "temperature: 0.5")
        try fleet.repo.write(path, changed)
        let refused = try fleet.repo.commit("change 1.0.0 in place")
        let blocked = try await reconciler.pass()
        #expect(blocked.commit == refused)
        #expect(blocked.appliedCommit == first.appliedCommit)
        #expect(blocked.validationErrors.map(\.description) == [
            "\(path):10:3: AgentBlueprint/desktop-assistant@1.0.0: spec: AgentBlueprint desktop-assistant@1.0.0 is already registered with different content; versions are immutable, bump spec.version instead",
        ])
        // the last valid commit is still reconciled (production's promotion), nothing of the refused one
        #expect(blocked.plan.actions.allSatisfy { !$0.key.name.hasPrefix("desktop-assistant") })
        #expect(fleet.file("var/fleet/staging/blueprints/desktop-assistant/1.0.0.json") == applied)
        // the first registration stays: the refused content was never registered
        #expect(try await reconciler.store.registeredVersions().first { $0.blueprint == desktop.blueprint } == desktop)

        try fleet.repo.write(path, changed.replacingOccurrences(of: "version: 1.0.0", with: "version: 1.0.1"))
        let bumped = try fleet.repo.commit("bump instead")
        let applies = try await reconciler.pass()
        #expect(applies.validationErrors.isEmpty)
        #expect(applies.appliedCommit == bumped)
        #expect(applies.plan.actions.contains { $0.kind == .registerVersion && $0.key.name == "desktop-assistant@1.0.1" })
        try await reconciler.store.close()
    }

    @Test func aCommitPatchedOntoTheLastOneStillMeetsVersionsRegisteredSince() async throws {
        let fleet = try FleetWorkspace()
        let reconciler = try await reconciler(fleet)
        _ = try await reconciler.pass()
        // 1.2.0 is in Git but deployed nowhere; another replica (say) registered other content under it
        var batch = StoreBatch()
        batch.registerVersions = [RegisteredVersion(blueprint: BlueprintRef(name: "robot-navigation-agent", version: "1.2.0"),
                                                    specHash: String(repeating: "0", count: 64), commit: "elsewhere", registeredAt: Date())]
        _ = try await reconciler.store.commit(batch)
        reconciler.forgetCaches()   // as after a change of leader
        let staging = try #require(fleet.repo.read("deployments/robot-nav-staging.yaml"))
        try fleet.repo.write("deployments/robot-nav-staging.yaml", staging.replacingOccurrences(of: "team: edge", with: "team: navigation"))
        try fleet.repo.commit("only a Deployment's label")
        let result = try await reconciler.pass()
        #expect(reconciler.memory.source.patchedValidations == 0)
        #expect(result.validationErrors.map(\.message) == [
            "AgentBlueprint robot-navigation-agent@1.2.0 is already registered with different content; versions are immutable, bump spec.version instead",
        ])
        try await reconciler.store.close()
    }

    @Test func aStoreFromBeforeRegistrationsWereRecordedGetsThemFromWhatWasApplied() async throws {
        let fleet = try FleetWorkspace()
        let first = try await reconciler(fleet)
        let applied = try #require(try await first.pass().appliedCommit)
        let expected = Set(try await first.store.registeredVersions())
        #expect(expected.map(\.blueprint.description).sorted() == ["desktop-assistant@1.0.0", "robot-navigation-agent@1.3.0"])
        try await first.store.close()
        // as an older Steward left it: blueprint versions applied, none recorded as registered
        let database = try await SQLiteConnection.open(storage: .file(path: fleet.path + "/.steward/state.db"), logger: backupTestLogger)
        _ = try await database.query("DELETE FROM registered_versions", [])
        try await database.close()

        let upgraded = try await reconciler(fleet)
        let pass = try await upgraded.pass()
        #expect(!pass.plan.actions.contains { $0.kind == .registerVersion })
        let recorded = try await upgraded.store.registeredVersions()
        #expect(recorded.map(\.blueprint) .sorted() == expected.map(\.blueprint).sorted())
        #expect(recorded.map(\.specHash).sorted() == expected.map(\.specHash).sorted())
        #expect(recorded.allSatisfy { $0.commit == applied })
        let path = "blueprints/desktop-assistant-1.0.0.yaml"
        let text = try #require(fleet.repo.read(path))
        try fleet.repo.write(path, text.replacingOccurrences(of: "temperature: 0.3", with: "temperature: 0.5"))
        try fleet.repo.commit("change 1.0.0 in place")
        #expect(try await upgraded.pass().validationErrors.map(\.field) == ["spec"])
        try await upgraded.store.close()
    }
}
