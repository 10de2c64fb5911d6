/// A commit's metadata, copied out of libgit2.
public struct CommitInfo: Sendable, Hashable, Codable {
    /// The full 40-hex commit id.
    public let sha: String
    /// The full 40-hex id of the commit's root tree.
    public let treeId: String
    /// Who wrote the change.
    public let author: Signature
    /// Who made the commit.
    public let committer: Signature
    /// The full commit message (leading newlines removed, as libgit2 does).
    public let message: String
    /// The full ids of the parents, in order (two or more for a merge, none for a root commit).
    public let parents: [String]

    /// Makes a commit description from its parts.
    public init(sha: String, treeId: String, author: Signature, committer: Signature, message: String, parents: [String]) {
        self.sha = sha
        self.treeId = treeId
        self.author = author
        self.committer = committer
        self.message = message
        self.parents = parents
    }

    /// The first line of the message.
    public var summary: String {
        let firstLine = message.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
        return String(firstLine).trimmingTrailingCarriageReturn()
    }

    /// The first seven characters of the sha, as people write it.
    public var shortSha: String { String(sha.prefix(7)) }
}

extension String {
    /// This string without one trailing "\r" (messages written on Windows).
    fileprivate func trimmingTrailingCarriageReturn() -> String {
        hasSuffix("\r") ? String(dropLast()) : self
    }
}
