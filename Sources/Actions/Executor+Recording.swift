import EventLog
import Foundation
import Manifests
import Reconcile
import StateStore

extension Executor {
    /// The condition of a record written when an action on a resource with no record started (its reason
    /// is the key): while it stands, whatever is planned for the resource asks the target first.
    public static let startedCondition = "ActionStarted"
    /// On a Target's Deployment: the spec (its hash, the reason) whose deploy failed there for good.
    public static let failedSpecCondition = "FailedSpec"

    /// Marks keys started (and logs `actionStarted`) in groups, one transaction each. A resource with
    /// no applied record gets one that applies nothing yet (empty spec hash, `Progressing`): should
    /// the controller die before the outcome is recorded, the store still knows the target may run
    /// it, so it is probed, retried, or pruned when Git drops it — never left on the target unknown.
    func markStarted(_ actions: [PlannedAction], existing: [ResourceKey: AppliedResource] = [:]) async throws {
        let now = Date()
        for chunk in actions.chunked(options.batchSize) {
            var batch = StoreBatch()
            for action in chunk where existing[action.key] == nil && action.change != .prune && action.kind != .smokeTest {
                batch.upsertResources.append(AppliedResource(
                    key: action.key, specHash: "", spec: .null, commit: action.commit, version: action.version, sync: .outOfSync,
                    health: .progressing, message: "\(action.kind.rawValue) started; its outcome is not recorded yet",
                    conditions: [Condition(type: Self.startedCondition, status: true, reason: action.idempotencyKey, message: action.kind.rawValue)],
                    createdAt: now, updatedAt: now))
            }
            for action in chunk {
                batch.actionKeys.append(ActionKeyRecord(key: action.idempotencyKey, state: .started, action: action.kind.rawValue,
                                                        resource: action.key.resource, environment: action.key.environment, startedAt: now,
                                                        effect: action.effectKey))
                batch.events.append(NewEvent(time: now, commit: action.commit, resource: action.key.resource, environment: action.key.environment,
                                             type: .actionStarted, reason: action.kind.rawValue, message: Self.describe(action),
                                             data: .object(startedData(action))))
            }
            _ = try await store.commit(batch)
        }
    }

    /// Records outcomes in groups: key state, applied resources, history and events in one transaction each.
    /// `existing` is what was applied before this run (each key is acted on at most once per run);
    /// `interrupted`: keys of the same effects left started under other triggers, completed with a success.
    /// Returns the applied resources written, in order (nil: deleted).
    @discardableResult
    func record(existing: [ResourceKey: AppliedResource], _ outcomes: [Outcome],
                interrupted: [String: [ActionKeyRecord]] = [:]) async throws -> [Write] {
        guard !outcomes.isEmpty else { return [] }
        let now = Date()
        var written: [Write] = []
        for chunk in outcomes.chunked(options.batchSize) {
            var batch = StoreBatch()
            for outcome in chunk {
                let action = outcome.action
                let previous = existing[action.key]
                switch outcome.result {
                case .success(let result):
                    batch.actionKeys.append(ActionKeyRecord(key: action.idempotencyKey, state: .completed, action: action.kind.rawValue,
                                                            resource: action.key.resource, environment: action.key.environment,
                                                            startedAt: now, finishedAt: now, message: result.message, effect: action.effectKey))
                    for var earlier in interrupted[action.effectKey] ?? [] where earlier.key != action.idempotencyKey {
                        earlier.state = .completed
                        earlier.finishedAt = now
                        earlier.message = "its effect is on the target (key \(action.idempotencyKey.prefix(12)))"
                        batch.actionKeys.append(earlier)
                    }
                    // DESIGN §2: a registered version is immutable (the first registration stays)
                    if action.kind == .registerVersion, action.change != .prune,
                       let registered = RegisteredVersion(registering: action.key, document: action.document, commit: action.commit, at: now) {
                        batch.registerVersions.append(registered)
                    }
                    if action.kind == .smokeTest {
                        // A check, not a change: the applied record stays; the gate phase reads the outcome.
                    } else if action.change == .prune {
                        batch.deleteResources.append(action.key)
                    } else {
                        // The spec keeps the text the store writes (made once for the action: its file was spliced from it).
                        batch.upsertResources.append(AppliedResource(
                            key: action.key, specHash: action.specHash, storedSpec: AppliedSpec(action.document, text: action.documentText),
                            commit: action.commit, version: action.version, sync: .synced, health: .healthy, message: nil, conditions: [],
                            createdAt: previous?.createdAt ?? now, updatedAt: now))
                    }
                    if !outcome.logged {
                        batch.events.append(event(action, type: .actionSucceeded, message: result.message.isEmpty ? Self.describe(action) : result.message,
                                                  data: result.output.map { .object(["output": .string($0)]) }, now: now))
                    }
                    if action.key.kind == .deployment {
                        batch.history.append(HistoryEntry(deployment: action.key.name, environment: action.environmentName,
                                                          version: action.version ?? previous?.version ?? "", action: action.kind.rawValue,
                                                          outcome: action.kind == .smokeTest ? "passed" : "succeeded", commit: action.commit,
                                                          time: now, blueprint: action.blueprint, target: action.key.target))
                    }
                case .failure(let error):
                    batch.actionKeys.append(ActionKeyRecord(key: action.idempotencyKey, state: error.isTransient ? .started : .failed,
                                                            action: action.kind.rawValue, resource: action.key.resource,
                                                            environment: action.key.environment, startedAt: now, finishedAt: now, message: error.message,
                                                            effect: action.effectKey))
                    var failed = previous ?? AppliedResource(key: action.key, specHash: "", spec: .null, commit: action.commit, version: nil,
                                                             createdAt: now, updatedAt: now)
                    if action.kind != .smokeTest { failed.sync = .outOfSync }
                    failed.health = .degraded
                    failed.message = "\(action.kind.rawValue) failed: \(error.message)"
                    failed.conditions.removeAll { $0.type == Self.startedCondition || $0.type == Self.failedSpecCondition }   // its outcome is recorded now
                    // On a Target, which spec failed: the rollout counts the target failed for it (DESIGN §10).
                    if action.key.target != nil, action.key.kind == .deployment, !error.isTransient, [.deploy, .promote].contains(action.kind) {
                        failed.conditions.append(Condition(type: Self.failedSpecCondition, status: true, reason: action.specHash,
                                                           message: "\(action.kind.rawValue) of \(action.version ?? "") failed"))
                    }
                    failed.updatedAt = now
                    if action.change != .prune || previous != nil { batch.upsertResources.append(failed) }
                    batch.events.append(event(action, type: .actionFailed, message: error.message,
                                              data: .object(["transient": .bool(error.isTransient)]), now: now))
                    if action.key.kind == .deployment {
                        batch.history.append(HistoryEntry(deployment: action.key.name, environment: action.environmentName,
                                                          version: action.version ?? "", action: action.kind.rawValue,
                                                          outcome: "failed", commit: action.commit, time: now, blueprint: action.blueprint,
                                                          target: action.key.target))
                    }
                }
            }
            _ = try await store.commit(batch)
            written += batch.upsertResources.map { ($0.key, $0) } + batch.deleteResources.map { ($0, nil) }
        }
        return written
    }

