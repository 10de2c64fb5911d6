import Foundation
import GitSource
import Manifests

/// The commits Steward writes (DESIGN §6): one commit on the tip of the watched branch changing only
/// the affected Deployments' `spec.version` lines in place, through libgit2.
public struct VersionCommit: Sendable {
    /// One Deployment's version change; `file` is relative to the repository root.
    public struct Change: Sendable, Hashable {
        public var deployment: String
        public var file: String
        public var to: String

        public init(deployment: String, file: String, to: String) {
            self.deployment = deployment
            self.file = file
            self.to = to
        }
    }

    public var changes: [Change]
    public var message: String
    public var author: CommitAuthor
    /// Signs the commit (`git.signingKey`).
    public var signer: CommitSigner?
    /// With `source.verify`, the tip the commit is written on must verify: a signed commit of
    /// Steward's on top of an unsigned one would otherwise carry it past a `head` check.
    public var verifier: CommitVerifier?

    public init(changes: [Change], message: String, author: CommitAuthor, signer: CommitSigner? = nil, verifier: CommitVerifier? = nil) {
        self.changes = changes
        self.message = message
        self.author = author
        self.signer = signer
        self.verifier = verifier
    }

    /// `signer` and `verifier` as `settings` ask for them (see `CommitSigning.signer`).
    public init(changes: [Change], message: String, author: CommitAuthor, settings: ControllerSettings) throws {
        self.init(changes: changes, message: message, author: author,
                  signer: try CommitSigning.signer(settings), verifier: try CommitVerifier.configured(settings))
    }

    /// Writes the commit on `branch` (compare-and-swap against its tip) and, with `push`, pushes it;
    /// a rejected push is re-fetched and retried once. Returns the new commit's sha.
    public func write(to repository: GitRepository, branch: String, push: Bool) throws -> String {
        if repository.isMirror, !push {
            throw ControllerError("source.repository is a URL: a commit Steward writes must be pushed (set git.push: true or pass --push)")
        }
        let sha = try commit(on: repository, branch: branch)
        guard push else { return sha }
        do {
            try repository.push(commit: sha, branch: branch)
            return sha
        } catch let error as GitError where error.code == .pushRejected {
            try repository.fetch()
            let retried = try commit(on: repository, branch: branch)
            try repository.push(commit: retried, branch: branch)
            return retried
        }
    }

    /// Edits each file as it is at the branch tip and commits the result.
    private func commit(on repository: GitRepository, branch: String) throws -> String {
        let tip = try repository.resolve(branch)
        if let verifier, case .failure(let failure) = verifier.verify(tip.sha, in: repository) {
            throw ControllerError("no commit written on '\(branch)': its tip does not verify: \(failure.message)")
        }
        var files: [String: [UInt8]] = [:]
        for change in changes {
            let text = String(decoding: try files[change.file] ?? Self.read(change.file, at: tip.sha, in: repository), as: UTF8.self)
            guard let edited = try DeploymentVersionEdit.setVersion(change.to, ofDeployment: change.deployment, in: text, file: change.file) else {
                throw ControllerError("\(change.file): Deployment \(change.deployment) is not in this file at \(tip.shortSha)")
            }
            files[change.file] = Array(edited.utf8)
        }
        return try repository.commitFiles(branch: branch, expectedTip: tip.sha, files: files, message: message, author: author, signer: signer)
    }

    /// The bytes of `file` at `commit`.
    static func read(_ file: String, at commit: String, in repository: GitRepository) throws -> [UInt8] {
        let folder = (file as NSString).deletingLastPathComponent
        let snapshot = try repository.snapshot(commit: commit, path: folder.isEmpty ? "." : folder)
        guard let entry = snapshot.files.first(where: { $0.path == file }) else {
            throw ControllerError("\(file) does not exist at \(String(commit.prefix(7)))")
        }
        return try repository.readBlob(entry.blobId, path: file)
    }

    /// `Steward-Action: …` and the other trailers, one per line, after a blank line.
    public static func message(subject: String, body: String, action: String, event: Int64?, reverts: String? = nil) -> String {
        var trailers = ["Steward-Action: \(action)"]
        if let event { trailers.append("Steward-Event: \(event)") }
        if let reverts { trailers.append("Steward-Reverts: \(reverts)") }
        return "\(subject)\n\n\(body)\n\n\(trailers.joined(separator: "\n"))\n"
    }

    /// Whether a commit was written by the controller itself (an auto-rollback revert).
    public static func isControllerCommit(_ commit: CommitInfo) -> Bool {
        commit.message.split(whereSeparator: \.isNewline).contains { $0.trimmingCharacters(in: .whitespaces) == "Steward-Action: auto-rollback" }
    }
}
