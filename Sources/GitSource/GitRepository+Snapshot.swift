import CLibgit2

extension GitRepository {
    /// Lists every regular file under `path` in commit `sha`, with blob ids and sizes, reading no content.
    /// With `sizes: false` no object header is read either (sizes are nil): a listing of thousands of
    /// files costs one open and inflate fewer per file, for callers that check sizes when they read.
    ///
    /// Symlinks and submodules are reported in `skipped` and never followed. Throws `.invalidPath`
    /// for an absolute path or one with `..`, and `.notFound` when `path` is missing or not a directory.
    public func snapshot(commit sha: String, path: String, sizes: Bool = true) throws -> Snapshot {
        let subPath = try SubPath(path)
        let commit = try lookupCommit(sha)
        let info = Self.commitInfo(commit)
        let root = try commit.peel(to: GIT_OBJECT_TREE, what: "commit \(info.shortSha) has no tree")
        let tree = try subTree(of: root, at: subPath, commit: info)
        let odb = sizes ? try handle.objectDatabase() : nil
        let listing = try TreeWalk.list(tree, prefix: subPath.entryPrefix, objectDatabase: odb)
        return Snapshot(commit: info, path: subPath.display, treeId: tree.id, files: listing.files, skipped: listing.skipped)
    }

    /// The tree at `subPath` under `root`, or `.notFound` naming the path and commit.
    private func subTree(of root: ObjectHandle, at subPath: SubPath, commit: CommitInfo) throws(GitError) -> ObjectHandle {
        guard !subPath.isRoot else { return root }
        let name = subPath.display
        guard let entry = try TreeEntryHandle.find(in: root, path: name) else {
            throw GitError(.notFound, "path '\(name)' does not exist in commit \(commit.shortSha)")
        }
        guard entry.type == GIT_OBJECT_TREE else {
            throw GitError(.notFound, "path '\(name)' in commit \(commit.shortSha) is not a directory")
        }
        return try handle.lookup(entry.oid, type: GIT_OBJECT_TREE, what: "cannot read directory '\(name)' in commit \(commit.shortSha)")
    }
}
