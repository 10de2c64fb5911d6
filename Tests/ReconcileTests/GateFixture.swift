import Foundation
import Manifests
import Reconcile
import Testing

/// One Deployment, `nav` of blueprint `robot-nav` in `production`, as gate tests build it.
enum GateFixture {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let key = ResourceKey(kind: .deployment, name: "nav", environment: "production")

    /// What the fleet runs before the change.
    enum Running: Sendable, Hashable {
        /// Nothing recorded: the change is a create.
        case nothing
        /// A record with a spec applied at this version.
        case version(String)
        /// A record only ever blocked: version set, no spec applied (empty spec hash).
        case blockedOnly(String)
    }

    /// The Deployment as Git wants it; `note` changes the spec without changing the version.
    static func desired(_ version: String?, note: String = "", blueprint: String = "robot-nav") -> DesiredResource {
        var spec: [String: JSONValue] = ["blueprint": .string(blueprint), "environment": .string("production")]
        if let version { spec["version"] = .string(version) }
        if !note.isEmpty { spec["note"] = .string(note) }
        let document = JSONValue.object([
            "apiVersion": .string("steward/v1"), "kind": .string("Deployment"),
            "metadata": .object(["name": .string("nav")]), "spec": .object(spec),
        ])
        return DesiredResource(key: key, document: document, specHash: ContentHash.sha256Hex(document.canonicalBytes),
                               version: version, commit: "c2")
    }

    /// The record of what ran before.
    static func applied(_ running: Running) -> AppliedResource? {
        switch running {
        case .nothing:
            return nil
        case .version(let version):
            let spec = desired(version, note: "as applied")
            return AppliedResource(key: key, specHash: spec.specHash, spec: spec.document, commit: "c1", version: version,
                                   createdAt: t0, updatedAt: t0)
        case .blockedOnly(let version):
            return AppliedResource(key: key, specHash: "", spec: .null, commit: "c1", version: version, sync: .blocked,
                                   createdAt: t0, updatedAt: t0)
        }
    }

    /// The change the Differ reports for `desired` against what ran before (exactly one).
    static func change(_ desired: DesiredResource, running: Running) throws -> ResourceChange {
        let applied = applied(running).map { [key: $0] } ?? [:]
        let changes = Differ.diff(desired: [key: desired], applied: applied, probes: [:])
        try #require(changes.count == 1, "\(changes)")
        return changes[0]
    }

    /// A history entry of `deployment` in `environment`.
    static func entry(_ deployment: String = "nav", in environment: String, _ version: String, outcome: String = ProofIndex.provenOutcome,
                      seq: Int64? = nil, blueprint: String? = "robot-nav") -> HistoryEntry {
        HistoryEntry(deployment: deployment, environment: environment, version: version, action: "deploy", outcome: outcome,
                     commit: "c0", seq: seq, time: t0, blueprint: blueprint)
    }

    /// A hold of nav in production on `version`, on the spec with `specHash`.
    static func hold(_ version: String, specHash: String, seq: Int64?, environment: String = "production") -> Hold {
        Hold(deployment: "nav", environment: environment, version: version, specHash: specHash,
             reason: "smoke tests failed: GET /health answered 500", seq: seq, time: t0)
    }

    /// `2026-03-30T07:00:00Z` as a date.
    static func date(_ text: String) throws -> Date {
        try #require(ISO8601DateFormatter().date(from: text), "not an ISO 8601 date: \(text)")
    }
}
