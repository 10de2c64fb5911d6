import EventLog
import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

/// `steward promote`, `steward rollback` and `steward approve` (DESIGN §6, §7).
public enum ReleaseOperations {
    /// Commits the version change of every Deployment of `blueprint` in `environment`, after checking
    /// the promotion gate would pass; refuses with the reason otherwise.
    public static func promote(blueprint: String, to environment: String, version: String?, push: Bool,
                               settings: ControllerSettings, store: any StateStore) async throws -> ReleaseCommit {
        let workspace = try await ReleaseWorkspace(settings: settings, store: store)
        guard let target = workspace.fleet.environments[environment] else {
            throw ControllerError("no Environment named '\(environment)' at \(workspace.tip.shortSha)")
        }
        let deployments = workspace.fleet.deployments.values.filter { $0.blueprint.name == blueprint && $0.environment == environment }
            .sorted { $0.name < $1.name }
        guard !deployments.isEmpty else { throw ControllerError("no Deployment of \(blueprint) in \(environment) at \(workspace.tip.shortSha)") }
        let proofs = try await workspace.proofs()
        let source = target.spec.promotesFrom
        let chosen: String
        if let version {
            chosen = version
        } else if let source {
            chosen = try await healthyVersion(of: blueprint, in: source, proofs: proofs, store: store)
        } else {
            throw ControllerError("\(environment) has no promotesFrom: name the version with --version")
        }
        guard workspace.fleet.blueprints[BlueprintRef(name: blueprint, version: chosen)] != nil else {
            throw ControllerError("\(blueprint)@\(chosen) is not in the repository at \(workspace.tip.shortSha)")
        }
        var proofSeq: Int64?
        if let source {
            guard let proof = proofs.proof(blueprint: blueprint, version: chosen, in: source) else {
                throw ControllerError("\(blueprint)@\(chosen) is not proven in \(source) (not deployed there, or its gates did not pass); not promoted")
            }
            proofSeq = proof.seq
        }
        let moving = deployments.filter { $0.version != chosen }
        let changes = moving.map { ReleaseCommit.Change(deployment: $0.name, environment: environment, from: $0.version, to: chosen) }
        guard !moving.isEmpty else {
            return ReleaseCommit(commit: nil, changes: [], message: "\(blueprint) already runs \(chosen) in \(environment); nothing to commit")
        }
        let body = changes.map { "- \($0.deployment): \($0.from) -> \($0.to)" }.joined(separator: "\n")
            + "\n\n" + (source.map { "\(blueprint)@\(chosen) is proven in \($0)" + (proofSeq.map { " (event seq \($0))" } ?? "") + "." }
                        ?? "\(environment) has no promotesFrom gate.")
        let message = VersionCommit.message(subject: "Promote \(blueprint) \(chosen) to \(environment)", body: body, action: "promote",
                                            event: proofSeq)
        let sha = try workspace.write(moving.map { VersionCommit.Change(deployment: $0.name, file: $0.resource.file, to: chosen) },
                                      message: message, push: push)
        return ReleaseCommit(commit: sha, changes: changes, message: "promoted \(blueprint) \(chosen) to \(environment)")
    }

    /// The highest version of `blueprint` proven in `environment` whose Deployment there runs it healthy.
    static func healthyVersion(of blueprint: String, in environment: String, proofs: ProofIndex, store: any StateStore) async throws -> String {
        let running = try await store.resources().filter {
            $0.key.kind == .deployment && $0.key.environment == environment && $0.health == .healthy
                && $0.spec["spec"]?["blueprint"]?.string == blueprint
        }
        let proven = running.compactMap(\.version).filter { proofs.proof(blueprint: blueprint, version: $0, in: environment) != nil }
        guard let best = proven.max(by: { BlueprintRef(name: blueprint, version: $0) < BlueprintRef(name: blueprint, version: $1) }) else {
            throw ControllerError("no version of \(blueprint) is proven and running healthy in \(environment); name one with --version")
        }
        return best
    }

    /// Commits `deployment`'s version back: to `version`, to the version it had at `commit`, or to the
    /// previous healthy version.
    public static func rollback(deployment name: String, to version: String?, toCommit commit: String?, push: Bool,
                                settings: ControllerSettings, store: any StateStore) async throws -> ReleaseCommit {
        let workspace = try await ReleaseWorkspace(settings: settings, store: store)
        let deployment = try workspace.deployment(name)
        let proofs = try await workspace.proofs()
        let target: String
        if let version {
            target = version
        } else if let commit {
            let (at, report) = try await ReleaseWorkspace.validate(settings, store: store, repository: workspace.repository, revision: commit)
            guard let then = report.fleet.deployments[name] else {
                throw ControllerError("Deployment \(name) does not exist (or does not validate) at \(at.shortSha)")
            }
            target = then.version
        } else {
            guard let previous = proofs.lastHealthy(deployment: name, in: deployment.environment, otherThan: deployment.version) else {
                throw ControllerError("no earlier healthy version of \(name) in \(deployment.environment); name one with --to")
            }
            target = previous.version
        }
        guard target != deployment.version else {
            return ReleaseCommit(commit: nil, changes: [], message: "\(name) already asks for \(target); nothing to commit")
        }
        guard workspace.fleet.blueprints[BlueprintRef(name: deployment.blueprint.name, version: target)] != nil else {
            throw ControllerError("\(deployment.blueprint.name)@\(target) is not in the repository at \(workspace.tip.shortSha); restore its blueprint first")
        }
        let applied = try await store.resources().first { $0.key.withoutTarget == ResourceKey(kind: .deployment, name: name, environment: deployment.environment) }
        let proof = proofs.healthy(deployment: name, in: deployment.environment).first { $0.version == target }
        let body = "Set Deployment \(name) in \(deployment.environment) from \(deployment.version) back to \(target)"
            + (proof != nil ? ", healthy there before." : "; it was not healthy there before, so its gates apply.")
        let message = VersionCommit.message(subject: "Roll back \(name) to \(target)", body: body, action: "rollback",
                                            event: proof?.seq, reverts: applied?.commit ?? commit)
        let sha = try workspace.write([VersionCommit.Change(deployment: name, file: deployment.resource.file, to: target)],
                                      message: message, push: push)
        return ReleaseCommit(commit: sha, changes: [.init(deployment: name, environment: deployment.environment, from: deployment.version, to: target)],
                             message: "rolled back \(name) to \(target)")
    }

