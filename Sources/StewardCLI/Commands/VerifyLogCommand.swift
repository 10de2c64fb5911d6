import ArgumentParser
import EventLog
import Controller
import Foundation
import StateStore

/// `steward verify-log`: checks the hash chain of the event log.
struct VerifyLogCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-log",
        abstract: "Verify the event log's hash chain: exit 0 with the head hash, or 1 naming the first bad seq.")

    @OptionGroup var configOption: ConfigOption

    func run() async throws {
        let loaded = try configOption.load()
        let verification = try await loaded.withStore(access: .readOnly) { try await $0.verifyEventLog() }
        switch verification {
        case .valid(let count, let head):
            print("ok: \(count) records, head seq \(head.seq) hash \(head.hash)")
        case .broken(let seq, let reason):
            throw CLIError("event log broken at seq \(seq): \(reason)")
        }
    }
}
