import Foundation
import StewardTesting
import Testing

@Suite("steward run end to end: git commits → converged local fleet → verifiable log", .serialized)
struct ReconcileEndToEndTests {
    static let stores: [String] = ["sqlite", "postgres"]

    private func workspace(_ backend: String) async throws -> FleetWorkspace {
        try FleetWorkspace(storeURL: backend == "postgres" ? try await TestPostgres.freshDatabaseURL() : nil)
    }

    @Test(arguments: stores)
    func quickstartConvergesAndStatusIsSyncedHealthy(_ backend: String) async throws {
        let fleet = try await workspace(backend)
        let run = try await fleet.steward("run", "--once")
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(fleet.file("var/fleet/staging/adapters/robotics-main.json")?.contains("\"kind\":\"RuntimeAdapter\"") == true)
        #expect(fleet.file("var/fleet/staging/blueprints/robot-navigation-agent/1.3.0.json") != nil)
        #expect(fleet.file("var/fleet/staging/deployments/robot-nav-staging.json")?.contains("\"steward\":{") == true)
        #expect(fleet.file("var/fleet/production/deployments/robot-nav-production.json") != nil)
        let status = try await fleet.statusJSON()
        let resources = try #require(status["resources"] as? [[String: Any]])
        #expect(resources.count >= 11)
        for resource in resources {
            #expect(resource["sync"] as? String == "Synced", "\(resource)")
            #expect(resource["health"] as? String == "Healthy", "\(resource)")
        }
        #expect((status["commit"] as? String)?.count == 40)
        let verify = try await fleet.steward("verify-log")
        #expect(verify.exitCode == 0, "\(verify.stderr)")
        #expect(verify.stdout.hasPrefix("ok: "))
        let again = try await fleet.steward("run", "--once")
        #expect(again.exitCode == 0)
        #expect(again.stderr.contains("pass 1: commit") && again.stderr.contains(": 0 actions"), "\(again.stderr)")
    }

    @Test(arguments: stores)
    func changedAdapterUpdatesOnlyItsFiles(_ backend: String) async throws {
        let fleet = try await workspace(backend)
        #expect(try await fleet.steward("run", "--once").exitCode == 0)
        let untouched = "var/fleet/staging/deployments/robot-nav-staging.json"
        let before = fleet.modified(untouched)
        let adapter = try #require(fleet.repo.read("adapters/desktop-main.yaml"))
        try fleet.repo.write("adapters/desktop-main.yaml", adapter.replacingOccurrences(of: "memoryMb: 4096", with: "memoryMb: 8192"))
        try fleet.repo.commit("more memory for desktop")
        let run = try await fleet.steward("run", "--once")
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("pass 1: commit") && run.stderr.contains("2 actions"), "\(run.stderr)")
        #expect(fleet.file("var/fleet/staging/adapters/desktop-main.json")?.contains("\"memoryMb\":8192") == true)
        #expect(fleet.modified(untouched) == before)
    }

    @Test(arguments: stores)
    func deletedDeploymentIsPruned(_ backend: String) async throws {
        let fleet = try await workspace(backend)
        #expect(try await fleet.steward("run", "--once").exitCode == 0)
        #expect(fleet.file("var/fleet/staging/deployments/desktop-assistant-staging.json") != nil)
        try fleet.repo.remove("deployments/desktop-assistant-staging.yaml")
        try fleet.repo.commit("retire the desktop assistant")
        let diff = try await fleet.steward("diff", "-o", "json")
        #expect(diff.stdout.contains("\"change\" : \"prune\""), "\(diff.stdout)")
        #expect(try await fleet.steward("run", "--once").exitCode == 0)
        #expect(fleet.file("var/fleet/staging/deployments/desktop-assistant-staging.json") == nil)
        let names = (try await fleet.statusJSON()["resources"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(!names.contains("desktop-assistant-staging"))
    }

    @Test(arguments: stores)
    func handEditIsDriftAndIsHealed(_ backend: String) async throws {
        let fleet = try await workspace(backend)
        #expect(try await fleet.steward("run", "--once").exitCode == 0)
        let path = fleet.path + "/var/fleet/staging/deployments/robot-nav-staging.json"
        let original = try String(contentsOfFile: path, encoding: .utf8)
        try original.replacingOccurrences(of: "\"suspend\"", with: "\"suspended\"").replacingOccurrences(of: "robot-navigation-agent", with: "hacked-agent")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let diff = try await fleet.steward("diff", "--detailed-exitcode")
        #expect(diff.exitCode == 2, "\(diff.stdout)\(diff.stderr)")
        #expect(diff.stdout.contains("Deployment/robot-nav-staging (staging): drift"), "\(diff.stdout)")
        let run = try await fleet.steward("run", "--once")
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(try await String(contentsOfFile: path, encoding: .utf8) == original)
        #expect(try await fleet.steward("diff", "--detailed-exitcode").exitCode == 0)
        let logs = try await fleet.steward("logs", "-o", "json")
        #expect(logs.stdout.contains("\"type\":\"driftDetected\""))
    }

    @Test(arguments: stores)
    func invalidCommitIsNotAppliedAndStatusSaysWhy(_ backend: String) async throws {
        let fleet = try await workspace(backend)
        #expect(try await fleet.steward("run", "--once").exitCode == 0)
        let applied = try await fleet.statusJSON()["commit"] as? String
        try fleet.repo.write("deployments/robot-nav-staging.yaml", """
            apiVersion: steward/v1
            kind: Deployment
            metadata: {name: robot-nav-staging}
            spec: {blueprint: robot-navigation-agent, environment: staging, replicas: 3}

            """)
        try fleet.repo.write("adapters/extra.yaml", "apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: extra}\nspec: {runtimeType: cloud}\n")
        try fleet.repo.commit("broken")
        let run = try await fleet.steward("run", "--once")
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("was not applied: 1 validation error"), "\(run.stderr)")
        #expect(run.stderr.contains("deployments/robot-nav-staging.yaml:4:65: Deployment/robot-nav-staging: spec.replicas: unknown field 'replicas'"), "\(run.stderr)")
        let status = try await fleet.statusJSON()
        #expect(status["commit"] as? String == applied)
        let source = try #require(status["source"] as? [String: Any])
        #expect((source["errors"] as? [[String: Any]])?.first?["line"] as? Int == 4)
        #expect(source["lastSeenCommit"] as? String != applied)
        let names = (status["resources"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(!names.contains("extra"))
        #expect(try await fleet.steward("verify-log").exitCode == 0)
    }
}
