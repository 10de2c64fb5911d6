import ArgumentParser
import EventLog
import Controller
import Foundation
import Reconcile
import StateStore

/// `steward verify-log [--replay]`: checks the hash chain of the event log, and with `--replay`
/// that the log alone rebuilds the store's state (DESIGN §14).
struct VerifyLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-log",
        abstract: "Verify the event log's hash chain: exit 0 with the head hash, or 1 naming the first bad seq.")

    @OptionGroup var configOption: ConfigOption

    @Flag(help: "Also replay the whole log and check it gives exactly the store's state (exit 1 naming the first difference).")
    var replay = false

    func run() async throws {
        let loaded = try configOption.load()
        try await loaded.withStore(access: .readOnly) { store in
            switch try await store.verifyEventLog() {
            case .valid(let count, let head):
                print("ok: \(count) records, head seq \(head.seq) hash \(head.hash)")
                // The chain holds, but a store that indexed past it had records the log no longer has.
                if let indexed = try await store.indexedEventSeq(), indexed > head.seq {
                    let folder = loaded.resolve(loaded.config.eventLogDirectory)
                    Terminal.standardError("warning: the store indexed the event log up to seq \(indexed), but the log in \(folder) ends at seq \(head.seq): records \(head.seq + 1)-\(indexed) are not in it (its folder was lost or restored from an older copy); restore a copy that has them, or the next steward run drops the store's index past the log")
                }
            case .broken(let seq, let reason):
                throw CLIError("event log broken at seq \(seq): \(reason)")
            }
            if replay { print(try await Self.replayMatches(store)) }
        }
    }

    /// Replays the log up to the record the store's state includes and compares the two.
    static func replayMatches(_ store: any StateStore) async throws -> String {
        let check: ReplayCheck
        do {
            check = try await store.checkReplay()
        } catch let error as StoreError where error.code == .corrupt {
            throw CLIError("replay failed: \(error.message)")
        }
        let replay = check.replay, seq = check.seq
        if let difference = check.difference {
            throw CLIError("the store differs from its event log replayed to seq \(seq): \(difference)")
        }
        let state = replay.state
        let from = replay.knownFrom > 0 ? " from its baseline at seq \(replay.knownFrom)" : ""
        return "replay ok: the log\(from) up to seq \(seq) gives the store's state (\(state.resources.count) resources, \(state.versions.count) versions, \(state.history.count) history entries, \(state.holdList.count) holds)"
    }
}
