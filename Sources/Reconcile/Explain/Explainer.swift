import Foundation
import Manifests

/// What an explanation is made from (all of it read before, none of it read here): what Git asks
/// for, what was applied, the plan and its gate inputs, and the last incidents of the event log.
public struct ExplainFacts: Sendable {
    /// A resource as Git asks for it at the commit being applied.
    public struct Wanted: Sendable, Hashable {
        public var version: String?
        public var blueprint: String?
        public var file: String
        /// The line of `spec.version` (a Deployment) or of the document.
        public var line: Int?
        public var commit: String

        public init(version: String?, blueprint: String?, file: String, line: Int?, commit: String) {
            self.version = version
            self.blueprint = blueprint
            self.file = file
            self.line = line
            self.commit = commit
        }
    }

    /// The newest event that tells of a failure of a resource in an environment.
    public struct Incident: Sendable, Hashable {
        public var seq: Int64
        public var type: String
        public var message: String
        public var commit: String?

        public init(seq: Int64, type: String, message: String, commit: String?) {
            self.seq = seq
            self.type = type
            self.message = message
            self.commit = commit
        }
    }

    /// The tip, when it is not applied: its commit and what is wrong with it.
    public struct TipProblem: Sendable, Hashable {
        public var commit: String
        public var errors: [ValidationError]

        public init(commit: String, errors: [ValidationError]) {
            self.commit = commit
            self.errors = errors
        }
    }

    public var wanted: [ResourceKey: Wanted] { didSet { deployments = Self.deploymentIndex(wanted) } }
    /// The Deployment of each blueprint in each environment (the first by name), for following a
    /// promotion gate upstream without a scan per blocked item.
    private(set) var deployments: [String: ResourceKey] = [:]
    public var applied: [ResourceKey: AppliedResource]
    public var plan: Plan
    public var gates: GateContext
    public var incidents: [ResourceKey: Incident]
    public var tip: TipProblem?
    /// The commit the fleet was last brought to.
    public var lastApplied: String?
    /// `reconcile.prune`: whether what left Git is removed from the targets.
    public var prune = true

    static func deploymentKey(environment: String, blueprint: String?) -> String { "\(environment)\u{0}\(blueprint ?? "")" }

    private static func deploymentIndex(_ wanted: [ResourceKey: Wanted]) -> [String: ResourceKey] {
        var index: [String: ResourceKey] = [:]
        for (key, value) in wanted where key.kind == .deployment {
            let slot = deploymentKey(environment: key.environment ?? "", blueprint: value.blueprint)
            if index[slot].map({ key < $0 }) ?? true { index[slot] = key }
        }
        return index
    }

    /// The event types that tell of a failure, newest first wins.
    public static let incidentTypes: Set<String> = ["actionFailed", "gateFailed", "hold", "rollback", "preDeployCheckFailed"]

    public init(wanted: [ResourceKey: Wanted] = [:], applied: [ResourceKey: AppliedResource] = [:], plan: Plan = Plan(commit: nil),
                gates: GateContext = GateContext(), incidents: [ResourceKey: Incident] = [:], tip: TipProblem? = nil, lastApplied: String? = nil) {
        self.wanted = wanted
        deployments = Self.deploymentIndex(wanted)
        self.applied = applied
        self.plan = plan
        self.gates = gates
        self.incidents = incidents
        self.tip = tip
        self.lastApplied = lastApplied
    }
}

extension ExplainFacts {
    /// What a name given to `explain` names.
    public enum Lookup: Sendable, Equatable {
        case found([ResourceKey])
        case unknownKind(String)
        case notFound(String)
    }

    /// The keys `name` (a Deployment, or `KIND/NAME` in each of its environments) names among what
    /// Git wants and what was applied; `notFound` carries the one-line message.
    public func keys(named name: String) -> Lookup {
        let known = Set(wanted.keys).union(applied.keys)
        guard let slash = name.firstIndex(of: "/") else {
            let keys = known.filter { $0.kind == .deployment && $0.name == name }.sorted()
            return keys.isEmpty ? .notFound("no Deployment '\(name)' in Git at the tip or in the store") : .found(keys)
        }
        let kindName = String(name[..<slash]), bare = String(name[name.index(after: slash)...])
        guard let kind = ResourceKind.allCases.first(where: { $0.rawValue.lowercased() == kindName.lowercased() }) else {
            return .unknownKind(kindName)
        }
        let keys = known.filter { $0.kind == kind && $0.name == bare }.sorted()
        return keys.isEmpty ? .notFound("no \(kind.rawValue)/\(bare) in Git at the tip or in the store") : .found(keys)
    }
}

