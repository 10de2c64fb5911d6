import ArgumentParser
import Foundation
import Controller
import GitSource
import Manifests

/// `steward validate [PATH | --repo DIR [--rev REV]] [--path SUBDIR] [-o text|json]`.
struct ValidateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check manifests without applying anything.",
        discussion: """
            Reads a plain folder (PATH), a git repository at a revision (--repo DIR [--rev REV]), or, with \
            neither, the repository configured in controller.yaml. Prints every error as \
            file:line:col: kind/name: field: message. Exit 0 when valid, 1 otherwise.
            """
    )

    @Argument(help: "A folder (or file) of manifests.")
    var folder: String?

    @Option(help: "A git repository to read instead of a folder.")
    var repo: String?

    @Option(help: "The revision to read: a branch, tag, sha or expression like HEAD~2 (default: the branch tip).")
    var rev: String?

    @Option(name: .customLong("path"), help: "The sub-folder holding manifests.")
    var subPath: String?

    @OptionGroup var configOption: ConfigOption

    @Option(name: [.short, .customLong("output")], help: "Output format: text or json.")
    var output: TextOrJSON = .text

    func validate() throws {
        if folder != nil, repo != nil { throw ArgumentParser.ValidationError("give either PATH or --repo, not both") }
        if folder != nil, rev != nil { throw ArgumentParser.ValidationError("--rev needs --repo (or the configured repository)") }
    }

    func run() async throws {
        let report: ValidationReport
        var commit: CommitInfo?
        var options = FleetValidator.Options()
        if let folder {
            let root = subPath.map { (folder as NSString).appendingPathComponent($0) } ?? folder
            report = try ManifestSource.folder(root).validate(options: options)
        } else if let repo {
            (commit, report) = try ManifestSource.validate(openRepository(repo), revision: rev ?? "HEAD", subPath: subPath ?? ".", options: options)
        } else {
            let loaded = try configOption.load()
            options.allowEmpty = loaded.config.allowEmpty
            (commit, report) = try ManifestSource.validate(loaded.openSource(), revision: rev ?? loaded.config.branch,
                                                           subPath: subPath ?? loaded.config.sourcePath, options: options)
        }
        try print(report, commit: commit)
        if !report.isValid { throw CLIError.silentFailure }
    }

    private func openRepository(_ path: String) throws -> GitRepository {
        do { return try GitRepository.open(at: path) } catch let error as GitError { throw CLIError(error.message) }
    }

    private func print(_ report: ValidationReport, commit: CommitInfo?) throws {
        switch output {
        case .json:
            Swift.print(try Terminal.json(ValidateOutput(valid: report.isValid, errors: report.errors)))
        case .text:
            for warning in report.warnings { Terminal.standardError("warning: \(warning)") }
            for error in report.errors { Terminal.standardError(error.description) }
            let at = commit.map { " at \($0.sha.prefix(12))" } ?? ""
            if report.isValid {
                Swift.print("valid: \(Self.summary(report.fleet))\(at)")
            } else {
                let files = Set(report.errors.map(\.file)).count
                Terminal.standardError("invalid: \(report.errors.count) error\(report.errors.count == 1 ? "" : "s") in \(files) file\(files == 1 ? "" : "s")\(at)")
            }
        }
    }

    static func summary(_ fleet: Fleet) -> String {
        let counts = Dictionary(grouping: fleet.resources, by: \.kind).mapValues(\.count)
        let parts = ResourceKind.allCases.compactMap { kind in counts[kind].map { "\($0) \(kind.rawValue)" } }
        return "\(fleet.resources.count) resources" + (parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")
    }
}

/// The `validate -o json` document (DESIGN §7).
struct ValidateOutput: Encodable {
    var valid: Bool
    var errors: [Manifests.ValidationError]
}
