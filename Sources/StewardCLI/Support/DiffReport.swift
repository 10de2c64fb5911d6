import Foundation
import Manifests
import Reconcile

/// The `diff -o json` document (DESIGN §7) and its text rendering, made from a `Plan`.
struct DiffReport: Encodable {
    struct Field: Encodable {
        var path: String
        var from: JSONValue?
        var to: JSONValue?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(from ?? .null, forKey: .from)
            try c.encode(to ?? .null, forKey: .to)
        }

        enum CodingKeys: String, CodingKey { case path, from, to }
    }

    struct Change: Encodable {
        var kind: String, name: String, environment: String?, change: String, fields: [Field], reason: String
        /// The blueprint version deployed or registered; shown by markdown, not part of the JSON shape.
        var version: String? = nil

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind); try c.encode(name, forKey: .name); try c.encode(environment, forKey: .environment)
            try c.encode(change, forKey: .change); try c.encode(fields, forKey: .fields); try c.encode(reason, forKey: .reason)
        }

        enum CodingKeys: String, CodingKey { case kind, name, environment, change, fields, reason }
    }

    struct Blocked: Encodable {
        var kind: String, name: String, environment: String?, reason: String

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(kind, forKey: .kind); try c.encode(name, forKey: .name)
            try c.encode(environment, forKey: .environment); try c.encode(reason, forKey: .reason)
        }

        enum CodingKeys: String, CodingKey { case kind, name, environment, reason }
    }

    var commit: String
    var changes: [Change]
    var blocked: [Blocked]

    init(commit: String, plan: Plan) {
        self.commit = commit
        changes = plan.actions.map { action in
            Change(kind: action.key.kind.rawValue, name: action.key.name, environment: action.key.environment,
                   change: action.change.rawValue, fields: action.fields.map { Field(path: $0.path, from: $0.from, to: $0.to) },
                   reason: action.reason, version: action.version)
        }
        blocked = plan.blocked.map { Blocked(kind: $0.key.kind.rawValue, name: $0.key.name, environment: $0.key.environment, reason: $0.reason) }
    }

    var text: String {
        guard !changes.isEmpty || !blocked.isEmpty else { return "No changes: the fleet matches commit \(commit.prefix(12))." }
        let counts = Dictionary(grouping: changes, by: \.change).mapValues(\.count)
        let summary = ["create", "update", "drift", "prune", "promote", "rollback"].compactMap { kind in counts[kind].map { "\($0) \(kind)" } }
        var lines = ["Plan for commit \(commit.prefix(12)): \(summary.joined(separator: ", "))\(blocked.isEmpty ? "" : "; \(blocked.count) blocked")"]
        for change in changes {
            let symbol = ["create": "+", "prune": "-", "drift": "!"][change.change] ?? "~"
            lines.append("\(symbol) \(change.kind)/\(change.name)\(change.environment.map { " (\($0))" } ?? ""): \(change.change) — \(change.reason)")
            for field in change.fields.prefix(20) where change.change != "create" {
                lines.append("    \(field.path): \(Self.show(field.from)) → \(Self.show(field.to))")
            }
        }
        for item in blocked {
            lines.append("# \(item.kind)/\(item.name)\(item.environment.map { " (\($0))" } ?? ""): blocked — \(item.reason)")
        }
        return lines.joined(separator: "\n")
    }

    /// A value for display: canonical JSON, shortened past 60 characters.
    static func show(_ value: JSONValue?) -> String {
        guard let value else { return "(none)" }
        let text = value.canonicalJSON
        return text.count > 60 ? String(text.prefix(57)) + "…" : text
    }
}
