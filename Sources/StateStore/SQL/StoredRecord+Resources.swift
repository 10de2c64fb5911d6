import Manifests
import Reconcile

extension AppliedResource: StoredRecord {
    static let table = "resources"
    static let columns = ["kind", "name", "environment", "spec_hash", "spec", "commit_sha", "version", "sync",
                          "health", "message", "conditions", "created_at", "updated_at", "target"]
    static let keyColumns = ResourceKey.columns
    /// Where `target` is among `columns` (added by migration 9, DESIGN §10).
    static let targetColumn = 13

    func row() throws -> [SQLValue] { try row(specText: spec.canonicalJSON) }

    /// The row with the spec's canonical JSON already written out.
    func row(specText: String) throws -> [SQLValue] {
        [.text(key.kind.rawValue), .text(key.name), .text(key.environment ?? ""), .text(specHash), .text(specText),
         .text(commit), .text(version), .text(sync.rawValue), .text(health.rawValue), .text(message),
         .text(conditions.isEmpty ? "[]" : try StoreJSON.encode(conditions)), .date(createdAt), .date(updatedAt), .text(key.target ?? "")]
    }

    init(row: StoreRow) throws {
        let key = try ResourceKey(row: row, targetColumn: Self.targetColumn)
        try self.init(row: row, key: key, spec: AppliedSpec(try JSONParser.parse(try row.text(4), what: "spec of \(key)")))
    }

    /// Reads a row whose key columns were already read into `key` and whose spec column
    /// (3: hash, 4: text) was already checked into `spec` (see `SpecCache.specs`).
    init(row: StoreRow, key: ResourceKey, spec: AppliedSpec) throws {
        guard let sync = SyncStatus(rawValue: try row.text(7)), let health = HealthStatus(rawValue: try row.text(8)) else {
            throw StoreError(.corrupt, "stored resource \(key) has an unknown sync or health status")
        }
        self.init(key: key, specHash: try row.text(3), storedSpec: spec,
                  commit: try row.text(5), version: row.optionalText(6), sync: sync, health: health,
                  message: row.optionalText(9),
                  conditions: try Condition.list(from: try row.text(10), what: "conditions of \(key)"),
                  createdAt: try row.date(11), updatedAt: try row.date(12))
    }
}

extension ResourceKey {
    /// The key columns' values; no environment, and the implicit target, are stored as ''.
    var keyValues: [SQLValue] { [.text(kind.rawValue), .text(name), .text(environment ?? ""), .text(target ?? "")] }

    /// The key columns, as `keyValues` lists them.
    static let columns = ["kind", "name", "environment", "target"]

    /// Reads (kind, name, environment) from the first three columns and the target from `targetColumn`
    /// (absent, null or '' — a row or log record written before Targets — is the implicit target).
    init(row: StoreRow, targetColumn: Int) throws {
        let kindText = try row.text(0)
        guard let kind = ResourceKind(rawValue: kindText) else {
            throw StoreError(.corrupt, "a stored resource has the unknown kind \"\(kindText)\"")
        }
        let environment = try row.text(2)
        let target = targetColumn < row.values.count ? row.optionalText(targetColumn) ?? "" : ""
        self.init(kind: kind, name: try row.text(1), environment: environment.isEmpty ? nil : environment, target: target.isEmpty ? nil : target)
    }
}

extension RegisteredVersion: StoredRecord {
    static let table = "registered_versions"
    static let columns = ["blueprint", "version", "spec_hash", "commit_sha", "registered_at"]
    static let keyColumns = ["blueprint", "version"]

    func row() throws -> [SQLValue] {
        [.text(blueprint.name), .text(blueprint.version), .text(specHash), .text(commit), .date(registeredAt)]
    }

    init(row: StoreRow) throws {
        self.init(blueprint: BlueprintRef(name: try row.text(0), version: try row.text(1)), specHash: try row.text(2),
                  commit: try row.text(3), registeredAt: try row.date(4))
    }
}

extension Condition {
    /// Reads the JSON list the store writes for `AppliedResource.conditions`.
    static func list(from text: String, what: @autoclosure () -> String) throws -> [Condition] {
        if text == "[]" { return [] }
        guard case .array(let elements) = try JSONParser.parse(text, what: what()) else {
            throw StoreError(.corrupt, "stored \(what()) is not a JSON list")
        }
        return try elements.map { element in
            guard case .string(let type)? = element["type"], case .bool(let status)? = element["status"],
                  case .string(let reason)? = element["reason"], case .string(let message)? = element["message"] else {
                throw StoreError(.corrupt, "stored \(what()) has a condition without type, status, reason or message")
            }
            return Condition(type: type, status: status, reason: reason, message: message)
        }
    }
}
