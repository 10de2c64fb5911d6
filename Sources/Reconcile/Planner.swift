import Manifests

/// Changes → an ordered plan: adapters, then versions, then deployments; prunes last, in reverse (pure).
public enum Planner {
    public struct Options: Sendable, Hashable {
        public var prune: Bool
        public var selfHeal: Bool

        public init(prune: Bool = true, selfHeal: Bool = true) {
            self.prune = prune
            self.selfHeal = selfHeal
        }
    }

    /// - Parameters:
    ///   - commit: the commit being applied (the trigger of create/update/prune actions);
    ///   - driftTriggers: per drifted resource, the seq of its drift event (the trigger of the heal).
    ///   - gates: environment policies, proofs, approvals and holds (DESIGN §6); none by default.
    public static func plan(changes: [ResourceChange], commit: String?, suspended: Set<String> = [],
                            driftTriggers: [ResourceKey: String] = [:], options: Options = Options(),
                            gates: GateContext = GateContext()) -> Plan {
        var applies: [PlannedAction] = []
        var prunes: [PlannedAction] = []
        var blocked: [BlockedItem] = []
        for change in changes {
            if change.key.kind == .deployment, suspended.contains(change.key.name) {
                blocked.append(BlockedItem(key: change.key, reason: "suspended (spec.suspend: true)", gate: .suspended))
                continue
            }
            if let target = change.key.target, gates.suspendedTargets.contains(change.key.placement) {
                blocked.append(BlockedItem(key: change.key, reason: "Target \(target) is suspended (spec.suspend: true)", gate: .suspended))
                continue
            }
            if change.key.kind != .agentBlueprint, change.key.kind != .deployment || change.change != .create && change.change != .update,
               let window = change.key.environment.flatMap({ gates.environments[$0]?.syncWindow }), !window.isOpen {
                blocked.append(BlockedItem(key: change.key, reason: window.reason, gate: .syncWindow))
                continue
            }
            switch change.change {
            case .prune:
                guard options.prune, let applied = change.applied, let kind = removal(for: change.key.kind) else { continue }
                prunes.append(PlannedAction(kind: kind, key: change.key, change: .prune, document: .null, specHash: applied.specHash,
                                            version: applied.version, commit: commit ?? applied.commit, trigger: commit ?? applied.commit,
                                            reason: "no longer in Git"))
            case .drift:
                guard let desired = change.desired else { continue }
                guard options.selfHeal else {
                    blocked.append(BlockedItem(key: change.key, reason: "drifted (\(change.detail ?? "changed on the target")); selfHeal is off",
                                               gate: .drift))
                    continue
                }
                let trigger = driftTriggers[change.key].map { "drift:\($0)" } ?? "drift"
                applies.append(action(for: change, desired: desired, trigger: trigger, reason: "drifted: \(change.detail ?? "changed on the target")"))
            case .create, .update, .rollback, .promote:
                guard let desired = change.desired else { continue }
                var reason = change.change == .create ? "new in Git" : "changed in Git: \(change.fields.prefix(3).map(\.path).joined(separator: ", "))"
                var planned = action(for: change, desired: desired, trigger: commit ?? desired.commit, reason: reason)
                if change.key.kind == .deployment {
                    switch gates.decide(change) {
                    case .blocked(let gate, let why):
                        blocked.append(BlockedItem(key: change.key, reason: why, gate: gate))
                        continue
                    case .proceed(let kind, let changeKind, let why):
                        // A rollout across Targets lets a new spec on only as many targets as its step allows;
                        // a rollback goes to every target at once (DESIGN §10).
                        if kind != .rollback, let target = change.key.target, let environment = change.key.environment,
                           let rollout = gates.rollouts[GateContext.holdKey(deployment: change.key.name, environment: environment)] {
                            guard rollout.allowed.contains(target) else {
                                blocked.append(BlockedItem(key: change.key, reason: rollout.waiting ?? "waiting for its rollout step", gate: .rollout))
                                continue
                            }
                            reason += "; \(rollout.strategy) step \(rollout.step)/\(rollout.steps)"
                        }
                        // A blue-green Deployment's router (its key without a target): traffic moves once the slot passed.
                        if change.key.target == nil, let environment = change.key.environment,
                           let rollout = gates.rollouts[GateContext.holdKey(deployment: change.key.name, environment: environment)],
                           let slot = rollout.slot {
                            guard rollout.switchReady else {
                                blocked.append(BlockedItem(key: change.key, reason: rollout.waiting ?? "waiting for slot \(slot)'s gates", gate: .rollout))
                                continue
                            }
                            planned.kind = .switchSlot
                            planned.change = kind == .rollback ? .rollback : changeKind
                            planned.reason = "switch traffic from \(rollout.activeSlot ?? "no slot") to \(slot), which runs \(rollout.version ?? "?")"
                                + (why.map { "; \($0)" } ?? "")
                            applies.append(planned)
                            continue
                        }
                        if let why { reason += "; \(why)" }
                        planned.kind = kind
                        planned.change = changeKind
                        planned.reason = reason
                    }
                }
                applies.append(planned)
            }
        }
        applies.sort { ($0.key.kind.order, $0.key) < ($1.key.kind.order, $1.key) }
        prunes.sort { ($0.key.kind.order, $0.key) > ($1.key.kind.order, $1.key) }
        return Plan(commit: commit, actions: applies + prunes, blocked: blocked.sorted { $0.key < $1.key })
    }

    private static func action(for change: ResourceChange, desired: DesiredResource, trigger: String, reason: String) -> PlannedAction {
        PlannedAction(kind: apply(for: change.key.kind), key: change.key, change: change.change, document: desired.document,
                      specHash: desired.specHash, version: desired.version, commit: desired.commit, trigger: trigger,
                      fields: change.fields, reason: reason)
    }

    static func apply(for kind: ResourceKind) -> ActionKind {
        switch kind {
        case .runtimeAdapter: return .configureAdapter
        case .agentBlueprint: return .registerVersion
        default: return .deploy
        }
    }

    /// Blueprint versions are never unregistered; adapters and deployments are removed.
    static func removal(for kind: ResourceKind) -> ActionKind? {
        switch kind {
        case .runtimeAdapter: return .removeAdapter
        case .deployment: return .undeploy
        default: return nil
        }
    }
}
