import CLibgit2

/// Owns a `git_odb` pointer and frees it in `deinit`; reads object headers without content.
final class ObjectDatabaseHandle {
    /// The owned `git_odb *`.
    let pointer: OpaquePointer
    /// Kept so the repository outlives the database handle.
    let repository: RepositoryHandle

    /// Takes ownership of a repository's object database.
    init(_ pointer: OpaquePointer, repository: RepositoryHandle) {
        self.pointer = pointer
        self.repository = repository
    }

    deinit {
        git_odb_free(pointer)
    }

    /// The size and type from an object's header; the content is not inflated.
    func header(_ oid: git_oid, what: @autoclosure () -> String) throws(GitError) -> (size: Int, type: git_object_t) {
        var size = 0
        var type = GIT_OBJECT_INVALID
        var id = oid
        try LibGit2.call(what()) { git_odb_read_header(&size, &type, pointer, &id) }
        return (size, type)
    }
}
