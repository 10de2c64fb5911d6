import ArgumentParser
import Controller
import EventLog
import Foundation
import Logging

/// `steward backup restore NAME [--archive FILE] [--dry-run] [-o text|json]` (DESIGN §11).
struct BackupRestoreCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Check an archive (sha256, integrity) and restore it: a command backup through its restore command, eventLog / stateStore into Steward's own store.")

    @Argument(help: "The BackupSchedule's name.")
    var name: String

    @Option(help: "The archive to restore (default: the newest verified archive of the schedule).")
    var archive: String?

    @Flag(help: "Make every check and say what would be done; change nothing.")
    var dryRun = false

    @OptionGroup var configOption: ConfigOption

    @Option(name: [.short, .customLong("output")], help: "Output format: text or json.")
    var output: TextOrJSON = .text

    func run() async throws {
        let settings = try configOption.load()
        var logger = Logger(label: "steward.backup")
        logger.logLevel = .warning
        let report: BackupRestore.Report
        do {
            report = try await BackupRestore.run(name: name, archive: archive, dryRun: dryRun, settings: settings, logger: logger)
        } catch let error as BackupError {
            throw CLIError(error.message)
        } catch let error as ControllerError {
            throw CLIError(error.message)
        }
        switch output {
        case .json:
            print(try Terminal.json(BackupRestoreDocument(report)))
        case .text:
            print("archive \(report.archive): sha256 \(report.sha256) matches its checksum file; \(report.verification)")
            for action in report.actions { print(report.dryRun ? "dry run: \(action)" : action) }
            if case .valid(let count, let head)? = report.eventLog {
                print("event log verified: \(count) records, head seq \(head.seq) hash \(head.hash)")
            }
            print(report.dryRun ? "dry run: nothing was changed" : "backup \(report.schedule) restored")
        }
    }
}

/// The `backup restore -o json` document: every key present, nulls explicit.
struct BackupRestoreDocument: Encodable {
    struct Log: Encodable {
        var records: Int
        var headSeq: Int64
        var headHash: String
    }

    var schedule: String, target: String, archive: String, sha256: String, verification: String, dryRun: Bool
    var actions: [String]
    var eventLog: Log?

    init(_ report: BackupRestore.Report) {
        schedule = report.schedule
        target = report.target
        archive = report.archive
        sha256 = report.sha256
        verification = report.verification
        dryRun = report.dryRun
        actions = report.actions
        if case .valid(let count, let head)? = report.eventLog { eventLog = Log(records: count, headSeq: head.seq, headHash: head.hash) }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(schedule, forKey: .schedule); try c.encode(target, forKey: .target)
        try c.encode(archive, forKey: .archive); try c.encode(sha256, forKey: .sha256)
        try c.encode(verification, forKey: .verification); try c.encode(dryRun, forKey: .dryRun)
        try c.encode(actions, forKey: .actions); try c.encode(eventLog, forKey: .eventLog)
    }

    enum CodingKeys: String, CodingKey { case schedule, target, archive, sha256, verification, dryRun, actions, eventLog }
}
