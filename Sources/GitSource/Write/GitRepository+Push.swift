import CLibgit2
import Foundation

extension GitRepository {
    /// Pushes `commit` to `refs/heads/<branch>` on `remote` (a configured remote's name, or a URL or path), never forced.
    ///
    /// Uses the repository's credentials. Throws `.pushRejected` when the remote branch is not an
    /// ancestor of `commit` (it moved meanwhile) or the server refuses the update: re-fetch and retry.
    /// After a push to a configured remote, libgit2 also moves the matching remote-tracking ref.
    public func push(commit: String, branch: String, remote: String = "origin") throws {
        let target = "refs/heads/\(branch)"
        guard !branch.isEmpty, !branch.hasPrefix("refs/"), RepositoryHandle.isValidReferenceName(target) else {
            throw GitError(.invalidPath, "'\(branch)' is not a valid branch name")
        }
        let commitId = git_object_id(try lookupCommit(commit).pointer).pointee
        let remoteHandle = try openRemote(remote)
        let shown = Self.redacted(remoteHandle.url ?? remote, secrets: secrets)

        // libgit2 pushes from a local reference: point a temporary one at the commit.
        let source = "refs/steward/push-\(UUID().uuidString.lowercased())"
        try handle.setReference(source, to: commitId, reflog: "steward: push")
        defer { try? handle.deleteReference(source) }

        let context = PushContext(credentials: credentials)
        let result = try context.withPushOptions { (options: inout git_push_options) throws(GitError) -> Int32 in
            try Self.withStringArray(["\(source):\(target)"]) { (refspecs: inout git_strarray) throws(GitError) -> Int32 in
                LibGit2.initialise()
                git_error_clear()
                return git_remote_push(remoteHandle.pointer, &refspecs, &options)
            }
        }
        let what = "push of \(ObjectId.hex(commitId).prefix(7)) to '\(branch)' on '\(shown)'"
        if result == GIT_ENONFASTFORWARD.rawValue {
            let detail = LibGit2.lastMessage().map { Self.redacted($0, secrets: secrets) } ?? "not a fast-forward"
            throw GitError(.pushRejected, "\(what) rejected: \(detail); fetch and try again")
        }
        guard result >= 0 else {
            let error = LibGit2.error(result, "\(what) failed")
            throw GitError(error.code, Self.redacted(error.message, secrets: secrets))
        }
        if let rejection = context.rejections.first {
            throw GitError(.pushRejected, "\(what) rejected by the remote: \(Self.redacted(rejection.status, secrets: secrets))")
        }
    }

    /// A configured remote by name, else (a path, `file://`, `https://`, `ssh://` or `user@host:path`) an anonymous remote.
    private func openRemote(_ remote: String) throws(GitError) -> RemoteHandle {
        var valid: Int32 = 0
        LibGit2.initialise()
        let isName = !remote.hasPrefix("/") && !remote.hasPrefix(".") && !remote.contains(":")
            && git_remote_name_is_valid(&valid, remote) == 0 && valid == 1
        if isName { return try RemoteHandle.lookup(remote, in: handle) }
        let url = Self.normalisedSource(remote)
        let shown = Self.redacted(url, secrets: secrets)
        var raw: OpaquePointer?
        do {
            try LibGit2.call("cannot use '\(shown)' as a remote") { git_remote_create_anonymous(&raw, handle.pointer, url) }
        } catch {
            throw GitError(error.code, Self.redacted(error.message, secrets: secrets))
        }
        guard let raw else { throw GitError(.libgit2, "cannot use '\(shown)' as a remote") }
        return RemoteHandle(raw, repository: handle)
    }

    /// The passwords and passphrases that must never appear in an error.
    private var secrets: [String] {
        switch credentials {
        case let .userPassword(_, password)?: [password]
        case let .sshKey(_, _, passphrase?, _)?: [passphrase]
        default: []
        }
    }

    /// `text` with URL user info (`//user:token@`) and any of `secrets` removed.
    static func redacted(_ text: String, secrets: [String]) -> String {
        var result = text
        for secret in secrets where !secret.isEmpty {
            result = result.replacingOccurrences(of: secret, with: "<redacted>")
        }
        let pattern = #"://[^/@\s]+@"#
        return result.replacingOccurrences(of: pattern, with: "://", options: .regularExpression)
    }
}
