/// An error from reading a Git repository: a code to branch on and one clear line for people.
public struct GitError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What kind of failure this is.
    public enum Code: String, Sendable {
        /// libgit2 reported a failure not covered by a more specific code.
        case libgit2
        /// A revision, commit, object or path does not exist.
        case notFound
        /// The path is not a Git repository.
        case notARepository
        /// A blob is larger than the caller's limit; its content was not read.
        case blobTooLarge
        /// A sub-path is absolute or climbs out of the repository with `..`.
        case invalidPath
        /// The repository has no commits yet (unborn HEAD, no references).
        case emptyRepository
        /// A branch no longer points at the commit the caller expected (compare-and-swap failed).
        case staleTip
        /// Tracked files have uncommitted changes, so Steward will not commit over them.
        case dirtyWorkTree
        /// The requested change leaves the tree as it is; no commit was written.
        case nothingToCommit
        /// The remote refused the push (not a fast-forward, or refused by the server): re-fetch and retry.
        case pushRejected
        /// The remote stayed silent longer than the fetch's limits, or the fetch was cancelled.
        case timedOut
    }

    /// What kind of failure this is.
    public let code: Code
    /// One clear line; includes libgit2's own message when the failure came from libgit2.
    public let message: String

    /// Makes an error with a code and a one-line message.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message, unchanged.
    public var description: String { message }
}
