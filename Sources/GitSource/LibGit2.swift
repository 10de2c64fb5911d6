import CLibgit2

/// The one gate to libgit2: initialises it once and turns return codes into `GitError`s.
enum LibGit2 {
    /// `git_libgit2_init()` runs the first time this is read, exactly once per process.
    private static let initialised: Int32 = {
        let count = git_libgit2_init()
        _ = steward_git_skip_hash_check_on_read()   // as git reads objects; a fetch still checks what arrives
        return count
    }()

    /// Makes sure libgit2 is initialised; cheap after the first call.
    static func initialise() {
        _ = initialised
    }

    /// Runs a libgit2 call and throws a `GitError` naming `context` when it returns a negative code.
    ///
    /// `code` overrides the mapping from libgit2's error class (for example `.notARepository`).
    @discardableResult
    static func call(
        _ context: @autoclosure () -> String,
        code: GitError.Code? = nil,
        _ body: () -> Int32
    ) throws(GitError) -> Int32 {
        initialise()
        git_error_clear()
        let result = body()
        guard result < 0 else { return result }
        throw error(result, context(), code: code)
    }

    /// The `GitError` for a negative libgit2 return code, with libgit2's last message appended.
    static func error(_ result: Int32, _ context: String, code: GitError.Code? = nil) -> GitError {
        let detail = lastMessage() ?? "libgit2 error \(result)"
        let mapped: GitError.Code
        if let code {
            mapped = code
        } else {
            switch result {
            case GIT_ENOTFOUND.rawValue: mapped = .notFound
            case GIT_EUNBORNBRANCH.rawValue: mapped = .emptyRepository
            default: mapped = .libgit2
            }
        }
        return GitError(mapped, "\(context): \(detail)")
    }

    /// libgit2's last error message on this thread, on one line, or nil when there is none.
    static func lastMessage() -> String? {
        guard let raw = git_error_last()?.pointee.message else { return nil }
        let text = String(cString: raw)
            .split(whereSeparator: \.isNewline)
            .joined(separator: " ")
            .trimmingCharacters(in: " ")
        return text.isEmpty ? nil : text
    }
}

extension String {
    /// This string without leading and trailing characters from `set`.
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var slice = Substring(self)
        while slice.first == set { slice.removeFirst() }
        while slice.last == set { slice.removeLast() }
        return String(slice)
    }
}
