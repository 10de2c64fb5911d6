import ArgumentParser
import Controller
import Foundation
import Manifests
import Reconcile
import StateStore

/// `steward status [-o table|json] [--watch]`.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show every applied resource with its sync and health.")

    @OptionGroup var configOption: ConfigOption

    @Option(name: [.short, .customLong("output")], help: "Output format: table or json.")
    var output: TableOrJSON = .table

    @Flag(help: "Refresh every 2 seconds until interrupted.")
    var watch = false

    func run() async throws {
        let loaded = try configOption.load()
        try await loaded.withStore { store in
            repeat {
                let view = try await StatusView.load(from: store)
                if watch, output == .table, Terminal.isStandardOutputATTY { print("\u{1B}[H\u{1B}[2J", terminator: "") }
                switch output {
                case .json: print(try Terminal.json(view.document))
                case .table: print(view.table(now: Date()))
                }
                if watch { try await Task.sleep(for: .seconds(2)) }
            } while watch
        }
    }
}

/// `-o table|json`.
enum TableOrJSON: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

/// What `status` shows, read from the store.
struct StatusView {
    var cursor: SourceCursor?
    var resources: [AppliedResource]
    var leader: String?

    static func load(from store: any StateStore) async throws -> StatusView {
        StatusView(cursor: try await store.sourceCursor(), resources: try await store.resources().sorted { $0.key < $1.key }, leader: nil)
    }

    struct Document: Encodable {
        struct Source: Encodable {
            var lastSeenCommit: String?
            var lastAppliedCommit: String?
            var errors: [Manifests.ValidationError]

            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(lastSeenCommit, forKey: .lastSeenCommit)
                try c.encode(lastAppliedCommit, forKey: .lastAppliedCommit)
                try c.encode(errors, forKey: .errors)
            }

            enum CodingKeys: String, CodingKey { case lastSeenCommit, lastAppliedCommit, errors }
        }

        struct Resource: Encodable {
            var kind: String, name: String, environment: String?, version: String?, sync: String, health: String
            var commit: String, message: String?, updatedAt: String

            func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(kind, forKey: .kind); try c.encode(name, forKey: .name)
                try c.encode(environment, forKey: .environment); try c.encode(version, forKey: .version)
                try c.encode(sync, forKey: .sync); try c.encode(health, forKey: .health)
                try c.encode(commit, forKey: .commit); try c.encode(message, forKey: .message)
                try c.encode(updatedAt, forKey: .updatedAt)
            }

            enum CodingKeys: String, CodingKey { case kind, name, environment, version, sync, health, commit, message, updatedAt }
        }

        var commit: String?
        var source: Source
        var leader: String?
        var resources: [Resource]

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(commit, forKey: .commit)
            try c.encode(source, forKey: .source)
            try c.encode(leader, forKey: .leader)
            try c.encode(resources, forKey: .resources)
        }

        enum CodingKeys: String, CodingKey { case commit, source, leader, resources }
    }

    var document: Document {
        Document(
            commit: cursor?.lastAppliedCommit,
            source: .init(lastSeenCommit: cursor?.lastSeenCommit, lastAppliedCommit: cursor?.lastAppliedCommit, errors: cursor?.errors ?? []),
            leader: leader,
            resources: resources.map {
                .init(kind: $0.key.kind.rawValue, name: $0.key.name, environment: $0.key.environment, version: $0.version,
                      sync: $0.sync.rawValue, health: $0.health.rawValue, commit: $0.commit, message: $0.message,
                      updatedAt: CanonicalJSON.timestamp($0.updatedAt))
            })
    }

    func table(now: Date) -> String {
        var table = Table(["KIND", "NAME", "ENVIRONMENT", "VERSION", "SYNC", "HEALTH", "COMMIT", "AGE", "MESSAGE"])
        for resource in resources {
            table.add([resource.key.kind.rawValue, resource.key.name, resource.key.environment ?? "-", resource.version ?? "-",
                       resource.sync.rawValue, resource.health.rawValue, String(resource.commit.prefix(7)),
                       TimeFormatting.age(from: resource.updatedAt, now: now), resource.message ?? ""])
        }
        var text = table.render()
        if let errors = cursor?.errors, !errors.isEmpty, let seen = cursor?.lastSeenCommit {
            text += "\n\ncommit \(seen.prefix(12)) was not applied: \(errors.count) validation error\(errors.count == 1 ? "" : "s")"
            for error in errors { text += "\n  \(error)" }
        }
        return text
    }
}
