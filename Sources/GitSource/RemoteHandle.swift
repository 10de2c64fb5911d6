import CLibgit2

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

    /// The remote's fetch URL.
    var url: String? {
        git_remote_url(pointer).map { String(cString: $0) }
    }
}
