import EventLog
import Foundation
import Manifests
import Reconcile

extension StateSnapshot {
    /// The first way `store` (what the store holds) differs from this state (replayed from the
    /// log), as one line; nil when they agree. Resource spec bodies are not replayed: their
    /// `spec_hash` is compared (and `firstSpecMismatch` checks the bodies against it).
    public func firstDifference(fromStore store: StateSnapshot, lastWritten: [ResourceKey: Int64] = [:]) -> String? {
        if cursor != store.cursor {
            return "source cursor: the store has \(Self.describe(store.cursor)), the log \(Self.describe(cursor))"
        }
        for key in Set(resources.keys).union(store.resources.keys).sorted() {
            let when = lastWritten[key].map { " (last written at seq \($0))" } ?? ""
            switch (resources[key], store.resources[key]) {
            case (nil, let stored?): return "\(key): the store has it (\(Self.describe(stored))), the log does not"
            case (let logged?, nil): return "\(key): the log has it (\(Self.describe(logged)))\(when), the store does not"
            case (let logged?, let stored?):
                if let field = Self.differingField(logged, stored) { return "\(key): \(field)\(when)" }
            case (nil, nil): break
            }
        }
        if let line = Self.compare("registered version", versionList, store.versionList, name: { "\($0.blueprint)" }) { return line }
        if let line = Self.compare("hold", holdList, store.holdList, name: { "\($0.deployment) \($0.version) in \($0.environment)" }) { return line }
        if let line = Self.compare("approval", approvalList, store.approvalList, name: { "\($0.deployment) \($0.version)" }) { return line }
        if let line = Self.compare("backup run", backupRunList, store.backupRunList, name: { "\($0.schedule) at \(EventTime.format($0.scheduledFor))" }) { return line }
        return Self.compare("history entry", history, store.history, name: { "\($0.deployment) in \($0.environment): \($0.action) \($0.version) \($0.outcome)" })
    }

    /// The first stored resource whose spec body does not hash to its `spec_hash` (a row edited by hand).
    public func firstSpecMismatch() -> String? {
        for resource in resourceList where !resource.specHash.isEmpty {
            if ContentHash.sha256Hex(resource.spec.canonicalBytes) != resource.specHash {
                return "\(resource.key): the stored spec does not hash to its spec_hash \(resource.specHash.prefix(12))"
            }
        }
        return nil
    }

    /// Compares two lists in order, naming the first entry that differs.
    private static func compare<T: Equatable>(_ noun: String, _ logged: [T], _ stored: [T], name: (T) -> String) -> String? {
        for index in 0..<max(logged.count, stored.count) {
            let l = index < logged.count ? logged[index] : nil, s = index < stored.count ? stored[index] : nil
            guard l != s else { continue }
            switch (l, s) {
            case (let l?, let s?): return "\(noun) \(index + 1): the store has \(name(s)), the log \(name(l))\(name(s) == name(l) ? " (other fields differ)" : "")"
            case (let l?, nil): return "\(noun) \(name(l)): the log has it, the store does not"
            case (nil, let s?): return "\(noun) \(name(s)): the store has it, the log does not"
            default: break
            }
        }
        return nil
    }

    private static func differingField(_ logged: AppliedResource, _ stored: AppliedResource) -> String? {
        func field<V: Equatable>(_ name: String, _ l: V, _ s: V, _ show: @escaping (V) -> String) -> String? {
            l == s ? nil : "\(name): the store has \(show(s)), the log \(show(l))"
        }
        let date = { (d: Date) in EventTime.format(d) }, text = { (t: String?) in t.map { "\"\($0)\"" } ?? "none" }
        return field("spec_hash", logged.specHash, stored.specHash) { $0.isEmpty ? "none" : String($0.prefix(12)) }
            ?? field("commit", logged.commit, stored.commit) { String($0.prefix(12)) }
            ?? field("version", logged.version, stored.version) { $0 ?? "none" }
            ?? field("sync", logged.sync, stored.sync) { $0.rawValue }
            ?? field("health", logged.health, stored.health) { $0.rawValue }
            ?? field("message", logged.message, stored.message, text)
            ?? field("conditions", logged.conditions, stored.conditions) { "\($0.count) conditions" }
            ?? field("createdAt", logged.createdAt, stored.createdAt, date)
            ?? field("updatedAt", logged.updatedAt, stored.updatedAt, date)
    }

    private static func describe(_ resource: AppliedResource) -> String {
        "\(resource.version.map { "\($0) " } ?? "")\(resource.sync.rawValue)/\(resource.health.rawValue)"
    }

    private static func describe(_ cursor: SourceCursor?) -> String {
        guard let cursor else { return "none" }
        return "applied \(cursor.lastAppliedCommit.map { String($0.prefix(12)) } ?? "-"), seen \(cursor.lastSeenCommit.map { String($0.prefix(12)) } ?? "-"), \(cursor.errors.count) errors"
    }
}
