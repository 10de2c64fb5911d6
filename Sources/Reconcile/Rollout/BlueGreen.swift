import Foundation
import Manifests

/// Blue-green across Targets (DESIGN §10, pure): targets carry `labels.slot: blue|green`; the wanted
/// spec goes to one slot, is gated there, then a `switch` moves traffic to it. The other slot keeps
/// what it runs, for an instant rollback, until the next version goes to it.
public enum BlueGreen {
    public static let slots = ["blue", "green"]

    public static func other(_ slot: String) -> String { slot == "blue" ? "green" : "blue" }

    /// The slot the wanted spec goes to: the active one while any of its targets runs the spec (a
    /// target that joins it is deployed there), else the idle one. Before the first switch, a slot
    /// already running the spec, else blue.
    /// - Parameters:
    ///   - slots: each target's slot, by name.
    ///   - progress: each target's progress against the wanted spec.
    public static func goal(active: String?, slots: [String: String], progress: [String: TargetProgress]) -> String {
        func runs(_ slot: String) -> Bool {
            slots.contains { $0.value == slot && progress[$0.key].map { $0 != .pending && $0 != .suspended } == true }
        }
        if let active { return runs(active) ? active : other(active) }
        return runs("green") && !runs("blue") ? "green" : "blue"
    }

    /// The rollout of a blue-green Deployment: step 1 deploys the wanted spec to every target of the
    /// goal slot at once and gates them; step 2 switches traffic to it.
    /// - Parameter progress: each target's progress against the wanted spec (the other slot's are made `standby`).
    public static func decide(deployment: String, environment: String, version: String?, active: String?, goal: String,
                              slots: [String: String], progress: [String: TargetProgress], now: Date) -> RolloutDecision {
        let mine = progress.filter { slots[$0.key] == goal }
        var decision = Rollout.decide(deployment: deployment, environment: environment, version: version, strategy: nil,
                                      progress: mine, lastPassed: nil, now: now)
        for name in progress.keys where slots[name] != goal { decision.targets[name] = .standby }
        decision.strategy = Strategy.StrategyType.blueGreen.rawValue
        decision.activeSlot = active
        decision.slot = goal
        decision.steps = 2
        let live = mine.filter { $0.value != .suspended }
        let passed = !live.isEmpty && live.values.allSatisfy { $0 == .passed }
        decision.step = passed ? 2 : 1
        decision.switchReady = passed && active != goal
        if !passed {
            let failed = live.filter { $0.value == .failed }.keys.sorted(), gating = live.filter { $0.value == .gating }.keys.sorted()
            let what = version ?? "the wanted spec"
            decision.waiting = if live.isEmpty {
                "slot \(goal) has no target to run \(what) (labels.slot: \(goal))"
            } else if !failed.isEmpty {
                "rollout stopped in slot \(goal): \(Rollout.list(failed)) failed \(failed.count == 1 ? "its" : "their") gates; traffic stays on \(active ?? "no slot")"
            } else if !gating.isEmpty {
                "slot \(goal) is gating \(Rollout.list(gating)) before traffic switches to it"
            } else {
                "slot \(goal) (\(live.count) target\(live.count == 1 ? "" : "s")) runs \(what) through its gates before traffic switches to it"
            }
        }
        return decision
    }

    /// What the router of a blue-green Deployment is asked for: the slot that takes traffic, and what runs there.
    public static func routerDocument(deployment: String, slot: String, blueprint: String?, version: String?) -> JSONValue {
        var spec: [String: JSONValue] = ["activeSlot": .string(slot)]
        if let blueprint { spec["blueprint"] = .string(blueprint) }
        if let version { spec["version"] = .string(version) }
        return .object(["apiVersion": .string("steward/v1"), "kind": .string(ResourceKind.deployment.rawValue),
                        "metadata": .object(["name": .string(deployment)]), "spec": .object(spec)])
    }

    /// The slot a router document (or an applied router's spec) names.
    public static func activeSlot(of document: JSONValue) -> String? {
        document["spec"]?["activeSlot"]?.string
    }
}
