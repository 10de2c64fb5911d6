import CLibgit2

/// Writes commit objects (no reference moves).
enum CommitObject {
    /// Writes a commit of `tree` with one parent; author and committer are `author` at the current time.
    static func write(
        in repository: RepositoryHandle,
        tree: ObjectHandle,
        parent: ObjectHandle,
        message: String,
        author: CommitAuthor,
        signer: CommitSigner? = nil
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
        guard let signer else {
            try LibGit2.call("cannot write the commit") {
                git_commit_create(&commit, repository.pointer, nil, signature, signature, nil, text, tree.pointer, 1, &parents)
            }
            return commit
        }
        // Signed: the commit's bytes are made first, signed, and written with the signature as its
        // `gpgsig` header (what `git commit -S` does).
        var content = git_buf()
        defer { git_buf_dispose(&content) }
        try LibGit2.call("cannot make the commit to sign") {
            parents.withUnsafeMutableBufferPointer {
                $0.baseAddress!.withMemoryRebound(to: Optional<OpaquePointer>.self, capacity: 1) { pointer in
                    git_commit_create_buffer(&content, repository.pointer, signature, signature, nil, text, tree.pointer, 1, pointer)
                }
            }
        }
        let bytes = content.ptr.map { Array(UnsafeRawBufferPointer(start: $0, count: content.size)) } ?? []
        let armored: String
        do {
            armored = try signer(bytes)
        } catch {
            throw GitError(.libgit2, "cannot sign the commit: \(error)")
        }
        let unsigned = String(decoding: bytes, as: UTF8.self)
        try LibGit2.call("cannot write the signed commit") {
            git_commit_create_with_signature(&commit, repository.pointer, unsigned, armored, nil)
        }
        return commit
    }

    /// The first line of a message, for reflogs.
    static func summary(_ message: String) -> String {
        String(message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }
}
