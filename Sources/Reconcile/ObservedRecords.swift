import Foundation
import Manifests

/// A blueprint version once registered: permanent, feeds version immutability.
public struct RegisteredVersion: Sendable, Hashable, Codable {
    public var blueprint: BlueprintRef
    public var specHash: String
    public var commit: String
    public var registeredAt: Date

    public init(blueprint: BlueprintRef, specHash: String, commit: String, registeredAt: Date) {
        self.blueprint = blueprint
        self.specHash = specHash
        self.commit = commit
        self.registeredAt = registeredAt
    }

    /// The version a blueprint key (`name@version`) registers with `document` (its canonical
    /// manifest): the hash is of the canonical `spec` (DESIGN §2). Nil for other keys.
    public init?(registering key: ResourceKey, document: JSONValue, commit: String, at time: Date) {
        guard let blueprint = key.blueprintRef, let spec = document["spec"] else { return nil }
        self.init(blueprint: blueprint, specHash: ContentHash.sha256Hex(spec.canonicalBytes), commit: commit, registeredAt: time)
    }
}

/// One step in a deployment's life in an environment (DESIGN §6 proof lives here).
public struct HistoryEntry: Sendable, Hashable, Codable {
    public var deployment: String
    public var environment: String
    public var version: String
    /// deploy, promote, rollback, auto-rollback, undeploy.
    public var action: String
    /// succeeded, failed, proven, held, ...
    public var outcome: String
    public var commit: String
    public var seq: Int64?
    public var time: Date
    /// The blueprint deployed (proof is per blueprint version); nil in entries from before it was recorded.
    public var blueprint: String?
    /// `backupBefore` and `restore` entries (DESIGN §11): the archive taken before the change, and its sha256.
    public var archive: String?
    public var archiveSha256: String?
    /// The Target the entry is about; nil for the environment as a whole (or its implicit target).
    public var target: String?

    public init(deployment: String, environment: String, version: String, action: String, outcome: String,
                commit: String, seq: Int64? = nil, time: Date, blueprint: String? = nil, archive: String? = nil, archiveSha256: String? = nil,
                target: String? = nil) {
        self.target = target
        self.blueprint = blueprint
        self.archive = archive
        self.archiveSha256 = archiveSha256
        self.deployment = deployment
        self.environment = environment
        self.version = version
        self.action = action
        self.outcome = outcome
        self.commit = commit
        self.seq = seq
        self.time = time
    }
}

/// An approval recorded by `steward approve` for one pending version.
public struct Approval: Sendable, Hashable, Codable {
    public var deployment: String
    public var version: String
    public var approvedBy: String
    public var time: Date

    public init(deployment: String, version: String, approvedBy: String, time: Date) {
        self.deployment = deployment
        self.version = version
        self.approvedBy = approvedBy
        self.time = time
    }
}

/// A hold: Steward will not re-apply this (deployment, version, spec) by itself.
public struct Hold: Sendable, Hashable, Codable {
    public var deployment: String
    public var environment: String
    public var version: String
    public var specHash: String
    public var reason: String
    public var seq: Int64?
    public var time: Date

    public init(deployment: String, environment: String, version: String, specHash: String, reason: String, seq: Int64? = nil, time: Date) {
        self.deployment = deployment
        self.environment = environment
        self.version = version
        self.specHash = specHash
        self.reason = reason
        self.seq = seq
        self.time = time
    }
}

/// One run of a backup schedule.
public struct BackupRun: Sendable, Hashable, Codable {
    public var schedule: String
    public var scheduledFor: Date
    public var startedAt: Date
    public var finishedAt: Date?
    /// running, succeeded, failed, missed.
    public var outcome: String
    public var archive: String?
    public var sizeBytes: Int64?
    public var message: String?

    public init(schedule: String, scheduledFor: Date, startedAt: Date, finishedAt: Date? = nil, outcome: String,
                archive: String? = nil, sizeBytes: Int64? = nil, message: String? = nil) {
        self.schedule = schedule
        self.scheduledFor = scheduledFor
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.outcome = outcome
        self.archive = archive
        self.sizeBytes = sizeBytes
        self.message = message
    }
}

/// Where the controller is in the source: last seen and last applied commit, and why not further.
public struct SourceCursor: Sendable, Hashable, Codable {
    public var lastSeenCommit: String?
    public var lastAppliedCommit: String?
    public var errors: [ValidationError]
    public var updatedAt: Date

    public init(lastSeenCommit: String? = nil, lastAppliedCommit: String? = nil, errors: [ValidationError] = [], updatedAt: Date) {
        self.lastSeenCommit = lastSeenCommit
        self.lastAppliedCommit = lastAppliedCommit
        self.errors = errors
        self.updatedAt = updatedAt
    }
}

/// The recorded state of an action's idempotency key (DESIGN §5).
public struct ActionKeyRecord: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Hashable, Codable { case started, completed, failed }

    public var key: String
    public var state: State
    public var action: String
    public var resource: String
    public var environment: String?
    public var startedAt: Date
    public var finishedAt: Date?
    public var message: String?
    /// The effect the action has whatever triggered it (`PlannedAction.effectKey`); nil in rows older than it.
    public var effect: String?

    public init(key: String, state: State, action: String, resource: String, environment: String? = nil,
                startedAt: Date, finishedAt: Date? = nil, message: String? = nil, effect: String? = nil) {
        self.key = key
        self.state = state
        self.action = action
        self.resource = resource
        self.environment = environment
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.message = message
        self.effect = effect
    }
}
