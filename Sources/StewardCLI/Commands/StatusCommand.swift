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
        let settings = try configOption.load()
        try await settings.withStore(access: .readOnly) { store in
            repeat {
                let lease = try await store.leaderLease()
                let leader = try lease.map { $0.isLive ? $0.holder : nil } ?? settings.leaderLockPath().flatMap { LeaderLock.currentHolder(path: $0) }
                let view = try await StatusView.load(from: store, leader: leader)
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

