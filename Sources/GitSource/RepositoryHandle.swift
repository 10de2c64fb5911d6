import CLibgit2

/// Owns a `git_repository` pointer and frees it in `deinit`.
final class RepositoryHandle {
    /// The owned `git_repository *`.
    let pointer: OpaquePointer

    /// Takes ownership of an open repository.
    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        git_repository_free(pointer)
    }

    /// Opens the repository at exactly `path` (work tree or git dir; parents are not searched).
    static func open(_ path: String) throws(GitError) -> RepositoryHandle {
        var raw: OpaquePointer?
        do {
            try LibGit2.call("'\(path)' is not a git repository", code: .notARepository) {
                git_repository_open_ext(&raw, path, GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue, nil)
            }
        } catch where error.message.contains("safe.directory") {
            // libgit2 1.5 refuses repositories owned by another user and says only "config value 'safe.directory' was not found".
            throw GitError(
                .notARepository,
                "'\(path)' is owned by another user, so libgit2 refuses to open it; trust it with 'git config --global --add safe.directory \(path)'"
            )
        }
        guard let raw else { throw GitError(.notARepository, "'\(path)' is not a git repository") }
        return RepositoryHandle(raw)
    }

    /// Looks up an object by full id, of `type` (peeling is the caller's business).
    func lookup(_ oid: git_oid, type: git_object_t, what: @autoclosure () -> String) throws(GitError) -> ObjectHandle {
        var raw: OpaquePointer?
        var id = oid
        try LibGit2.call(what()) { git_object_lookup(&raw, pointer, &id, type) }
        guard let raw else { throw GitError(.notFound, what()) }
        return ObjectHandle(raw, repository: self)
    }

    /// Looks up an object by an id prefix of `length` hex digits.
    func lookup(prefix oid: git_oid, length: Int, type: git_object_t, what: @autoclosure () -> String) throws(GitError) -> ObjectHandle {
        var raw: OpaquePointer?
        var id = oid
        try LibGit2.call(what()) { git_object_lookup_prefix(&raw, pointer, &id, length, type) }
        guard let raw else { throw GitError(.notFound, what()) }
        return ObjectHandle(raw, repository: self)
    }

    /// The repository's object database.
    func objectDatabase() throws(GitError) -> ObjectDatabaseHandle {
        var raw: OpaquePointer?
        try LibGit2.call("cannot open the object database") { git_repository_odb(&raw, pointer) }
        guard let raw else { throw GitError(.libgit2, "cannot open the object database") }
        return ObjectDatabaseHandle(raw, repository: self)
    }

    /// Whether a reference with exactly this full name exists (symbolic references count).
    func hasReference(_ name: String) -> Bool {
        var raw: OpaquePointer?
        guard (try? LibGit2.call("no reference '\(name)'") { git_reference_lookup(&raw, pointer, name) }) != nil,
              let raw
        else { return false }
        git_reference_free(raw)
        return true
    }

    /// The full names of all references (HEAD excluded).
    func referenceNames() throws(GitError) -> [String] {
        var names = git_strarray()
        try LibGit2.call("cannot list references") { git_reference_list(&names, pointer) }
        defer { git_strarray_dispose(&names) }
        return (0..<names.count).compactMap { index in names.strings[index].map { String(cString: $0) } }
    }

    /// Deletes the reference with this full name; a missing one is not an error.
    func deleteReference(_ name: String) throws(GitError) {
        var raw: OpaquePointer?
        do {
            try LibGit2.call("cannot find reference '\(name)'") { git_reference_lookup(&raw, pointer, name) }
        } catch where error.code == .notFound {
            return
        }
        guard let raw else { return }
        defer { git_reference_free(raw) }
        try LibGit2.call("cannot delete reference '\(name)'") { git_reference_delete(raw) }
    }

    /// Whether the repository has no references at all (a freshly initialised repository).
    func hasNoReferences() throws(GitError) -> Bool {
        try referenceNames().isEmpty
    }
}
