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
    /// What was applied: kept in memory between passes (the controller is the only writer of
    /// resources), read from the store after a failed pass or on the first one.
    func appliedResources(prefetched: Task<[ResourceKey: AppliedResource], any Error>? = nil) async throws -> [ResourceKey: AppliedResource] {
        if let appliedCache { return appliedCache }
        let applied = if let prefetched { try await prefetched.value } else { try await store.appliedTable() }
        appliedCache = applied
        return applied
    }

    /// Starts reading the applied resources, when they are not in memory, so that the store works
    /// while the caller parses (the query runs on the store's own threads, the table is built in the task).
    func prefetchAppliedResources() -> Task<[ResourceKey: AppliedResource], any Error>? {
        guard appliedCache == nil else { return nil }
        let store = store
        return Task { try await store.appliedTable() }
    }

    /// `delta`: set when `fleet` is the fleet of the commit `base` with these Deployments changed;
    /// an observation of `base` (without probes, same applied state) is then patched.
    func observe(_ fleet: Fleet, commit: String, repository: GitRepository, delta: (base: String, deployments: DeploymentDelta)? = nil,
                 prefetched: Task<[ResourceKey: AppliedResource], any Error>? = nil) async throws -> Observation {
        let applied = try await appliedResources(prefetched: prefetched)
        guard !probeTargets else {
            observationCache = nil
            return try await observeAfresh(fleet, commit: commit, repository: repository, applied: applied)
        }
        if let cached = observationCache, cached.generation == appliedGeneration, cached.commit == commit { return cached.observation }
        if let delta, observationCache?.generation == appliedGeneration, observationCache?.commit == delta.base,
           var observation = observationCache.take()?.observation {   // held once, so the patch edits its tables in place
            if patch(&observation, fleet: fleet, commit: commit, delta: delta.deployments, repository: repository) {
                observationCache = (commit, appliedGeneration, observation)
                patchedObservations += 1
                return observation
            }
        }
        let observation = try await observeAfresh(fleet, commit: commit, repository: repository, applied: applied)
        observationCache = (commit, appliedGeneration, observation)
        return observation
    }

    /// Makes `observation` the observation of the fleet its fleet became by `delta`, at `commit`: only the
    /// Deployments changed, and the keys they touch, are looked at again. False (unchanged) when an
    /// environment's driver cannot be made (those keys are held back, which a patch does not track).
    private func patch(_ observation: inout Observation, fleet: Fleet, commit: String, delta: DeploymentDelta,
                       repository: GitRepository) -> Bool {
        let drivers = makeDrivers(fleet, commit: commit, repository: repository)
        guard drivers.problems.isEmpty, observation.drivers.problems.isEmpty, observation.probes.isEmpty else { return false }
        observation.drivers = drivers
        let pending = observation.changes.filter { $0.change == .create || $0.change == .update }.map(\.key)
        let touched = DesiredState.patch(&observation.desired, fleet: fleet, delta: delta, pending: pending, commit: commit,
                                         applied: observation.applied)
        observation.changes = Differ.rediff(previous: observation.changes, touched: touched, desired: observation.desired,
                                            applied: observation.applied, probes: [:])
        observation.changes.removeAll { $0.change == .prune && $0.key.kind == .agentBlueprint }
        for gone in delta.removed { observation.suspended.remove(gone.name) }
        for deployment in delta.added where deployment.deployment.spec.suspend == true { observation.suspended.insert(deployment.name) }
        return true
    }

    private func makeDrivers(_ fleet: Fleet, commit: String, repository: GitRepository) -> DriverFactory.Result {
        let checkouts = settings.resolve(".steward/checkouts")
        return DriverFactory(settings: settings, store: store).make(fleet) {
            try repository.export(commit: commit, to: (checkouts as NSString).appendingPathComponent(commit))
        }
    }

    private func observeAfresh(_ fleet: Fleet, commit: String, repository: GitRepository,
                               applied: [ResourceKey: AppliedResource]) async throws -> Observation {
        let drivers = makeDrivers(fleet, commit: commit, repository: repository)
        var probes: [ResourceKey: ProbeResult] = [:]
        for (environment, driver) in drivers.drivers where probeTargets {
            let mine = applied.values.filter { $0.key.environment == environment && Differ.isTargetResource($0.key) && !$0.specHash.isEmpty }
            guard !mine.isEmpty else { continue }
            do {
                probes.merge(try await driver.probe(environment: environment, applied: mine)) { $1 }
            } catch {
                logger.warning("probe failed", metadata: ["environment": "\(environment)", "error": "\(error)"])
            }
        }
        var desired = DesiredState.build(fleet, commit: commit, applied: applied)
        var driverBlocked: [BlockedItem] = []
        // The differ looks only at target kinds; environments whose driver cannot be made are left out.
        var targetApplied = applied
        for (environment, problem) in drivers.problems {
            for key in desired.keys where key.environment == environment {
                driverBlocked.append(BlockedItem(key: key, reason: "driver: \(problem)"))
                desired[key] = nil
            }
            targetApplied = targetApplied.filter { $0.key.environment != environment }
        }
        let observed = probes.mapValues { ObservedProbe(drifted: $0.state == .drifted, missing: $0.state == .missing, message: $0.message) }
        var changes = Differ.diff(desired: desired, applied: targetApplied, probes: observed)
        // Blueprint versions are never unregistered from a target; their records are dropped in recordPass.
        changes.removeAll { $0.change == .prune && $0.key.kind == .agentBlueprint }
        let suspended = Set(fleet.deployments.values.filter { $0.deployment.spec.suspend == true }.map(\.name))
        let records = DesiredState.records(fleet)
        return Observation(applied: applied, drivers: drivers, probes: probes, desired: desired, changes: changes,
                           suspended: suspended, records: records,
                           recordHashes: records.mapValues { ContentHash.sha256Hex($0.canonicalBytes) }, driverBlocked: driverBlocked)
    }

    /// Records a `driftDetected` event for drift not seen before; returns the seq that triggers each heal.
    func recordDrift(_ observation: Observation) async throws -> [ResourceKey: String] {
        var triggers: [ResourceKey: String] = [:]
        var fresh: [ResourceChange] = []
        for change in observation.changes where change.change == .drift {
            if let known = change.applied?.conditions.first(where: { $0.type == "Drifted" }) {
                triggers[change.key] = known.reason
            } else {
                fresh.append(change)
            }
        }
        guard !fresh.isEmpty else { return triggers }
        var batch = StoreBatch()
        for change in fresh {
            batch.events.append(NewEvent(commit: change.applied?.commit, resource: change.key.resource, environment: change.key.environment,
                                         type: .driftDetected, reason: "Drifted", message: change.detail ?? "changed on the target"))
        }
        let records = try await store.commit(batch)
        for (change, record) in zip(fresh, records) { triggers[change.key] = String(record.seq) }
        return triggers
    }

    func recordValidationFailure(_ head: CommitInfo, errors: [ValidationError]) async throws {
        var batch = StoreBatch()
        let previous = try await store.sourceCursor()
        batch.cursor = SourceCursor(lastSeenCommit: head.sha, lastAppliedCommit: previous?.lastAppliedCommit, errors: errors, updatedAt: Date())
        let first = errors.first.map { ": \($0)" } ?? ""
        batch.events.append(NewEvent(commit: head.sha, type: .validationFailed, reason: "ValidationFailed",
                                     message: "commit \(head.sha.prefix(12)) not applied: \(errors.count) validation error\(errors.count == 1 ? "" : "s")\(first)",
                                     data: .object(["errors": .array(errors.prefix(100).map { .string($0.description) })])))
        _ = try await store.commit(batch)
    }
}
