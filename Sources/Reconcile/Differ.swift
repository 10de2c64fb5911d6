import Manifests

/// One resource's difference between Git and what was observed.
public struct ResourceChange: Sendable, Hashable {
    public var key: ResourceKey
    public var change: ChangeKind
    public var desired: DesiredResource?
    public var applied: AppliedResource?
    public var fields: [FieldChange]
    public var detail: String?
}

/// What a target reported for an applied resource, as the pure core sees it.
public struct ObservedProbe: Sendable, Hashable {
    public var drifted: Bool
    public var missing: Bool
    public var message: String?

    public init(drifted: Bool, missing: Bool, message: String? = nil) {
        self.drifted = drifted
        self.missing = missing
        self.message = message
    }
}

/// Desired × observed → per-resource changes with field paths (pure).
public enum Differ {
    public static func diff(desired: [ResourceKey: DesiredResource], applied: [ResourceKey: AppliedResource],
                            probes: [ResourceKey: ObservedProbe]) -> [ResourceChange] {
        // Keys are visited unsorted (on every core when there are many) and the (few) changes
        // sorted after: the same order, without sorting every key of a large fleet on a pass
        // that changes nothing.
        let outcomes = ConcurrentMap.map(Array(desired)) { key, want -> (matched: Bool, change: ResourceChange?) in
            let have = applied[key]
            return (have != nil && isTargetResource(key), change(key, desired: want, applied: have, probe: probes[key]))
        }
        // Desired keys found applied: when every applied target key is one, nothing is pruned.
        let matched = outcomes.count(where: \.matched)
        var changes = outcomes.compactMap(\.change)
        changes.sort { $0.key < $1.key }
        let appliedTargets = applied.keys.count(where: isTargetResource)
        guard matched < appliedTargets else { return changes }
        for key in applied.keys.filter({ desired[$0] == nil && isTargetResource($0) }).sorted() {
            changes.append(ResourceChange(key: key, change: .prune, desired: nil, applied: applied[key], fields: [], detail: nil))
        }
        return changes
    }

    /// The change of a key Git wants: created, updated, drifted, or nil when in sync.
    private static func change(_ key: ResourceKey, desired want: DesiredResource, applied have: AppliedResource?,
                               probe: ObservedProbe?) -> ResourceChange? {
        guard let have, !have.specHash.isEmpty else {
            // Nothing applied yet (no record, or one only ever blocked or with an outcome not recorded): a create.
            return ResourceChange(key: key, change: .create, desired: want, applied: have, fields: fieldChanges(from: nil, to: want.document), detail: nil)
        }
        if have.specHash != want.specHash {
            return ResourceChange(key: key, change: .update, desired: want, applied: have, fields: fieldChanges(from: have.spec, to: want.document), detail: nil)
        }
        if let probe, probe.drifted || probe.missing {
            return ResourceChange(key: key, change: .drift, desired: want, applied: have, fields: [],
                                  detail: probe.message ?? (probe.missing ? "missing on the target" : "changed on the target"))
        }
        return nil
    }

    /// Kinds applied to targets (environments and backup schedules are only recorded).
    public static func isTargetResource(_ key: ResourceKey) -> Bool {
        key.kind == .runtimeAdapter || key.kind == .agentBlueprint || key.kind == .deployment
    }

    /// Leaf paths that differ between two JSON documents, `spec.config.temperature`-style.
    public static func fieldChanges(from old: JSONValue?, to new: JSONValue?, path: String = "") -> [FieldChange] {
        switch (old, new) {
        case (.object(let a)?, .object(let b)?):
            return Set(a.keys).union(b.keys).sorted().flatMap { key in
                fieldChanges(from: a[key], to: b[key], path: path.isEmpty ? key : "\(path).\(key)")
            }
        case (nil, .object(let b)?) where path.isEmpty:
            return b.keys.sorted().flatMap { fieldChanges(from: nil, to: b[$0], path: $0) }
        default:
            // Equal in canonical JSON is equal (what the spec hash says): 1.0 as written in YAML and
            // the stored 1 are one number.
            if old == new || old.map(\.canonicalBytes) == new.map(\.canonicalBytes) { return [] }
            return [FieldChange(path: path.isEmpty ? "." : path, from: old, to: new)]
        }
    }
}
