import Manifests

/// What an action does (DESIGN §5).
public enum ActionKind: String, Sendable, Hashable, Codable, CaseIterable {
    case registerVersion, configureAdapter, removeAdapter, deploy, smokeTest, promote, rollback, undeploy, backup, pruneBackups
    /// Blue-green across Targets: moves a Deployment's traffic to the slot its document names (DESIGN §10).
    case switchSlot = "switch"
}

/// Why a resource changes.
public enum ChangeKind: String, Sendable, Hashable, Codable {
    case create, update, drift, prune, rollback, promote
}

/// One field that differs, `from` → `to` (canonical JSON values; nil when absent).
public struct FieldChange: Sendable, Hashable, Codable {
    public var path: String
    public var from: JSONValue?
    public var to: JSONValue?

    public init(path: String, from: JSONValue?, to: JSONValue?) {
        self.path = path
        self.from = from
        self.to = to
    }
}

/// One planned action: everything a driver needs, decided before anything runs.
public struct PlannedAction: Sendable, Hashable, Codable {
    public var kind: ActionKind { didSet { memo = ActionMemo() } }
    public var key: ResourceKey { didSet { memo = ActionMemo() } }
    public var change: ChangeKind
    /// The manifest document to apply (`apiVersion`, `kind`, `metadata`, `spec`), null for removals.
    public var document: JSONValue { didSet { memo = ActionMemo() } }
    /// Hash of the canonical document: what "applied" means for this resource.
    public var specHash: String { didSet { memo = ActionMemo() } }
    /// The blueprint version deployed or registered.
    public var version: String? { didSet { memo = ActionMemo() } }
    /// The commit that last changed this resource.
    public var commit: String
    /// The commit, drift event seq or fire time that caused the action.
    public var trigger: String { didSet { memo = ActionMemo() } }
    public var fields: [FieldChange]
    /// For display only; never used to decide during apply.
    public var reason: String
    /// The document text and keys, made once (not part of the value).
    private var memo = ActionMemo()

    private enum CodingKeys: String, CodingKey {
        case kind, key, change, document, specHash, version, commit, trigger, fields, reason
    }

    public init(kind: ActionKind, key: ResourceKey, change: ChangeKind, document: JSONValue, specHash: String, version: String?,
                commit: String, trigger: String, fields: [FieldChange] = [], reason: String) {
        self.kind = kind
        self.key = key
        self.change = change
        self.document = document
        self.specHash = specHash
        self.version = version
        self.commit = commit
        self.trigger = trigger
        self.fields = fields
        self.reason = reason
    }

    /// `document` as canonical JSON text, made once for the action and its copies.
    public var documentText: String { memo.documentText { document.canonicalJSON } }

    /// `sha256(action, kind/name, environment, version, specHash, trigger)` — DESIGN §5; on a Target
    /// the environment part is `environment/target` (DESIGN §10), so the implicit target keeps its keys.
    public var idempotencyKey: String {
        memo.idempotencyKey {
            let parts = [kind.rawValue, key.resource, key.placement, version ?? "", specHash, trigger]
            return ContentHash.sha256Hex(JSONValue.array(parts.map(JSONValue.string)).canonicalBytes)
        }
    }

    /// The effect on the target, whatever triggered it: `sha256(action, kind/name, environment,
    /// version, specHash)`. A key started but never completed under one trigger makes every later
    /// action with the same effect ask the target first (DESIGN §5).
    public var effectKey: String {
        memo.effectKey {
            let parts = [kind.rawValue, key.resource, key.placement, version ?? "", specHash]
            return ContentHash.sha256Hex(JSONValue.array(parts.map(JSONValue.string)).canonicalBytes)
        }
    }
}

/// A resource that will not change now, and why.
public struct BlockedItem: Sendable, Hashable, Codable {
    /// What holds a resource back.
    public enum Gate: String, Sendable, Hashable, Codable {
        case suspended, drift, driver, promotion, approval, hold, syncWindow, preDeploy, rollout
    }

    public var key: ResourceKey
    public var reason: String
    public var gate: Gate?

    public init(key: ResourceKey, reason: String, gate: Gate? = nil) {
        self.key = key
        self.reason = reason
        self.gate = gate
    }
}

/// The plan of one reconcile: ordered actions and blocked items. The only input of the executor
/// and of every report (`diff`, `/api/plan`).
public struct Plan: Sendable, Hashable, Codable {
    public var commit: String?
    public var actions: [PlannedAction]
    public var blocked: [BlockedItem]

    public init(commit: String?, actions: [PlannedAction] = [], blocked: [BlockedItem] = []) {
        self.commit = commit
        self.actions = actions
        self.blocked = blocked
    }

    public var isEmpty: Bool { actions.isEmpty && blocked.isEmpty }
}
