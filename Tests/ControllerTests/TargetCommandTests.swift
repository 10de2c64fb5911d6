import Foundation
import StewardTesting
import Testing

/// Targets through the binary (DESIGN §10): `run --once` rolls a version out batch by batch,
/// `status` folds the targets into `TARGETS n/m` (or lists them), `rollout` tells where it stands.
@Suite("Targets through the steward binary", .serialized)
struct TargetCommandTests {
    @Test(arguments: ["sqlite", "postgres"])
    func rollingThroughTheBinary(_ backend: String) async throws {
        let store = backend == "postgres" ? try await TestPostgres.freshDatabaseURL() : "sqlite://.steward/state.db"
        let fleet = try TargetFleet(targets: 4, strategy: "{type: rolling, maxUnavailable: 2}", store: store)
        let steward = { (arguments: [String]) in try await StewardProcess.run(arguments, in: fleet.path) }
        let run = try await steward(["run", "--once"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        // Two batches of two robots, then nothing left to do.
        #expect(run.stderr.contains("pass 1: commit") && run.stderr.contains("pass 2: commit") && run.stderr.contains("pass 3: commit"), "\(run.stderr)")
        #expect(fleet.localVersions(4).values.sorted() == ["1.2.0", "1.2.0", "1.2.0", "1.2.0"])

        try fleet.setVersion("1.3.0")
        try fleet.repo.commit("1.3.0 to production")
        let preview = try await steward(["rollout", "robot-nav-production"])
        #expect(preview.exitCode == 0, "\(preview.stderr)")
        #expect(preview.stdout.hasPrefix("robot-nav-production in production: rolling, step 1/2, 1.3.0"), "\(preview.stdout)")
        #expect(preview.stdout.contains("targets: 4 at 1.2.0 (4 in all)"), "\(preview.stdout)")

        // diff shows the step it would start, per target, and who waits.
        let diff = try await steward(["diff"])
        #expect(diff.stdout.contains("~ Deployment/robot-nav-production (production, robot-01): update") && diff.stdout.contains("rolling step 1/2"),
                "\(diff.stdout)")
        #expect(diff.stdout.contains("# Deployment/robot-nav-production (production, robot-03): blocked — step 1/2"), "\(diff.stdout)")
        let explain = try await steward(["explain", "robot-nav-production"])
        #expect(explain.stdout.contains("Deployment/robot-nav-production in production on robot-03: not converged"), "\(explain.stdout)")
        #expect(explain.stdout.contains("step 1/2"), "\(explain.stdout)")
        let history = try await steward(["history", "robot-nav-production"])
        #expect(history.stdout.hasPrefix("TIME") && history.stdout.contains("TARGET") && history.stdout.contains("robot-04"), "\(history.stdout)")
        let status = try await steward(["status"])
        #expect(status.stdout.contains("TARGETS"), "\(status.stdout)")
        let deploymentRow = try #require(status.stdout.split(separator: "\n").first { $0.hasPrefix("Deployment") })
        #expect(deploymentRow.contains("4/4"), "\(deploymentRow)")
        let wide = try await steward(["status", "--targets"])
        #expect(wide.stdout.split(separator: "\n").filter { $0.hasPrefix("Deployment") }.count == 4, "\(wide.stdout)")
        #expect(wide.stdout.contains("TARGET ") && wide.stdout.contains("robot-04"))

        let json = try await steward(["rollout", "robot-nav-production", "-o", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["strategy"] as? String == "rolling" && document["steps"] as? Int == 2 && document["version"] as? String == "1.3.0")
        #expect((document["targets"] as? [[String: Any]])?.count == 4)

        let second = try await steward(["run", "--once"])
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(fleet.localVersions(4).values.allSatisfy { $0 == "1.3.0" }, "\(fleet.localVersions(4))")
        let logs = try await steward(["logs", "-o", "json"])
        let steps = logs.stdout.split(separator: "\n").filter { $0.contains("\"rolloutStep\"") }
        #expect(steps.count == 4, "two steps per rollout, one event each: \(steps)")
        let done = try await steward(["rollout", "robot-nav-production"])
        #expect(done.stdout.contains("step 2/2, 1.3.0 — finished") && done.stdout.contains("targets: 4 at 1.3.0"), "\(done.stdout)")
        let verify = try await steward(["verify-log"])
        #expect(verify.exitCode == 0 && verify.stdout.hasPrefix("ok: "), "\(verify.stderr)")
        let staging = try await steward(["rollout", "nope"])
        #expect(staging.exitCode == 1 && staging.stderr.contains("Deployment 'nope' not found in Git"), "\(staging.stderr)")
    }

    @Test(arguments: ["sqlite", "postgres"])
    func blueGreenThroughTheBinary(_ backend: String) async throws {
        let store = backend == "postgres" ? try await TestPostgres.freshDatabaseURL() : "sqlite://.steward/state.db"
        let fleet = try TargetFleet(targets: 4, strategy: "{type: blue-green}", store: store, slots: true)
        let steward = { (arguments: [String]) in try await StewardProcess.run(arguments, in: fleet.path) }
        let run = try await steward(["run", "--once"])
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(fleet.activeSlot() == "blue" && fleet.localVersions(4).count == 2, "\(run.stderr)")
        try fleet.setVersion("1.3.0")
        try fleet.repo.commit("1.3.0 to production")
        let preview = try await steward(["rollout", "robot-nav-production"])
        #expect(preview.stdout.hasPrefix("robot-nav-production in production: blue-green, step 1/2, 1.3.0"), "\(preview.stdout)")
        #expect(preview.stdout.contains("traffic: blue (switches to green once its targets pass their gates)"), "\(preview.stdout)")
        #expect(preview.stdout.contains("robot-01  1.2.0    standby"), "\(preview.stdout)")
        let diff = try await steward(["diff"])
        #expect(diff.stdout.contains("+ Deployment/robot-nav-production (production, robot-02): create — new in Git; blue-green step 1/2"), "\(diff.stdout)")
        #expect(!diff.stdout.contains("(production, robot-01): update"), "blue keeps 1.2.0: \(diff.stdout)")
        #expect(diff.stdout.contains("# Deployment/robot-nav-production (production): blocked — slot green (2 targets) runs 1.3.0 through its gates"),
                "\(diff.stdout)")
        let second = try await steward(["run", "--once"])
        #expect(second.exitCode == 0, "\(second.stderr)")
        #expect(second.stderr.contains("rollout: robot-nav-production in production: blue-green step 2/2 of 1.3.0: traffic from blue to green"), "\(second.stderr)")
        #expect(fleet.activeSlot() == "green")
        let status = try await steward(["status"])
        let row = try #require(status.stdout.split(separator: "\n").first { $0.hasPrefix("Deployment") })
        #expect(row.contains("1.3.0") && row.contains("2/4") && row.contains("traffic on green (1.3.0)"), "\(row)")
        let explain = try await steward(["explain", "robot-nav-production"])
        #expect(explain.stdout.contains("keeps 1.2.0 in slot blue, for an instant rollback: Git wants 1.3.0 on slot green"), "\(explain.stdout)")
        // A revert: traffic goes back to blue in one pass, with nothing deployed.
        try fleet.setVersion("1.2.0")
        try fleet.repo.commit("Revert \"1.3.0 to production\"")
        let back = try await steward(["run", "--once"])
        #expect(back.exitCode == 0 && back.stderr.contains("traffic from green to blue"), "\(back.stderr)")
        #expect(fleet.activeSlot() == "blue" && fleet.localVersions(4)["robot-02"] == "1.3.0")
        let history = try await steward(["history", "robot-nav-production", "-o", "json"])
        let document = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any])
        let entries = try #require(document["entries"] as? [[String: Any]])
        let deploys = entries.filter { ["deploy", "rollback"].contains($0["action"] as? String) && $0["outcome"] as? String == "succeeded" }
        #expect(deploys.count == 4, "two per version, none for the revert: \(deploys.map { "\($0["action"] ?? "") \($0["target"] ?? "")" })")
        #expect(entries.filter { $0["action"] as? String == "switch" && $0["outcome"] as? String == "succeeded" }.count == 3)
        let logs = try await steward(["logs", "-o", "json"])
        #expect(logs.stdout.split(separator: "\n").filter { $0.contains("\"rolloutStep\"") }.count == 5, "\(logs.stdout.suffix(2000))")
        let verify = try await steward(["verify-log"])
        #expect(verify.exitCode == 0 && verify.stdout.hasPrefix("ok: "), "\(verify.stderr)")
    }
}

