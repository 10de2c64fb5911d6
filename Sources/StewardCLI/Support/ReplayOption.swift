import ArgumentParser
import EventLog
import Foundation
import Controller
import StateStore

/// `--at SEQ|TIME|COMMIT` (DESIGN §14): the state rebuilt from the event log alone.
struct ReplayOption: ParsableArguments {
    @Option(name: .customLong("at"), help: ArgumentHelp(
        "Show the state as it was at this point, replayed from the event log: a seq (812), an RFC 3339 time (2026-12-06T03:12:00Z) or a commit (abc1234; the state after the last record of that commit).",
        valueName: "SEQ|TIME|COMMIT"))
    var at: String?

    func validate() throws {
        guard let at else { return }
        do { _ = try ReplayPoint(parsing: at) } catch let error as StoreError { throw ValidationError(error.message) }
    }

    /// The replayed state, or nil without `--at`.
    func replay(_ store: any StateStore) async throws -> StateReplay? {
        guard let at else { return nil }
        let point = try ReplayPoint(parsing: at)
        do {
            return try await store.replayState(at: point)
        } catch let error as StoreError {
            throw CLIError(error.message)
        }
    }

    /// The line saying which point a replayed view shows.
    static func header(_ replay: StateReplay) -> String {
        let time = replay.last.map { " (\($0.time)" + ($0.commit.map { ", commit \($0.prefix(7))" } ?? "") + ")" } ?? ""
        return "state at seq \(replay.seq)\(time), replayed from the event log"
    }

    /// The point as `-o json` reports it.
    static func at(_ replay: StateReplay) -> StatusView.At {
        StatusView.At(seq: replay.seq, time: replay.last?.time, commit: replay.last?.commit)
    }
}
