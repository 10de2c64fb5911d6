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

    @Option(name: [.short, .customLong("output")], help: "Output format: table, wide (one row per Target) or json.")
    var output: StatusOutput = .table

    @Flag(help: "One row per Target (as -o wide).")
    var targets = false

    @Flag(help: "Refresh every 2 seconds until interrupted.")
    var watch = false

    @OptionGroup var replay: ReplayOption

    func validate() throws {
        if watch, replay.at != nil { throw ValidationError("--watch shows the live state; --at a past one: give one of them") }
    }

    func run() async throws {
        let settings = try configOption.load()
        if replay.at != nil { return try await settings.withStore(access: .readOnly) { try await replayed($0) } }
        try await settings.withStore(access: .readOnly) { store in
            repeat {
                let lease = try await store.leaderLease()
                let leader = try lease.map { $0.isLive ? $0.holder : nil } ?? settings.leaderLockPath().flatMap { LeaderLock.currentHolder(path: $0) }
                let view = try await StatusView.load(from: store, leader: leader)
                if watch, output != .json, Terminal.isStandardOutputATTY { print("\u{1B}[H\u{1B}[2J", terminator: "") }
                switch output {
                case .json: print(try Terminal.json(view.document))
                case .table, .wide: print(view.table(now: Date(), targets: targets || output == .wide))
                }
                Terminal.flush()
                if watch { try await Task.sleep(for: .seconds(2)) }
            } while watch
        }
    }
}

extension StatusCommand {
    /// `status --at`: the view rebuilt from the event log (no leader: that is not state).
    private func replayed(_ store: any StateStore) async throws {
        guard let replayed = try await replay.replay(store) else { return }
        var view = StatusView(cursor: replayed.state.cursor, resources: replayed.state.resourceList)
        view.at = ReplayOption.at(replayed)
        switch output {
        case .json: print(try Terminal.json(view.document))
        case .table, .wide:
            print(ReplayOption.header(replayed))
            print(view.table(now: replayed.last?.date ?? Date(), targets: targets || output == .wide))
        }
    }
}

/// `status -o table|wide|json`.
enum StatusOutput: String, ExpressibleByArgument, CaseIterable {
    case table, wide, json
}

/// `-o table|json`.
enum TableOrJSON: String, ExpressibleByArgument, CaseIterable {
    case table, json
}