/// Builds explanations from facts (pure).
public enum Explainer {
    /// Why `key` is or is not converged. A promotion gate is followed into the environment it
    /// promotes from, at most `depth` environments up.
    public static func explain(_ key: ResourceKey, _ facts: ExplainFacts, depth: Int = 5) -> Explanation {
        var chain: [Explanation.Link] = []
        let wanted = facts.wanted[key], applied = facts.applied[key]
        func done(_ converged: Bool, _ unblock: String?) -> Explanation {
            Explanation(kind: key.kind.rawValue, name: key.name, environment: key.environment, target: key.target, converged: converged,
                        chain: chain, unblock: unblock)
        }
        if let tip = facts.tip, let first = tip.errors.first {
            let stays = facts.lastApplied.map { "the fleet stays at commit \($0.prefix(7))" } ?? "nothing was applied yet"
            chain.append(.init("commit \(tip.commit.prefix(7)) at the tip is not applied: \(first.message)",
                               .init(commit: tip.commit, file: first.file.isEmpty ? nil : first.file, line: first.line > 0 ? first.line : nil)))
            if let applied { chain.append(runs(applied)) }
            let place = first.file.isEmpty ? "" : " \(first.file)\(first.line > 0 ? ":\(first.line)" : "")"
            return done(false, "fix\(place) and commit; \(stays)")
        }
        let rollout = key.kind == .deployment ? key.environment.flatMap { facts.gates.rollouts[GateContext.holdKey(deployment: key.name, environment: $0)] } : nil
        if let target = key.target, let rollout, rollout.slot != nil, rollout.targets[target] == .standby {
            // Blue-green: the slot without traffic keeps what it runs (DESIGN §10).
            let keeps = applied.map { "keeps \($0.version ?? "its spec")" } ?? "gets nothing"
            chain.append(.init("\(keeps) in slot \(BlueGreen.other(rollout.slot ?? "")), for an instant rollback: Git wants \(rollout.version ?? "its spec") on slot \(rollout.slot ?? "")",
                               wanted.map { .init(commit: $0.commit, file: $0.file.isEmpty ? nil : $0.file, line: $0.file.isEmpty ? nil : $0.line) } ?? .init()))
        } else if let wanted, key.target == nil, let slot = rollout?.slot {
            let file = wanted.file.isEmpty ? nil : wanted.file
            chain.append(.init("wants traffic on slot \(slot), which is to run \(wanted.version ?? "its spec") (blue-green)",
                               .init(commit: wanted.commit, file: file, line: file == nil ? nil : wanted.line)))
        } else if let wanted {
            let file = wanted.file.isEmpty ? nil : wanted.file
            chain.append(.init("wants \(wanted.version ?? "its spec")", .init(commit: wanted.commit, file: file, line: file == nil ? nil : wanted.line)))
        } else if applied != nil {
            chain.append(.init("no longer in Git"))
        }
        if let action = facts.plan.actions.first(where: { $0.key == key }) {
            chain.append(.init("the next pass runs \(action.kind.rawValue)\(action.version.map { " \($0)" } ?? ""): \(action.reason)"))
            return done(false, nil)
        }
        if let blocked = facts.plan.blocked.first(where: { $0.key == key }) {
            let unblock = explainBlocked(blocked, key: key, wanted: wanted, facts: facts, depth: depth, into: &chain)
            return done(false, unblock)
        }
        guard let applied else {
            chain.append(.init(wanted == nil ? "not in Git and not applied" : "not applied yet"))
            return done(false, wanted == nil ? nil : "wait for the next pass")
        }
        if wanted == nil {
            if key.kind == .agentBlueprint {
                chain.append(.init("kept: a registered blueprint version is never unregistered"))
                return done(true, nil)
            }
            guard !facts.prune else {
                chain.append(.init("nothing planned for it"))
                return done(false, "wait for the next pass")
            }
            chain.append(.init("kept on the target: reconcile.prune is off"))
            return done(false, "turn reconcile.prune on, or delete it on the target by hand")
        }
        chain.append(runs(applied))
        if applied.sync == .synced, applied.health == .healthy {
            // Converged, but not on what was last tried: say so (the version Git asks for may be a revert commit's).
            if let incident = facts.incidents[key], incident.type == "rollback" {
                let earlier = link(incident)
                chain.append(.init("earlier: \(earlier.text)", earlier.evidence))
            }
            return done(true, nil)
        }
        if let incident = facts.incidents[key] {
            chain.append(link(incident))
            // A version that failed its gates (or its deploy) stays failed until Git asks for another.
            if incident.type != "rollback", applied.health != .healthy {
                return done(false, "commit a change to \(key.name) (a fixed version, or back to a proven one) in \(wanted?.file ?? "Git")")
            }
        }
        switch applied.health {
        case .healthy, .progressing:
            return done(false, applied.health == .progressing ? "wait: it is progressing" : nil)
        case .degraded, .missing, .unknown:
            return done(false, "fix what the target reports (\(applied.message ?? applied.health.rawValue)); Steward probes it every pass")
        }
    }

