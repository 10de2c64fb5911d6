@testable import Controller
import Foundation
import Manifests
import Reconcile
import StewardTesting
import Testing

/// A commit that changes only Deployments is validated by patching the commit before it (the
/// parse cache and the last validated commit, `PassMemory.source`). Each step compares the plan with
/// a reconciler that checks the whole commit afresh.
@Suite("Incremental validation: Deployment-only commits are patched, and plan as a full check does", .serialized)
struct IncrementalPatchTests {
    private func reconciler(_ fleet: FleetWorkspace) async throws -> Reconciler {
        try await reconciler(fleet.path)
    }

    private func reconciler(_ folder: String) async throws -> Reconciler {
        try await Reconciler.quiet(in: folder)
    }

    /// The preview of HEAD from a reconciler with nothing in memory.
    private func fresh(_ folder: String) async throws -> Reconciler.Preview {
        let reconciler = try await reconciler(folder)
        let preview = try await reconciler.preview(revision: nil)
        #expect(reconciler.memory.source.patchedValidations == 0)
        try await reconciler.store.close()
        return preview
    }

    /// Commits, then previews HEAD with `incremental` and afresh: the same plan and errors; returns
    /// whether the validation was patched.
    private func step(_ fleet: FleetWorkspace, _ incremental: Reconciler, _ message: String,
                      sourceLocation: SourceLocation = #_sourceLocation) async throws -> Bool {
        try fleet.repo.commit(message)
        return try await compare(fleet.path, incremental, message, sourceLocation: sourceLocation)
    }

    private func compare(_ folder: String, _ incremental: Reconciler, _ message: String,
                         sourceLocation: SourceLocation = #_sourceLocation) async throws -> Bool {
        let validations = incremental.memory.source.patchedValidations
        let preview = try await incremental.preview(revision: nil)
        let full = try await fresh(folder)
        #expect(preview.plan == full.plan, "\(message): plan", sourceLocation: sourceLocation)
        #expect(preview.errors.map(\.description) == full.errors.map(\.description), "\(message): errors", sourceLocation: sourceLocation)
        return incremental.memory.source.patchedValidations > validations
    }

    private func deployment(_ name: String, blueprint: String, environment: String, extra: String = "") -> String {
        "apiVersion: steward/v1\nkind: Deployment\nmetadata: {name: \(name), labels: {team: edge}}\nspec: {blueprint: \(blueprint), environment: \(environment)\(extra)}\n"
    }

