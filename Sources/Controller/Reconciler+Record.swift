import Actions
import EventLog
import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

extension Reconciler {
    /// Stores written before versions were recorded on registration have applied blueprint
    /// versions and no registration at all: these are registered with what was applied, once per
    /// process, after the first pass that found none registered.
    func recordRegistrationsOfOlderStores(_ applied: [ResourceKey: AppliedResource]) async throws {
        guard !memory.registrationsChecked else { return }
        let registered = try await registeredVersions()
        var batch = StoreBatch()
        for key in applied.keys where key.kind == .agentBlueprint {
            guard let ref = key.blueprintRef, registered[ref] == nil, let resource = applied[key], !resource.specHash.isEmpty,
                  let version = RegisteredVersion(registering: key, document: resource.spec, commit: resource.commit, at: resource.createdAt)
            else { continue }
            batch.registerVersions.append(version)
        }
        if !batch.registerVersions.isEmpty {
            _ = try await store.commit(batch)
            memory.registered = nil
        }
        memory.registrationsChecked = true
    }

    /// Writes what the pass learnt, in one transaction, only when something changed; returns the
    /// applied resources as they stand after the pass, and whether they differ from the observed ones.
    func recordPass(head: CommitInfo, good: SourceState.Good, errors: [ValidationError], plan: Plan,
                    report: Executor.Report?, observation: Observation, driftTriggers: [ResourceKey: String],
                    reread: Bool = false, gateFailures: Int = 0,
                    gateFailedEnvironments: Set<String> = []) async throws -> (applied: [ResourceKey: AppliedResource], changed: Bool) {
        var batch = StoreBatch()
        let now = Date()
        let cursor = try await store.sourceCursor()
        if cursor?.lastSeenCommit != head.sha || cursor?.lastAppliedCommit != good.commit.sha || cursor?.errors != errors {
            batch.cursor = SourceCursor(lastSeenCommit: head.sha, lastAppliedCommit: good.commit.sha, errors: errors, updatedAt: now)
        }
        // What the store holds now: the applied map the observation was made of, unless something was written.
        let current = report == nil && !reread ? observation.applied : try await store.appliedTable()
        let blocked = Set(plan.blocked.map(\.key))
        // What an observation that stands whole from the last pass (nothing acted, nothing re-read)
        // tells of configuration and probes was recorded then; only blocked items may have changed.
        let untouched = report == nil && !reread
        let settled = untouched && observation.reused && memory.observed?.settled(observation, blocked: blocked) == true
        func written() -> Int { batch.upsertResources.count + batch.deleteResources.count + batch.events.count }
        var learnt = written()
        if !settled { recordConfiguration(observation, current: current, commit: good.commit.sha, now: now, into: &batch) }
        learnt = written() - learnt
        let touched = Set((report?.succeeded ?? []).map(\.key) + (report?.failed ?? []).map(\.action.key))
        for item in plan.blocked + observation.driverBlocked where !touched.contains(item.key) {
            var record = current[item.key] ?? AppliedResource(key: item.key, specHash: "", spec: .null, commit: good.commit.sha,
                                                              version: observation.desired[item.key]?.version, createdAt: now, updatedAt: now)
            let drifted = driftTriggers[item.key]
            let sync: SyncStatus = drifted == nil ? .blocked : .outOfSync
            let newCommit = item.gate == .promotion
                && !record.conditions.contains { $0.type == Self.promotionBlockedCondition && $0.reason == good.commit.sha }
            guard record.sync != sync || record.message != item.reason || newCommit else { continue }
            record.sync = sync
            record.message = item.reason
            record.conditions.removeAll { $0.type == Self.promotionBlockedCondition }
            if item.gate == .promotion {
                record.conditions.append(Condition(type: Self.promotionBlockedCondition, status: true, reason: good.commit.sha, message: item.reason))
                if newCommit {
                    batch.events.append(NewEvent(time: now, commit: good.commit.sha, resource: item.key.resource, environment: item.key.environment,
                                                 type: .promotionBlocked, reason: "PromotionBlocked", message: item.reason,
                                                 data: observation.desired[item.key]?.version.map { .object(["version": .string($0)]) }))
                }
            }
            if let drifted {
                record.conditions.removeAll { $0.type == "Drifted" }
                record.conditions.append(Condition(type: "Drifted", status: true, reason: drifted, message: item.reason))
            }
            record.updatedAt = now
            batch.upsertResources.append(record)
        }
        let beforeProbes = written()
        for (key, probe) in observation.probes where !settled && !touched.contains(key) && !blocked.contains(key) {
            guard var record = current[key], !record.conditions.contains(where: { $0.type == Self.healthGateCondition }) else { continue }
            switch probe.state {
            case .inSync:
                // A record blocked before (a rollout step, a gate) that nothing blocks now and that runs what Git wants is synced.
                let unblocked = record.sync == .blocked && !record.specHash.isEmpty && record.specHash == observation.desired[key]?.specHash
                guard record.health != probe.health || record.sync == .outOfSync || unblocked else { continue }
                record.sync = .synced
                record.conditions.removeAll { $0.type == "Drifted" }
            case .unknown:
                // The target could not tell: sync stays as it was, health is Unknown with the reason.
                guard record.health != .unknown || record.message != probe.message else { continue }
            case .drifted, .missing:
                continue
            }
            record.health = probe.health
            record.message = probe.message
            record.updatedAt = now
            batch.upsertResources.append(record)
        }
        learnt += written() - beforeProbes
        if untouched, !settled, learnt == 0 {
            memory.observed?.settle(observation, blocked: blocked)
        }
        // Blue-green routers are not probed: one on the slot Git wants that nothing acts on is synced.
        for placement in observation.blueGreen.values {
            guard let key = placement.router, !touched.contains(key), !blocked.contains(key), var record = current[key],
                  !record.specHash.isEmpty, record.specHash == observation.desired[key]?.specHash,
                  record.sync != .synced || record.health != .healthy || record.message != nil else { continue }
            record.sync = .synced
            record.health = .healthy
            record.message = nil
            record.updatedAt = now
            batch.upsertResources.append(record)
        }
        if let report, !(report.succeeded.isEmpty && report.failed.isEmpty) {
            let gates = gateFailures == 0 ? "" : "; \(gateFailures) gate\(gateFailures == 1 ? "" : "s") failed"
            batch.events.append(NewEvent(time: now, commit: good.commit.sha, type: .reconcileFinished,
                                         reason: report.hasFailures || gateFailures > 0 ? "ReconcileFailed" : "ReconcileSucceeded",
                                         message: "\(plan.actions.count) action\(plan.actions.count == 1 ? "" : "s"): \(report.succeeded.count) succeeded, \(report.skipped.count) already done, \(report.failed.count) failed\(gates)",
                                         data: .object(["succeeded": .int(report.succeeded.count), "failed": .int(report.failed.count),
                                                        "skipped": .int(report.skipped.count), "gatesFailed": .int(gateFailures),
                                                        "environments": Self.environmentResults(plan: plan, report: report,
                                                                                                gateFailed: gateFailedEnvironments)])))
        }
        if !batch.isEmpty { _ = try await store.commit(batch) }
        guard !batch.deleteResources.isEmpty || !batch.upsertResources.isEmpty else {
            return (current, report != nil || reread)
        }
        var after = current
        for key in batch.deleteResources { after[key] = nil }
        for resource in batch.upsertResources { after[resource.key] = resource }
        return (after, true)
    }

