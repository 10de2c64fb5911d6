import Foundation
import Manifests

/// The one printed shape of a `Plan` (DESIGN §7): `steward diff -o json` and `GET /api/plan` both
/// serve it, and its text, Markdown and JUnit renderings are made from it.
///
/// The DESIGN §7 fields come first; `action`, `version` and `key` (the idempotency key the action
/// runs under) were added, as §7 allows, so that a plan can be matched with what `run` executes.
public struct PlanReport: Encodable, Sendable {
    /// One field that differs, `from` → `to` (JSON `null` when absent).
    public struct Field: Encodable, Sendable {
        public var path: String
        public var from: JSONValue?
        public var to: JSONValue?

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(from ?? .null, forKey: .from)
            try c.encode(to ?? .null, forKey: .to)
        }

        enum CodingKeys: String, CodingKey { case path, from, to }
    }

    /// One planned action.
    public struct Change: Encodable, Sendable {
        public var kind: String, name: String, environment: String?, change: String, fields: [Field], reason: String
        /// The Target it applies to (DESIGN §10); absent for an environment's implicit target.
        public var target: String? = nil
        /// The action that carries the change out (`deploy`, `promote`, `configureAdapter`, …).
        public var action: String
        /// The blueprint version deployed or registered.
        public var version: String?
        /// The idempotency key the action runs under (DESIGN §5).
        public var key: String

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind); try c.encode(name, forKey: .name); try c.encode(environment, forKey: .environment)
            try c.encode(change, forKey: .change); try c.encode(fields, forKey: .fields); try c.encode(reason, forKey: .reason)
            try c.encode(action, forKey: .action); try c.encode(version, forKey: .version); try c.encode(key, forKey: .key)
            try c.encodeIfPresent(target, forKey: .target)
        }

        enum CodingKeys: String, CodingKey { case kind, name, environment, change, fields, reason, action, version, key, target }
    }

    /// A resource that will not change now, and why.
    public struct Blocked: Encodable, Sendable {
        public var kind: String, name: String, environment: String?, reason: String
        /// The Target it would apply to (DESIGN §10); absent for an environment's implicit target.
        public var target: String? = nil
        /// What holds it back (`promotion`, `approval`, `hold`, `syncWindow`, …), when known.
        public var gate: String?
        /// The chain of causes (DESIGN §14), the last line what would unblock it; empty when not explained.
        public var chain: [String] = []

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind); try c.encode(name, forKey: .name)
            try c.encode(environment, forKey: .environment); try c.encode(reason, forKey: .reason)
            try c.encode(gate, forKey: .gate); try c.encode(chain, forKey: .chain)
            try c.encodeIfPresent(target, forKey: .target)
        }

        enum CodingKeys: String, CodingKey { case kind, name, environment, reason, gate, chain, target }
    }

    public var commit: String
    public var changes: [Change]
    public var blocked: [Blocked]

    /// - Parameter chains: the chain of causes of each blocked item (DESIGN §14), by key.
    public init(commit: String, plan: Plan, chains: [ResourceKey: [String]] = [:]) {
        self.commit = commit
        changes = plan.actions.map { action in
            Change(kind: action.key.kind.rawValue, name: action.key.name, environment: action.key.environment,
                   change: action.change.rawValue, fields: action.fields.map { Field(path: $0.path, from: $0.from, to: $0.to) },
                   reason: action.reason, target: action.key.target, action: action.kind.rawValue, version: action.version, key: action.idempotencyKey)
        }
        blocked = plan.blocked.map {
            Blocked(kind: $0.key.kind.rawValue, name: $0.key.name, environment: $0.key.environment, reason: $0.reason, target: $0.key.target,
                    gate: $0.gate?.rawValue, chain: chains[$0.key] ?? [])
        }
    }

    /// Nothing to do and nothing blocked (`diff --detailed-exitcode` exits 0).
    public var isEmpty: Bool { changes.isEmpty && blocked.isEmpty }

    /// The JSON document: sorted keys, unescaped slashes, pretty-printed unless `pretty` is false.
    public func json(pretty: Bool = true) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }

    /// For people at a terminal: one line per change, `path: from → to` per field.
    public var text: String {
        guard !changes.isEmpty || !blocked.isEmpty else { return "No changes: the fleet matches commit \(commit.prefix(12))." }
        let counts = Dictionary(grouping: changes, by: \.change).mapValues(\.count)
        let summary = ["create", "update", "drift", "prune", "promote", "rollback"].compactMap { kind in counts[kind].map { "\($0) \(kind)" } }
        let counted = summary + (blocked.isEmpty ? [] : ["\(blocked.count) blocked"])
        var lines = ["Plan for commit \(commit.prefix(12)): \(counted.joined(separator: summary.isEmpty ? "" : "; "))"]
        for change in changes {
            let symbol = ["create": "+", "prune": "-", "drift": "!"][change.change] ?? "~"
            lines.append("\(symbol) \(change.kind)/\(change.name)\(Self.place(change.environment, change.target)): \(change.change) — \(change.reason)")
            for field in change.fields.prefix(20) where change.change != "create" {
                lines.append("    \(field.path): \(Self.show(field.from)) → \(Self.show(field.to))")
            }
        }
        for item in blocked {
            lines.append("# \(item.kind)/\(item.name)\(Self.place(item.environment, item.target)): blocked — \(item.reason)")
            // The causes past the first two links (what Git wants, the block itself: the line above says them).
            for cause in item.chain.dropFirst(2) { lines.append("    → \(cause)") }
        }
        return lines.joined(separator: "\n")
    }

    /// ` (production)`, or ` (production, robot-017)` on a Target.
    static func place(_ environment: String?, _ target: String?) -> String {
        guard let environment else { return "" }
        return " (\(environment)\(target.map { ", \($0)" } ?? ""))"
    }

    /// A value for display: canonical JSON, shortened past 60 characters.
    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "(none)" }
        let text = value.canonicalJSON
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }
}
