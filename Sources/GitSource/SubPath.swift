/// A sub-path of a repository, checked and normalised: never absolute, never with `..`.
struct SubPath: Equatable {
    /// The components, without empty or "." ones; empty for the root.
    let components: [String]

    /// Normalises `text` ("", "." and "/"-runs collapse); throws `.invalidPath` for absolute paths or `..`.
    init(_ text: String) throws(GitError) {
        guard !text.hasPrefix("/") else {
            throw GitError(.invalidPath, "path '\(text)' is absolute; give a path relative to the repository root")
        }
        guard !text.contains("\0") else {
            throw GitError(.invalidPath, "path '\(text)' contains a NUL byte")
        }
        let parts = text.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard !parts.contains("..") else {
            throw GitError(.invalidPath, "path '\(text)' contains '..'; paths must stay inside the repository")
        }
        components = parts.filter { $0 != "." }
    }

    /// Whether this is the repository root.
    var isRoot: Bool { components.isEmpty }

    /// The path as Git writes it (`a/b`), or "." for the root.
    var display: String { isRoot ? "." : components.joined(separator: "/") }

    /// The prefix for entries below this path: "" for the root, else `a/b/`.
    var entryPrefix: String { isRoot ? "" : components.joined(separator: "/") + "/" }
}
