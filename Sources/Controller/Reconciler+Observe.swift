import Actions
import EventLog
import Foundation
import GitSource
import Logging
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
    /// Records of Targets no longer in Git (DESIGN §10): forgotten, never acted on — nothing reaches
    /// a target Git no longer names, and what runs there is left as it is.
    var retired: [ResourceKey] = []
    /// Blue-green Deployments on Targets, by `GateContext.holdKey` (DESIGN §10).
    var blueGreen: [String: BlueGreenPlacement] = [:]
    /// Router records of Deployments no longer blue-green: forgotten, nothing is sent for them.
    var formerRouters: [ResourceKey] = []
    /// Which kept observation this is (`PassMemory.observed`), and whether it stands from an earlier pass.
    var kept: Int?
    var reused = false
}

extension Reconciler {
    /// Asks every environment's driver what its targets run (DESIGN §4: every pass, also for an
    /// unchanged commit), builds the desired state and diffs the two.
    /// A placement whose driver's change count is the same as when it was last probed (and within
    /// `reconcile.fullProbeInterval`) is not probed again; when none is, the last observation stands
    /// whole (`PassMemory.observed`).
    /// - Parameters:
    ///   - watch: start watching what the drivers' probes read (`run`); a preview only uses watches already there.
    ///   - checkout: makes (once) the read-only checkout exec scripts run from.
    func observe(_ fleet: Fleet, commit: String, applied: [ResourceKey: AppliedResource], watch: Bool,
                 checkout: () throws -> String) async throws -> Observation {
        let drivers = DriverFactory(settings: settings, store: store).make(fleet, checkout: checkout)
        logSecretProblems(drivers.secretProblems)
        // Counts are read before the probes: a change made while a probe reads shows at the next pass.
        let now = ContinuousClock.now   // not the wall clock: a clock set back must not stretch fullProbeInterval
        var counts: [String: UInt64] = [:]
        for (placement, driver) in drivers.drivers {
            if let count = driver.changeCount(start: watch) { counts[placement] = count }
        }
        let kept = memory.observed
        if let kept, kept.commit == commit, !drivers.drivers.isEmpty,
           kept.standing(appliedGeneration: memory.appliedGeneration, problems: drivers.problems, routers: nil, counts: counts,
                         at: now).count == drivers.drivers.count {
            var observation = kept.observation
            observation.drivers = drivers
            observation.reused = true
            return observation
        }
        let routers = Self.routerKeys(fleet, applied: applied)
        let standing = kept?.standing(appliedGeneration: memory.appliedGeneration, problems: drivers.problems, routers: routers,
                                      counts: counts, at: now) ?? [:]
        LocalDriver.attachProbedFiles(settings.probeMemoFile, saving: settings.savesCaches)
        // What Git wants is made while the targets are probed: neither needs the other.
        let making = wantedStateTask(fleet, commit: commit, applied: applied)
        let (probes, uncertain) = await probeTargets(drivers.drivers, applied: applied, skipping: routers,
                                                     standing: Set(standing.keys), kept: kept?.observation.probes ?? [:])
        LocalDriver.saveProbedFiles()
        // A read command saves nothing: the memo (80 bytes a file) is not kept for the plan, and its
        // next preview (`rollout --watch`) starts again from the saved file.
        if !settings.savesCaches { LocalDriver.detachProbedFiles() }
        let wanted = await wantedState(making)
        var desired = wanted.desired
        let blueGreen = Self.blueGreen(fleet, desired: &desired, applied: applied, commit: commit)
        let formerRouters = routers.filter { desired[$0] == nil }.sorted()
        var driverBlocked: [BlockedItem] = []
        // The differ looks only at target kinds; environments whose driver cannot be made are left out,
        // and so are Targets no longer in Git (their records are forgotten in recordPass).
        let retired = applied.keys.filter { key in
            key.target.map { fleet.targets[$0]?.spec.environment != key.environment } ?? false
        }
        var targetApplied = applied
        for key in retired + formerRouters { targetApplied[key] = nil }
        // A problem of an environment's driver blocks all its targets; one of a Target's, that target.
        for (placement, problem) in drivers.problems {
            let covers = { (key: ResourceKey) in key.placement == placement || key.environment == placement }
            for key in desired.keys where covers(key) {
                driverBlocked.append(BlockedItem(key: key, reason: "driver: \(problem)", gate: .driver))
                desired[key] = nil
            }
            targetApplied = targetApplied.filter { !covers($0.key) }
        }
        let observed = probes.mapValues { ObservedProbe(drifted: $0.state == .drifted, missing: $0.state == .missing, message: $0.message) }
        var changes = Differ.diff(desired: desired, applied: targetApplied, probes: observed)
        // Blueprint versions are never unregistered from a target; their records are dropped in recordPass.
        changes.removeAll { $0.change == .prune && $0.key.kind == .agentBlueprint }
        var observation = Observation(applied: applied, drivers: drivers, probes: probes, desired: desired, changes: changes,
                                      suspended: wanted.suspended, records: wanted.records, recordHashes: wanted.recordHashes,
                                      driverBlocked: driverBlocked, retired: retired, blueGreen: blueGreen, formerRouters: formerRouters)
        // A placement that could not answer (Unknown) is asked again next pass, whatever its count.
        var probed: [String: (count: UInt64, due: ContinuousClock.Instant)] = [:]
        for (placement, count) in counts where !uncertain.contains(placement) {
            probed[placement] = (count, standing[placement]?.due ?? now.advanced(by: .seconds(settings.fullProbeSeconds)))
        }
        memory.observed = probed.isEmpty ? nil : KeptObservation(commit: commit, appliedGeneration: memory.appliedGeneration,
                                                                 problems: drivers.problems, counts: probed, routers: routers,
                                                                 observation: observation)
        observation.kept = memory.observed?.observation.kept
        return observation
    }

