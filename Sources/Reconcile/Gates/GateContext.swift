import Foundation
import Manifests

/// What the planner needs to decide gates (DESIGN §6): environment policies, proofs, approvals, holds.
public struct GateContext: Sendable {
    public var environments: [String: EnvironmentPolicy]
    public var proofs: ProofIndex
    /// Approved `deployment@version` pairs.
    public var approvals: Set<String>
    /// Active holds by `deployment/environment`.
    public var holds: [String: Hold]
    /// Pre-deploy checks that failed for the change now asked for, by `deployment/environment`: the
    /// blocked reason. Remembered per commit and version, so a failure is not retried every pass.
    public var preDeployFailures: [String: String]
    /// Rollouts across Targets by `deployment/environment` (DESIGN §10): which targets may start now.
    public var rollouts: [String: RolloutDecision] = [:]
    /// Suspended Targets, by placement (`environment/target`): nothing is applied to them.
    public var suspendedTargets: Set<String> = []

    public init(environments: [String: EnvironmentPolicy] = [:], proofs: ProofIndex = ProofIndex(), approvals: Set<String> = [],
                holds: [String: Hold] = [:], preDeployFailures: [String: String] = [:]) {
        self.environments = environments
        self.proofs = proofs
        self.approvals = approvals
        self.holds = holds
        self.preDeployFailures = preDeployFailures
    }

    /// What a remembered pre-deploy failure is tied to: the commit being applied and the version asked for.
    public static func preDeployKey(commit: String, version: String?) -> String { "\(commit)@\(version ?? "")" }

    /// The note a planned change carries when pre-deploy checks or backups run before it (they are
    /// effects: `diff` never runs them, it says they will run).
    public static func preDeployNote(_ policy: EnvironmentPolicy) -> String? {
        var parts: [String] = []
        if !policy.preDeploy.isEmpty {
            parts.append("pre-deploy check\(policy.preDeploy.count == 1 ? "" : "s") \(policy.preDeploy.map { "'\($0.name)'" }.joined(separator: ", "))")
        }
        if !policy.backupBefore.isEmpty {
            parts.append("backup\(policy.backupBefore.count == 1 ? "" : "s") \(policy.backupBefore.map { "'\($0)'" }.joined(separator: ", "))")
        }
        return parts.isEmpty ? nil : parts.joined(separator: " and ") + " will run before it"
    }

    public static func holdKey(deployment: String, environment: String) -> String { "\(deployment)/\(environment)" }
    public static func approvalKey(deployment: String, version: String) -> String { "\(deployment)@\(version)" }

    /// How a Deployment's change goes ahead, or why it waits.
    public enum Decision: Sendable, Hashable {
        case proceed(ActionKind, ChangeKind, reason: String?)
        case blocked(BlockedItem.Gate, String)
    }

    /// Decides a create or update of a Deployment (`change.desired` set): the gates of DESIGN §6, then
    /// the environment's pre-deploy checks and backups (§11) for a deploy or promote — a rollback skips them, so a
    /// check the bad version broke never blocks the way back.
    public func decide(_ change: ResourceChange) -> Decision {
        let decision = decideGates(change)
        guard case .proceed(let kind, let changeKind, let reason) = decision, kind == .deploy || kind == .promote,
              let environment = change.key.environment, let policy = environments[environment], let note = Self.preDeployNote(policy) else {
            return decision
        }
        if let failure = preDeployFailures[Self.holdKey(deployment: change.key.name, environment: environment)] {
            return .blocked(.preDeploy, failure)
        }
        return .proceed(kind, changeKind, reason: [reason, note].compactMap { $0 }.joined(separator: "; "))
    }

    private func decideGates(_ change: ResourceChange) -> Decision {
        guard let desired = change.desired, let environment = change.key.environment else { return .proceed(.deploy, change.change, reason: nil) }
        let policy = environments[environment] ?? EnvironmentPolicy()
        let name = change.key.name
        if let hold = holds[Self.holdKey(deployment: name, environment: environment)], hold.specHash == desired.specHash {
            let ahead = change.applied?.version.map { "; Git is ahead of the fleet, which runs \($0)" } ?? ""
            return .blocked(.hold, "held after failed \(hold.version)" + (hold.seq.map { " (seq \($0))" } ?? "") + ": \(hold.reason)\(ahead)")
        }
        // A record of a Deployment only ever blocked (no spec applied) runs nothing.
        let running = change.applied.flatMap { $0.specHash.isEmpty ? nil : $0.version }
        guard let version = desired.version, version != running else {
            return policy.syncWindow.isOpen ? .proceed(.deploy, change.change, reason: nil) : .blocked(.syncWindow, policy.syncWindow.reason)
        }
        guard policy.syncWindow.isOpen else { return .blocked(.syncWindow, policy.syncWindow.reason) }
        let healthyBefore = proofs.wasHealthy(deployment: name, version: version, in: environment)
        if healthyBefore, let from = running {
            return .proceed(.rollback, .rollback, reason: "back to \(version), healthy here before (from \(from))")
        }
        var kind = ActionKind.deploy, changeKind = change.change, reason: String?
        if let source = policy.promotesFrom, !healthyBefore {
            let blueprint = desired.document["spec"]?["blueprint"]?.string ?? ""
            guard let proof = proofs.proof(blueprint: blueprint, version: version, in: source) else {
                return .blocked(.promotion, "\(blueprint)@\(version) is not proven in \(source)"
                                + (running.map { "; \($0) keeps running" } ?? ""))
            }
            kind = .promote
            changeKind = .promote
            reason = "proven in \(source)" + (proof.seq.map { " (seq \($0))" } ?? "")
        }
        if policy.requireApproval, !healthyBefore, !approvals.contains(Self.approvalKey(deployment: name, version: version)) {
            return .blocked(.approval, "awaiting approval of \(version) (steward approve \(name) --version \(version))")
        }
        return .proceed(kind, changeKind, reason: reason)
    }
}
