import Foundation
import Manifests
import Reconcile
import StateStore

/// A blue-green Deployment on Targets, as one pass sees it (DESIGN §10).
struct BlueGreenPlacement {
    /// The slot that takes traffic (the router's record), nil before the first switch.
    var active: String?
    /// The slot the spec Git wants goes to.
    var goal: String
    /// Each target's slot, by name.
    var slots: [String: String]
    /// Each target's progress against the spec Git wants (before the other slot is kept as it is).
    var progress: [String: TargetProgress]
    /// The hash of the spec Git wants on the targets (what holds are compared with).
    var wantedHash: String?
}

extension Reconciler {
    /// Blue-green Deployments on Targets (DESIGN §10). The spec Git wants goes to the goal slot's
    /// targets; the other slot's keep what they run — wanted as applied, so nothing is sent there and a
    /// hand edit is still healed back to it — for an instant rollback. The Deployment's router (its key
    /// without a target) is wanted on the goal slot: its change is the `switch`.
    /// - Returns: the placements, by `GateContext.holdKey`.
    static func blueGreen(_ fleet: Fleet, desired: inout [ResourceKey: DesiredResource], applied: [ResourceKey: AppliedResource],
                          commit: String) -> [String: BlueGreenPlacement] {
        var placements: [String: BlueGreenPlacement] = [:]
        for deployment in fleet.deployments.values where fleet.strategy(of: deployment)?.type == .blueGreen {
            let targets = fleet.targets(of: deployment)
            guard !targets.isEmpty else { continue }
            let router = ResourceKey(kind: .deployment, name: deployment.name, environment: deployment.environment)
            let active = applied[router].flatMap { $0.specHash.isEmpty ? nil : BlueGreen.activeSlot(of: $0.spec) }
            var slots: [String: String] = [:]
            var progress: [String: TargetProgress] = [:]
            var wantedHash: String?
            for target in targets {
                let name = target.metadata.name
                let key = ResourceKey(kind: .deployment, name: deployment.name, environment: deployment.environment, target: name)
                slots[name] = target.metadata.labels?["slot"] ?? "blue"
                progress[name] = Self.progress(desired: desired[key], applied: applied[key], suspended: target.spec.suspend == true)
                wantedHash = wantedHash ?? desired[key]?.specHash
            }
            let goal = BlueGreen.goal(active: active, slots: slots, progress: progress)
            for (name, slot) in slots where slot != goal {
                let key = ResourceKey(kind: .deployment, name: deployment.name, environment: deployment.environment, target: name)
                desired[key] = applied[key].flatMap { have in
                    have.specHash.isEmpty ? nil : DesiredResource(key: key, document: have.spec, specHash: have.specHash, version: have.version, commit: have.commit)
                }
            }
            let document = BlueGreen.routerDocument(deployment: deployment.name, slot: goal, blueprint: deployment.blueprint.name, version: deployment.version)
            let hash = ContentHash.sha256Hex(document.canonicalBytes)
            desired[router] = DesiredResource(key: router, document: document, specHash: hash, version: deployment.version,
                                              commit: applied[router].flatMap { $0.specHash == hash ? $0.commit : nil } ?? commit)
            placements[GateContext.holdKey(deployment: deployment.name, environment: deployment.environment)] =
                BlueGreenPlacement(active: active, goal: goal, slots: slots, progress: progress, wantedHash: wantedHash)
        }
        return placements
    }

    /// Router records (a blue-green Deployment's key without a target, in an environment with Targets):
    /// never probed — the router is Steward's record of the switch, not a file or a console deployment.
    /// One whose Deployment is no longer blue-green, or no longer in Git, is forgotten (never pruned:
    /// an undeploy without a target would reach the whole environment).
    static func routerKeys(_ fleet: Fleet, applied: [ResourceKey: AppliedResource]) -> Set<ResourceKey> {
        guard !fleet.targetsByEnvironment.isEmpty else { return [] }
        var keys: Set<ResourceKey> = []
        for (key, record) in applied where key.target == nil && key.kind == .deployment {
            guard let environment = key.environment, fleet.targetsByEnvironment[environment] != nil,
                  BlueGreen.activeSlot(of: record.spec) != nil else { continue }
            keys.insert(key)
        }
        return keys
    }
}
