@testable import Controller
import Foundation
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

/// Rollouts Steward enacts across an environment's Targets (DESIGN §10), through real commits, real
/// target folders or a real exec script, and the real store.
@Suite("Targets: rolling, canary, failed steps", .serialized)
struct TargetRolloutTests {
    @Test("rolling, maxUnavailable 1: five robots take 1.3.0 one at a time, each gated before the next")
    func rollingOneAtATime() async throws {
        let fleet = try TargetFleet(targets: 5, strategy: "{type: rolling, maxUnavailable: 1}")
        try await fleet.run { reconciler in
            // The first version rolls out the same way: one robot per pass.
            for pass in 1...5 {
                let result = try await reconciler.pass()
                #expect(result.failed == false)
                #expect(fleet.localVersions(5).count == pass, "pass \(pass): \(fleet.localVersions(5))")
            }
            let proven = try await fleet.events(reconciler, type: "versionProven")
            #expect(proven.count == 1, "proven once, when the whole rollout passed: \(proven.map(\.message))")
            #expect(proven.first?.message.contains("on all 5 targets") == true)
            try fleet.setVersion("1.3.0")
            try fleet.repo.commit("1.3.0 to production")
            for pass in 1...5 {
                let result = try await reconciler.pass()
                let versions = fleet.localVersions(5)
                #expect(versions.values.filter { $0 == "1.3.0" }.count == pass, "pass \(pass): \(versions)")
                // Robots go in name order; the rest wait, with the reason.
                #expect(versions[TargetFleet.name(pass)] == "1.3.0")
                let waiting = result.plan.blocked.filter { $0.gate == .rollout }
                #expect(waiting.count == 5 - pass, "\(waiting.map(\.reason))")
                if pass < 5 { #expect(waiting.first?.reason.contains("step \(pass)/5") == true, "\(waiting.map(\.reason))") }
            }
            let again = try await reconciler.pass()
            #expect(again.plan.actions.isEmpty && again.plan.blocked.isEmpty)
            #expect(try await fleet.events(reconciler, type: "versionProven").count == 2)
        }
    }

    @Test("canary 10/50/100 over 20 robots: 2, then 10, then all 20")
    func canaryAdvances() async throws {
        let fleet = try TargetFleet(targets: 20, strategy: "{type: canary, steps: [10, 50, 100]}")
        try await fleet.run { reconciler in
            for expected in [2, 10, 20] {
                _ = try await reconciler.pass()
                #expect(fleet.localVersions(20).count == expected)
            }
            let status = try await reconciler.pass()
            #expect(status.plan.actions.isEmpty)
        }
    }

    @Test("targetSelector narrows a Deployment to the robots whose labels match; a suspended robot is left alone")
    func selectorAndSuspend() async throws {
        let fleet = try TargetFleet(targets: 4, strategy: nil)
        let deployment = try #require(fleet.repo.read("deployments/robot-nav-production.yaml"))
        try fleet.repo.write("deployments/robot-nav-production.yaml", deployment + "  targetSelector: {matchLabels: {site: berlin}}\n")
        let robots = try #require(fleet.repo.read("targets/robots.yaml"))
        try fleet.repo.write("targets/robots.yaml", robots.replacingOccurrences(
            of: "root: ./var/robots/robot-03}", with: "root: ./var/robots/robot-03}\n  suspend: true"))
        try fleet.repo.commit("berlin only; robot-03 in maintenance")
        try await fleet.run { reconciler in
            let result = try await reconciler.pass()
            #expect(fleet.localVersions(4) == ["robot-01": "1.2.0"], "\(fleet.localVersions(4))")
            let suspended = result.plan.blocked.filter { $0.gate == .suspended }
            #expect(suspended.contains { $0.key.target == "robot-03" && $0.key.kind == .deployment })
            #expect(suspended.allSatisfy { $0.key.target == "robot-03" && $0.reason.contains("Target robot-03 is suspended") })
            // robot-03's folder is untouched: nothing at all was applied there.
            #expect(!FileManager.default.fileExists(atPath: fleet.path + "/var/robots/robot-03"))
            let applied = try await reconciler.store.resources().filter { $0.key.kind == .deployment }
            #expect(Set(applied.filter { !$0.specHash.isEmpty }.map(\.key.target)) == ["robot-01"], "\(applied.map(\.key))")
            // robot-03 is reported, as Blocked, with the reason.
            let held = try #require(applied.first { $0.key.target == "robot-03" })
            #expect(held.sync == .blocked && held.message?.contains("suspended") == true, "\(held)")
        }
    }

    @Test("exec: a canary whose second step fails on one robot rolls every updated robot back and holds")
    func failedStepRollsBack() async throws {
        let fleet = try TargetFleet(targets: 10, strategy: "{type: canary, steps: [10, 50, 100]}", driver: "exec", autoRollback: true)
        try await fleet.run { reconciler in
            for _ in 1...3 { _ = try await reconciler.pass() }
            #expect(try await fleet.events(reconciler, type: "versionProven").count == 1)
            try "robot-04\n".write(toFile: fleet.failingFile, atomically: true, encoding: .utf8)
            try "".write(toFile: fleet.effectsFile, atomically: true, encoding: .utf8)
            try fleet.setVersion("1.3.0")
            try fleet.repo.commit("1.3.0 to production")
            let first = try await reconciler.pass()   // step 1: robot-01
            #expect(first.gateFailures.isEmpty)
            let second = try await reconciler.pass()  // step 2: robot-02…05; robot-04's smoke test fails
            #expect(second.gateFailures.count == 1, "\(second.gateFailures)")
            let effects = try fleet.effects()
            let deployed = Set(effects.filter { $0.action == "deploy" && $0.version == "1.3.0" }.map(\.target))
            #expect(deployed == ["robot-01", "robot-02", "robot-03", "robot-04", "robot-05"], "\(deployed)")
            let rolledBack = effects.filter { $0.action == "rollback" }
            #expect(Set(rolledBack.map(\.target)) == deployed, "every updated robot goes back: \(rolledBack.map(\.target))")
            #expect(rolledBack.allSatisfy { $0.version == "1.2.0" })
            #expect(rolledBack.count == deployed.count, "each once")
            // Held: the rest of the fleet never sees 1.3.0, pass after pass.
            for _ in 1...2 {
                let held = try await reconciler.pass()
                #expect(held.plan.actions.isEmpty, "\(held.plan.actions.map(\.key))")
            }
            let untouched = try fleet.effects().filter { ["robot-06", "robot-07", "robot-08", "robot-09", "robot-10"].contains($0.target) && $0.action == "deploy" }
            #expect(untouched.isEmpty)
            // One auto-rollback event and one hold for the rollout, not one per robot.
            #expect(try await fleet.events(reconciler, type: "rollback").count == 1)
            let holds = try await reconciler.store.holds()
            #expect(holds.count == 1 && holds.first?.version == "1.3.0", "\(holds)")
        }
    }

    @Test("local: a deploy that fails on one robot of a step is a failed step: every updated robot goes back, the rest never move")
    func failedDeployRollsTheStepBack() async throws {
        let fleet = try TargetFleet(targets: 10, strategy: "{type: canary, steps: [10, 50, 100]}", autoRollback: true)
        try await fleet.run { reconciler in
            for _ in 1...3 { _ = try await reconciler.pass() }
            #expect(fleet.localVersions(10).values.allSatisfy { $0 == "1.2.0" } && fleet.localVersions(10).count == 10)
            // robot-04's storage breaks: its deployments folder is now a file, so no deploy can land there.
            let broken = fleet.path + "/var/robots/robot-04/deployments"
            try FileManager.default.removeItem(atPath: broken)
            try "not a folder".write(toFile: broken, atomically: true, encoding: .utf8)
            try fleet.setVersion("1.3.0")
            try fleet.repo.commit("1.3.0 to production")
            _ = try await reconciler.pass()   // step 1: robot-01
            #expect(fleet.localVersions(10)["robot-01"] == "1.3.0")
            let failing = try await reconciler.pass()   // step 2: robot-02…05, robot-04 fails
            #expect(failing.gateFailures.count == 1 && failing.gateFailures.first?.contains("deploy failed on robot-04") == true, "\(failing.gateFailures)")
            let versions = fleet.localVersions(10)
            #expect(versions.values.allSatisfy { $0 == "1.2.0" }, "every updated robot is back on 1.2.0: \(versions)")
            let rollbacks = try await reconciler.store.history(deployment: "robot-nav-production").filter { $0.action == "rollback" && $0.outcome == "succeeded" }
            // robot-04 never took 1.3.0: it keeps 1.2.0 and is not asked to roll back.
            #expect(Set(rollbacks.compactMap(\.target)) == ["robot-01", "robot-02", "robot-03", "robot-05"], "\(rollbacks.map(\.target))")
            let held = try await reconciler.pass()
            #expect(held.plan.actions.isEmpty && held.plan.blocked.contains { $0.gate == .hold }, "\(held.plan.blocked.map(\.reason))")
        }
    }

    @Test("exec: each action reaches each target once, with STEWARD_TARGET and a key of its own")
    func execTargetsSeeEachActionOnce() async throws {
        let fleet = try TargetFleet(targets: 3, strategy: nil, driver: "exec")
        try await fleet.run { reconciler in
            _ = try await reconciler.pass()
            _ = try await reconciler.pass()
            let deploys = try fleet.effects().filter { $0.action == "deploy" }
            #expect(deploys.map(\.target).sorted() == ["robot-01", "robot-02", "robot-03"])
            #expect(Set(deploys.map(\.key)).count == 3)
        }
    }
}

/// The http driver across Targets: one console (the guide's API) per robot, failures injected per robot.
@Suite("Targets on the http driver: one console per robot", .serialized)
struct TargetConsoleTests {
    @Test("canary 20/60/100 over five consoles; 1.3.0's smoke tests fail on robot-03's console: all updated robots roll back")
    func canaryOnConsoles() async throws {
        var consoles: [ConsoleServer] = []
        for _ in 1...5 { consoles.append(try await ConsoleServer.start(pollsUntilDeployed: 0)) }
        let fleet = try TargetFleet(targets: 5, strategy: "{type: canary, steps: [20, 60, 100]}", driver: "http", autoRollback: true,
                                    consoles: consoles.map(\.baseURL.absoluteString))
        do {
            try await fleet.run { reconciler in
                for expected in [1, 3, 5] {
                    _ = try await reconciler.pass()
                    #expect(consoles.filter { !$0.deployments(environment: "production").isEmpty }.count == expected)
                }
                #expect(try await fleet.events(reconciler, type: "versionProven").count == 1)
                consoles[2].setSmokeTests(version: "1.3.0", passed: false)
                try fleet.setVersion("1.3.0")
                try fleet.repo.commit("1.3.0 to production")
                _ = try await reconciler.pass()   // robot-01
                let failing = try await reconciler.pass()   // robot-02, robot-03: robot-03's smoke tests fail
                #expect(failing.gateFailures.count == 1, "\(failing.gateFailures)")
                // Every console that got 1.3.0 was asked to roll back; the last two never saw 1.3.0.
                for (index, console) in consoles.enumerated() {
                    let registered130 = console.versions.contains { $0.version == "1.3.0" }
                    let deployed130 = console.deployments(environment: "production").contains { deployment in
                        console.versions.first { $0.id == deployment.versionId }?.version == "1.3.0"
                    }
                    let rollbacks = console.calls("POST", "/api/deployments/rollback").count
                    if index < 3 {
                        #expect(deployed130 && rollbacks == 1, "robot-0\(index + 1): deployed 1.3.0 \(deployed130), rollbacks \(rollbacks)")
                    } else {
                        #expect(!deployed130 && rollbacks == 0, "robot-0\(index + 1) never takes 1.3.0 (registered: \(registered130))")
                    }
                }
                let held = try await reconciler.pass()
                #expect(held.plan.actions.isEmpty)
            }
        } catch {
            for console in consoles { await console.stop() }
            throw error
        }
        for console in consoles { await console.stop() }
    }
}

/// Canary pauses and approved steps, and Targets that come and go mid-rollout (DESIGN §10).
@Suite("Targets: pauses, step approvals, targets added and removed mid-rollout", .serialized)
struct TargetStepTests {
    @Test("approveSteps: step 2 waits for steward approve --step 2; a wrong step is refused with the reason")
    func approvedSteps() async throws {
        let fleet = try TargetFleet(targets: 10, strategy: "{type: canary, steps: [10, 50, 100], approveSteps: true}")
        try await fleet.run { reconciler in
            _ = try await reconciler.pass()   // step 1 needs no approval
            #expect(fleet.localVersions(10).count == 1)
            let waiting = try await reconciler.pass()
            #expect(waiting.plan.actions.isEmpty)
            #expect(waiting.plan.blocked.contains { $0.gate == .rollout && $0.reason == "step 2/3 awaits approval (steward approve robot-nav-production --step 2)" },
                    "\(waiting.plan.blocked.map(\.reason))")
            let settings = try ControllerSettings.load(path: fleet.path + "/controller.yaml")
            let wrong = await #expect(throws: ControllerError.self) {
                try await ReleaseOperations.approve(deployment: "robot-nav-production", version: nil, by: "ops", settings: settings,
                                                    store: reconciler.store, step: 4)
            }
            #expect(wrong?.message == "robot-nav-production's rollout has steps 1 to 3 and the first needs no approval; --step must be 2 to 3, got 4")
            #expect(fleet.localVersions(10).count == 1, "nothing moved")
            _ = try await ReleaseOperations.approve(deployment: "robot-nav-production", version: nil, by: "ops", settings: settings,
                                                    store: reconciler.store, step: 2)
            _ = try await reconciler.pass()
            #expect(fleet.localVersions(10).count == 5)
            let step3 = try await reconciler.pass()
            #expect(step3.plan.blocked.contains { $0.reason.contains("step 3/3 awaits approval") })
            let approved = try await fleet.events(reconciler, type: "approved")
            #expect(approved.count == 1 && approved[0].message == "ops approved step 2 of 1.2.0 for robot-nav-production")
        }
    }

    @Test("pauseSeconds: the next step starts only when the pause after the last one is over")
    func pauseBetweenSteps() async throws {
        let fleet = try TargetFleet(targets: 4, strategy: "{type: canary, steps: [25, 100], pauseSeconds: 600}")
        let clock = ManualClock(Date())
        let reconciler = try await fleet.reconciler(now: { clock.now })
        do {
            _ = try await reconciler.pass()
            #expect(fleet.localVersions(4).count == 1)
            let paused = try await reconciler.pass()
            #expect(paused.plan.actions.isEmpty && paused.nextGateCheck != nil)
            #expect(paused.plan.blocked.contains { $0.reason.hasPrefix("paused after step 1/2 until ") }, "\(paused.plan.blocked.map(\.reason))")
            // The pause runs from when the last target passed (the store's time): past it by a margin.
            clock.now = Date().addingTimeInterval(601)
            _ = try await reconciler.pass()
            #expect(fleet.localVersions(4).count == 4)
        } catch {
            try? await reconciler.store.close()
            throw error
        }
        try await reconciler.store.close()
    }

    @Test("a Target added mid-rollout joins it; one removed is forgotten and left as it is; updated targets are not redone")
    func targetsComeAndGo() async throws {
        let fleet = try TargetFleet(targets: 4, strategy: "{type: rolling, maxUnavailable: 2}")
        try await fleet.run { reconciler in
            _ = try await reconciler.pass()   // robot-01, robot-02
            #expect(fleet.localVersions(5).keys.sorted() == ["robot-01", "robot-02"])
            // robot-04 retires, robot-05 joins.
            let robots = (1...3).map { TargetFleet.target($0, driver: "local") } + [TargetFleet.target(5, driver: "local")]
            try fleet.repo.write("targets/robots.yaml", robots.joined(separator: "---\n"))
            try fleet.repo.commit("robot-04 retires, robot-05 joins")
            let next = try await reconciler.pass()
            #expect(Set(next.plan.actions.filter { $0.kind == .deploy }.compactMap(\.key.target)) == ["robot-03", "robot-05"],
                    "\(next.plan.actions.map(\.key))")
            // Nothing reaches a target Git no longer names: robot-04 keeps what it runs and is forgotten.
            #expect(!next.plan.actions.contains { $0.key.target == "robot-04" }, "\(next.plan.actions.map(\.key))")
            let retired = try await fleet.events(reconciler, type: "targetRetired")
            #expect(retired.count == 1 && retired[0].message.hasPrefix("Target robot-04 is no longer in Git"), "\(retired.map(\.message))")
            #expect(!next.plan.actions.contains { $0.key.target == "robot-01" || $0.key.target == "robot-02" }, "no target updated twice")
            #expect(fleet.localVersions(5).keys.sorted() == ["robot-01", "robot-02", "robot-03", "robot-05"])
            let applied = try await reconciler.store.resources()
            #expect(!applied.contains { $0.key.target == "robot-04" }, "robot-04 is forgotten")
            let done = try await reconciler.pass()
            #expect(done.plan.actions.isEmpty && done.plan.blocked.isEmpty, "\(done.plan.actions.map { "\($0.kind) \($0.key)" }) \(done.plan.blocked.map(\.reason))")
        }
    }
}

/// A clock tests move by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Date
    init(_ start: Date) { value = start }
    var now: Date {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