    @Test func previewsOfDeploymentCommitsMatchAFullCheck() async throws {
        let fleet = try FleetWorkspace()
        let incremental = try await reconciler(fleet)
        _ = try await incremental.pass()
        _ = try await incremental.pass()   // production promoted: the store holds a converged fleet

        let staging = try #require(fleet.repo.read("deployments/robot-nav-staging.yaml"))
        try fleet.repo.write("deployments/robot-nav-staging.yaml", staging.replacingOccurrences(of: "team: edge", with: "team: navigation"))
        #expect(try await step(fleet, incremental, "a label"))

        try fleet.repo.write("deployments/desktop-assistant-production.yaml",
                             deployment("desktop-assistant-production", blueprint: "desktop-assistant", environment: "production"))
        #expect(try await step(fleet, incremental, "a new Deployment, of a blueprint new in production"))

        try fleet.repo.remove("deployments/robot-nav-staging.yaml")
        try fleet.repo.write("deployments/nav/robot-nav-staging.yaml", staging)
        #expect(try await step(fleet, incremental, "a file moved (and its label back)"))

        let production = try #require(fleet.repo.read("deployments/robot-nav-production.yaml"))
        try fleet.repo.write("deployments/robot-nav-production.yaml", production.replacingOccurrences(of: "suspend: false", with: "suspend: true"))
        #expect(try await step(fleet, incremental, "suspended"))

        try fleet.repo.remove("deployments/desktop-assistant-staging.yaml")
        #expect(try await step(fleet, incremental, "a Deployment deleted: its blueprint version leaves staging"))

        try fleet.repo.write("README.md", "not a manifest\n")
        #expect(try await step(fleet, incremental, "no manifest changed"))

        try fleet.repo.write("deployments/nav/robot-nav-staging.yaml", staging.replacingOccurrences(of: "version: 1.3.0", with: "version: 1.2.0"))
        #expect(try await step(fleet, incremental, "a version changed"))

        // one file holding two Deployments instead of two files
        try fleet.repo.remove("deployments/desktop-assistant-production.yaml")
        try fleet.repo.write("deployments/desktop.yaml", deployment("desktop-assistant-production", blueprint: "desktop-assistant", environment: "production")
            + "---\n" + deployment("desktop-assistant-staging", blueprint: "desktop-assistant", environment: "staging", extra: ", suspend: true"))
        #expect(try await step(fleet, incremental, "two documents in one file"))

        // refused commits are checked as a whole, and report what a full check reports
        try fleet.repo.write("deployments/bad.yaml", deployment("bad", blueprint: "desktop-asistant", environment: "staging"))
        #expect(try await step(fleet, incremental, "an unknown blueprint") == false)
        try fleet.repo.remove("deployments/bad.yaml")
        #expect(try await step(fleet, incremental, "fixed") == false)   // the refused attempt used up the base
        try fleet.repo.write("deployments/copy.yaml", deployment("robot-nav-production", blueprint: "robot-navigation-agent", environment: "staging"))
        #expect(try await step(fleet, incremental, "a name taken twice") == false)
        try fleet.repo.remove("deployments/copy.yaml")
        _ = try await step(fleet, incremental, "the copy removed")
        try fleet.repo.write("deployments/broken.yaml", "apiVersion: steward/v1\nkind: Deployment\nmetadata: {name: Broken_Name}\nspec: {blueprint: x, environment: staging}\n")
        #expect(try await step(fleet, incremental, "a Deployment with errors of its own") == false)
        try fleet.repo.remove("deployments/broken.yaml")
        #expect(try await step(fleet, incremental, "that file removed"))   // that attempt kept its base

        // anything but a Deployment changed: the whole commit is checked and observed again
        let blueprint = try #require(fleet.repo.read("blueprints/desktop-assistant-1.0.0.yaml"))
        try fleet.repo.write("blueprints/desktop-assistant-1.0.0.yaml", blueprint + "\n# a comment\n")
        #expect(try await step(fleet, incremental, "a blueprint's file") == false)
        try fleet.repo.write("deployments/backup.yaml", "apiVersion: steward/v1\nkind: BackupSchedule\nmetadata: {name: more}\nspec: {schedule: \"0 * * * *\", target: {type: local, path: ./b}}\n")
        #expect(try await step(fleet, incremental, "a backup schedule among Deployments") == false)
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
        #expect(incremental.memory.source.patchedValidations == 1)
        #expect(relabelled.plan == full.plan)
        #expect(relabelled.plan.actions.map { "\($0.kind.rawValue) \($0.key.name)" } == ["deploy robot-nav-staging"])
        #expect(relabelled.report?.hasFailures == false)

        // suspending applies nothing (it records the condition)
        let production = try #require(fleet.repo.read("deployments/robot-nav-production.yaml"))
        try fleet.repo.write("deployments/robot-nav-production.yaml", production.replacingOccurrences(of: "suspend: false", with: "suspend: true"))
        try fleet.repo.commit("suspend")
        full = try await fresh(fleet.path)
        let suspended = try await incremental.pass()
        #expect(suspended.plan == full.plan)
        #expect(suspended.plan.actions.isEmpty)
        try fleet.repo.write("deployments/robot-nav-production.yaml", production.replacingOccurrences(of: "suspend: false", with: "suspend: true")
            .replacingOccurrences(of: "team: edge", with: "team: robots"))
        try fleet.repo.commit("a suspended Deployment's label")
        full = try await fresh(fleet.path)
        let quiet = try await incremental.pass()
        #expect(incremental.memory.source.patchedValidations == 3)
        #expect(quiet.plan == full.plan)
        #expect(quiet.plan.blocked.map { "\($0.gate?.rawValue ?? "") \($0.key.name)" } == ["suspended robot-nav-production"])

        try fleet.repo.remove("deployments/desktop-assistant-staging.yaml")
        let removed = try fleet.repo.commit("a Deployment removed")
        full = try await fresh(fleet.path)
        let pruned = try await incremental.pass()
        #expect(pruned.plan == full.plan)
        #expect(pruned.plan.actions.map { "\($0.kind.rawValue) \($0.key.name)" } == ["undeploy desktop-assistant-staging"])
        #expect(pruned.appliedCommit == removed)
        #expect(try await incremental.store.resources().allSatisfy { $0.key.name != "desktop-assistant-staging" })
        try await incremental.store.close()
    }

