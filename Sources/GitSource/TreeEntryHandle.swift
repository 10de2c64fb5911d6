import CLibgit2

/// Owns a `git_tree_entry` from `git_tree_entry_bypath` and frees it in `deinit`.
final class TreeEntryHandle {
    /// The owned `git_tree_entry *`.
    let pointer: OpaquePointer

    /// Takes ownership of a tree entry.
    init(_ pointer: OpaquePointer) {
        self.pointer = pointer
    }

    deinit {
        git_tree_entry_free(pointer)
    }

    /// The entry under `tree` at a `/`-separated path, or nil when there is none.
    static func find(in tree: ObjectHandle, path: String) throws(GitError) -> TreeEntryHandle? {
        var raw: OpaquePointer?
        do {
            try LibGit2.call("cannot read path '\(path)'") { git_tree_entry_bypath(&raw, tree.pointer, path) }
        } catch where error.code == .notFound {
            return nil
        }
        return raw.map(TreeEntryHandle.init)
    }

    /// The type of object the entry points at.
    var type: git_object_t { git_tree_entry_type(pointer) }

    /// The id of the object the entry points at.
    var oid: git_oid { git_tree_entry_id(pointer).pointee }
}
