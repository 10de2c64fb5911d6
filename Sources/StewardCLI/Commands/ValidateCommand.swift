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

            A commit is also checked for a good signature (DESIGN §13) when controller.yaml sets \
            source.verify (the configured repository), or with --allowed-signers / --keyring; --since REV \
            checks every commit after REV as well (strict mode).
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

    @Option(help: "An OpenSSH allowed-signers file: the commit must carry a good SSH signature by a key in it.")
    var allowedSigners: String?

    @Option(help: "An OpenPGP keyring (gpg --export): the commit must carry a good signature by a key in it.")
    var keyring: String?

    @Option(help: "With a signature check: also check every commit after this revision (strict mode).")
    var since: String?

    @OptionGroup var configOption: ConfigOption

    @Option(name: [.short, .customLong("output")], help: "Output format: text or json.")
    var output: TextOrJSON = .text

    func validate() throws {
        if folder != nil, repo != nil { throw ArgumentParser.ValidationError("give either PATH or --repo, not both") }
        if folder != nil, rev != nil { throw ArgumentParser.ValidationError("--rev needs --repo (or the configured repository)") }
        if folder != nil, allowedSigners != nil || keyring != nil || since != nil {
            throw ArgumentParser.ValidationError("signatures are checked on commits: give --repo (or use the configured repository), not a folder")
        }
    }

    func run() async throws {
        let report: ValidationReport
        var commit: CommitInfo?
        var signer: CommitVerifier.Signer?
        var options = FleetValidator.Options()
        if let folder {
            let root = subPath.map { (folder as NSString).appendingPathComponent($0) } ?? folder
            report = try ManifestSource.folder(root).validate(options: options)
        } else if let repo {
            let repository = try openRepository(repo)
            var checked: ValidationReport
            (commit, checked) = try ManifestSource.validate(repository, revision: rev ?? "HEAD", subPath: subPath ?? ".", options: options)
            signer = try verify(commit, in: repository, verifier: commandLineVerifier(), report: &checked)
            report = checked
        } else {
            let loaded = try configOption.load()
            options.allowEmpty = loaded.config.allowEmpty
            let repository = try loaded.openSource()
            var checked: ValidationReport
            (commit, checked) = try ManifestSource.validate(repository, revision: rev ?? loaded.config.branch,
                                                            subPath: subPath ?? loaded.config.sourcePath, options: options)
            let configured: CommitVerifier?
            do { configured = try CommitVerifier.configured(loaded) } catch let error as ControllerError { throw CLIError(error.message) }
            signer = try verify(commit, in: repository, verifier: try commandLineVerifier() ?? configured, report: &checked)
            report = checked
        }
        try print(report, commit: commit)
        if let signer, report.isValid, output == .text { Swift.print("signed by \(signer)") }
        if !report.isValid { throw CLIError.silentFailure }
    }

    /// The verifier `--allowed-signers` / `--keyring` ask for, nil without them.
    private func commandLineVerifier() throws -> CommitVerifier? {
        guard allowedSigners != nil || keyring != nil else { return nil }
        let cwd = FileManager.default.currentDirectoryPath
        let verifier = CommitVerifier(mode: since == nil ? .head : .strict,
                                      allowedSigners: allowedSigners.map { ControllerConfig.resolve($0, relativeTo: cwd) },
                                      keyring: keyring.map { ControllerConfig.resolve($0, relativeTo: cwd) })
        do { try verifier.checkUsable() } catch let error as ControllerError { throw CLIError(error.message.replacingOccurrences(of: "source.verify.", with: "--")) }
        return verifier
    }

    /// Checks the signature(s) of `commit` (and, with `--since`, of the commits after it): a failure
    /// is one more error of the report. Returns the tip's signer when it verified.
    private func verify(_ commit: CommitInfo?, in repository: GitRepository, verifier: CommitVerifier?,
                        report: inout ValidationReport) throws -> CommitVerifier.Signer? {
        guard let commit else { return nil }
        guard let verifier else {
            if since != nil { throw CLIError("--since needs a signature check: give --allowed-signers or --keyring (or set source.verify)") }
            return nil
        }
        var base: String?
        if let since {
            do { base = try repository.resolve(since).sha } catch let error as GitError { throw CLIError("--since \(since): \(error.message)") }
        }
        let mode = since == nil ? verifier.mode : .strict
        var effective = verifier
        effective.mode = mode
        let result = effective.check(head: commit.sha, base: base, in: repository)
        if let failure = result.failure { report.errors.append(.commitProblem(failure.message)) }
        return result.signer
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
                let files = Set(report.errors.map(\.file).filter { !$0.isEmpty }).count
                let place = files == 0 ? "" : " in \(files) file\(files == 1 ? "" : "s")"
                Terminal.standardError("invalid: \(report.errors.count) error\(report.errors.count == 1 ? "" : "s")\(place)\(at)")
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
