import Foundation
import Reconcile

/// A resource applied across an environment's Targets, folded into one row (DESIGN §10): the version
/// the rollout is taking them to (the most recently applied), how many run it, the worst sync and health.
public enum TargetSummary {
    public struct Row: Sendable {
        /// The row's resource: the most recent target's, with the worst sync and health of all.
        public var resource: AppliedResource
        /// Targets running `resource.version`, of all; nil for a resource without Targets.
        public var targets: (updated: Int, all: Int)?
        /// Blue-green: the slot that takes traffic (DESIGN §10).
        public var activeSlot: String? = nil
    }

    public static func rows(_ resources: [AppliedResource]) -> [Row] {
        var rows: [Row] = []
        var groups: [ResourceKey: [AppliedResource]] = [:]
        var order: [ResourceKey] = []
        var single: [AppliedResource] = []
        for resource in resources {
            guard resource.key.target != nil else {
                single.append(resource)
                continue
            }
            let key = resource.key.withoutTarget
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(resource)
        }
        // A Deployment's record without a target beside its targets' is its blue-green router.
        var routers: [ResourceKey: AppliedResource] = [:]
        for resource in single {
            if resource.kind == .deployment, groups[resource.key] != nil, Reconciler.isRouter(resource) {
                routers[resource.key] = resource
            } else {
                rows.append(Row(resource: resource, targets: nil))
            }
        }
        for key in order {
            let members = groups[key] ?? []
            guard var newest = members.max(by: { $0.updatedAt < $1.updatedAt }) else { continue }
            newest.key = key
            let applied = members.filter { !$0.specHash.isEmpty }
            let router = routers[key]
            // Blue-green: the version is what takes traffic.
            let version = router.flatMap { $0.specHash.isEmpty ? nil : $0.version } ?? applied.max(by: { $0.updatedAt < $1.updatedAt })?.version ?? newest.version
            newest.version = version
            newest.sync = (members + (router.map { [$0] } ?? [])).map(\.sync).max(by: { rank($0) < rank($1) }) ?? newest.sync
            // Health is what runs: the worst of the targets running something (a target not reached yet has none).
            newest.health = (applied.isEmpty ? members : applied).map(\.health).max(by: { rank($0) < rank($1) }) ?? newest.health
            let updated = members.count(where: { $0.version == version && !$0.specHash.isEmpty && $0.sync == .synced })
            let slot = router.flatMap { BlueGreen.activeSlot(of: $0.spec) }
            if let slot, newest.message == nil || newest.sync == .synced {
                newest.message = "traffic on \(slot) (\(version ?? "?")), \(updated) of \(members.count) targets run it" + (router?.sync == .blocked ? "; \(router?.message ?? "")" : "")
            } else if newest.message == nil, updated < members.count {
                newest.message = "rolling out \(version ?? "?"): \(updated) of \(members.count) targets"
            }
            rows.append(Row(resource: newest, targets: (updated, members.count), activeSlot: slot))
        }
        return rows.sorted { $0.resource.key < $1.resource.key }
    }

    private static func rank(_ sync: SyncStatus) -> Int {
        switch sync {
        case .synced: return 0
        case .blocked: return 1
        case .outOfSync: return 2
        }
    }

    private static func rank(_ health: HealthStatus) -> Int {
        switch health {
        case .healthy: return 0
        case .progressing: return 1
        case .unknown: return 2
        case .missing: return 3
        case .degraded: return 4
        }
    }
}