    @Test func generatedFleetEditsMatchAFullCheck() async throws {
        let directory = try TemporaryDirectory()
        let repo = directory.path + "/fleet", generator = StewardProcess.packageRoot.appendingPathComponent("scripts/gen-fleet").path
        func run(_ tool: String, _ arguments: [String]) async throws {
            let result = try await Subprocess.run("/usr/bin/env", [tool] + arguments)
            guard result.status == 0 else { throw ProcessFailure(message: "\(tool) \(arguments.joined(separator: " ")): \(result.stderr)") }
        }
        try await run("python3", [generator, repo, "--count", "300", "--health-window", "0", "--git"])
        try "source: {repository: \(repo), branch: main}\nstore: {url: sqlite://state.db}\neventLog: {directory: events}\n"
            .write(toFile: directory.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let incremental = try await reconciler(directory.path)
        _ = try await incremental.pass()
        let deployments = repo + "/deployments"
        for round in 0..<12 {
            switch round % 4 {
            case 0: try await run("python3", [generator, repo, "--touch", "5", "--seed", "\(round)", "--git"])
            case 1: try await run("python3", [generator, repo, "--touch", "3", "--seed", "\(round)", "--git", "--touch-field", "suspend"])
            case 2:   // two Deployments deleted, one copied under a new name
                let names = try FileManager.default.contentsOfDirectory(atPath: deployments).sorted()
                for name in names.dropFirst((round * 7) % 100).prefix(2) { try FileManager.default.removeItem(atPath: deployments + "/" + name) }
                let source = names[(round * 11) % 100 + 3], copy = source.replacingOccurrences(of: ".yaml", with: "-copy.yaml")
                let text = try String(contentsOfFile: deployments + "/" + source, encoding: .utf8)
                try text.replacingOccurrences(of: "name: \(source.dropLast(5))\n", with: "name: \(copy.dropLast(5))\n")
                    .write(toFile: deployments + "/" + copy, atomically: true, encoding: .utf8)
                try await run("git", ["-C", repo, "add", "-A"])
                try await run("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "round \(round)"])
            default:   // a dev Deployment moves to staging (its blueprint version leaves dev, maybe)
                let name = try #require(try await FileManager.default.contentsOfDirectory(atPath: deployments).sorted().filter { $0.hasSuffix("-dev.yaml") }.dropFirst(round).first)
                let text = try String(contentsOfFile: deployments + "/" + name, encoding: .utf8)
                try text.replacingOccurrences(of: "environment: dev", with: "environment: staging")
                    .write(toFile: deployments + "/" + name, atomically: true, encoding: .utf8)
                try await run("git", ["-C", repo, "-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qam", "round \(round)"])
            }
            #expect(try await compare(directory.path, incremental, "round \(round)"))
            if round % 3 == 2 { _ = try await incremental.pass() }   // the store moves on too
        }
        try await incremental.store.close()
    }
}
