import CLibgit2

extension GitRepository {
    /// Writes one commit on `branch` whose parent is `expectedTip`, replacing the given files, and moves the branch compare-and-swap.
    ///
    /// `files` maps paths relative to the repository root to their new full contents; folders
    /// are made as needed and existing files keep their mode. Author and committer are `author`,
    /// time now; with `signer`, the commit carries its signature (`gpgsig`). Returns the new commit's full sha.
    ///
    /// - A work tree whose HEAD is `branch`: refused with `.dirtyWorkTree` while tracked files
    ///   have uncommitted changes; afterwards index and work tree match the new commit.
    /// - A bare repository, or a work tree on another branch: only `refs/heads/<branch>` moves.
    /// - A mirror: the commit is made on `refs/remotes/origin/<branch>`, which does not move;
    ///   the caller pushes it with `push(commit:branch:)`, then fetches.
    ///
    /// Throws `.staleTip` (nothing moved) when the branch no longer points at `expectedTip`, and
    /// `.nothingToCommit` when the files already have these contents.
    public func commitFiles(
        branch: String,
        expectedTip: String,
        files: [String: [UInt8]],
        message: String,
        author: CommitAuthor,
        signer: CommitSigner? = nil
    ) throws -> String {
        let reference = try branchReference(branch)
        let entries = try Self.normalisedFilePaths(files)
        guard !entries.isEmpty else { throw GitError(.nothingToCommit, "no files given to commit on '\(branch)'") }
        guard expectedTip.utf8.count == 40 else {
            throw GitError(.notFound, "expected tip '\(expectedTip)' of '\(branch)' must be a full 40-digit sha")
        }
        let parent = try lookupCommit(expectedTip)
        let parentId = git_object_id(parent.pointer).pointee
        try checkTip(reference, branch: branch, expected: parentId)

        let checksOut = !isBare && !isMirror && handle.headReferenceName() == reference
        if checksOut {
            let changed = try uncommittedChanges()
            guard changed.isEmpty else { throw Self.dirtyError(changed, workdir: workdir ?? path, branch: branch) }
        }
        let baseTree = try parent.peel(to: GIT_OBJECT_TREE, what: "commit \(expectedTip) has no tree")
        var treeId = try updatedTree(baseTree, files: entries)
        guard git_oid_cmp(&treeId, git_object_id(baseTree.pointer)) != 0 else {
            throw GitError(.nothingToCommit, "'\(branch)' at \(expectedTip.prefix(7)) already has these contents; no commit written")
        }
        let tree = try handle.lookup(treeId, type: GIT_OBJECT_TREE, what: "cannot read the new tree")
        let commit = try CommitObject.write(in: handle, tree: tree, parent: parent, message: message, author: author, signer: signer)
        let sha = ObjectId.hex(commit)
        guard !isMirror else { return sha }

        try handle.moveReference(reference, to: commit, from: parentId, reflog: "commit: \(CommitObject.summary(message))")
        if checksOut {
            do {
                try checkOutHead(paths: entries.map(\.path), baseline: baseTree)
            } catch {
                throw GitError(error.code, "commit \(sha.prefix(7)) written and '\(branch)' moved, but the work tree was not updated: \(error.message)")
            }
        }
        return sha
    }

    /// The reference a branch lives at here: `refs/remotes/origin/<branch>` in a mirror, else `refs/heads/<branch>`.
    func branchReference(_ branch: String) throws(GitError) -> String {
        let local = "refs/heads/\(branch)"
        guard !branch.isEmpty, !branch.hasPrefix("refs/"), RepositoryHandle.isValidReferenceName(local) else {
            throw GitError(.invalidPath, "'\(branch)' is not a valid branch name")
        }
        return isMirror ? "refs/remotes/origin/\(branch)" : local
    }

    /// Throws `.staleTip` unless `reference` exists and points at `expected`.
    private func checkTip(_ reference: String, branch: String, expected: git_oid) throws(GitError) {
        guard var current = try handle.target(of: reference) else {
            throw GitError(.notFound, "branch '\(branch)' does not exist (no \(reference))")
        }
        var wanted = expected
        guard git_oid_cmp(&current, &wanted) == 0 else {
            throw GitError(
                .staleTip,
                "branch '\(branch)' is at \(ObjectId.hex(current).prefix(7)), not the expected \(ObjectId.hex(expected).prefix(7)); re-read it and try again")
        }
    }

    /// The refusal for a work tree with uncommitted changes, naming the first few paths.
    private static func dirtyError(_ paths: [String], workdir: String, branch: String) -> GitError {
        let shown = paths.prefix(3).joined(separator: ", ")
        let more = paths.count > 3 ? " and \(paths.count - 3) more" : ""
        return GitError(
            .dirtyWorkTree,
            "cannot commit on '\(branch)': '\(workdir)' has uncommitted changes in \(shown)\(more); commit or stash them first")
    }
}
