import Actions
import EventLog
import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

/// What the gates decided in one pass.
struct GateOutcome {
    /// One line per failed gate (smoke tests, health), for `run --once` and the pass result.
    var failures: [String] = []
    /// Auto-rollbacks to commit back to Git (DESIGN §6).
    var reverts: [PendingRevert] = []
    /// Auto-rollbacks whose backups are to be restored (DESIGN §11).
    var restores: [PendingRestore] = []
    /// The earliest end of a health window still running.
    var nextWindowEnd: Date?
    /// Whether the gates changed the store (so the pass re-reads what it records).
    var wrote = false
    /// Versions proven in this pass: an environment that promotes from theirs may move on at the next.
    var proved = 0
    /// Targets whose gates passed in this pass: a rollout's next step may start at the next.
    var targetsPassed = 0
    /// The environments where a gate failed (their commit status is a failure).
    var failedEnvironments: Set<String> = []
}

/// A failed gate: which deploy failed and why.
struct GateFailure {
    var action: PlannedAction
    var reason: String
    /// The deploy itself failed (on a Target): the target still runs what it ran, only the others go back.
    var deployFailed = false
}

extension Reconciler {
    /// After the plan ran: smoke tests for what was deployed, health windows, proofs, auto-rollbacks (DESIGN §6).
    func runGates(report: Executor.Report?, observation: Observation, context: GateContext, executor: Executor,
                  commit: CommitInfo) async throws -> GateOutcome {
        var outcome = GateOutcome()
        let deployed = (report?.succeeded ?? []).filter {
            $0.key.kind == .deployment && [.deploy, .promote, .rollback].contains($0.kind) && !$0.trigger.hasPrefix("auto-rollback:")
        }
        let smokes = deployed.compactMap { action -> PlannedAction? in
            guard let policy = context.environments[action.environmentName], !policy.smokeTests.isEmpty else { return nil }
            var smoke = action
            smoke.kind = .smokeTest
            smoke.trigger = action.idempotencyKey
            smoke.reason = "gate after \(action.kind.rawValue) of \(action.version ?? "?")"
            return smoke
        }
        // What the store holds now: what the pass began with, and what the plan's run wrote.
        let applied = report?.applying(to: observation.applied) ?? observation.applied
        let smokeReport = smokes.isEmpty ? nil : try await executor.run(Plan(commit: commit.sha, actions: smokes), existing: applied)
        let smokeFailures = Dictionary((smokeReport?.failed ?? []).map { ($0.action.key, $0.message) }, uniquingKeysWith: { a, _ in a })
        var failures: [GateFailure] = []
        var passedTargets: [ResourceKey: String] = [:]
        var batch = StoreBatch()
        let now = self.now()
        let watching = observation.applied.values.contains { $0.conditions.contains { $0.type == Self.healthGateCondition } }
        let failedOnTargets = (report?.failed ?? []).filter {
            $0.action.key.target != nil && $0.action.key.kind == .deployment && !$0.transient && [.deploy, .promote].contains($0.action.kind)
                && [.create, .update, .promote].contains($0.action.change)   // a failed heal of drift is not a rollout step
        }
        // Blue-green: traffic switched to the slot that passed finishes the rollout (DESIGN §10).
        // (One found already done on the target after a crash counts: its pass may not have recorded the proof.)
        let switched = ((report?.succeeded ?? []) + (report?.skipped ?? [])).filter { $0.kind == .switchSlot && $0.change != .rollback }
        guard !deployed.isEmpty || watching || !failedOnTargets.isEmpty || !switched.isEmpty else { return outcome }
        let current = (smokeReport?.applying(to: applied) ?? applied).filter { $0.key.kind == .deployment }
        for action in deployed {
            let policy = context.environments[action.environmentName] ?? EnvironmentPolicy()
            if let message = smokeFailures[action.key] {
                failures.append(GateFailure(action: action, reason: "smoke tests failed: \(message)"))
            } else if let window = policy.healthWindowSeconds, var record = current[action.key] {
                let end = now.addingTimeInterval(window)
                record.health = .progressing
                record.message = "health gate: watching \(action.version ?? "") until \(CanonicalJSON.timestamp(end))"
                record.conditions.removeAll { $0.type == Self.healthGateCondition }
                record.conditions.append(Condition(type: Self.healthGateCondition, status: true, reason: CanonicalJSON.timestamp(end),
                                                   message: action.kind.rawValue))
                batch.upsertResources.append(record)
                outcome.nextWindowEnd = min(outcome.nextWindowEnd ?? end, end)
            } else if action.key.target != nil {
                outcome.targetsPassed += 1
                passedTargets[action.key.withoutTarget] = action.kind.rawValue
            } else {
                outcome.proved += 1
                prove(action.key, version: action.version, blueprint: action.blueprint, action: action.kind.rawValue,
                      commit: action.commit, into: &batch)
            }
        }
        // On Targets a deploy that failed for good is a failed step too (DESIGN §10).
        for failure in failedOnTargets {
            failures.append(GateFailure(action: failure.action, reason: "\(failure.action.kind.rawValue) failed on \(failure.action.key.target ?? ""): \(failure.message)",
                                        deployFailed: true))
        }
        watchHealth(observation: observation, current: current, deployed: Set(deployed.map(\.key)), context: context, now: now,
                    batch: &batch, failures: &failures, outcome: &outcome, passedTargets: &passedTargets)
        // On Targets a version is proven once its whole rollout there passed (DESIGN §10).
        if !passedTargets.isEmpty {
            let after = current.merging(batch.upsertResources.filter { $0.key.kind == .deployment }.map { ($0.key, $0) }) { $1 }
            let failedKeys = Set(failures.map(\.action.key.withoutTarget))
            for (key, kind) in passedTargets.sorted(by: { $0.key < $1.key }) where !failedKeys.contains(key)
                && observation.blueGreen[GateContext.holdKey(deployment: key.name, environment: key.environment ?? "")] == nil {
                let mine = observation.desired.filter { $0.key.kind == .deployment && $0.key.withoutTarget == key }
                let finished = mine.allSatisfy { target, want in
                    context.suspendedTargets.contains(target.placement)
                        || Self.progress(desired: want, applied: after[target], suspended: false) == .passed
                }
                guard finished, let want = mine.values.first else { continue }
                outcome.proved += 1
                prove(key, version: want.version, blueprint: want.document["spec"]?["blueprint"]?.string, action: kind,
                      commit: want.commit, into: &batch, targets: mine.count)
            }
        }
        for action in switched {
            let placement = observation.blueGreen[GateContext.holdKey(deployment: action.key.name, environment: action.environmentName)]
            let slot = BlueGreen.activeSlot(of: action.document)
            outcome.proved += 1
            prove(action.key, version: action.version, blueprint: action.document["spec"]?["blueprint"]?.string, action: action.kind.rawValue,
                  commit: action.commit, into: &batch, targets: placement?.slots.values.count(where: { $0 == slot }))
        }
        if !batch.isEmpty { _ = try await store.commit(batch) }
        outcome.wrote = !batch.isEmpty || smokeReport != nil
        guard !failures.isEmpty else { return outcome }
        outcome.wrote = true
        outcome.failedEnvironments = Set(failures.compactMap(\.action.key.environment))
        outcome.failures = failures.map { "\($0.action.key.resource) \($0.action.version ?? "") in \($0.action.environmentName): \($0.reason)" }
        (outcome.reverts, outcome.restores) = try await rollBack(failures, context: context, executor: executor, commit: commit,
                                                                 deployments: current)
        return outcome
    }

