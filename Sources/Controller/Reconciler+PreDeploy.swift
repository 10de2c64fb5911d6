import Actions
import EventLog
import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

/// Pre-deploy checks (DESIGN §11): run by `run` alone, between deciding and acting, for each deploy
/// or promote the plan holds into an environment with `gates.preDeploy`. A failure takes the action
/// out of the plan, blocks the Deployment with the reason and an event, and is remembered on its
/// record (a `PreDeployFailed` condition naming the commit and version), so the next passes do not
/// run the checks again in a loop: the next commit, or `POST /api/reconcile`, retries them.
extension Reconciler {
    /// The condition remembering a failed pre-deploy check: reason `commit@version`, message the blocked reason.
    static let preDeployFailedCondition = "PreDeployFailed"

    /// The failures remembered for the changes now asked for (none when a retry was requested).
    func rememberedPreDeployFailures(_ observation: Observation, commit: String) -> [String: String] {
        guard !retryPreDeployChecks else { return [:] }
        var failures: [String: String] = [:]
        for change in observation.changes where change.key.kind == .deployment {
            guard let environment = change.key.environment, let desired = change.desired,
                  let failed = change.applied?.conditions.first(where: { $0.type == Self.preDeployFailedCondition }),
                  failed.reason == GateContext.preDeployKey(commit: commit, version: desired.version) else { continue }
            failures[GateContext.holdKey(deployment: change.key.name, environment: environment)] = failed.message
        }
        return failures
    }

    /// Runs the checks, then the `backupBefore` backups, before the plan's deploys and promotes; returns whether it wrote to the store.
    func runPreDeployChecks(_ decision: inout Decision, fleet: Fleet, commit: CommitInfo, repository: GitRepository) async throws -> Bool {
        retryPreDeployChecks = false
        var batch = StoreBatch()
        var kept: [PlannedAction] = []
        for action in decision.plan.actions {
            let policy = decision.gates.context.environments[action.environmentName]
            let checks = policy?.preDeploy ?? [], backups = policy?.backupBefore ?? []
            guard action.key.kind == .deployment, action.kind == .deploy || action.kind == .promote, action.change != .drift,
                  !checks.isEmpty || !backups.isEmpty else {
                kept.append(action)
                continue
            }
            let runner = PreDeployRunner(settings: settings, action: action, commit: commit.sha,
                                         driver: decision.observation.drivers.drivers[action.key.placement],
                                         environment: fleet.environments[action.environmentName],
                                         checkout: { [bag = decision.checkouts] in try bag.checkout(commit.sha, from: repository) })
            let data: JSONValue = .object(["version": .string(action.version ?? ""), "action": .string(action.kind.rawValue),
                                           "checks": .array(checks.map { .string($0.name) })])
            var reason: String?
            if let failure = await runner.firstFailure(checks) {
                reason = "pre-deploy check '\(failure.check)' failed: \(failure.detail)"
            } else if !checks.isEmpty {
                batch.events.append(NewEvent(commit: commit.sha, resource: action.key.resource, environment: action.key.environment,
                                             type: "preDeployChecksPassed", reason: "PreDeployChecksPassed",
                                             message: "pre-deploy checks passed before \(action.kind.rawValue) of \(action.version ?? "?"): "
                                                 + checks.map(\.name).joined(separator: ", "), data: data))
            }
            if reason == nil, !backups.isEmpty {
                let outcome = await backupBefore(backups, action: action, fleet: fleet, commit: commit, repository: repository, into: &batch)
                if outcome.busy, let failure = outcome.failure {
                    // Another run holds the schedule's lock: blocked now, tried again next pass (nothing remembered).
                    decision.plan.blocked.append(BlockedItem(key: action.key, reason: failure, gate: .preDeploy))
                    continue
                }
                reason = outcome.failure
            }
            guard let reason else {
                kept.append(action)
                continue
            }
            decision.plan.blocked.append(BlockedItem(key: action.key, reason: reason, gate: .preDeploy))
            let now = Date()
            var record = decision.observation.applied[action.key]
                ?? AppliedResource(key: action.key, specHash: "", spec: .null, commit: commit.sha, version: action.version, createdAt: now, updatedAt: now)
            record.sync = .blocked
            record.message = reason
            record.conditions.removeAll { $0.type == Self.preDeployFailedCondition }
            record.conditions.append(Condition(type: Self.preDeployFailedCondition, status: true,
                                               reason: GateContext.preDeployKey(commit: commit.sha, version: action.version), message: reason))
            record.updatedAt = now
            batch.upsertResources.append(record)
            batch.events.append(NewEvent(commit: commit.sha, resource: action.key.resource, environment: action.key.environment,
                                         type: "preDeployCheckFailed", reason: reason.hasPrefix("pre-deploy") ? "PreDeployCheckFailed" : "BackupBeforeFailed",
                                         message: reason, data: data))
        }
        decision.plan.actions = kept
        decision.plan.blocked.sort { $0.key < $1.key }
        guard !batch.isEmpty else { return false }
        _ = try await store.commit(batch)
        return true
    }
}
