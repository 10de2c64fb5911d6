import Actions
import EventLog
import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

/// What a pass observed: applied state, target probes and the resulting changes.
struct Observation {
    var applied: [ResourceKey: AppliedResource]
    var drivers: DriverFactory.Result
    var probes: [ResourceKey: ProbeResult]
    var desired: [ResourceKey: DesiredResource]
    var changes: [ResourceChange]
    var suspended: Set<String>
    var records: [ResourceKey: JSONValue]
    /// The spec hash of each record, computed once per observation.
    var recordHashes: [ResourceKey: String]
    var driverBlocked: [BlockedItem]
}

extension Reconciler {
    /// Asks every environment's driver what its targets run (DESIGN §4: every pass, also for an
    /// unchanged commit), builds the desired state and diffs the two.
    /// - Parameter checkout: makes (once) the read-only checkout exec scripts run from.
    func observe(_ fleet: Fleet, commit: String, applied: [ResourceKey: AppliedResource],
                 checkout: () throws -> String) async throws -> Observation {
        let drivers = DriverFactory(settings: settings, store: store).make(fleet, checkout: checkout)
        logSecretProblems(drivers.secretProblems)
        var probes: [ResourceKey: ProbeResult] = [:]
        for (environment, driver) in drivers.drivers {
            let mine = applied.values.filter { $0.key.environment == environment && Differ.isTargetResource($0.key) && !$0.specHash.isEmpty }
            guard !mine.isEmpty else { continue }
            do {
                probes.merge(try await driver.probe(environment: environment, applied: mine)) { $1 }
            } catch {
                // A probe that fails tells nothing: health becomes Unknown with the reason, never drift (DESIGN §4).
                let reason = "probe of \(environment) failed: \(error)"
                logger.warning("probe failed", metadata: ["environment": "\(environment)", "error": "\(error)"])
                for resource in mine { probes[resource.key] = ProbeResult(state: .unknown, health: .unknown, message: reason) }
            }
        }
        let wanted = wantedState(fleet, commit: commit, applied: applied)
        var desired = wanted.desired
        var driverBlocked: [BlockedItem] = []
        // The differ looks only at target kinds; environments whose driver cannot be made are left out.
        var targetApplied = applied
        for (environment, problem) in drivers.problems {
            for key in desired.keys where key.environment == environment {
                driverBlocked.append(BlockedItem(key: key, reason: "driver: \(problem)", gate: .driver))
                desired[key] = nil
            }
            targetApplied = targetApplied.filter { $0.key.environment != environment }
        }
        let observed = probes.mapValues { ObservedProbe(drifted: $0.state == .drifted, missing: $0.state == .missing, message: $0.message) }
        var changes = Differ.diff(desired: desired, applied: targetApplied, probes: observed)
        // Blueprint versions are never unregistered from a target; their records are dropped in recordPass.
        changes.removeAll { $0.change == .prune && $0.key.kind == .agentBlueprint }
        return Observation(applied: applied, drivers: drivers, probes: probes, desired: desired, changes: changes,
                           suspended: wanted.suspended, records: wanted.records, recordHashes: wanted.recordHashes,
                           driverBlocked: driverBlocked)
    }

    /// What Git wants of `commit`, given the applied resources (which commit each change is
    /// attributed to): made again only when the commit or the applied resources changed since the
    /// last pass (`PassMemory.wanted`). `applied` is always `memory.applied` here (`decide`).
    func wantedState(_ fleet: Fleet, commit: String, applied: [ResourceKey: AppliedResource]) -> WantedState {
        if let kept = memory.wanted, kept.commit == commit, kept.appliedGeneration == memory.appliedGeneration { return kept }
        let records = DesiredState.records(fleet)
        let wanted = WantedState(commit: commit, appliedGeneration: memory.appliedGeneration,
                                 desired: DesiredState.build(fleet, commit: commit, applied: applied),
                                 suspended: Set(fleet.deployments.values.filter { $0.deployment.spec.suspend == true }.map(\.name)),
                                 records: records, recordHashes: records.mapValues { ContentHash.sha256Hex($0.canonicalBytes) })
        memory.wanted = wanted
        return wanted
    }

    /// Logs each exec secret reference that cannot be resolved once — not once per pass — until it
    /// resolves again (or fails for another reason). The environment's resources show the same line
    /// as the reason they are blocked.
    func logSecretProblems(_ problems: [String: [ExecEnvironment.Problem]]) {
        var current = Set<String>()
        for (environment, list) in problems.sorted(by: { $0.key < $1.key }) {
            for problem in list {
                let key = "\(environment)\u{0}\(problem.variable)\u{0}\(problem.reference)\u{0}\(problem.reason)"
                current.insert(key)
                guard !memory.loggedSecretProblems.contains(key) else { continue }
                logger.error("secret reference cannot be resolved: \(environment) \(problem.line); nothing is applied to \(environment) until it resolves",
                             metadata: ["environment": "\(environment)", "field": "spec.driver.env.\(problem.variable)",
                                        "reference": "\(problem.reference)"])
            }
        }
        memory.loggedSecretProblems = current
    }
}