@Suite("examples/fleet validates")
struct FleetExampleTests {
    @Test func theRoboticsFleetValidates() async throws {
        let folder = StewardProcess.packageRoot.appendingPathComponent("examples/fleet/fleet").path
        let result = try await StewardProcess.run(["validate", folder])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("13 Target"), "\(result.stdout)")
    }
}

/// Every strategy on the exec and http drivers through the binary (`run --once` as a process, real
/// commits): a first version, then 1.3.0, on four robots.
@Suite("Targets: every strategy on exec and http through the binary", .serialized)
struct TargetDriverCommandTests {
    static let strategies = ["{type: rolling, maxUnavailable: 2}", "{type: canary, steps: [25, 100]}", "{type: blue-green}"]

    /// The robots each version should reach: all four, or on blue-green the slot without traffic (blue first).
    private func expected(_ strategy: String, second: Bool) -> Set<String> {
        guard strategy.contains("blue-green") else { return ["robot-01", "robot-02", "robot-03", "robot-04"] }
        return second ? ["robot-02", "robot-04"] : ["robot-01", "robot-03"]
    }

    /// `run --once` for 1.2.0, then for 1.3.0 (committed): each reaches the robots it should.
    private func roll(_ fleet: TargetFleet, _ strategy: String, reached: (String) throws -> Set<String>) async throws {
        for (index, version) in ["1.2.0", "1.3.0"].enumerated() {
            if index == 1 {
                try fleet.setVersion(version)
                try fleet.repo.commit("\(version) to production")
            }
            let run = try await StewardProcess.run(["run", "--once"], in: fleet.path)
            #expect(run.exitCode == 0 && run.stderr.contains("step 2/2"), "\(strategy) \(version): \(run.stderr)")
            #expect(try reached(version) == expected(strategy, second: index == 1), "\(strategy) \(version)")
        }
    }

