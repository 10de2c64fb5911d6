import Foundation
import Manifests
import Reconcile
import Testing

/// `BlueGreen`, the pure rule of DESIGN §10's blue-green: which slot takes the wanted spec, and when traffic may switch.
@Suite("Blue-green decisions")
struct BlueGreenRuleTests {
    private let slots = ["b1": "blue", "b2": "blue", "g1": "green", "g2": "green"]
    private let now = Date(timeIntervalSince1970: 1000)

    private func decide(active: String?, _ progress: [String: TargetProgress]) -> RolloutDecision {
        let goal = BlueGreen.goal(active: active, slots: slots, progress: progress)
        return BlueGreen.decide(deployment: "d", environment: "e", version: "1.3.0", active: active, goal: goal, slots: slots,
                                progress: progress, now: now)
    }

    @Test func theFirstVersionGoesToBlue() {
        let decision = decide(active: nil, ["b1": .pending, "b2": .pending, "g1": .pending, "g2": .pending])
        #expect(decision.slot == "blue" && decision.allowed == ["b1", "b2"] && decision.step == 1 && decision.steps == 2)
        #expect(decision.targets["g1"] == .standby && !decision.switchReady && !decision.isFinished)
        #expect(decision.waiting == "slot blue (2 targets) runs 1.3.0 through its gates before traffic switches to it")
    }

    @Test func aNewVersionGoesToTheIdleSlotAndSwitchesWhenItPassed() {
        // Blue takes traffic and runs the old spec: green gets the new one.
        let deploying = decide(active: "blue", ["b1": .pending, "b2": .pending, "g1": .pending, "g2": .pending])
        #expect(deploying.slot == "green" && deploying.allowed == ["g1", "g2"] && deploying.targets["b1"] == .standby)
        let gating = decide(active: "blue", ["b1": .pending, "b2": .pending, "g1": .gating, "g2": .passed])
        #expect(gating.slot == "green" && gating.allowed.isEmpty && !gating.switchReady)
        #expect(gating.waiting == "slot green is gating g1 before traffic switches to it")
        let ready = decide(active: "blue", ["b1": .pending, "b2": .pending, "g1": .passed, "g2": .passed])
        #expect(ready.switchReady && ready.step == 2 && !ready.isFinished)
        let switched = decide(active: "green", ["b1": .pending, "b2": .pending, "g1": .passed, "g2": .passed])
        #expect(switched.slot == "green" && !switched.switchReady && switched.isFinished && switched.waiting == nil)
    }

    @Test func aRevertSwitchesToTheSlotThatStillRunsIt() {
        // Green takes traffic on the new spec; Git goes back to the spec blue still runs (and passed).
        let decision = decide(active: "green", ["b1": .passed, "b2": .passed, "g1": .pending, "g2": .pending])
        #expect(decision.slot == "blue" && decision.switchReady && decision.allowed.isEmpty)
    }

    @Test func aFailedTargetStopsTheSwitch() {
        let decision = decide(active: "blue", ["b1": .pending, "b2": .pending, "g1": .failed, "g2": .passed])
        #expect(decision.slot == "green" && !decision.switchReady)
        #expect(decision.waiting == "rollout stopped in slot green: g1 failed its gates; traffic stays on blue")
    }

    @Test func aTargetJoiningTheActiveSlotIsDeployedThere() {
        var slots = self.slots
        slots["b3"] = "blue"
        let progress: [String: TargetProgress] = ["b1": .passed, "b2": .passed, "b3": .pending, "g1": .pending, "g2": .pending]
        #expect(BlueGreen.goal(active: "blue", slots: slots, progress: progress) == "blue")
        let decision = BlueGreen.decide(deployment: "d", environment: "e", version: "1.3.0", active: "blue", goal: "blue", slots: slots,
                                        progress: progress, now: now)
        #expect(decision.allowed == ["b3"] && decision.targets["g1"] == .standby)
    }

    @Test func theRouterDocumentNamesTheSlot() {
        let document = BlueGreen.routerDocument(deployment: "d", slot: "green", blueprint: "agent", version: "1.3.0")
        #expect(BlueGreen.activeSlot(of: document) == "green")
        #expect(document["spec"]?["version"]?.string == "1.3.0" && document["kind"]?.string == "Deployment")
    }
}
