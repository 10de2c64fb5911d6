import CLibgit2

/// Writes commit objects (no reference moves).
enum CommitObject {
    /// Writes a commit of `tree` with one parent; author and committer are `author` at the current time.
    static func write(
        in repository: RepositoryHandle,
        tree: ObjectHandle,
        parent: ObjectHandle,
        message: String,
        author: CommitAuthor
    ) throws(GitError) -> git_oid {
        var signature: UnsafeMutablePointer<git_signature>?
        try LibGit2.call("cannot use '\(author)' as commit author") {
            git_signature_now(&signature, author.name, author.email)
        }
        guard let signature else { throw GitError(.libgit2, "cannot use '\(author)' as commit author") }
        defer { git_signature_free(signature) }
        var commit = git_oid()
        var parents: [OpaquePointer?] = [parent.pointer]
        let text = message.hasSuffix("\n") ? message : message + "\n"
        try LibGit2.call("cannot write the commit") {
            git_commit_create(&commit, repository.pointer, nil, signature, signature, nil, text, tree.pointer, 1, &parents)
        }
        return commit
    }

    /// The first line of a message, for reflogs.
    static func summary(_ message: String) -> String {
        String(message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }
}