    /// Records that a version passed its environment's gates: a `proven` history entry and a `versionProven` event.
    func prove(_ key: ResourceKey, version: String?, blueprint: String?, action: String, commit: String, into batch: inout StoreBatch,
               targets: Int? = nil) {
        guard let version else { return }
        let across = targets.map { " on all \($0) target\($0 == 1 ? "" : "s")" } ?? ""
        var data: [String: JSONValue] = ["version": .string(version)]
        if let targets { data["targets"] = .int(targets) }
        let event = batch.append(NewEvent(commit: commit, resource: key.resource, environment: key.environment, type: "versionProven",
                                          reason: "GatesPassed", message: "\(blueprint ?? key.name)@\(version) passed the gates of \(key.environment ?? "")\(across)",
                                          data: .object(data)))
        batch.append(HistoryEntry(deployment: key.name, environment: key.environment ?? "", version: version, action: action,
                                  outcome: ProofIndex.provenOutcome, commit: commit, time: Date(), blueprint: blueprint), seqOfEvent: event)
    }

    /// Health windows in progress: a bad probe fails the gate; a window that ends clean proves the version.
    private func watchHealth(observation: Observation, current: [ResourceKey: AppliedResource], deployed: Set<ResourceKey>,
                             context: GateContext, now: Date, batch: inout StoreBatch, failures: inout [GateFailure], outcome: inout GateOutcome,
                             passedTargets: inout [ResourceKey: String]) {
        for (key, record) in current where !deployed.contains(key) {
            guard let gate = record.conditions.first(where: { $0.type == Self.healthGateCondition }),
                  let end = EventTime.parse(gate.reason) else { continue }
            let limits = context.environments[key.environment ?? ""]?.health
            if observation.probes[key]?.state == .unknown, now < end {
                // A target that cannot tell fails the gate only if it still cannot when the window is over (DESIGN §10).
                outcome.nextWindowEnd = min(outcome.nextWindowEnd ?? end, end)
                continue
            }
            if let probe = observation.probes[key], let problem = HealthCheck.problem(probe, limits: limits) {
                let action = PlannedAction(kind: ActionKind(rawValue: gate.message) ?? .deploy, key: key, change: .update, document: record.spec,
                                           specHash: record.specHash, version: record.version, commit: record.commit, trigger: gate.reason,
                                           reason: "health gate")
                failures.append(GateFailure(action: action, reason: "health gate failed: \(problem)"))
                var failed = record
                failed.health = .degraded
                failed.message = "health gate failed for \(record.version ?? ""): \(problem)"
                failed.conditions.removeAll { $0.type == Self.healthGateCondition }
                batch.upsertResources.append(failed)
                batch.history.append(HistoryEntry(deployment: key.name, environment: key.environment ?? "", version: record.version ?? "",
                                                  action: "healthGate", outcome: "failed", commit: record.commit, time: Date(),
                                                  blueprint: record.spec["spec"]?["blueprint"]?.string))
            } else if now >= end {
                var passed = record
                passed.health = .healthy
                passed.message = nil
                passed.conditions.removeAll { $0.type == Self.healthGateCondition }
                batch.upsertResources.append(passed)
                if key.target != nil {
                    outcome.targetsPassed += 1
                    passedTargets[key.withoutTarget] = gate.message
                } else {
                    outcome.proved += 1
                    prove(key, version: record.version, blueprint: record.spec["spec"]?["blueprint"]?.string, action: gate.message,
                          commit: record.commit, into: &batch)
                }
            } else {
                outcome.nextWindowEnd = min(outcome.nextWindowEnd ?? end, end)
            }
        }
    }
}

/// The health gate's test of one probe (DESIGN §6): healthy, and within the limits it reports against.
enum HealthCheck {
    static func problem(_ probe: ProbeResult, limits: HealthGate?) -> String? {
        if probe.state == .unknown { return "the target could not tell: \(probe.message ?? "no answer")" }
        if probe.state != .inSync { return probe.message ?? "the target no longer runs it (\(probe.state.rawValue))" }
        if probe.health == .degraded || probe.health == .missing {
            return probe.message ?? "the target reports it \(probe.health.rawValue.lowercased())"
        }
        if let max = limits?.maxErrorRate, let rate = probe.errorRate, rate > max { return "error rate \(rate) above \(max)" }
        if let max = limits?.maxP95LatencyMs, let latency = probe.responseTimeMs, latency > max {
            return "p95 latency \(latency) ms above \(max) ms"
        }
        return nil
    }
}