    /// Actions held back because the target cannot tell whether an interrupted run of them took effect:
    /// their keys stay as they are (started, or none), the resource is `Unknown` with the probe's error.
    func recordUnknownEffects(_ actions: [(action: PlannedAction, reason: String)],
                              existing: [ResourceKey: AppliedResource]) async throws -> [Write] {
        let now = Date()
        var batch = StoreBatch()
        for (action, reason) in actions {
            let message = Self.unknownEffectMessage(action, reason)
            var record = existing[action.key] ?? AppliedResource(key: action.key, specHash: "", spec: .null, commit: action.commit,
                                                                 version: nil, createdAt: now, updatedAt: now)
            record.health = .unknown
            record.message = message
            record.updatedAt = now
            batch.upsertResources.append(record)
            batch.events.append(event(action, type: .warning, message: message, data: .object(["unknownEffect": .bool(true)]), now: now))
        }
        _ = try await store.commit(batch)
        return batch.upsertResources.map { ($0.key, $0) }
    }

    /// The `actionStarted` data: key and change, and the rollout strategy handed to the driver (DESIGN §2).
    private func startedData(_ action: PlannedAction) -> [String: JSONValue] {
        var data: [String: JSONValue] = ["key": .string(action.idempotencyKey), "change": .string(action.change.rawValue)]
        if let target = action.key.target { data["target"] = .string(target) }
        if [.deploy, .promote, .rollback].contains(action.kind), let strategy = strategies[action.environmentName] { data["strategy"] = strategy }
        return data
    }

    private func event(_ action: PlannedAction, type: EventType, message: String, data: JSONValue?, now: Date) -> NewEvent {
        var members: [String: JSONValue] = ["key": .string(action.idempotencyKey), "action": .string(action.kind.rawValue)]
        if let version = action.version { members["version"] = .string(version) }
        if let target = action.key.target { members["target"] = .string(target) }
        if case .object(let extra)? = data { members.merge(extra) { $1 } }
        return NewEvent(time: now, commit: action.commit, resource: action.key.resource, environment: action.key.environment,
                        type: type, reason: action.kind.rawValue, message: message, data: .object(members))
    }

    static func describe(_ action: PlannedAction) -> String {
        let target = action.key.environment.map { " in \($0)" + (action.key.target.map { " on \($0)" } ?? "") } ?? ""
        let version = action.version.map { " \($0)" } ?? ""
        return "\(action.kind.rawValue) \(action.key.resource)\(version)\(target): \(action.reason)"
    }
}

extension PlannedAction {
    /// The blueprint a Deployment action deploys (`spec.blueprint` of its document).
    public var blueprint: String? { key.kind == .deployment ? document["spec"]?["blueprint"]?.string : nil }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