    /// The links of a blocked change and what would unblock it.
    private static func explainBlocked(_ blocked: BlockedItem, key: ResourceKey, wanted: ExplainFacts.Wanted?, facts: ExplainFacts,
                                       depth: Int, into chain: inout [Explanation.Link]) -> String {
        let gate = blocked.gate?.rawValue
        let name = key.name, environment = key.environment ?? ""
        let hold = facts.gates.holds[GateContext.holdKey(deployment: name, environment: environment)]
        chain.append(.init("blocked: \(blocked.reason)", .init(gate: gate, seq: blocked.gate == .hold ? hold?.seq : nil)))
        switch blocked.gate {
        case .promotion:
            return explainUpstream(key: key, wanted: wanted, facts: facts, depth: depth, into: &chain)
        case .approval:
            let version = wanted?.version ?? ""
            return "approve it: steward approve \(name) --version \(version)"
        case .hold:
            if let incident = facts.incidents[key], incident.seq != hold?.seq { chain.append(link(incident)) }
            return "commit a change to \(name) (a fixed version, or back to a proven one)\(wanted.map { " in \($0.file)" } ?? "")"
        case .syncWindow:
            return "wait for the sync window (\(blocked.reason))"
        case .suspended:
            return "set spec.suspend: false\(wanted.map { " in \($0.file)" } ?? "") and commit"
        case .drift:
            return "commit what the target runs to Git, or turn reconcile.selfHeal on so Steward puts Git's state back"
        case .driver:
            return "fix the driver of environment \(environment) (its Environment manifest or controller.yaml's drivers)"
        case .preDeploy:
            if let incident = facts.incidents[key] { chain.append(link(incident)) }
            return "fix what the check found, then commit or POST /api/reconcile: Steward runs the checks again on either"
        case .rollout:
            let rollout = facts.gates.rollouts[GateContext.holdKey(deployment: name, environment: environment)]
            if key.target == nil, let slot = rollout?.slot {
                if rollout?.targets.values.contains(.failed) == true {
                    return "fix what failed in slot \(slot), or revert the commit; traffic stays on \(rollout?.activeSlot ?? "no slot") (steward rollout \(name))"
                }
                return "wait: traffic switches to slot \(slot) once its targets pass their gates (steward rollout \(name))"
            }
            return rollout?.allowed.isEmpty == false
                ? "wait: the rollout reaches this target at a later step (steward rollout \(name))"
                : "wait for the rollout's gates, or fix what stopped it (steward rollout \(name))"
        case nil:
            return "see the reason above"
        }
    }

    /// A promotion gate: the same blueprint's Deployment in the environment promoted from, explained in turn.
    private static func explainUpstream(key: ResourceKey, wanted: ExplainFacts.Wanted?, facts: ExplainFacts, depth: Int,
                                        into chain: inout [Explanation.Link]) -> String {
        let version = wanted?.version ?? ""
        guard let environment = key.environment, let source = facts.gates.environments[environment]?.promotesFrom else {
            return "wait until \(version) is proven upstream"
        }
        guard let upstream = facts.deployments[ExplainFacts.deploymentKey(environment: source, blueprint: wanted?.blueprint)],
              let upWanted = facts.wanted[upstream] else {
            return "add a Deployment of \(wanted?.blueprint ?? "this blueprint") to \(source), or deploy \(version) there"
        }
        guard depth > 0 else { return "prove \(version) in \(source) (\(upstream.name))" }
        let inner = explain(upstream, facts, depth: depth - 1)
        for link in inner.chain {
            var evidence = link.evidence
            evidence.resource = evidence.resource ?? upstream.resource
            evidence.environment = evidence.environment ?? source
            chain.append(.init("\(upstream.name): \(link.text)", evidence))
        }
        if upWanted.version != version {
            return "commit spec.version \(version) to \(upstream.name) (\(upWanted.file)) so \(source) proves it first"
        }
        return inner.unblock ?? "wait: \(upstream.name) proves \(version) when it passes \(source)'s gates"
    }

    private static func runs(_ applied: AppliedResource) -> Explanation.Link {
        let what = applied.version.map { "runs \($0)" } ?? "applied"
        let message = applied.message.map { ": \($0)" } ?? ""
        return .init("\(what): \(applied.sync.rawValue), \(applied.health.rawValue)\(message)", .init(commit: applied.commit))
    }

    private static func link(_ incident: ExplainFacts.Incident) -> Explanation.Link {
        .init("\(incident.type): \(incident.message)", .init(commit: incident.commit, seq: incident.seq))
    }
}
