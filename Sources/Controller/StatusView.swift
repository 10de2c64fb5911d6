import Foundation
import Manifests
import Reconcile
import StateStore

/// What `status` shows, read from the store.
public struct StatusView: Sendable {
    public var cursor: SourceCursor?
    public var resources: [AppliedResource]
    public var leader: String?
    /// Set when the view was replayed from the event log (`status --at`): where in the log it stands.
    public var at: At?

    /// A point in the event log: its seq, and the time and commit of that record.
    public struct At: Encodable, Sendable {
        public var seq: Int64
        public var time: String?
        public var commit: String?

        public init(seq: Int64, time: String?, commit: String?) {
            self.seq = seq
            self.time = time
            self.commit = commit
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(seq, forKey: .seq); try c.encode(time, forKey: .time); try c.encode(commit, forKey: .commit)
        }

        enum CodingKeys: String, CodingKey { case seq, time, commit }
    }

    public init(cursor: SourceCursor?, resources: [AppliedResource], leader: String? = nil) {
        self.cursor = cursor
        self.resources = resources
        self.leader = leader
    }

    public static func load(from store: any StateStore, leader: String? = nil) async throws -> StatusView {
        StatusView(cursor: try await store.sourceCursor(), resources: try await store.resources().sorted { $0.key < $1.key }, leader: leader)
    }

    public struct Document: Encodable, Sendable {
        public struct Source: Encodable, Sendable {
            var lastSeenCommit: String?
            var lastAppliedCommit: String?
            var errors: [Manifests.ValidationError]

            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(lastSeenCommit, forKey: .lastSeenCommit)
                try c.encode(lastAppliedCommit, forKey: .lastAppliedCommit)
                try c.encode(errors, forKey: .errors)
            }

            enum CodingKeys: String, CodingKey { case lastSeenCommit, lastAppliedCommit, errors }
        }

        public struct Resource: Encodable, Sendable {
            var kind: String, name: String, environment: String?, target: String?, version: String?, sync: String, health: String
            var commit: String, message: String?, updatedAt: String

            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(kind, forKey: .kind); try c.encode(name, forKey: .name)
                try c.encode(environment, forKey: .environment); try c.encodeIfPresent(target, forKey: .target)
                try c.encode(version, forKey: .version)
                try c.encode(sync, forKey: .sync); try c.encode(health, forKey: .health)
                try c.encode(commit, forKey: .commit); try c.encode(message, forKey: .message)
                try c.encode(updatedAt, forKey: .updatedAt)
            }

            enum CodingKeys: String, CodingKey { case kind, name, environment, target, version, sync, health, commit, message, updatedAt }
        }

        var commit: String?
        var source: Source
        var leader: String?
        var resources: [Resource]
        var at: At?

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(commit, forKey: .commit)
            try c.encode(source, forKey: .source)
            try c.encode(leader, forKey: .leader)
            try c.encode(resources, forKey: .resources)
            try c.encodeIfPresent(at, forKey: .at)
        }

        enum CodingKeys: String, CodingKey { case commit, source, leader, resources, at }
    }

    public var document: Document {
        Document(
            commit: cursor?.lastAppliedCommit,
            source: .init(lastSeenCommit: cursor?.lastSeenCommit, lastAppliedCommit: cursor?.lastAppliedCommit, errors: cursor?.errors ?? []),
            leader: leader,
            resources: resources.map {
                .init(kind: $0.key.kind.rawValue, name: $0.key.name, environment: $0.key.environment, target: $0.key.target, version: $0.version,
                      sync: $0.sync.rawValue, health: $0.health.rawValue, commit: $0.commit, message: $0.message,
                      updatedAt: CanonicalJSON.timestamp($0.updatedAt))
            },
            at: at)
    }

    /// - Parameter targets: one row per Target (`--targets`, `-o wide`); else a resource applied to an
    ///   environment's Targets is one row with `TARGETS updated/all` (DESIGN §10).
    public func table(now: Date, targets: Bool = false) -> String {
        // One row per resource, with its TARGET; or a resource's targets folded into one row, `TARGETS n/m`.
        let folded = !targets && resources.contains { $0.key.target != nil }
        var table = Table(["KIND", "NAME", "ENVIRONMENT"] + (targets ? ["TARGET"] : []) + ["VERSION"] + (folded ? ["TARGETS"] : [])
                          + ["SYNC", "HEALTH", "COMMIT", "AGE", "MESSAGE"])
        let rows = targets ? resources.map { TargetSummary.Row(resource: $0, targets: nil) } : TargetSummary.rows(resources)
        for row in rows {
            let resource = row.resource
            let place = targets ? [resource.key.target ?? "-"] : []
            let count = folded ? [row.targets.map { "\($0.updated)/\($0.all)" } ?? "-"] : []
            table.add([resource.key.kind.rawValue, resource.key.name, resource.key.environment ?? "-"] + place + [resource.version ?? "-"] + count
                      + [resource.sync.rawValue, resource.health.rawValue, String(resource.commit.prefix(7)),
                         StatusView.age(from: resource.updatedAt, now: now), resource.message ?? ""])
        }
        var text = table.render()
        if let errors = cursor?.errors, !errors.isEmpty, let seen = cursor?.lastSeenCommit {
            text += "\n\ncommit \(seen.prefix(12)) was not applied: \(errors.count) validation error\(errors.count == 1 ? "" : "s")"
            for error in errors { text += "\n  \(error)" }
        }
        return text
    }
}

extension StatusView {
    /// A kubectl-style age: `5s`, `3m`, `2h`, `4d`.
    public static func age(from date: Date, now: Date = Date()) -> String {
        let seconds = max(0, Int(now.timeIntervalSince(date)))
        switch seconds {
        case ..<60: return "\(seconds)s"
        case ..<3600: return "\(seconds / 60)m"
        case ..<86_400: return "\(seconds / 3600)h"
        default: return "\(seconds / 86_400)d"
        }
    }
}

/// A plain text table with left-aligned columns, as kubectl prints them.
public struct Table: Sendable {
    var header: [String]
    var rows: [[String]] = []

    public init(_ header: [String]) { self.header = header }

    public mutating func add(_ row: [String]) { rows.append(row) }

    public func render() -> String {
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) } }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let last = index == cells.count - 1
                text += last ? cell : cell.padding(toLength: widths[index] + 2, withPad: " ", startingAt: 0)
            }
            while text.hasSuffix(" ") { text.removeLast() }
            return text
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }
}
