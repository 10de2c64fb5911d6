import EventLog
import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

/// The gate inputs of one pass (DESIGN §6): policies, proofs, approvals and holds, with the hold
/// changes this pass's commit causes.
struct GateInputs {
    var context: GateContext
    /// Holds lifted or re-anchored, with their events; committed before planning.
    var holdChanges = StoreBatch()
}

extension Reconciler {
    /// The condition a Deployment carries while its health gate watches it; its reason is when the window ends.
    static let healthGateCondition = "HealthGate"

    func gateInputs(_ fleet: Fleet, observation: Observation, head: CommitInfo) async throws -> GateInputs {
        let now = self.now()
        var context = GateContext(environments: fleet.environments.mapValues { EnvironmentPolicy($0, now: now) })
        let versionChanges = observation.changes.filter {
            $0.key.kind == .deployment && ($0.change == .create || $0.change == .update)
                && ($0.desired?.version != $0.applied?.version || $0.applied?.specHash.isEmpty == true)
        }
        if !versionChanges.isEmpty {
            context.proofs = ProofIndex(try await store.history(outcome: ProofIndex.provenOutcome))
        }
        for change in versionChanges {
            guard let environment = change.key.environment, context.environments[environment]?.requireApproval == true else { continue }
            for approval in try await store.approvals(deployment: change.key.name) {
                context.approvals.insert(GateContext.approvalKey(deployment: approval.deployment, version: approval.version))
            }
        }
        context.preDeployFailures = rememberedPreDeployFailures(observation, commit: head.sha)
        context.rollouts = try await rolloutDecisions(fleet, observation: observation, now: now)
        context.suspendedTargets = Self.suspendedTargets(fleet)
        var inputs = GateInputs(context: context)
        for hold in try await store.holds() {
            reconcile(hold, desired: observation.desired, blueGreen: observation.blueGreen, head: head, into: &inputs)
        }
        return inputs
    }

    /// Keeps, re-anchors or lifts a hold (DESIGN §6): only a commit not written by the controller that
    /// changes the Deployment's desired version or spec lifts it.
    private func reconcile(_ hold: Hold, desired: [ResourceKey: DesiredResource], blueGreen: [String: BlueGreenPlacement], head: CommitInfo,
                           into inputs: inout GateInputs) {
        let key = ResourceKey(kind: .deployment, name: hold.deployment, environment: hold.environment)
        let holdKey = GateContext.holdKey(deployment: hold.deployment, environment: hold.environment)
        // On Targets, the Deployment is wanted once per target, each with the same spec (blue-green: the
        // spec Git wants, not the router's or what the other slot keeps).
        guard let wantHash = blueGreen[holdKey]?.wantedHash ?? (desired[key] ?? desired.values.first(where: {
            $0.key.kind == .deployment && $0.key.name == hold.deployment && $0.key.environment == hold.environment
        }))?.specHash else {
            inputs.holdChanges.releaseHolds.append(hold.deployment)
            inputs.holdChanges.append(holdEvent(hold, head: head, message: "hold on \(hold.version) released: the Deployment is no longer in Git"))
            return
        }
        if wantHash == hold.specHash {
            inputs.context.holds[holdKey] = hold
        } else if VersionCommit.isControllerCommit(head) {
            var anchored = hold
            anchored.specHash = wantHash
            inputs.context.holds[holdKey] = anchored
            inputs.holdChanges.releaseHolds.append(hold.deployment)
            inputs.holdChanges.holds.append(anchored)
        } else {
            inputs.holdChanges.releaseHolds.append(hold.deployment)
            inputs.holdChanges.append(holdEvent(hold, head: head,
                                                message: "hold on \(hold.version) lifted by commit \(head.shortSha), which changed the Deployment"))
        }
    }

    private func holdEvent(_ hold: Hold, head: CommitInfo, message: String) -> NewEvent {
        NewEvent(commit: head.sha, resource: "Deployment/\(hold.deployment)", environment: hold.environment, type: .hold,
                 reason: "HoldReleased", message: message, data: .object(["version": .string(hold.version)]))
    }
}