    @Test(arguments: strategies)
    func exec(_ strategy: String) async throws {
        let fleet = try TargetFleet(targets: 4, strategy: strategy, driver: "exec", slots: true)
        try await roll(fleet, strategy) { version in Set(try fleet.effects().filter { $0.action == "deploy" && $0.version == version }.map(\.target)) }
        let deploys = try fleet.effects().filter { $0.action == "deploy" }
        #expect(deploys.count == Set(deploys.map { "\($0.target) \($0.version)" }).count, "each robot once per version: \(deploys.map(\.target))")
        if strategy.contains("blue-green") {
            #expect(try fleet.effects().filter { $0.action == "switch" }.map { "\($0.slot) \($0.version)" } == ["blue 1.2.0", "green 1.3.0"])
        }
        let diff = try await StewardProcess.run(["diff", "--detailed-exitcode"], in: fleet.path)
        #expect(diff.exitCode == 0, "converged: \(diff.stdout)")
    }

    @Test(arguments: strategies)
    func http(_ strategy: String) async throws {
        var consoles: [ConsoleServer] = []
        for _ in 1...4 { consoles.append(try await ConsoleServer.start(pollsUntilDeployed: 0)) }
        func running(_ console: ConsoleServer) -> String? {
            console.deployments(environment: "production").last.flatMap { deployment in console.versions.first { $0.id == deployment.versionId }?.version }
        }
        do {
            let fleet = try TargetFleet(targets: 4, strategy: strategy, driver: "http", consoles: consoles.map(\.baseURL.absoluteString), slots: true)
            try await roll(fleet, strategy) { version in
                Set(consoles.enumerated().filter { running($0.element) == version }.map { TargetFleet.name($0.offset + 1) })
            }
            #expect(consoles.allSatisfy { $0.calls("POST", "/api/deployments/rollback").isEmpty })
        } catch {
            for console in consoles { await console.stop() }
            throw error
        }
        for console in consoles { await console.stop() }
    }
}
