@testable import Controller
import Foundation
import EventLog
import GitSource
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

@Suite("Promotion gates, auto-rollback with revert commits, holds (real git, real console)", .serialized)
struct PromotionTests {
    @Test func promotionIsBlockedUntilTheVersionIsProvenInStaging() async throws {
        let fleet = try await PromotionFleet()
        let reconciler = try await fleet.reconciler()
        let first = try await reconciler.pass()
        #expect(first.plan.blocked.map(\.reason) == ["robot-navigation-agent@1.2.0 is not proven in staging"])
        let second = try await reconciler.pass()
        let promote = try #require(second.plan.actions.first { $0.key.name == "robot-nav-production" })
        #expect(promote.kind == .promote && promote.change == .promote)
        #expect(fleet.console.calls.contains { $0.method == "POST" && $0.path.hasSuffix("/promote") })
        // the strategy goes to the console and into the event log
        let promoteCall = try #require(fleet.console.calls.first { $0.method == "POST" && $0.path.hasSuffix("/promote") })
        #expect(promoteCall.body?["strategy"]?["type"] == .string("canary"))
        let started = try await fleet.events(reconciler, type: "actionStarted").first { $0.reason == "promote" }
        #expect(started?.data?["strategy"]?["steps"] == .array([.int(10), .int(50), .int(100)]))

        try fleet.setVersion("robot-nav-production", "1.3.0")
        let asked = try fleet.repo.commit("production to 1.3.0 before staging")
        let blocked = try await reconciler.pass()
        #expect(blocked.plan.actions.map(\.kind) == [.registerVersion])  // registering is not gated
        #expect(blocked.plan.blocked.map(\.reason) == ["robot-navigation-agent@1.3.0 is not proven in staging; 1.2.0 keeps running"])
        _ = try await reconciler.pass()
        let events = try await fleet.events(reconciler, type: "promotionBlocked")
        #expect(events.map(\.commit) == [first.appliedCommit, asked])  // once per commit, not every loop
        let status = try #require(try await fleet.applied(reconciler, "robot-nav-production"))
        #expect(status.sync == .blocked && status.version == "1.2.0")

        try fleet.setVersion("robot-nav-staging", "1.3.0")
        _ = try fleet.repo.commit("staging to 1.3.0")
        _ = try await reconciler.pass()  // staging deploys and proves 1.3.0
        let promoted = try await reconciler.pass()
        #expect(promoted.plan.actions.map(\.kind) == [.promote])
        #expect(try await fleet.applied(reconciler, "robot-nav-production")?.version == "1.3.0")
        let history = try await reconciler.store.history(deployment: "robot-nav-production")
        #expect(history.filter { $0.outcome == "proven" }.map(\.version) == ["1.2.0", "1.3.0"])
        try await reconciler.store.close()
        await fleet.stop()
    }

    @Test func failedSmokeTestRollsBackCommitsTheRevertAndHolds() async throws {
        let fleet = try await PromotionFleet(git: "git: {author: {name: steward-bot, email: bot@steward.local}}")
        let reconciler = try await fleet.reconciler()
        _ = try await reconciler.pass()
        _ = try await reconciler.pass()
        try fleet.setVersion("robot-nav-staging", "1.3.0")
        let staged = try fleet.repo.commit("staging to 1.3.0")
        _ = try await reconciler.pass()
        fleet.console.setSmokeTests(version: "1.3.0", passed: false)
        try fleet.setVersion("robot-nav-production", "1.3.0")
        let bad = try fleet.repo.commit("production to 1.3.0")
        let failed = try await reconciler.pass()
        #expect(failed.failed)
        #expect(failed.gateFailures.count == 1 && failed.gateFailures[0].contains("smoke tests failed"))
        #expect(fleet.console.calls("POST", "/api/deployments/rollback").count == 1)

        // the revert commit: on the tip, tree equal to the commit before the bad one, trailers and author
        let head = try fleet.repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try fleet.repo.git("rev-parse", "HEAD^").trimmingCharacters(in: .whitespacesAndNewlines) == bad)
        #expect(try fleet.repo.git("rev-parse", "HEAD^{tree}") == fleet.repo.git("rev-parse", "\(staged)^{tree}"))
        let message = try fleet.repo.git("log", "-1", "--format=%an <%ae>%n%B")
        let rollback = try #require(try await fleet.events(reconciler, type: "rollback").first)
        #expect(message.hasPrefix("steward-bot <bot@steward.local>\nRoll back robot-nav-production to 1.2.0 (1.3.0 failed in production)"))
        #expect(message.contains("Steward-Action: auto-rollback\nSteward-Event: \(rollback.seq)\nSteward-Reverts: \(bad)"))
        #expect(try fleet.repo.git("status", "--porcelain").isEmpty)
        #expect(try await reconciler.store.holds().map(\.version) == ["1.3.0"])