    /// Records an approval of the version `deployment` waits for (only that version).
    public static func approve(deployment name: String, version: String?, by user: String, settings: ControllerSettings,
                               store: any StateStore, step: Int? = nil) async throws -> Approval {
        let workspace = try await ReleaseWorkspace(settings: settings, store: store)
        let deployment = try workspace.deployment(name)
        if let step { return try await approve(step: step, of: deployment, version: version, by: user, workspace: workspace, store: store) }
        let applied = try await store.resources().first { $0.key.withoutTarget == ResourceKey(kind: .deployment, name: name, environment: deployment.environment) }
        guard workspace.fleet.environments[deployment.environment]?.spec.gates?.requireApproval == true else {
            throw ControllerError("\(deployment.environment) does not require approval (gates.requireApproval is not true); nothing to approve")
        }
        guard applied?.version != deployment.version || applied?.specHash.isEmpty == true else {
            throw ControllerError("nothing awaits approval: \(name) already runs \(deployment.version)")
        }
        if let version, version != deployment.version {
            throw ControllerError("\(name) waits for \(deployment.version), not \(version); approve only the pending version")
        }
        let approval = Approval(deployment: name, version: deployment.version, approvedBy: user, time: Date())
        var batch = StoreBatch()
        batch.approvals.append(approval)
        // Who approved what is part of the record (logs, history), not only of the gate's input.
        let event = batch.append(NewEvent(commit: workspace.tip.sha, resource: "Deployment/\(name)", environment: deployment.environment,
                                          type: "approved", reason: "Approved", message: "\(user) approved \(deployment.version) for \(name)",
                                          data: .object(["version": .string(deployment.version), "approvedBy": .string(user)])))
        batch.append(HistoryEntry(deployment: name, environment: deployment.environment, version: deployment.version, action: "approve",
                                  outcome: "approved", commit: workspace.tip.sha, time: approval.time, blueprint: deployment.blueprint.name),
                     seqOfEvent: event)
        _ = try await store.commit(batch)
        return approval
    }

    /// Approves step `step` of a canary rollout with `approveSteps` (DESIGN §10), kept as an approval of `VERSION#stepN`.
    private static func approve(step: Int, of deployment: ResolvedDeployment, version: String?, by user: String,
                                workspace: ReleaseWorkspace, store: any StateStore) async throws -> Approval {
        let name = deployment.name
        let targets = workspace.fleet.targets(of: deployment)
        guard let strategy = workspace.fleet.strategy(of: deployment), strategy.type == .canary, strategy.approveSteps == true, !targets.isEmpty else {
            throw ControllerError("\(name) does not roll out in approved steps (a canary strategy with approveSteps: true across Targets); nothing to approve")
        }
        let steps = Rollout.stepSizes(strategy, total: targets.filter { $0.spec.suspend != true }.count).count
        guard step >= 2, step <= steps else {
            throw ControllerError("\(name)'s rollout has steps 1 to \(steps) and the first needs no approval; --step must be 2 to \(steps), got \(step)")
        }
        if let version, version != deployment.version {
            throw ControllerError("\(name) rolls out \(deployment.version), not \(version); approve only the version rolling out")
        }
        let approval = Approval(deployment: name, version: Reconciler.stepApprovalPrefix(version: deployment.version) + "\(step)",
                                approvedBy: user, time: Date())
        var batch = StoreBatch()
        batch.approvals.append(approval)
        let event = batch.append(NewEvent(commit: workspace.tip.sha, resource: "Deployment/\(name)", environment: deployment.environment,
                                          type: "approved", reason: "StepApproved",
                                          message: "\(user) approved step \(step) of \(deployment.version) for \(name)",
                                          data: .object(["version": .string(deployment.version), "step": .int(step), "approvedBy": .string(user)])))
        batch.append(HistoryEntry(deployment: name, environment: deployment.environment, version: deployment.version, action: "approve",
                                  outcome: "approved step \(step)", commit: workspace.tip.sha, time: approval.time, blueprint: deployment.blueprint.name),
                     seqOfEvent: event)
        _ = try await store.commit(batch)
        return approval
    }
}
