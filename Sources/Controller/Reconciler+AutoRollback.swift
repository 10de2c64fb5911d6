import Actions
import EventLog
import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

/// An auto-rollback whose revert commit is still to be written (DESIGN §6).
struct PendingRevert {
    var key: ResourceKey
    var failedVersion: String
    var version: String
    var reason: String
    /// The seq of the `rollback` event.
    var seq: Int64
    /// The commit that asked for the failed version.
    var reverts: String
    /// The hold to re-anchor on the reverted spec once the commit is written.
    var hold: Hold
    var rolledBackSpecHash: String
}

extension Reconciler {
    /// Rolls failed deploys back to their last healthy version where `autoRollback` is on, and holds
    /// the failed (Deployment, version, spec); a failed rollback is held, never retried by itself.
    /// - Parameter deployments: the Deployments' applied records now: on Targets, every target already
    ///   updated to the failed spec goes back with the one that failed (DESIGN §10).
    func rollBack(_ failures: [GateFailure], context: GateContext, executor: Executor, commit: CommitInfo,
                  deployments: [ResourceKey: AppliedResource] = [:]) async throws -> (reverts: [PendingRevert], restores: [PendingRestore]) {
        let proofs = ProofIndex(try await store.history(outcome: ProofIndex.provenOutcome))
        var batch = StoreBatch()
        var rollbacks: [(failure: GateFailure, action: PlannedAction)] = []
        var companions: [PlannedAction] = []
        var rolledBackDeployments: Set<ResourceKey> = []
        for failure in failures {
            // One rollout's failures are one failure: its first target's stands for all of them.
            guard failure.action.key.target == nil || rolledBackDeployments.insert(failure.action.key.withoutTarget).inserted else { continue }
            let failed = failure.action
            let policy = context.environments[failed.environmentName] ?? EnvironmentPolicy()
            let version = failed.version ?? ""
            guard policy.autoRollback else {
                batch.append(NewEvent(commit: failed.commit, resource: failed.key.resource, environment: failed.key.environment, type: "gateFailed",
                                      reason: "GateFailed", message: "\(version): \(failure.reason); autoRollback is off",
                                      data: .object(["version": .string(version)])))
                continue
            }
            guard failed.kind != .rollback else {
                hold(failed, reason: "\(failure.reason) after a rollback; Steward does not start a second rollback", into: &batch)
                continue
            }
            guard let target = proofs.lastHealthy(deployment: failed.key.name, in: failed.environmentName, otherThan: version),
                  case .object(var document) = failed.document, case .object(var spec)? = document["spec"] else {
                hold(failed, reason: "\(failure.reason); no healthy version to roll back to", into: &batch)
                continue
            }
            spec["version"] = .string(target.version)
            document["spec"] = .object(spec)
            let rolledBack = JSONValue.object(document)
            let rollback = PlannedAction(
                kind: .rollback, key: failed.key, change: .rollback, document: rolledBack, specHash: ContentHash.sha256Hex(rolledBack.canonicalBytes),
                version: target.version, commit: failed.commit, trigger: "auto-rollback:\(failed.idempotencyKey)",
                reason: "auto-rollback from \(version): \(failure.reason)")
            rollbacks.append((failure, rollback))
            guard failed.key.target != nil else { continue }
            for (key, record) in deployments where key != failed.key && key.withoutTarget == failed.key.withoutTarget && record.specHash == failed.specHash {
                var companion = rollback
                companion.key = key
                companion.reason = "auto-rollback from \(version): \(failure.reason) on \(failed.key.target ?? "")"
                companions.append(companion)
            }
        }
        let actions = rollbacks.filter { !$0.failure.deployFailed }.map(\.action) + companions.sorted { $0.key < $1.key }
        let report = actions.isEmpty ? nil : try await executor.run(Plan(commit: commit.sha, actions: actions))
        let failedRollbacks = Dictionary((report?.failed ?? []).map { ($0.action.key, $0.message) }, uniquingKeysWith: { a, _ in a })
        var pending: [(index: Int, revert: PendingRevert)] = []
        var restores: [PendingRestore] = []
        for (failure, rollback) in rollbacks {
            let failed = failure.action, version = failed.version ?? ""
            if let message = failedRollbacks[rollback.key] {
                hold(failed, reason: "\(failure.reason); the auto-rollback to \(rollback.version ?? "") failed: \(message)", into: &batch)
                continue
            }
            let reason = "\(failure.reason)"
            let event = batch.append(NewEvent(
                commit: failed.commit, resource: failed.key.resource, environment: failed.key.environment, type: .rollback, reason: "AutoRollback",
                message: "rolled back from \(version) to \(rollback.version ?? ""): \(reason)",
                data: .object(["from": .string(version), "to": .string(rollback.version ?? ""), "reverts": .string(failed.commit)])))
            let held = hold(failed, reason: reason, event: event, into: &batch)
            let policy = context.environments[failed.environmentName] ?? EnvironmentPolicy()
            if policy.restoreBackup {
                restores.append(PendingRestore(key: failed.key, failedVersion: version, failedCommit: failed.commit, schedules: policy.backupBefore))
            }
            if policy.revertCommit {
                pending.append((event, PendingRevert(key: failed.key, failedVersion: version, version: rollback.version ?? "", reason: reason,
                                                     seq: 0, reverts: failed.commit, hold: held, rolledBackSpecHash: rollback.specHash)))
            }
        }
        guard !batch.isEmpty else { return ([], []) }
        let records = try await store.commit(batch)
        let reverts = pending.map { item in
            var revert = item.revert
            revert.seq = records[item.index].seq
            revert.hold.seq = revert.seq
            return revert
        }
        return (reverts, restores)
    }

    /// Holds the failed (Deployment, version, spec) with a `hold` event and history entry; returns the hold.
    @discardableResult
    private func hold(_ failed: PlannedAction, reason: String, event: Int? = nil, into batch: inout StoreBatch) -> Hold {
        let version = failed.version ?? ""
        let index = event ?? batch.append(NewEvent(
            commit: failed.commit, resource: failed.key.resource, environment: failed.key.environment, type: .hold, reason: "Held",
            message: "held \(version): \(reason)", data: .object(["version": .string(version)])))
        let hold = Hold(deployment: failed.key.name, environment: failed.environmentName, version: version, specHash: failed.specHash,
                        reason: reason, time: Date())
        batch.releaseHolds.append(failed.key.name)
        batch.append(hold, seqOfEvent: index)
        batch.append(HistoryEntry(deployment: failed.key.name, environment: failed.environmentName, version: version, action: "auto-rollback",
                                  outcome: "held", commit: failed.commit, time: Date(), blueprint: failed.blueprint), seqOfEvent: index)
        return hold
    }
}
