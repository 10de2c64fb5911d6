import ArgumentParser
import EventLog
import Controller
import Foundation
import StateStore

/// `steward logs [--follow] [--resource KIND/NAME] [--since DURATION] [--state] [-o text|json]`.
struct LogsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logs", abstract: "Print the event log.")

    @OptionGroup var configOption: ConfigOption

    @Flag(name: [.short, .customLong("follow")], help: "Keep printing new events as they are appended.")
    var follow = false

    @Option(help: "Only events of this resource (KIND/NAME).")
    var resource: String?

    @Option(help: "Only events newer than this: a duration like 10m, 2h, or an RFC 3339 time.")
    var since: String?

    @Option(name: [.short, .customLong("output")], help: "Output format: text or json (one record per line).")
    var output: TextOrJSON = .text

    @Flag(help: "Also print the stateChanged records (the state each write recorded, which status --at replays); -o json always has them.")
    var state = false

    func validate() throws {
        if let since, TimeFormatting.since(since) == nil {
            throw ValidationError("--since takes a duration like 10m or an RFC 3339 time, got '\(since)'")
        }
        if let resource, !resource.contains("/") {
            throw ValidationError("--resource takes KIND/NAME, like Deployment/robot-nav-staging")
        }
    }

    func run() async throws {
        let loaded = try configOption.load()
        let cutoff = since.flatMap { TimeFormatting.since($0) }
        let colour = Terminal.isStandardOutputATTY && output == .text
        try await loaded.withStore(access: .readOnly) { store in
            var after: Int64 = 0
            while true {
                after = try await store.forEachEvent(after: after) { record in
                    if let resource, record.resource != resource { return true }
                    if let cutoff, let date = record.date, date < cutoff { return true }
                    if output == .text, !state, record.type == StateReplay.recordType { return true }
                    print(output == .json ? record.line : EventLine.text(record, colour: colour))
                    return true
                }
                Terminal.flush()
                guard follow else { break }
                // Reads by seq are cheap (the SQLite index, the PostgreSQL table): look again within EventPolling.interval.
                try await Task.sleep(for: EventPolling.interval)
            }
        }
    }
}

/// The human rendering of an event: time, resource, reason, message.
enum EventLine {
    static func text(_ record: EventRecord, colour: Bool) -> String {
        let resource = [record.resource, record.environment.map { "(\($0))" }].compactMap { $0 }.joined(separator: " ")
        var reason = record.reason
        if colour {
            let code = record.type.hasSuffix("Failed") || record.type == "hold" ? "31" : record.type == "warning" || record.type == "promotionBlocked" ? "33" : "32"
            reason = "\u{1B}[\(code)m\(reason)\u{1B}[0m"
        }
        return [record.time, resource.isEmpty ? "-" : resource, reason, record.message].joined(separator: "  ")
    }
}
