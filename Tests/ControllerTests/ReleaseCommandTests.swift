@testable import Controller
import Foundation
import Reconcile
import StateStore
import StewardTesting
import Testing

@Suite("steward promote / rollback / approve through the binary", .serialized)
struct ReleaseCommandTests {
    /// Two passes: staging proves 1.2.0, production is promoted to it; then staging proves 1.3.0.
    private func provenFleet() async throws -> PromotionFleet {
        let fleet = try await PromotionFleet()
        let reconciler = try await fleet.reconciler()
        _ = try await reconciler.pass()
        _ = try await reconciler.pass()
        try fleet.setVersion("robot-nav-staging", "1.3.0")
        _ = try fleet.repo.commit("staging to 1.3.0")
        _ = try await reconciler.pass()
        try await reconciler.store.close()
        return fleet
    }

    private func run(_ fleet: PromotionFleet, _ arguments: String...) throws -> StewardProcess.Result {
        try StewardProcess.run(arguments, in: fleet.path)
    }

    @Test func promoteCommitsTheProvenVersionAndRefusesAnUnprovenOne() async throws {
        let fleet = try await provenFleet()
        let before = try fleet.repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        try fleet.repo.write("blueprints/robot-navigation-agent-1.4.0.yaml",
                             try #require(fleet.repo.read("blueprints/robot-navigation-agent-1.3.0.yaml")).replacingOccurrences(of: "1.3.0", with: "1.4.0"))
        _ = try fleet.repo.commit("add 1.4.0")
        let refused = try run(fleet, "promote", "robot-navigation-agent", "--to", "production", "--version", "1.4.0")
        #expect(refused.exitCode == 1)
        #expect(refused.stderr == "error: robot-navigation-agent@1.4.0 is not proven in staging (not deployed there, or its gates did not pass); not promoted\n")
        let tip = try fleet.repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(tip != before)

        let promoted = try run(fleet, "promote", "robot-navigation-agent", "--to", "production")
        #expect(promoted.exitCode == 0, "\(promoted.stderr)")
        let sha = promoted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(sha == (try fleet.repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)))
        #expect(try fleet.repo.git("rev-parse", "HEAD^").trimmingCharacters(in: .whitespacesAndNewlines) == tip)
        let message = try fleet.repo.git("log", "-1", "--format=%B")
        #expect(message.hasPrefix("Promote robot-navigation-agent 1.3.0 to production\n"))
        #expect(message.contains("- robot-nav-production: 1.2.0 -> 1.3.0") && message.contains("Steward-Action: promote\nSteward-Event: "))
        #expect(try fleet.repo.git("diff", "--name-only", "HEAD^", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines) == "deployments/robot-nav-production.yaml")
        #expect(try fleet.repo.git("status", "--porcelain").isEmpty)
        #expect(fleet.repo.read("deployments/robot-nav-production.yaml")?.contains("version: 1.3.0") == true)
        await fleet.stop()
    }

    @Test func dirtyWorkTreeIsRefusedAndNothingIsCommitted() async throws {
        let fleet = try await provenFleet()
        let tip = try fleet.repo.git("rev-parse", "HEAD")
        try fleet.repo.write("deployments/robot-nav-staging.yaml", "# edited by hand\n" + (fleet.repo.read("deployments/robot-nav-staging.yaml") ?? ""))
        for arguments in [["promote", "robot-navigation-agent", "--to", "production"], ["rollback", "robot-nav-staging", "--to", "1.2.0"]] {
            let result = try await StewardProcess.run(arguments, in: fleet.path)
            #expect(result.exitCode == 1)
            #expect(result.stderr.hasPrefix("error: ") && result.stderr.contains("deployments/robot-nav-staging.yaml"))
            #expect(result.stderr.split(separator: "\n").count == 1)
            #expect(try fleet.repo.git("rev-parse", "HEAD") == tip)
        }
        await fleet.stop()
    }

    @Test func rollbackGoesToThePreviousHealthyVersionOrToACommit() async throws {
        let fleet = try await provenFleet()
        let first = try fleet.repo.git("rev-list", "--max-parents=0", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let rolled = try run(fleet, "rollback", "robot-nav-staging", "-o", "json")
        #expect(rolled.exitCode == 0, "\(rolled.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(rolled.stdout.utf8)) as? [String: Any])
        let changes = try #require(json["changes"] as? [[String: Any]])
        #expect(changes.first?["from"] as? String == "1.3.0" && changes.first?["to"] as? String == "1.2.0")
        #expect(json["commit"] as? String == (try fleet.repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)))
        let message = try fleet.repo.git("log", "-1", "--format=%B")
        #expect(message.contains("Steward-Action: rollback") && message.contains("Steward-Reverts: "))

        try fleet.setVersion("robot-nav-staging", "1.3.0")
        _ = try fleet.repo.commit("forward again")
        let toCommit = try run(fleet, "rollback", "robot-nav-staging", "--to-commit", first)
        #expect(toCommit.exitCode == 0, "\(toCommit.stderr)")
        #expect(fleet.repo.read("deployments/robot-nav-staging.yaml")?.contains("version: 1.2.0") == true)

        let usage = try run(fleet, "rollback", "robot-nav-staging", "--to", "1.2.0", "--to-commit", first)
        #expect(usage.exitCode == 64)
        let unknown = try run(fleet, "rollback", "no-such-deployment")
        #expect(unknown.exitCode == 1 && unknown.stderr.hasPrefix("error: no Deployment named 'no-such-deployment'"))
        await fleet.stop()
    }

    @Test func promoteWorksOnABareRepository() async throws {
        let fleet = try await provenFleet()
        let bare = try fleet.repo.bareClone()
        let config = try String(contentsOfFile: fleet.path + "/controller.yaml", encoding: .utf8)
        try config.replacingOccurrences(of: "repository: \(fleet.repo.path)", with: "repository: \(bare.path)")
            .write(toFile: fleet.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let promoted = try run(fleet, "promote", "robot-navigation-agent", "--to", "production")
        #expect(promoted.exitCode == 0, "\(promoted.stderr)")
        let sha = promoted.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try bare.git("rev-parse", "main").trimmingCharacters(in: .whitespacesAndNewlines) == sha)
        #expect(try bare.git("show", "main:deployments/robot-nav-production.yaml").contains("version: 1.3.0"))
        await fleet.stop()
    }
}
