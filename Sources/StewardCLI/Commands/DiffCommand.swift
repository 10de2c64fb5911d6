import ArgumentParser
import Controller
import Foundation
import Manifests
import Reconcile

/// `steward diff [--rev REV] [-o text|json|markdown|junit] [--detailed-exitcode]`.
struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff", abstract: "Show the plan for a revision against the observed state, changing nothing.")

    @OptionGroup var configOption: ConfigOption

    @Option(help: "The revision to plan (default: the branch tip).")
    var rev: String?

    @Option(name: [.short, .customLong("output")],
            help: "Output format: text, json (DESIGN §7), markdown (a pull-request comment) or junit (XML for CI test reports).")
    var output: DiffFormat = .text

    @Flag(help: "Exit 0 when nothing would change, 2 when something would (drift included), 1 on error.")
    var detailedExitcode = false

    func run() async throws {
        let settings = try configOption.loadForReading()
        // Read-only (DESIGN §7): no migration, no checkout, no event.
        let preview = try await settings.withStore(access: .readOnly) { store in
            let reconciler = Reconciler(settings: settings, store: store, logger: .init(label: "steward"))
            ProcessLifetime.keep(reconciler)
            return try await reconciler.preview(revision: rev, explainable: false)
        }
        ProcessLifetime.keep(preview)
        if !preview.errors.isEmpty {
            for error in preview.errors { Terminal.standardError(error.description) }
            throw CLIError("commit \(preview.commit.prefix(12)) does not validate: \(preview.errors.count) error\(preview.errors.count == 1 ? "" : "s")")
        }
        let report = preview.report
        switch output {
        case .json: print(try report.json())
        case .text: print(report.text)
        case .markdown: FileHandle.standardOutput.write(Data(report.markdown.utf8))
        case .junit: FileHandle.standardOutput.write(Data(report.junit.utf8))
        }
        if detailedExitcode, !report.changes.isEmpty || !report.blocked.isEmpty { throw CLIError("", exitCode: 2) }
    }
}

/// `diff -o text|json|markdown|junit`.
enum DiffFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json, markdown, junit
}
