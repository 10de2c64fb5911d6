@testable import Controller
import Foundation
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

/// Blue-green across Targets (DESIGN §10), through real commits, real target folders, a real exec script
/// and real consoles: the new version goes to the idle slot, is gated there, then traffic switches; the
/// old slot keeps the old version, so a revert switches back without deploying anything.
@Suite("Targets: blue-green", .serialized)
struct BlueGreenTests {
    @Test("local: each version goes to the idle slot and is gated before traffic switches; a revert switches back at once")
    func switchesAndSwitchesBack() async throws {
        let fleet = try TargetFleet(targets: 4, strategy: "{type: blue-green}", slots: true)
        try await fleet.run { reconciler in
            // The first version: blue (robot-01, robot-03) takes it; green stays empty; traffic switches once blue passed.
            let first = try await reconciler.pass()
            #expect(fleet.localVersions(4) == ["robot-01": "1.2.0", "robot-03": "1.2.0"], "\(fleet.localVersions(4))")
            #expect(fleet.activeSlot() == nil)
            #expect(first.plan.blocked.contains { $0.key.target == nil && $0.gate == .rollout && $0.reason.contains("slot blue") },
                    "\(first.plan.blocked.map(\.reason))")
            let second = try await reconciler.pass()
            #expect(second.plan.actions.map(\.kind) == [.switchSlot], "\(second.plan.actions.map(\.kind))")
            #expect(fleet.activeSlot() == "blue")
            var proven = try await fleet.events(reconciler, type: "versionProven")
            #expect(proven.count == 1 && proven[0].message.contains("on all 2 targets"), "\(proven.map(\.message))")
            let settled = try await reconciler.pass()
            #expect(settled.plan.actions.isEmpty && settled.plan.blocked.isEmpty, "\(settled.plan.actions.map(\.key)) \(settled.plan.blocked.map(\.reason))")

            // 1.3.0 goes to green; blue keeps 1.2.0 and the traffic until green passed.
            try fleet.setVersion("1.3.0")
            try fleet.repo.commit("1.3.0 to production")
            let deploy = try await reconciler.pass()
            #expect(fleet.localVersions(4) == ["robot-01": "1.2.0", "robot-02": "1.3.0", "robot-03": "1.2.0", "robot-04": "1.3.0"],
                    "\(fleet.localVersions(4))")
            #expect(Set(deploy.plan.actions.filter { $0.key.kind == .deployment }.compactMap(\.key.target)) == ["robot-02", "robot-04"])
            #expect(fleet.activeSlot() == "blue")
            let switched = try await reconciler.pass()
            #expect(switched.plan.actions.map(\.kind) == [.switchSlot])
            #expect(fleet.activeSlot() == "green")
            proven = try await fleet.events(reconciler, type: "versionProven")
            #expect(proven.count == 2 && proven[1].message.contains("1.3.0"), "\(proven.map(\.message))")
            #expect(try await reconciler.pass().plan.isEmpty)

