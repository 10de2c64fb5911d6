@testable import Controller
import Foundation
import Manifests
import Reconcile
import StewardTesting
import Testing

/// A commit that changes only Deployments is validated and observed by patching the commit
/// before it. Each step compares with a reconciler that checks the whole commit afresh.
@Suite("Incremental reconcile: Deployment-only commits are patched, and plan as a full check does", .serialized)
struct IncrementalPatchTests {
    private func reconciler(_ fleet: FleetWorkspace) async throws -> Reconciler {
        try await reconciler(fleet.path)
    }

    private func reconciler(_ folder: String) async throws -> Reconciler {
        try await Reconciler.quiet(in: folder, probeTargets: false)
    }

    /// The preview of HEAD from a reconciler with no caches, and its observation.
    private func fresh(_ folder: String) async throws -> (preview: Reconciler.Preview, observation: Observation?) {
        let reconciler = try await reconciler(folder)
        let preview = try await reconciler.preview(revision: nil)
        #expect(reconciler.source.patchedValidations == 0 && reconciler.patchedObservations == 0)
        let observation = reconciler.observationCache?.observation
        try await reconciler.store.close()
        return (preview, observation)
    }

    /// Commits, then previews HEAD with `incremental` and afresh: the same plan, errors and
    /// observation; returns whether the validation and the observation were patched.
    private func step(_ fleet: FleetWorkspace, _ incremental: Reconciler, _ message: String,
                      sourceLocation: SourceLocation = #_sourceLocation) async throws -> (validation: Bool, observation: Bool) {
        try fleet.repo.commit(message)
        return try await compare(fleet.path, incremental, message, sourceLocation: sourceLocation)
    }

    private func compare(_ folder: String, _ incremental: Reconciler, _ message: String,
                         sourceLocation: SourceLocation = #_sourceLocation) async throws -> (validation: Bool, observation: Bool) {
        let (validations, observations) = (incremental.source.patchedValidations, incremental.patchedObservations)
        let preview = try await incremental.preview(revision: nil)
        let full = try await fresh(folder)
        #expect(preview.plan == full.preview.plan, "\(message): plan", sourceLocation: sourceLocation)
        #expect(preview.errors.map(\.description) == full.preview.errors.map(\.description), "\(message): errors", sourceLocation: sourceLocation)
        if preview.errors.isEmpty {
            let mine = try #require(incremental.observationCache?.observation, sourceLocation: sourceLocation)
            let theirs = try #require(full.observation, sourceLocation: sourceLocation)
            let differing = Set(mine.desired.keys).union(theirs.desired.keys).filter { mine.desired[$0] != theirs.desired[$0] }
            #expect(differing.map(\.description).sorted() == [], "\(message): desired state", sourceLocation: sourceLocation)
            #expect(mine.changes.map(\.summary) == theirs.changes.map(\.summary), "\(message): changes", sourceLocation: sourceLocation)
            // applied rows are compared by what identifies them: in memory, times keep more precision than the store's
            #expect(mine.changes.map(\.comparable) == theirs.changes.map(\.comparable), "\(message): changes in full", sourceLocation: sourceLocation)
            #expect(mine.suspended == theirs.suspended, "\(message): suspended", sourceLocation: sourceLocation)
        }
        return (incremental.source.patchedValidations > validations, incremental.patchedObservations > observations)
    }

    private func deployment(_ name: String, blueprint: String, environment: String, extra: String = "") -> String {
        "apiVersion: steward/v1\nkind: Deployment\nmetadata: {name: \(name), labels: {team: edge}}\nspec: {blueprint: \(blueprint), environment: \(environment)\(extra)}\n"
    }

