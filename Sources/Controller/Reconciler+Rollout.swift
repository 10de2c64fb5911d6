import Actions
import EventLog
import Foundation
import Manifests
import Reconcile
import StateStore

extension Reconciler {
    /// Each Deployment's rollout across its Targets (DESIGN §10): where every target stands against the
    /// spec Git wants, and which may start on it now. Deployments of environments without Targets have none.
    func rolloutDecisions(_ fleet: Fleet, observation: Observation, now: Date) async throws -> [String: RolloutDecision] {
        guard !fleet.targetsByEnvironment.isEmpty else { return [:] }
        var decisions: [String: RolloutDecision] = [:]
        for deployment in fleet.deployments.values where fleet.targetsByEnvironment[deployment.environment] != nil {
            let holdKey = GateContext.holdKey(deployment: deployment.name, environment: deployment.environment)
            if let placement = observation.blueGreen[holdKey] {
                decisions[holdKey] = BlueGreen.decide(deployment: deployment.name, environment: deployment.environment, version: deployment.version,
                                                      active: placement.active, goal: placement.goal, slots: placement.slots,
                                                      progress: placement.progress, now: now)
                continue
            }
            let strategy = fleet.strategy(of: deployment)
            var progress: [String: TargetProgress] = [:]
            var lastPassed: Date?
            for target in fleet.targets(of: deployment) {
                let key = ResourceKey(kind: .deployment, name: deployment.name, environment: deployment.environment, target: target.metadata.name)
                let state = Self.progress(desired: observation.desired[key], applied: observation.applied[key], suspended: target.spec.suspend == true)
                progress[target.metadata.name] = state
                if state == .passed, let at = observation.applied[key]?.updatedAt { lastPassed = max(lastPassed ?? at, at) }
            }
            var approved: Set<Int> = []
            if strategy?.approveSteps == true, progress.values.contains(.pending) {
                let prefix = Self.stepApprovalPrefix(version: deployment.version)
                for approval in try await store.approvals(deployment: deployment.name) where approval.version.hasPrefix(prefix) {
                    if let step = Int(approval.version.dropFirst(prefix.count)) { approved.insert(step) }
                }
            }
            decisions[GateContext.holdKey(deployment: deployment.name, environment: deployment.environment)] = Rollout.decide(
                deployment: deployment.name, environment: deployment.environment, version: deployment.version, strategy: strategy, progress: progress,
                lastPassed: lastPassed, approvedSteps: approved, now: now)
        }
        return decisions
    }

    /// One `rolloutStep` event per step a pass starts (DESIGN §10), written before its actions run:
    /// which targets, which version.
    /// - Returns: the events' messages, each prefixed with its Deployment.
    func recordRolloutSteps(_ plan: Plan, rollouts: [String: RolloutDecision]) async throws -> [String] {
        guard !rollouts.isEmpty else { return [] }
        var started: [String: [String]] = [:]
        var batch = StoreBatch()
        // Blue-green: the switch is the rollout's last step.
        for action in plan.actions where action.kind == .switchSlot {
            guard let environment = action.key.environment, let rollout = rollouts[GateContext.holdKey(deployment: action.key.name, environment: environment)],
                  let slot = rollout.slot else { continue }
            batch.events.append(NewEvent(commit: plan.commit, resource: action.key.resource, environment: environment, type: "rolloutStep", reason: "RolloutStep",
                                         message: "blue-green step 2/2 of \(rollout.version ?? "?"): traffic from \(rollout.activeSlot ?? "no slot") to \(slot)",
                                         data: .object(["step": .int(2), "steps": .int(2), "version": rollout.version.map(JSONValue.string) ?? .null,
                                                        "slot": .string(slot), "strategy": .string(rollout.strategy)])))
        }
        for action in plan.actions where action.key.kind == .deployment && action.kind != .smokeTest && action.kind != .switchSlot {
            guard let target = action.key.target, let environment = action.key.environment else { continue }
            let key = GateContext.holdKey(deployment: action.key.name, environment: environment)
            if rollouts[key]?.allowed.contains(target) == true { started[key, default: []].append(target) }
        }
        guard !started.isEmpty || !batch.events.isEmpty else { return [] }
        for (key, targets) in started.sorted(by: { $0.key < $1.key }) {
            guard let rollout = rollouts[key] else { continue }
            let names = targets.sorted()
            batch.events.append(NewEvent(commit: plan.commit, resource: "Deployment/\(rollout.deployment)", environment: rollout.environment,
                                         type: "rolloutStep", reason: "RolloutStep",
                                         message: "\(rollout.strategy) step \(rollout.step)/\(rollout.steps) of \(rollout.version ?? "?"): \(names.count) target\(names.count == 1 ? "" : "s") (\(names.prefix(5).joined(separator: ", "))\(names.count > 5 ? ", …" : ""))",
                                         data: .object(["step": .int(rollout.step), "steps": .int(rollout.steps), "version": rollout.version.map(JSONValue.string) ?? .null,
                                                        "targets": .array(names.map(JSONValue.string)), "strategy": .string(rollout.strategy)])))
        }
        _ = try await store.commit(batch)
        return batch.events.map { "\($0.resource.map { $0.replacingOccurrences(of: "Deployment/", with: "") } ?? "") in \($0.environment ?? ""): \($0.message)" }
    }

    /// Where one target stands against the spec Git wants of it.
    static func progress(desired: DesiredResource?, applied: AppliedResource?, suspended: Bool) -> TargetProgress {
        if suspended { return .suspended }
        guard let desired, let applied else { return .pending }
        if applied.conditions.contains(where: { $0.type == Executor.failedSpecCondition && $0.reason == desired.specHash }) { return .failed }
        guard applied.specHash == desired.specHash else { return .pending }
        if applied.conditions.contains(where: { $0.type == healthGateCondition }) { return .gating }
        return applied.health == .degraded ? .failed : .passed
    }

    /// Step approvals are kept as approvals of `VERSION#step` followed by the step's number.
    static func stepApprovalPrefix(version: String) -> String { "\(version)#step" }

    /// The suspended Targets, by placement.
    static func suspendedTargets(_ fleet: Fleet) -> Set<String> {
        Set(fleet.targets.values.filter { $0.spec.suspend == true }.map { "\($0.spec.environment)/\($0.metadata.name)" })
    }
}