            // A revert: blue still runs 1.2.0 and passed, so traffic goes back to it without a deploy.
            try fleet.setVersion("1.2.0")
            try fleet.repo.commit("Revert \"1.3.0 to production\"")
            let back = try await reconciler.pass()
            // (1.2.0 is registered again on each robot: a version no Deployment wants is forgotten, as without blue-green.)
            let moved = back.plan.actions.filter { $0.key.kind == .deployment }
            #expect(moved.map(\.kind) == [.switchSlot], "\(back.plan.actions.map { "\($0.kind) \($0.key)" })")
            #expect(moved.first?.change == .rollback && moved.first?.key.target == nil)
            #expect(fleet.activeSlot() == "blue")
            #expect(fleet.localVersions(4)["robot-02"] == "1.3.0", "green keeps 1.3.0 until the next version")
            #expect(try await reconciler.pass().plan.isEmpty)
            // A hand edit on the standby slot is healed back to what it keeps (1.3.0), not to what Git wants.
            let file = fleet.path + "/var/robots/robot-02/deployments/robot-nav-production.json"
            try "{}".write(toFile: file, atomically: true, encoding: .utf8)
            let healed = try await reconciler.pass()
            #expect(healed.plan.actions.map(\.change) == [.drift] && healed.plan.actions.first?.version == "1.3.0",
                    "\(healed.plan.actions.map { "\($0.change) \($0.key) \($0.version ?? "")" })")
            #expect(fleet.localVersions(4)["robot-02"] == "1.3.0")
            let history = try await reconciler.store.history(deployment: "robot-nav-production")
            #expect(history.filter { $0.action == "switch" && $0.outcome == "succeeded" }.count == 3, "\(history.map { "\($0.action) \($0.outcome)" })")
        }
    }

    @Test("local: a Deployment that leaves blue-green forgets its slot; back on blue-green, the target is asked before switching again")
    func leavingAndComingBack() async throws {
        let fleet = try TargetFleet(targets: 4, strategy: "{type: blue-green}", slots: true)
        let environments = try #require(fleet.repo.read("environments/environments.yaml"))
        try await fleet.run { reconciler in
            for _ in 1...2 { _ = try await reconciler.pass() }
            #expect(fleet.activeSlot() == "blue")
            try fleet.repo.write("environments/environments.yaml", environments.replacingOccurrences(of: "{type: blue-green}", with: "{type: rolling, maxUnavailable: 4}"))
            try fleet.repo.commit("production rolls")
            _ = try await reconciler.pass()
            #expect(fleet.localVersions(4).count == 4, "rolling wants every robot: \(fleet.localVersions(4))")
            #expect(try await fleet.events(reconciler, type: "slotForgotten").count == 1)
            #expect(fleet.activeSlot() == "blue", "nothing is sent for the forgotten router")
            try fleet.repo.write("environments/environments.yaml", environments)
            try fleet.repo.commit("production is blue-green again")
            let back = try await reconciler.pass()
            let switched = try #require(back.report?.skipped.first { $0.kind == .switchSlot }, "\(back.plan.actions.map(\.kind))")
            #expect(BlueGreen.activeSlot(of: switched.document) == "blue")
            let succeeded = try await fleet.events(reconciler, type: "actionSucceeded").filter { $0.reason == "switch" }
            #expect(succeeded.last?.message.hasPrefix("found already applied on the target") == true, "\(succeeded.map(\.message))")
            #expect(try await reconciler.pass().plan.isEmpty)
            // Out of Git: each robot's Deployment is removed; the router is forgotten, never undeployed from the environment.
            try fleet.repo.remove("deployments/robot-nav-production.yaml")
            try fleet.repo.commit("robot-nav leaves production")
            let gone = try await reconciler.pass()
            #expect(gone.plan.actions.filter { $0.kind == .undeploy }.compactMap(\.key.target).sorted() == ["robot-01", "robot-02", "robot-03", "robot-04"]
                    && !gone.plan.actions.contains { $0.key.target == nil && $0.key.kind == .deployment },
                    "\(gone.plan.actions.map { "\($0.kind) \($0.key)" })")
            #expect(try await fleet.events(reconciler, type: "slotForgotten").count == 2)
        }
    }

    @Test("a Deployment removed while its first switch waits: its router is forgotten, nothing is sent to the environment")
    func removedBeforeTheFirstSwitch() async throws {
        let fleet = try TargetFleet(targets: 4, strategy: "{type: blue-green}", driver: "exec", slots: true)
        try await fleet.run { reconciler in
            let first = try await reconciler.pass()
            #expect(first.plan.blocked.contains { $0.key.target == nil && $0.gate == .rollout })
            try fleet.repo.remove("deployments/robot-nav-production.yaml")
            try fleet.repo.commit("robot-nav leaves production")
            let gone = try await reconciler.pass()
            #expect(!gone.plan.actions.contains { $0.key.kind == .deployment && $0.key.target == nil }, "\(gone.plan.actions.map { "\($0.kind) \($0.key)" })")
            #expect(try fleet.effects().filter { $0.target.isEmpty && $0.action != "status" }.isEmpty, "nothing reached the environment without a target")
            #expect(try await fleet.events(reconciler, type: "slotForgotten").count == 1)
            let records = try await reconciler.store.resources().filter { $0.key.kind == .deployment }
            #expect(records.isEmpty, "\(records.map(\.key))")
        }
    }

    @Test("exec: 1.3.0 fails its smoke tests on green: green goes back, traffic never leaves blue, the version is held")
    func failedSlotNeverTakesTraffic() async throws {
        let fleet = try TargetFleet(targets: 4, strategy: "{type: blue-green}", driver: "exec", autoRollback: true, slots: true)
        try await fleet.run { reconciler in
            for _ in 1...3 { _ = try await reconciler.pass() }
            let first = try fleet.effects().filter { $0.action == "switch" }
            #expect(first.map(\.slot) == ["blue"] && first.allSatisfy { $0.target.isEmpty && $0.version == "1.2.0" },
                    "one switch, on the environment (no STEWARD_TARGET), with STEWARD_SLOT: \(first)")
            try "robot-04\n".write(toFile: fleet.failingFile, atomically: true, encoding: .utf8)
            try "".write(toFile: fleet.effectsFile, atomically: true, encoding: .utf8)
            try fleet.setVersion("1.3.0")
            try fleet.repo.commit("1.3.0 to production")
            let failing = try await reconciler.pass()
            #expect(failing.gateFailures.count == 1, "\(failing.gateFailures)")
            for _ in 1...2 {
                let held = try await reconciler.pass()
                #expect(held.plan.actions.isEmpty, "\(held.plan.actions.map { "\($0.kind) \($0.key)" })")
            }
            let effects = try fleet.effects()
            #expect(Set(effects.filter { $0.action == "deploy" }.map(\.target)) == ["robot-02", "robot-04"], "\(effects)")
            let rolledBack = effects.filter { $0.action == "rollback" }
            #expect(Set(rolledBack.map(\.target)) == ["robot-02", "robot-04"] && rolledBack.count == 2, "\(rolledBack)")
            #expect(!effects.contains { $0.action == "switch" }, "traffic never left blue: \(effects.filter { $0.action == "switch" })")
            #expect(!effects.contains { ["robot-01", "robot-03"].contains($0.target) && ["deploy", "rollback"].contains($0.action) },
                    "blue kept 1.2.0 (1.3.0 is only registered there): \(effects.filter { ["robot-01", "robot-03"].contains($0.target) })")
            #expect(try await reconciler.store.holds().map(\.version) == ["1.3.0"])
            #expect(try await fleet.events(reconciler, type: "versionProven").count == 1)
        }
    }

    @Test("http: each slot's consoles take the version; the switch sends nothing the guide does not document")
    func consolesInSlots() async throws {
        var consoles: [ConsoleServer] = []
        for _ in 1...4 { consoles.append(try await ConsoleServer.start(pollsUntilDeployed: 0)) }
        let fleet = try TargetFleet(targets: 4, strategy: "{type: blue-green}", driver: "http", consoles: consoles.map(\.baseURL.absoluteString), slots: true)
        func running(_ console: ConsoleServer) -> String? {
            console.deployments(environment: "production").last.flatMap { deployment in console.versions.first { $0.id == deployment.versionId }?.version }
        }
        do {
            try await fleet.run { reconciler in
                for _ in 1...3 { _ = try await reconciler.pass() }
                #expect(consoles.map(running) == ["1.2.0", nil, "1.2.0", nil])
                try fleet.setVersion("1.3.0")
                try fleet.repo.commit("1.3.0 to production")
                for _ in 1...3 { _ = try await reconciler.pass() }
                #expect(consoles.map(running) == ["1.2.0", "1.3.0", "1.2.0", "1.3.0"])
                let slot = try await reconciler.store.resources().first { $0.key == ResourceKey(kind: .deployment, name: "robot-nav-production", environment: "production") }
                #expect(slot.flatMap { BlueGreen.activeSlot(of: $0.spec) } == "green")
                let before = consoles.map { $0.calls("POST", "/api/deployments").count + $0.calls("POST", "/api/deployments/rollback").count }
                try fleet.setVersion("1.2.0")
                try fleet.repo.commit("Revert \"1.3.0 to production\"")
                let back = try await reconciler.pass()
                #expect(back.plan.actions.filter { $0.key.kind == .deployment }.map(\.kind) == [.switchSlot])
                let after = consoles.map { $0.calls("POST", "/api/deployments").count + $0.calls("POST", "/api/deployments/rollback").count }
                #expect(before == after, "an instant rollback deploys nothing: \(before) → \(after)")
                #expect(consoles.map(running) == ["1.2.0", "1.3.0", "1.2.0", "1.3.0"])
            }
        } catch {
            for console in consoles { await console.stop() }
            throw error
        }
        for console in consoles { await console.stop() }
    }
}
