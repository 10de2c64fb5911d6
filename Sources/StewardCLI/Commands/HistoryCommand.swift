import ArgumentParser
import Controller
import Foundation
import Manifests
import Reconcile
import StateStore

/// `steward history DEPLOYMENT [-o table|json]`.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history", abstract: "Show the versions a deployment ran over time.")

    @Argument(help: "The Deployment's name.")
    var deployment: String

    @OptionGroup var configOption: ConfigOption

    @Option(name: [.short, .customLong("output")], help: "Output format: table or json.")
    var output: TableOrJSON = .table

    @OptionGroup var replay: ReplayOption

    func run() async throws {
        let loaded = try configOption.load()
        let (entries, replayed) = try await loaded.withStore(access: .readOnly) { store in
            if let replayed = try await replay.replay(store) { return (replayed.state.history(deployment: deployment), Optional(replayed)) }
            return (try await store.history(deployment: deployment), nil)
        }
        switch output {
        case .json:
            print(try Terminal.json(HistoryDocument(deployment: deployment, entries: entries.map(HistoryDocument.Entry.init),
                                                    at: replayed.map(ReplayOption.at))))
        case .table:
            if let replayed { print(ReplayOption.header(replayed)) }
            guard !entries.isEmpty else {
                Terminal.standardError("no history for Deployment '\(deployment)'")
                return
            }
            // A TARGET column once any entry is about one of an environment's Targets (DESIGN §10).
            let targets = entries.contains { $0.target != nil }
            var table = Table(["TIME", "ENVIRONMENT"] + (targets ? ["TARGET"] : []) + ["VERSION", "ACTION", "OUTCOME", "COMMIT", "SEQ"])
            for entry in entries {
                table.add([CanonicalJSON.timestamp(entry.time), entry.environment] + (targets ? [entry.target ?? "-"] : [])
                          + [entry.version, entry.action, entry.outcome, String(entry.commit.prefix(7)), entry.seq.map(String.init) ?? "-"])
            }
            print(table.render())
        }
    }
}

/// The `history -o json` document (DESIGN §7).
struct HistoryDocument: Encodable {
    struct Entry: Encodable {
        var time: String, version: String, action: String, outcome: String, commit: String, seq: Int64?, environment: String
        /// Only on backup and restore entries (`gates.backupBefore`, `autoRollback.restoreBackup`): the archive and its sha256.
        var archive: String?, archiveSha256: String?
        /// The Target the entry is about (DESIGN §10); absent for the environment as a whole.
        var target: String?

        init(_ entry: HistoryEntry) {
            target = entry.target
            time = CanonicalJSON.timestamp(entry.time)
            version = entry.version
            action = entry.action
            outcome = entry.outcome
            commit = entry.commit
            seq = entry.seq
            environment = entry.environment
            archive = entry.archive
            archiveSha256 = entry.archiveSha256
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(time, forKey: .time); try c.encode(version, forKey: .version); try c.encode(action, forKey: .action)
            try c.encode(outcome, forKey: .outcome); try c.encode(commit, forKey: .commit); try c.encode(seq, forKey: .seq)
            try c.encode(environment, forKey: .environment)
            try c.encodeIfPresent(archive, forKey: .archive); try c.encodeIfPresent(archiveSha256, forKey: .archiveSha256)
            try c.encodeIfPresent(target, forKey: .target)
        }

        enum CodingKeys: String, CodingKey { case time, version, action, outcome, commit, seq, environment, archive, archiveSha256, target }
    }

    var deployment: String
    var entries: [Entry]
    /// With `--at`: where in the event log the replayed history stands.
    var at: StatusView.At? = nil

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(deployment, forKey: .deployment); try c.encode(entries, forKey: .entries)
        try c.encodeIfPresent(at, forKey: .at)
    }

    enum CodingKeys: String, CodingKey { case deployment, entries, at }
}