    /// Asks each placement's driver (an environment, or one of its Targets) what it runs, at most
    /// `reconcile.probeConcurrency` (default 16) at once. A probe that fails tells nothing: health is
    /// `Unknown` with the reason, never drift (DESIGN §4, §10).
    /// - Parameters:
    ///   - skipping: records not to probe (blue-green routers).
    ///   - standing: placements not probed again: their answers are taken from `kept`.
    /// - Returns: the answers, and the placements with one that is Unknown.
    func probeTargets(_ drivers: [String: any Driver], applied: [ResourceKey: AppliedResource],
                      skipping: Set<ResourceKey> = [], standing: Set<String> = [],
                      kept: [ResourceKey: ProbeResult] = [:]) async -> (probes: [ResourceKey: ProbeResult], uncertain: Set<String>) {
        var byPlacement: [String: [AppliedResource]] = [:]
        var probes: [ResourceKey: ProbeResult] = [:]
        for resource in applied.values where Differ.isTargetResource(resource.key) && !resource.specHash.isEmpty
            && (skipping.isEmpty || !skipping.contains(resource.key)) {
            let placement = resource.key.placement
            if !standing.isEmpty, standing.contains(placement) {
                probes[resource.key] = kept[resource.key]
            } else {
                byPlacement[placement, default: []].append(resource)
            }
        }
        let work = byPlacement.compactMap { placement, mine in drivers[placement].map { (placement, $0, mine) } }
        let limit = max(1, settings.config.reconcile?.probeConcurrency ?? 16)
        let logger = self.logger
        var uncertain = Set<String>()
        func merge(_ placement: String, _ result: [ResourceKey: ProbeResult]) {
            // Unknown, or a file that could not be read (drifted, health Unknown): asked again next pass.
            if result.values.contains(where: { $0.state == .unknown || $0.health == .unknown }) { uncertain.insert(placement) }
            probes.merge(result) { $1 }
        }
        // Environments without Targets are probed one after another, as before Targets: each probe
        // already reads its files on every core.
        guard work.contains(where: { $0.0.contains("/") }) else {
            for (placement, driver, mine) in work {
                merge(placement, await Self.probe(placement, driver: driver, mine: mine, logger: logger))
            }
            return (probes, uncertain)
        }
        await withTaskGroup(of: (String, [ResourceKey: ProbeResult]).self) { group in
            var next = work.makeIterator()
            func start(_ item: (String, any Driver, [AppliedResource])) {
                let (placement, driver, mine) = item
                group.addTask { (placement, await Self.probe(placement, driver: driver, mine: mine, logger: logger)) }
            }
            for _ in 0..<limit { if let item = next.next() { start(item) } }
            while let (placement, result) = await group.next() {
                merge(placement, result)
                if let item = next.next() { start(item) }
            }
        }
        return (probes, uncertain)
    }

    /// One placement's probe; one that fails tells nothing (Unknown with the reason).
    private static func probe(_ placement: String, driver: any Driver, mine: [AppliedResource], logger: Logger) async -> [ResourceKey: ProbeResult] {
        do {
            return try await driver.probe(environment: mine[0].key.environment ?? placement, applied: mine)
        } catch {
            logger.warning("probe failed", metadata: ["target": "\(placement)", "error": "\(error)"])
            let reason = "probe of \(placement) failed: \(error)"
            return Dictionary(mine.map { ($0.key, ProbeResult(state: .unknown, health: .unknown, message: reason)) }) { a, _ in a }
        }
    }

    /// What Git wants of `commit`, given the applied resources (which commit each change is
    /// attributed to), made on a reconcile thread of its own (`wantedState(_:)` takes it); nil when
    /// neither the commit nor the applied resources changed since the last pass (`PassMemory.wanted`).
    /// `applied` is always `memory.applied` here (`decide`).
    func wantedStateTask(_ fleet: Fleet, commit: String, applied: [ResourceKey: AppliedResource]) -> Task<WantedState, Never>? {
        if let kept = memory.wanted, kept.commit == commit, kept.appliedGeneration == memory.appliedGeneration { return nil }
        let generation = memory.appliedGeneration
        let make: @Sendable () -> WantedState = { makeWantedState(fleet, commit: commit, applied: applied, generation: generation) }
        return Task(executorPreference: ReconcileExecutor.shared, operation: make)
    }

    /// What `making` made (kept for later passes), or the kept one when it made nothing.
    func wantedState(_ making: Task<WantedState, Never>?) async -> WantedState {
        guard let making else { return memory.wanted! }
        let wanted = await making.value
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

/// What Git wants of `commit` (`Reconciler.wantedStateTask`), made from values only, so it can run
/// on a thread of its own.
private func makeWantedState(_ fleet: Fleet, commit: String, applied: [ResourceKey: AppliedResource],
                             generation: Int) -> WantedState {
    let records = DesiredState.records(fleet)
    return WantedState(commit: commit, appliedGeneration: generation,
                       desired: DesiredState.build(fleet, commit: commit, applied: applied),
                       suspended: Set(fleet.deployments.values.filter { $0.deployment.spec.suspend == true }.map(\.name)),
                       records: records, recordHashes: records.mapValues { ContentHash.sha256Hex($0.canonicalBytes) })
}
