import CLibgit2
import Foundation

/// Owns a `git_remote` pointer and frees it in `deinit`.
final class RemoteHandle {
    /// The owned `git_remote *`.
    let pointer: OpaquePointer
    /// Kept so the repository outlives the remote.
    let repository: RepositoryHandle

    /// Takes ownership of a remote looked up in `repository`.
    init(_ pointer: OpaquePointer, repository: RepositoryHandle) {
        self.pointer = pointer
        self.repository = repository
    }

    deinit {
        git_remote_free(pointer)
    }

    /// Looks up a configured remote by name.
    static func lookup(_ name: String, in repository: RepositoryHandle) throws(GitError) -> RemoteHandle {
        var raw: OpaquePointer?
        try LibGit2.call("repository has no remote '\(name)'") {
            git_remote_lookup(&raw, repository.pointer, name)
        }
        guard let raw else { throw GitError(.notFound, "repository has no remote '\(name)'") }
        return RemoteHandle(raw, repository: repository)
    }

    /// An in-memory remote for `url`, made without libgit2's `url.*.insteadOf` rewriting or default
    /// refspecs: libgit2 1.5's regexp code (pcre2) leaks its match data on every config key a glob
    /// does not match, ~90 KB for each `git_remote_lookup` or named clone remote — every fetch of
    /// every pass, hundreds of MB a day. The caller passes the refspecs.
    static func unrewritten(_ url: String, name: String? = nil, in repository: RepositoryHandle) throws(GitError) -> RemoteHandle {
        var options = git_remote_create_options()
        try LibGit2.call("cannot prepare remote options") {
            git_remote_create_options_init(&options, UInt32(GIT_REMOTE_CREATE_OPTIONS_VERSION))
        }
        options.repository = repository.pointer
        options.flags = GIT_REMOTE_CREATE_SKIP_INSTEADOF.rawValue | (name == nil ? GIT_REMOTE_CREATE_SKIP_DEFAULT_FETCHSPEC.rawValue : 0)
        let named = name.flatMap { strdup($0) }
        defer { free(named) }
        options.name = named.map { UnsafePointer($0) }
        var raw: OpaquePointer?
        try LibGit2.call("cannot use '\(url)' as a remote") { git_remote_create_with_opts(&raw, url, &options) }
        guard let raw else { throw GitError(.libgit2, "cannot use '\(url)' as a remote") }
        return RemoteHandle(raw, repository: repository)
    }

    /// `remote.<name>.url` from the repository's config (no remote object: see `unrewritten`).
    static func configuredURL(_ name: String, in repository: RepositoryHandle) throws(GitError) -> String {
        var config: OpaquePointer?
        try LibGit2.call("cannot read the repository's config") { git_repository_config_snapshot(&config, repository.pointer) }
        guard let config else { throw GitError(.libgit2, "cannot read the repository's config") }
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        guard git_config_get_string(&value, config, "remote.\(name).url") == 0, let value else {
            git_error_clear()
            throw GitError(.notFound, "repository has no remote '\(name)'")
        }
        return String(cString: value)
    }

    /// The remote's fetch URL.
    var url: String? {
        git_remote_url(pointer).map { String(cString: $0) }
    }
}