    @Test func previewsOfDeploymentCommitsMatchAFullCheck() async throws {
        let fleet = try FleetWorkspace()
        let incremental = try await reconciler(fleet)
        _ = try await incremental.pass()
        _ = try await incremental.pass()   // production promoted: the store holds a converged fleet
        _ = try await incremental.preview(revision: nil)   // an observation of HEAD at this applied state

        let staging = try #require(fleet.repo.read("deployments/robot-nav-staging.yaml"))
        try fleet.repo.write("deployments/robot-nav-staging.yaml", staging.replacingOccurrences(of: "team: edge", with: "team: navigation"))
        #expect(try await step(fleet, incremental, "a label") == (true, true))

        try fleet.repo.write("deployments/desktop-assistant-production.yaml",
                             deployment("desktop-assistant-production", blueprint: "desktop-assistant", environment: "production"))
        #expect(try await step(fleet, incremental, "a new Deployment, of a blueprint new in production") == (true, true))

        try fleet.repo.remove("deployments/robot-nav-staging.yaml")
        try fleet.repo.write("deployments/nav/robot-nav-staging.yaml", staging)
        #expect(try await step(fleet, incremental, "a file moved (and its label back)") == (true, true))

        let production = try #require(fleet.repo.read("deployments/robot-nav-production.yaml"))
        try fleet.repo.write("deployments/robot-nav-production.yaml", production.replacingOccurrences(of: "suspend: false", with: "suspend: true"))
        #expect(try await step(fleet, incremental, "suspended") == (true, true))

        try fleet.repo.remove("deployments/desktop-assistant-staging.yaml")
        #expect(try await step(fleet, incremental, "a Deployment deleted: its blueprint version leaves staging") == (true, true))

        try fleet.repo.write("README.md", "not a manifest\n")
        #expect(try await step(fleet, incremental, "no manifest changed") == (true, true))

        try fleet.repo.write("deployments/nav/robot-nav-staging.yaml", staging.replacingOccurrences(of: "version: 1.3.0", with: "version: 1.2.0"))
        #expect(try await step(fleet, incremental, "a version changed") == (true, true))

        // one file holding two Deployments instead of two files
        try fleet.repo.remove("deployments/desktop-assistant-production.yaml")
        try fleet.repo.write("deployments/desktop.yaml", deployment("desktop-assistant-production", blueprint: "desktop-assistant", environment: "production")
            + "---\n" + deployment("desktop-assistant-staging", blueprint: "desktop-assistant", environment: "staging", extra: ", suspend: true"))
        #expect(try await step(fleet, incremental, "two documents in one file") == (true, true))

        // refused commits are checked as a whole, and report what a full check reports
        try fleet.repo.write("deployments/bad.yaml", deployment("bad", blueprint: "desktop-asistant", environment: "staging"))
        #expect(try await step(fleet, incremental, "an unknown blueprint").validation == false)
        try fleet.repo.remove("deployments/bad.yaml")
        #expect(try await step(fleet, incremental, "fixed").validation == false)   // the refused attempt used up the base
        try fleet.repo.write("deployments/copy.yaml", deployment("robot-nav-production", blueprint: "robot-navigation-agent", environment: "staging"))
        #expect(try await step(fleet, incremental, "a name taken twice").validation == false)
        try fleet.repo.remove("deployments/copy.yaml")
        _ = try await step(fleet, incremental, "the copy removed")
        try fleet.repo.write("deployments/broken.yaml", "apiVersion: steward/v1\nkind: Deployment\nmetadata: {name: Broken_Name}\nspec: {blueprint: x, environment: staging}\n")
        #expect(try await step(fleet, incremental, "a Deployment with errors of its own").validation == false)
        try fleet.repo.remove("deployments/broken.yaml")
        #expect(try await step(fleet, incremental, "that file removed") == (true, true))   // that attempt kept its base

        // anything but a Deployment changed: the whole commit is checked and observed again
        let blueprint = try #require(fleet.repo.read("blueprints/desktop-assistant-1.0.0.yaml"))
        try fleet.repo.write("blueprints/desktop-assistant-1.0.0.yaml", blueprint + "\n# a comment\n")
        #expect(try await step(fleet, incremental, "a blueprint's file") == (false, false))
        try fleet.repo.write("deployments/backup.yaml", "apiVersion: steward/v1\nkind: BackupSchedule\nmetadata: {name: more}\nspec: {schedule: \"0 * * * *\", target: {type: local, path: ./b}}\n")
        #expect(try await step(fleet, incremental, "a backup schedule among Deployments").validation == false)
        try await incremental.store.close()
    }

