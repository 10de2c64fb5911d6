import CLibgit2

extension GitRepository {
    /// git's configured `user.name` and `user.email` (repository config, then global and system), nil when either is unset or empty.
    public func configuredAuthor() -> CommitAuthor? {
        LibGit2.initialise()
        var raw: OpaquePointer?
        guard git_repository_config_snapshot(&raw, handle.pointer) == 0, let raw else {
            git_error_clear()
            return nil
        }
        defer { git_config_free(raw) }
        guard let name = Self.configString(raw, "user.name"), let email = Self.configString(raw, "user.email") else {
            git_error_clear()
            return nil
        }
        return CommitAuthor(name: name, email: email)
    }

    /// A non-empty string value from a config snapshot, or nil.
    private static func configString(_ config: OpaquePointer, _ key: String) -> String? {
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, config, key) == 0, let value else { return nil }
        let text = String(cString: value)
        return text.allSatisfy(\.isWhitespace) ? nil : text
    }
}
