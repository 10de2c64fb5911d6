import ArgumentParser
import Controller
import Foundation
import Logging
import Manifests

/// `steward backup list [-o table|json]`: the schedules of the applied commit with their last and next runs.
struct BackupListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the BackupSchedules with their last run, outcome, archive and next run.")

    @OptionGroup var configOption: ConfigOption

    @Option(name: [.short, .customLong("output")], help: "Output format: table or json.")
    var output: TableOrJSON = .table

    func run() async throws {
        let settings = try configOption.load()
        var logger = Logger(label: "steward.backup")
        logger.logLevel = .warning
        let now = Date()
        let listing: BackupListing
        do {
            listing = try await settings.withStore(access: .readOnly) { store in
                let loaded = try await AppliedBackupSchedules(settings: settings, store: store, logger: logger).load(fallbackToBranch: true)
                return BackupListing(schedules: loaded?.schedules ?? [:], runs: try await store.backupRuns(schedule: nil), now: now)
            }
        } catch let error as BackupError {
            throw CLIError(error.message)
        } catch let error as ControllerError {
            throw CLIError(error.message)
        }
        switch output {
        case .json:
            print(try Terminal.json(BackupListDocument(listing)))
        case .table:
            var table = Table(["NAME", "SCHEDULE", "LAST RUN", "OUTCOME", "SIZE", "ARCHIVE", "NEXT RUN"])
            for row in listing.rows {
                table.add([row.name, row.schedule, row.lastRun.map(CanonicalJSON.timestamp) ?? "-", row.outcome ?? "-",
                           row.sizeBytes.map(BackupListing.humanSize) ?? "-", row.archive.map { Self.shown($0, base: settings.baseDirectory) } ?? "-",
                           row.nextRun.map(CanonicalJSON.timestamp) ?? "-"])
            }
            print(table.render())
        }
    }

    /// A path relative to the configuration's folder when it lies inside it.
    static func shown(_ path: String, base: String) -> String {
        let absolute = base.hasPrefix("/") ? base : (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(base)
        let folder = (absolute as NSString).standardizingPath
        let prefix = folder.hasSuffix("/") ? folder : folder + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }
}

/// The `backup list -o json` document (DESIGN §7): every key present, nulls explicit.
struct BackupListDocument: Encodable {
    struct Schedule: Encodable {
        var name: String, schedule: String, lastRun: String?, outcome: String?, archive: String?, nextRun: String?

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name); try c.encode(schedule, forKey: .schedule)
            try c.encode(lastRun, forKey: .lastRun); try c.encode(outcome, forKey: .outcome)
            try c.encode(archive, forKey: .archive); try c.encode(nextRun, forKey: .nextRun)
        }

        enum CodingKeys: String, CodingKey { case name, schedule, lastRun, outcome, archive, nextRun }
    }

    var schedules: [Schedule]

    init(_ listing: BackupListing) {
        schedules = listing.rows.map { row in
            Schedule(name: row.name, schedule: row.schedule, lastRun: row.lastRun.map(CanonicalJSON.timestamp), outcome: row.outcome,
                     archive: row.archive, nextRun: row.nextRun.map(CanonicalJSON.timestamp))
        }
    }
}
