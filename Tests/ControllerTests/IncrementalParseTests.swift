@testable import Controller
import Foundation
import Manifests
import Reconcile
import StewardTesting
import Testing

@Suite("Incremental reconcile: parsed manifests cached by blob id", .serialized)
struct IncrementalParseTests {
    private func reconciler(_ fleet: FleetWorkspace) async throws -> Reconciler {
        try await Reconciler.quiet(in: fleet.path)
    }

    @Test func unchangedCommitParsesNothingAndChangedBlobsAreReparsed() async throws {
        let fleet = try FleetWorkspace()
        let reconciler = try await reconciler(fleet)
        _ = try await reconciler.pass()
        let files = reconciler.memory.source.cache.misses
        #expect(files == 10)
        // the second pass promotes what the first proved in staging, without parsing again
        #expect(try await reconciler.pass().plan.actions.map(\.kind) == [.promote])
        #expect(try await reconciler.pass().plan.actions.isEmpty)
        #expect(reconciler.memory.source.cache.misses == files)
        #expect(reconciler.memory.source.cache.hits == 0)
        let adapter = try #require(fleet.repo.read("adapters/desktop-main.yaml"))
        try fleet.repo.write("adapters/desktop-main.yaml", adapter.replacingOccurrences(of: "memoryMb: 4096", with: "memoryMb: 1024"))
        try fleet.repo.commit("one file")
        let result = try await reconciler.pass()
        // only the changed adapter is parsed; the whole-commit check takes every file from the cache
        #expect(reconciler.memory.source.cache.misses == files + 1)
        #expect(reconciler.memory.source.cache.hits == files)
        #expect(Set(result.plan.actions.map(\.key.name)) == ["desktop-main"])
        try await reconciler.store.close()
    }

