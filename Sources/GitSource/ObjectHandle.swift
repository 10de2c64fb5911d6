import CLibgit2

/// Owns a `git_object` pointer (commit, tree, blob or tag) and frees it in `deinit`.
final class ObjectHandle {
    /// The owned `git_object *`; also usable as `git_commit *`, `git_tree *`, `git_blob *` for its type.
    let pointer: OpaquePointer
    /// Kept so the repository outlives every object read from it, as libgit2 requires.
    let repository: RepositoryHandle

    /// Takes ownership of an object looked up in `repository`.
    init(_ pointer: OpaquePointer, repository: RepositoryHandle) {
        self.pointer = pointer
        self.repository = repository
    }

    deinit {
        git_object_free(pointer)
    }

    /// The object's type.
    var type: git_object_t { git_object_type(pointer) }

    /// The object's full id.
    var id: String { ObjectId.hex(git_object_id(pointer)) }

    /// The object peeled to `type` (a tag to its commit, a commit to its tree).
    func peel(to type: git_object_t, what: @autoclosure () -> String) throws(GitError) -> ObjectHandle {
        var raw: OpaquePointer?
        try LibGit2.call(what()) { git_object_peel(&raw, pointer, type) }
        guard let raw else { throw GitError(.notFound, what()) }
        return ObjectHandle(raw, repository: repository)
    }
}