    @Test func passesOfPatchedCommitsPlanAsAFullCheckAndApply() async throws {
        let fleet = try FleetWorkspace()
        let incremental = try await reconciler(fleet)
        _ = try await incremental.pass()
        _ = try await incremental.pass()
        let staging = try #require(fleet.repo.read("deployments/robot-nav-staging.yaml"))
        try fleet.repo.write("deployments/robot-nav-staging.yaml", staging.replacingOccurrences(of: "team: edge", with: "team: navigation"))
        try fleet.repo.commit("a label")
        var full = try await fresh(fleet.path)
        let relabelled = try await incremental.pass()
        #expect(incremental.source.patchedValidations == 1)
        #expect(relabelled.plan == full.preview.plan)
        #expect(relabelled.plan.actions.map { "\($0.kind.rawValue) \($0.key.name)" } == ["deploy robot-nav-staging"])
        #expect(relabelled.report?.hasFailures == false)

        // suspending applies nothing (it records the condition); after a pass that wrote nothing,
        // the next commit's observation is a patch of that pass's
        let production = try #require(fleet.repo.read("deployments/robot-nav-production.yaml"))
        try fleet.repo.write("deployments/robot-nav-production.yaml", production.replacingOccurrences(of: "suspend: false", with: "suspend: true"))
        try fleet.repo.commit("suspend")
        full = try await fresh(fleet.path)
        let suspended = try await incremental.pass()
        #expect(suspended.plan == full.preview.plan)
        #expect(suspended.plan.actions.isEmpty)
        try fleet.repo.write("deployments/robot-nav-production.yaml", production.replacingOccurrences(of: "suspend: false", with: "suspend: true")
            .replacingOccurrences(of: "team: edge", with: "team: robots"))
        try fleet.repo.commit("a suspended Deployment's label")
        full = try await fresh(fleet.path)
        let quiet = try await incremental.pass()
        #expect(incremental.source.patchedValidations == 3)
        #expect(quiet.plan == full.preview.plan)
        #expect(quiet.plan.blocked.map { "\($0.gate?.rawValue ?? "") \($0.key.name)" } == ["suspended robot-nav-production"])

        try fleet.repo.remove("deployments/desktop-assistant-staging.yaml")
        let removed = try fleet.repo.commit("a Deployment removed")
        full = try await fresh(fleet.path)
        let pruned = try await incremental.pass()
        #expect(incremental.patchedObservations == 1)
        #expect(pruned.plan == full.preview.plan)
        #expect(pruned.plan.actions.map { "\($0.kind.rawValue) \($0.key.name)" } == ["undeploy desktop-assistant-staging"])
        #expect(pruned.appliedCommit == removed)
        #expect(try await incremental.store.resources().allSatisfy { $0.key.name != "desktop-assistant-staging" })
        try await incremental.store.close()
    }

    @Test func generatedFleetEditsMatchAFullCheck() async throws {
        let directory = try TemporaryDirectory()
        let repo = directory.path + "/fleet", generator = StewardProcess.packageRoot.appendingPathComponent("scripts/gen-fleet").path
        func run(_ tool: String, _ arguments: [String]) throws {
            let result = try Subprocess.run("/usr/bin/env", [tool] + arguments)
            guard result.status == 0 else { throw ProcessFailure(message: "\(tool) \(arguments.joined(separator: " ")): \(result.stderr)") }
        }
        try run("python3", [generator, repo, "--count", "300", "--health-window", "0", "--git"])
        try "source: {repository: \(repo), branch: main}\nstore: {url: sqlite://state.db}\neventLog: {directory: events}\n"
            .write(toFile: directory.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let incremental = try await reconciler(directory.path)
        _ = try await incremental.pass()
        _ = try await incremental.preview(revision: nil)
        let deployments = repo + "/deployments"
        for round in 0..<12 {
            switch round % 4 {
            case 0: try run("python3", [generator, repo, "--touch", "5", "--seed", "\(round)", "--git"])
            case 1: try run("python3", [generator, repo, "--touch", "3", "--seed", "\(round)", "--git", "--touch-field", "suspend"])
            case 2:   // two Deployments deleted, one copied under a new name
                let names = try FileManager.default.contentsOfDirectory(atPath: deployments).sorted()
                for name in names.dropFirst((round * 7) % 100).prefix(2) { try FileManager.default.removeItem(atPath: deployments + "/" + name) }
                let source = names[(round * 11) % 100 + 3], copy = source.replacingOccurrences(of: ".yaml", with: "-copy.yaml")
                let text = try String(contentsOfFile: deployments + "/" + source, encoding: .utf8)
                try text.replacingOccurrences(of: "name: \(source.dropLast(5))\n", with: "name: \(copy.dropLast(5))\n")
                    .write(toFile: deployments + "/" + copy, atomically: true, encoding: .utf8)
                try run("git", ["-C", repo, "add", "-A"])
                try run("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "round \(round)"])
            default:   // a dev Deployment moves to staging (its blueprint version leaves dev, maybe)
                let name = try #require(try FileManager.default.contentsOfDirectory(atPath: deployments).sorted().filter { $0.hasSuffix("-dev.yaml") }.dropFirst(round).first)
                let text = try String(contentsOfFile: deployments + "/" + name, encoding: .utf8)
                try text.replacingOccurrences(of: "environment: dev", with: "environment: staging")
                    .write(toFile: deployments + "/" + name, atomically: true, encoding: .utf8)
                try run("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qam", "round \(round)"])
            }
            // after a pass that applied something, the observation is made afresh
            #expect(try await compare(directory.path, incremental, "round \(round)") == (true, round == 0 || round % 3 != 0))
            if round % 3 == 2 { _ = try await incremental.pass() }   // the store moves on too
        }
        try await incremental.store.close()
    }
}

extension ResourceChange {
    /// `update Deployment/x in dev @commit`: enough to tell two lists of changes apart in a failure.
    fileprivate var summary: String { "\(change.rawValue) \(key) @\(desired?.commit.prefix(7) ?? "-")" }

    fileprivate var comparable: [AnyHashable] {
        [key, change, desired, applied?.specHash, applied?.commit, applied?.version, applied?.conditions, fields, detail]
    }
}
