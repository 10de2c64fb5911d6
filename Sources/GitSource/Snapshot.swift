/// The files under one path of one commit, listed without reading their content.
public struct Snapshot: Sendable, Hashable, Codable {
    /// The commit the snapshot was taken from.
    public let commit: CommitInfo
    /// The sub-path asked for, normalised: "." for the root, else `a/b` (no leading, trailing or doubled `/`).
    public let path: String
    /// The id of the tree at `path` (the commit's root tree for ".").
    public let treeId: String
    /// Every regular file (mode 100644 or 100755) under `path`, recursively, sorted by path bytes.
    public let files: [SourceFile]
    /// Symlinks and submodules under `path`, sorted by path bytes; never followed.
    public let skipped: [SkippedEntry]

    /// Makes a snapshot from its parts.
    public init(commit: CommitInfo, path: String, treeId: String, files: [SourceFile], skipped: [SkippedEntry]) {
        self.commit = commit
        self.path = path
        self.treeId = treeId
        self.files = files
        self.skipped = skipped
    }
}
