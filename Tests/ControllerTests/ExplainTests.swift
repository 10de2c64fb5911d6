import EventLog
import Foundation
import Reconcile
import StewardTesting
import Testing

/// `steward explain` (DESIGN §14) through the binary on a real promotion chain: a real git
/// repository, the test console, staging's smoke test failing; the same chain in `diff -o json`.
@Suite("steward explain on a real promotion chain (real git, real console, the binary)", .serialized)
struct ExplainTests {
    @Test func aFailedSmokeTestInStagingIsTheCauseOfTheBlockedPromotion() async throws {
        let fleet = try await PromotionFleet()
        let reconciler = try await fleet.reconciler()
        _ = try await reconciler.pass()
        _ = try await reconciler.pass()   // 1.2.0 deployed and proven in staging, promoted to production
        #expect(try await fleet.applied(reconciler, "robot-nav-production")?.version == "1.2.0")

        // The console's smoke tests of 1.3.0 fail; both Deployments ask for 1.3.0.
        fleet.console.setSmokeTests(version: "1.3.0", passed: false)
        try fleet.setVersion("robot-nav-staging", "1.3.0")
        try fleet.setVersion("robot-nav-production", "1.3.0")
        let commit = try fleet.repo.commit("1.3.0 everywhere")
        _ = try await reconciler.pass()   // staging deploys 1.3.0 and its smoke test fails; production waits
        let events = try await reconciler.store.events(since: 0, limit: nil)
        let failures = events.filter { $0.environment == "staging" && ["gateFailed", "hold", "actionFailed"].contains($0.type) }
        let failure = try #require(failures.last)
        try await reconciler.store.close()

        let json = try await StewardProcess.run(["explain", "robot-nav-production", "-o", "json"], in: fleet.path)
        #expect(json.exitCode == 0, "\(json.stderr)")
        let explanation = try JSONDecoder().decode(Explanation.self, from: Data(json.stdout.utf8))
        #expect(!explanation.converged)
        #expect(explanation.kind == "Deployment" && explanation.name == "robot-nav-production" && explanation.environment == "production")
        let file = "deployments/robot-nav-production.yaml"
        let versionLine = try #require(fleet.repo.read(file)?.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains("version: 1.3.0") }) + 1
        #expect(explanation.chain.first?.text == "wants 1.3.0")
        #expect(explanation.chain.first?.evidence == Explanation.Evidence(commit: commit, file: file, line: versionLine))
        #expect(explanation.chain.dropFirst().first?.text.hasPrefix("blocked: ") == true)
        #expect(explanation.chain.dropFirst().first?.text.contains("is not proven in staging") == true)
        #expect(explanation.chain.dropFirst().first?.evidence.gate == "promotion")
        // Through staging's own state, to the event of its failed smoke test.
        #expect(explanation.chain.contains { $0.text == "robot-nav-staging: wants 1.3.0" })
        let cause = try #require(explanation.chain.last)
        #expect(cause.text.hasPrefix("robot-nav-staging: \(failure.type): "), "\(explanation.chain)")
        #expect(cause.evidence.seq == failure.seq && cause.evidence.environment == "staging")
        #expect(cause.text.contains("smoke test"))
        #expect(explanation.unblock != nil)

        let text = try await StewardProcess.run(["explain", "robot-nav-production"], in: fleet.path)
        #expect(text.exitCode == 0)
        #expect(text.stdout.hasPrefix("Deployment/robot-nav-production in production: not converged\n  1. wants 1.3.0 (\(file):\(versionLine), commit \(commit.prefix(7)))"),
                "\(text.stdout)")
        #expect(text.stdout.contains("\n  to unblock: "))
        print("steward explain robot-nav-production:\n\(text.stdout)")

        // `diff -o json` carries the same chain on the blocked item.
        let diff = try await StewardProcess.run(["diff", "-o", "json"], in: fleet.path)
        let plan = try #require(try JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as? [String: Any], "\(diff.stderr)")
        let blocked = try #require((plan["blocked"] as? [[String: Any]])?.first { $0["name"] as? String == "robot-nav-production" })
        #expect(blocked["chain"] as? [String] == explanation.lines)

        // Adapters are converged in both environments; a name that is nowhere is one clear line.
        let adapter = try await StewardProcess.run(["explain", "RuntimeAdapter/desktop-main", "-o", "json"], in: fleet.path)
        let adapters = try JSONDecoder().decode([Explanation].self, from: Data(adapter.stdout.utf8))
        #expect(adapters.map(\.environment) == ["production", "staging"] && adapters.allSatisfy(\.converged))
        let missing = try await StewardProcess.run(["explain", "nope"], in: fleet.path)
        #expect(missing.exitCode == 1)
        #expect(missing.stderr == "error: no Deployment 'nope' in Git at the tip or in the store\n")
        let kind = try await StewardProcess.run(["explain", "Robot/r1"], in: fleet.path)
        #expect(kind.exitCode == 1 && kind.stderr.hasPrefix("error: unknown kind 'Robot' in 'Robot/r1': use one of "))
        await fleet.stop()
    }

    @Test func aHeldDeploymentNamesTheFailedVersionItsEventAndTheWayOut() async throws {
        let fleet = try await PromotionFleet(production: .init(revertCommit: false))
        let reconciler = try await fleet.reconciler()
        try await fleet.failProductionOn130(reconciler)   // rolled back to 1.2.0 and held
        let hold = try #require(try await reconciler.store.holds().first)
        try await reconciler.store.close()

        let result = try await StewardProcess.run(["explain", "robot-nav-production", "-o", "json"], in: fleet.path)
        let explanation = try JSONDecoder().decode(Explanation.self, from: Data(result.stdout.utf8))
        let held = try #require(explanation.chain.first { $0.evidence.gate == "hold" })
        #expect(held.text.hasPrefix("blocked: held after failed 1.3.0"))
        #expect(held.evidence.seq == hold.seq)
        #expect(explanation.unblock == "commit a change to robot-nav-production (a fixed version, or back to a proven one) in deployments/robot-nav-production.yaml")
        let text = try await StewardProcess.run(["explain", "robot-nav-production"], in: fleet.path)
        print("steward explain robot-nav-production (held):\n\(text.stdout)")
        await fleet.stop()
    }
}