    /// The environments a plan's actions touch, sorted: the commit statuses a pass sets (DESIGN §12).
    static func environments(of actions: [PlannedAction]) -> [String] {
        Array(Set(actions.compactMap(\.key.environment))).sorted()
    }

    /// `{environment: "success" | "failure"}` for the environments a pass acted on: a failed
    /// action or gate there makes it a failure.
    static func environmentResults(plan: Plan, report: Executor.Report, gateFailed: Set<String>) -> JSONValue {
        let failed = Set(report.failed.compactMap(\.action.key.environment)).union(gateFailed)
        var results: [String: JSONValue] = [:]
        for environment in environments(of: plan.actions) { results[environment] = .string(failed.contains(environment) ? "failure" : "success") }
        for environment in failed { results[environment] = .string("failure") }
        return .object(results)
    }

    /// The condition naming the commit a promotion was last reported blocked for (one event per commit).
    static let promotionBlockedCondition = "PromotionBlocked"

    /// Environments, backup schedules and targets are recorded as applied; dropped versions lose their records.
    private func recordConfiguration(_ observation: Observation, current: [ResourceKey: AppliedResource], commit: String,
                                     now: Date, into batch: inout StoreBatch) {
        for (key, document) in observation.records {
            let hash = observation.recordHashes[key] ?? ContentHash.sha256Hex(document.canonicalBytes)
            guard current[key]?.specHash != hash else { continue }
            batch.upsertResources.append(AppliedResource(key: key, specHash: hash, spec: document, commit: commit, sync: .synced,
                                                         health: .healthy, createdAt: current[key]?.createdAt ?? now, updatedAt: now))
        }
        for key in current.keys where (key.kind == .environment || key.kind == .backupSchedule || key.kind == .target) && observation.records[key] == nil {
            batch.deleteResources.append(key)
        }
        // Targets no longer in Git: their records go, with one event per target saying so.
        if !observation.retired.isEmpty {
            for key in observation.retired where current[key] != nil { batch.deleteResources.append(key) }
            for (placement, keys) in Dictionary(grouping: observation.retired, by: \.placement).sorted(by: { $0.key < $1.key }) {
                let target = keys[0].target ?? placement
                batch.events.append(NewEvent(time: now, commit: commit, resource: "Target/\(target)", environment: keys[0].environment,
                                             type: "targetRetired", reason: "TargetRemoved",
                                             message: "Target \(target) is no longer in Git: its \(keys.count) record\(keys.count == 1 ? "" : "s") are forgotten; what runs on it is left as it is"))
            }
        }
        // Routers of Deployments no longer blue-green: the record of the last switch goes; nothing is sent.
        for key in observation.formerRouters where current[key] != nil {
            batch.deleteResources.append(key)
            batch.events.append(NewEvent(time: now, commit: commit, resource: key.resource, environment: key.environment,
                                         type: "slotForgotten", reason: "NotBlueGreen",
                                         message: "\(key.name) in \(key.environment ?? "") is no longer a blue-green Deployment in Git: the record of its active slot is forgotten; nothing is sent"))
        }
        for key in current.keys where key.kind == .agentBlueprint && observation.desired[key] == nil
            && !observation.driverBlocked.contains(where: { $0.key.environment == key.environment }) {
            batch.deleteResources.append(key)
        }
    }
}
