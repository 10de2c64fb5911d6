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
    /// The router's key: the Deployment's, without a target.
    var router: ResourceKey?
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
        guard !fleet.targetsByEnvironment.isEmpty else { return placements }
        for deployment in fleet.deployments.values where fleet.targetsByEnvironment[deployment.environment] != nil
            && fleet.strategy(of: deployment)?.type == .blueGreen {
            let targets = fleet.targets(of: deployment)
            guard !targets.isEmpty else { continue }
            let router = ResourceKey(kind: .deployment, name: deployment.name, environment: deployment.environment)
            let active = applied[router].flatMap { $0.specHash.isEmpty ? nil : BlueGreen.activeSlot(of: $0.spec) }
            var slots: [String: String] = [:]
            var progress: [String: TargetProgress] = [:]
            // Which slot runs the wanted spec is told by what runs, suspended targets included.
            var running: [String: TargetProgress] = [:]
            var wantedHash: String?
            for target in targets {
                let name = target.metadata.name
                let key = ResourceKey(kind: .deployment, name: deployment.name, environment: deployment.environment, target: name)
                slots[name] = target.metadata.labels?["slot"] ?? "blue"
                progress[name] = Self.progress(desired: desired[key], applied: applied[key], suspended: target.spec.suspend == true)
                running[name] = Self.progress(desired: desired[key], applied: applied[key], suspended: false)
                wantedHash = wantedHash ?? desired[key]?.specHash
            }
            let goal = BlueGreen.goal(active: active, slots: slots, progress: running)
            // The other slot keeps what it runs; a target that joined it gets what its slot's others run.
            var kept: [String: AppliedResource] = [:]
            for (name, slot) in slots.sorted(by: { $0.key < $1.key }) where slot != goal && kept[slot] == nil {
                let key = ResourceKey(kind: .deployment, name: deployment.name, environment: deployment.environment, target: name)
                if let have = applied[key], !have.specHash.isEmpty { kept[slot] = have }
            }
            for (name, slot) in slots where slot != goal {
                let key = ResourceKey(kind: .deployment, name: deployment.name, environment: deployment.environment, target: name)
                let have = applied[key].flatMap { $0.specHash.isEmpty ? nil : $0 } ?? kept[slot]
                desired[key] = have.map { DesiredResource(key: key, document: $0.spec, specHash: $0.specHash, version: $0.version, commit: $0.commit) }
            }
            let document = BlueGreen.routerDocument(deployment: deployment.name, slot: goal, blueprint: deployment.blueprint.name, version: deployment.version)
            let hash = ContentHash.sha256Hex(document.canonicalBytes)
            desired[router] = DesiredResource(key: router, document: document, specHash: hash, version: deployment.version,
                                              commit: applied[router].flatMap { $0.specHash == hash ? $0.commit : nil } ?? commit)
            placements[GateContext.holdKey(deployment: deployment.name, environment: deployment.environment)] =
                BlueGreenPlacement(active: active, goal: goal, slots: slots, progress: progress, wantedHash: wantedHash, router: router)
        }
        return placements
    }

    /// Router records (a blue-green Deployment's key without a target, in an environment with Targets):
    /// never probed — the router is Steward's record of the switch, not a file or a console deployment.
    /// One whose Deployment is no longer blue-green, or no longer in Git, is forgotten (never pruned:
    /// an undeploy without a target would reach the whole environment).
    /// A record without a target beside its Deployment's target records is a router when it names a slot, or
    /// when nothing was applied under it (blocked while the first switch waited, or a first switch that failed).
    static func isRouter(_ record: AppliedResource) -> Bool {
        record.specHash.isEmpty || BlueGreen.activeSlot(of: record.spec) != nil
    }

    static func routerKeys(_ fleet: Fleet, applied: [ResourceKey: AppliedResource]) -> Set<ResourceKey> {
        guard !fleet.targetsByEnvironment.isEmpty else { return [] }
        var keys: Set<ResourceKey> = []
        for (key, record) in applied where key.target == nil && key.kind == .deployment {
            guard let environment = key.environment, fleet.targetsByEnvironment[environment] != nil, isRouter(record) else { continue }
            keys.insert(key)
        }
        return keys
    }
}