        // Steward's own commit does not lift the hold; the fleet matches Git again
        let after = try await reconciler.pass()
        #expect(after.appliedCommit == head && after.plan.blocked.isEmpty)
        #expect(!after.plan.actions.contains { $0.key.kind == .deployment })
        #expect(try await reconciler.store.holds().count == 1)
        #expect(try await fleet.applied(reconciler, "robot-nav-production")?.version == "1.2.0")

        // a commit of the user's that changes the Deployment lifts it
        fleet.console.setSmokeTests(version: "1.3.0", passed: true)
        try fleet.setVersion("robot-nav-production", "1.3.0")
        _ = try fleet.repo.commit("try 1.3.0 again, console fixed")
        let retried = try await reconciler.pass()
        #expect(try await reconciler.store.holds().isEmpty)
        #expect(retried.plan.actions.filter { $0.key.kind == .deployment }.map(\.kind) == [.promote] && !retried.failed)
        #expect(try await fleet.applied(reconciler, "robot-nav-production")?.version == "1.3.0")
        try await reconciler.store.close()
        await fleet.stop()
    }

    @Test func withoutRevertCommitTheHoldBlocksUntilTheUserChangesTheDeployment() async throws {
        let fleet = try await PromotionFleet(production: .init(revertCommit: false))
        let reconciler = try await fleet.reconciler()
        let bad = try await fleet.failProductionOn130(reconciler).commit
        #expect(try fleet.repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines) == bad)  // no commit written
        let held = try await reconciler.pass()
        let reason = try #require(held.plan.blocked.first?.reason)
        #expect(reason.hasPrefix("held after failed 1.3.0 (seq ") && reason.contains("Git is ahead of the fleet, which runs 1.2.0"))
        #expect(held.plan.actions.isEmpty)
        // an unrelated commit keeps the hold
        let adapter = try #require(fleet.repo.read("adapters/desktop-main.yaml"))
        try fleet.repo.write("adapters/desktop-main.yaml", adapter.replacingOccurrences(of: "memoryMb: 4096", with: "memoryMb: 2048"))
        _ = try fleet.repo.commit("unrelated")
        let still = try await reconciler.pass()
        #expect(still.plan.blocked.contains { $0.gate == .hold })
        #expect(!still.plan.actions.contains { $0.key.kind == .deployment })
        try await reconciler.store.close()
        await fleet.stop()
    }

    @Test func userRevertOfABadReleaseIsARollbackNotADeploy() async throws {
        let fleet = try await PromotionFleet()
        let reconciler = try await fleet.reconciler()
        _ = try await reconciler.pass()
        _ = try await reconciler.pass()
        try fleet.setVersion("robot-nav-staging", "1.3.0")
        _ = try fleet.repo.commit("staging to 1.3.0")
        _ = try await reconciler.pass()
        try fleet.setVersion("robot-nav-production", "1.3.0")
        _ = try fleet.repo.commit("production to 1.3.0")
        _ = try await reconciler.pass()
        _ = try fleet.repo.git("revert", "--no-edit", "HEAD")
        let revert = try fleet.repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        let result = try await reconciler.pass()
        let deployments = result.plan.actions.filter { $0.key.kind == .deployment }
        let action = try #require(deployments.first)
        #expect(deployments.count == 1 && action.kind == .rollback && action.change == .rollback && action.version == "1.2.0")
        #expect(fleet.console.calls("POST", "/api/deployments/rollback").count == 1)
        let history = try await reconciler.store.history(deployment: "robot-nav-production")
        #expect(history.contains { $0.action == "rollback" && $0.outcome == "succeeded" && $0.commit == revert && $0.version == "1.2.0" })
        let events = try await reconciler.store.events(since: 0, limit: nil)
        #expect(events.contains { $0.type == "actionSucceeded" && $0.reason == "rollback" && $0.commit == revert })
        try await reconciler.store.close()
        await fleet.stop()
    }

    @Test func approvalsGateOnlyThePendingVersion() async throws {
        let fleet = try await PromotionFleet(production: .init(requireApproval: true))
        let reconciler = try await fleet.reconciler()
        _ = try await reconciler.pass()
        let waiting = try await reconciler.pass()
        #expect(waiting.plan.blocked.map(\.reason) == ["awaiting approval of 1.2.0 (steward approve robot-nav-production --version 1.2.0)"])
        #expect(waiting.plan.actions.isEmpty)
        let settings = try fleet.settings()
        await #expect(throws: ControllerError.self) {
            _ = try await ReleaseOperations.approve(deployment: "robot-nav-production", version: "9.9.9", by: "alice", settings: settings,
                                                    store: reconciler.store)
        }
        let approval = try await ReleaseOperations.approve(deployment: "robot-nav-production", version: nil, by: "alice", settings: settings,
                                                           store: reconciler.store)
        #expect(approval.version == "1.2.0" && approval.approvedBy == "alice")
        let approved = try await reconciler.pass()
        #expect(approved.plan.actions.map(\.kind) == [.promote])
        await #expect(throws: ControllerError.self) {
            _ = try await ReleaseOperations.approve(deployment: "robot-nav-production", version: nil, by: "alice", settings: settings,
                                                    store: reconciler.store)
        }
        try await reconciler.store.close()
        await fleet.stop()
    }

    @Test func syncWindowsBlockAppliesAtAFixedClock() async throws {
        // deny from Saturday 00:00 for two days (UTC)
        let fleet = try await PromotionFleet(production: .init(syncWindows: "[{kind: deny, schedule: \"0 0 * * 6\", durationMinutes: 2880}]"))
        let saturday = try #require(EventTime.parse("2026-11-28T10:00:00.000Z"))
        let reconciler = try await fleet.reconciler(now: saturday)
        _ = try await reconciler.pass()
        let blocked = try await reconciler.pass()
        // the promotion and production's adapter configuration wait; nothing in staging does
        #expect(blocked.plan.blocked.map(\.reason) == Array(repeating: "sync window until 2026-11-30T00:00:00.000Z", count: 3))
        #expect(Set(blocked.plan.blocked.map(\.key.environment)) == ["production"])
        #expect(blocked.plan.actions.allSatisfy { $0.kind == .registerVersion })
        reconciler.now = { saturday.addingTimeInterval(2 * 86_400) }
        let monday = try await reconciler.pass()
        #expect(monday.plan.actions.map(\.kind) == [.configureAdapter, .configureAdapter, .promote])
        try await reconciler.store.close()
        await fleet.stop()
    }

    @Test func healthGateWatchesTheWindowThenProvesOrRollsBack() async throws {
        let fleet = try await PromotionFleet(production: .init(revertCommit: false,
                                                               health: "{maxErrorRate: 0.01, maxP95LatencyMs: 500, windowSeconds: 1}"))
        let reconciler = try await fleet.reconciler()
        fleet.console.setHealth(deployment: "robot-nav-production", status: "healthy", errorRate: 0.001, responseTime: 120)
        _ = try await reconciler.pass()
        let promoted = try await reconciler.pass()
        #expect(promoted.nextGateCheck != nil)
        #expect(try await fleet.applied(reconciler, "robot-nav-production")?.health == .progressing)
        try await Task.sleep(for: .seconds(1.2))
        let proven = try await reconciler.pass()
        #expect(proven.nextGateCheck == nil && !proven.failed)
        let record = try #require(try await fleet.applied(reconciler, "robot-nav-production"))
        #expect(record.health == .healthy)
        #expect(try await reconciler.store.history(deployment: "robot-nav-production").contains { $0.outcome == "proven" && $0.version == "1.2.0" })

        try fleet.setVersion("robot-nav-staging", "1.3.0")
        _ = try fleet.repo.commit("staging to 1.3.0")
        _ = try await reconciler.pass()
        try fleet.setVersion("robot-nav-production", "1.3.0")
        _ = try fleet.repo.commit("production to 1.3.0")
        _ = try await reconciler.pass()
        #expect(try await fleet.applied(reconciler, "robot-nav-production")?.health == .progressing)
        fleet.console.setHealth(deployment: "robot-nav-production", status: "healthy", errorRate: 0.2, responseTime: 120)
        let failed = try await reconciler.pass()
        #expect(failed.gateFailures.count == 1 && failed.gateFailures[0].contains("health gate failed: error rate 0.2 above 0.01"))
        #expect(fleet.console.calls("POST", "/api/deployments/rollback").count == 1)
        #expect(try await reconciler.store.holds().map(\.version) == ["1.3.0"])
        try await reconciler.store.close()
        await fleet.stop()
    }
}
