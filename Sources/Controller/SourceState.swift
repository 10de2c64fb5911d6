import Foundation
import GitSource
import Manifests

/// The parsed source: the commit last parsed and the last commit that validated.
struct SourceState {
    struct Good {
        var commit: CommitInfo
        var fleet: Fleet
    }

    struct Seen {
        var commit: CommitInfo
        var errors: [ValidationError]
    }

    let settings: ControllerSettings
    private(set) var lastGood: Good?
    private var parsed: Seen?
    /// Parsed files by blob id, so a new commit re-parses only the files it changed.
    private(set) var cache: ParseCache
    /// The last commit that validated, onto which a commit changing only Deployments is patched.
    private var validated: ValidatedSource?
    /// Commits validated by patching the one before (`validated`), for tests and figures.
    private(set) var patchedValidations = 0

    init(settings: ControllerSettings) {
        self.settings = settings
        cache = ParseCache(stored: BlobCache(directory: settings.blobCacheDirectory, readOnly: !settings.savesCaches),
                           hashes: DocumentHashMemo(file: settings.documentHashesFile, saving: settings.savesCaches))
    }

    /// Parses `head` unless it was the last commit parsed; on a restart with an invalid head, falls
    /// back to the last applied commit so it keeps being reconciled (DESIGN §7).
    ///
    /// `refused`: why `head` may not be applied whatever it holds (its signature did not verify).
    mutating func load(_ head: CommitInfo, repository: GitRepository, registered: [BlueprintRef: String], lastApplied: String?,
                       refused: ValidationError? = nil) throws -> Seen {
        if let parsed, parsed.commit.sha == head.sha { return parsed }
        if let held = refused ?? forcePushProblem(head, repository: repository, lastApplied: lastApplied) {
            // A head that fails verification or moved non-fast-forward is held like an invalid one:
            // the last applied commit stays.
            let seen = Seen(commit: head, errors: [held])
            parsed = seen
            if lastGood.map({ $0.commit.sha != lastApplied }) ?? true {
                lastGood = nil
                fallBack(to: lastApplied, head: head, repository: repository, registered: registered)
            }
            return seen
        }
        let validation = try validate(head.sha, repository: repository, registered: registered)
        let report = validation.report
        let seen = Seen(commit: head, errors: report.errors)
        parsed = seen
        if report.isValid {
            lastGood = Good(commit: head, fleet: report.fleet)
        } else if lastGood == nil {
            fallBack(to: lastApplied, head: head, repository: repository, registered: registered)
        }
        return seen
    }

    /// Makes the last applied commit the one reconciled, when it still validates.
    private mutating func fallBack(to lastApplied: String?, head: CommitInfo, repository: GitRepository,
                                   registered: [BlueprintRef: String]) {
        guard let lastApplied, lastApplied != head.sha,
              let previous = try? validate(lastApplied, repository: repository, registered: registered), previous.report.isValid,
              let commit = try? repository.commit(lastApplied) else { return }
        lastGood = Good(commit: commit, fleet: previous.report.fleet)
    }

    /// Validates a commit, patching the last one validated when only Deployments changed since.
    mutating func validate(_ sha: String, repository: GitRepository, registered: [BlueprintRef: String]) throws -> SourceValidation {
        let options = FleetValidator.Options(allowEmpty: settings.config.allowEmpty, registeredVersions: registered)
        do {
            let validation = try ManifestSource.validate(repository, commit: sha, subPath: settings.config.sourcePath, cache: &cache,
                                                         options: options, base: &validated)
            if validation.patched { patchedValidations += 1 }
            return validation
        } catch let error as GitError {
            let problem = ValidationError(file: settings.config.sourcePath, position: SourcePosition(line: 1, column: 1), message: error.message)
            return SourceValidation(report: ValidationReport(fleet: Fleet(), errors: [problem]))
        }
    }
}