    /// The desired state is made again only when the commit or the applied resources change: an
    /// unchanged pass reuses it, and what it then plans is what a fresh reconciler plans.
    @Test func theDesiredStateIsKeptForAnUnchangedCommitAndMadeAgainWhenEitherMoves() async throws {
        let fleet = try FleetWorkspace()
        let reconciler = try await reconciler(fleet)
        while try await !reconciler.pass().plan.actions.isEmpty {}
        let kept = try #require(reconciler.memory.wanted)
        #expect(try await reconciler.pass().plan.actions.isEmpty)
        #expect(reconciler.memory.wanted?.appliedGeneration == kept.appliedGeneration && reconciler.memory.wanted?.commit == kept.commit)

        // A hand edit: the heal changes the applied resources, so the next pass makes it again.
        let file = fleet.path + "/var/fleet/staging/deployments/robot-nav-staging.json"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "\"1.3.0\"", with: "\"9.9.9\"").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try await reconciler.pass().plan.actions.map(\.change) == [.drift])
        #expect(try String(contentsOfFile: file, encoding: .utf8) == text)

        // A new commit: made again from it, and the plan equals a fresh reconciler's.
        let adapter = try #require(fleet.repo.read("adapters/desktop-main.yaml"))
        try fleet.repo.write("adapters/desktop-main.yaml", adapter.replacingOccurrences(of: "memoryMb: 4096", with: "memoryMb: 1024"))
        let sha = try fleet.repo.commit("one file")
        let fresh = try await Reconciler.quiet(in: fleet.path)
        let expected = try await fresh.preview(revision: nil).plan
        try await fresh.store.close()
        let planned = try await reconciler.pass().plan
        #expect(reconciler.memory.wanted?.commit == sha)
        #expect(planned.actions.map(\.key) == expected.actions.map(\.key) && planned.actions.map(\.specHash) == expected.actions.map(\.specHash))
        try await reconciler.store.close()
    }

    @Test func renamedFileKeepsIdentityAndReportsItsNewPath() async throws {
        let fleet = try FleetWorkspace()
        let reconciler = try await reconciler(fleet)
        _ = try await reconciler.pass()
        let text = try #require(fleet.repo.read("adapters/desktop-main.yaml"))
        try fleet.repo.remove("adapters/desktop-main.yaml")
        try fleet.repo.write("runtime/desktop.yaml", text)
        try fleet.repo.write("runtime/copy.yaml", text)
        try fleet.repo.commit("rename, and an accidental copy")
        let result = try await reconciler.pass()
        // same content under two paths: a duplicate name, reported with the new paths though both blobs were cached
        #expect(result.validationErrors.map(\.description) == [
            "runtime/desktop.yaml:5:9: RuntimeAdapter/desktop-main: metadata.name: duplicate RuntimeAdapter/desktop-main: already defined at runtime/copy.yaml:5:9",
        ])
        try fleet.repo.remove("runtime/copy.yaml")
        try fleet.repo.commit("drop the copy")
        let renamed = try await reconciler.pass()
        #expect(renamed.validationErrors.isEmpty)
        #expect(renamed.plan.actions.isEmpty)
        try await reconciler.store.close()
    }

    @Test func deletedFileIsPrunedAndAnErrorInAChangedFileBlocksTheCommit() async throws {
        let fleet = try FleetWorkspace()
        let reconciler = try await reconciler(fleet)
        _ = try await reconciler.pass()
        _ = try await reconciler.pass()  // production is promoted once staging proved the version
        try fleet.repo.remove("deployments/desktop-assistant-staging.yaml")
        try fleet.repo.commit("delete")
        let pruned = try await reconciler.pass()
        #expect(pruned.plan.actions.map { "\($0.kind.rawValue) \($0.key.name)" } == ["undeploy desktop-assistant-staging"])
        let text = try #require(fleet.repo.read("deployments/robot-nav-staging.yaml"))
        try fleet.repo.write("deployments/robot-nav-staging.yaml", text.replacingOccurrences(of: "environment: staging", with: "environment: qa"))
        try fleet.repo.write("adapters/new.yaml", "apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: new-one}\nspec: {runtimeType: cloud}\n")
        let bad = try fleet.repo.commit("one bad file among cached ones")
        let blocked = try await reconciler.pass()
        #expect(blocked.commit == bad)
        #expect(blocked.appliedCommit != bad)
        #expect(blocked.validationErrors.map(\.message) == ["Environment 'qa' not found"])
        #expect(blocked.plan.actions.isEmpty)
        let names = try await reconciler.store.resources().map(\.key.name)
        #expect(!names.contains("new-one"))
        try await reconciler.store.close()
    }

    @Test func aResourceErrorCachedWithItsBlobStillBlocksLaterCommitsUnderItsNewPath() async throws {
        let fleet = try FleetWorkspace()
        let reconciler = try await reconciler(fleet)
        _ = try await reconciler.pass()
        let applied = try #require(try await reconciler.store.sourceCursor()?.lastAppliedCommit)
        try fleet.repo.write("adapters/bad.yaml", "apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: Bad_Name}\nspec: {runtimeType: cloud}\n")
        try fleet.repo.commit("an adapter with a bad name")
        let first = try await reconciler.pass()
        let error = try #require(first.validationErrors.first)
        #expect(first.validationErrors.count == 1)
        #expect(error.file == "adapters/bad.yaml" && error.field == "metadata.name")
        let misses = reconciler.memory.source.cache.misses
        // another file changes; the bad file's blob (and its checks) come from the cache
        let adapter = try #require(fleet.repo.read("adapters/desktop-main.yaml"))
        try fleet.repo.write("adapters/desktop-main.yaml", adapter.replacingOccurrences(of: "memoryMb: 4096", with: "memoryMb: 1024"))
        let second = try fleet.repo.commit("an unrelated change")
        let again = try await reconciler.pass()
        #expect(reconciler.memory.source.cache.misses == misses + 1)
        #expect(again.commit == second)
        #expect(again.validationErrors.map(\.description) == [error.description])
        #expect(try await reconciler.store.sourceCursor()?.lastAppliedCommit == applied)
        // moved: the cached error names the new path
        let text = try #require(fleet.repo.read("adapters/bad.yaml"))
        try fleet.repo.remove("adapters/bad.yaml")
        try fleet.repo.write("runtime/bad.yaml", text)
        try fleet.repo.commit("move it")
        let moved = try await reconciler.pass()
        #expect(reconciler.memory.source.cache.misses == misses + 1)
        #expect(moved.validationErrors.map(\.file) == ["runtime/bad.yaml"])
        #expect(moved.validationErrors.map(\.message) == [error.message])
        #expect(!(try await reconciler.store.resources().map(\.key.name).contains("Bad_Name")))
        try fleet.repo.remove("runtime/bad.yaml")
        let fixed = try fleet.repo.commit("drop it")
        let applies = try await reconciler.pass()
        #expect(applies.validationErrors.isEmpty)
        #expect(applies.appliedCommit == fixed)
        #expect(Set(applies.plan.actions.map(\.key.name)) == ["desktop-main"])
        try await reconciler.store.close()
    }
}
