import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

/// What `promote`, `rollback` and `approve` read: the watched branch's tip, validated, and the proofs.
struct ReleaseWorkspace {
    let settings: ControllerSettings
    let store: any StateStore
    let repository: GitRepository
    let tip: CommitInfo
    let fleet: Fleet

    init(settings: ControllerSettings, store: any StateStore) async throws {
        self.settings = settings
        self.store = store
        repository = try settings.openSource()
        let (tip, report) = try await Self.validate(settings, store: store, repository: repository, revision: settings.config.branch)
        guard report.isValid else {
            let first = report.errors.first.map { ": \($0)" } ?? ""
            throw ControllerError("the tip of '\(settings.config.branch)' (\(tip.shortSha)) does not validate\(first); fix it before writing a commit")
        }
        self.tip = tip
        fleet = report.fleet
    }

    static func validate(_ settings: ControllerSettings, store: any StateStore, repository: GitRepository,
                         revision: String) async throws -> (CommitInfo, ValidationReport) {
        let registered = Dictionary(try await store.registeredVersions().map { ($0.blueprint, $0.specHash) }, uniquingKeysWith: { a, _ in a })
        let options = FleetValidator.Options(allowEmpty: settings.config.allowEmpty, registeredVersions: registered)
        do {
            return try ManifestSource.validate(repository, revision: revision, subPath: settings.config.sourcePath, options: options)
        } catch let error as GitError {
            throw ControllerError("\(revision): \(error.message)")
        }
    }

    func proofs() async throws -> ProofIndex { ProofIndex(try await store.history(outcome: ProofIndex.provenOutcome)) }

    func deployment(_ name: String) throws -> ResolvedDeployment {
        guard let deployment = fleet.deployments[name] else {
            let known = fleet.deployments.keys.sorted().prefix(5).joined(separator: ", ")
            throw ControllerError("no Deployment named '\(name)' at \(tip.shortSha)" + (known.isEmpty ? "" : " (known: \(known))"))
        }
        return deployment
    }

    /// The author of CLI commits: git's `user.name`/`user.email`, else `git.author`, else steward.
    var author: CommitAuthor {
        repository.configuredAuthor()
            ?? settings.config.git?.author.map { CommitAuthor(name: $0.name, email: $0.email) }
            ?? CommitAuthor(name: "steward", email: "steward@localhost")
    }

    func write(_ changes: [VersionCommit.Change], message: String, push: Bool) throws -> String {
        do {
            return try VersionCommit(changes: changes, message: message, author: author, settings: settings)
                .write(to: repository, branch: settings.config.branch, push: push)
        } catch let error as GitError {
            throw ControllerError(error.message)
        }
    }
}

/// The result of `promote` / `rollback`: the new commit and what it changed.
public struct ReleaseCommit: Sendable, Codable, Hashable {
    public struct Change: Sendable, Codable, Hashable {
        public var deployment: String
        public var environment: String
        public var from: String
        public var to: String
    }

    public var commit: String?
    public var changes: [Change]
    public var message: String
}
