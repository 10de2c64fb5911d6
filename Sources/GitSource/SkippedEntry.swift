/// A tree entry a snapshot reports but never follows: a symlink or a submodule.
public struct SkippedEntry: Sendable, Hashable, Codable {
    /// Why the entry was skipped.
    public enum Reason: String, Sendable, Codable {
        /// A symbolic link (mode 120000); its target is never read or followed.
        case symlink
        /// A submodule commit entry (mode 160000); never fetched or followed.
        case submodule
    }

    /// The path relative to the repository root, `/`-separated.
    public let path: String
    /// Why it was skipped.
    public let reason: Reason

    /// Makes a skipped entry from its parts.
    public init(path: String, reason: Reason) {
        self.path = path
        self.reason = reason
    }
}
