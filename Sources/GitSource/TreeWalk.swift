import CLibgit2

/// Lists a tree recursively with an explicit stack: regular files, plus symlinks and submodules skipped.
enum TreeWalk {
    /// What a walk found, both lists sorted by path bytes.
    struct Listing {
        var files: [SourceFile] = []
        var skipped: [SkippedEntry] = []
    }

    /// Walks `tree`, naming entries `prefix + relative path`; sizes come from object headers only
    /// (none without an object database).
    static func list(_ tree: ObjectHandle, prefix: String, objectDatabase: ObjectDatabaseHandle?) throws(GitError) -> Listing {
        var listing = Listing()
        var pending: [(tree: ObjectHandle, prefix: String)] = [(tree, prefix)]
        while let (current, base) = pending.popLast() {
            let count = git_tree_entrycount(current.pointer)
            for index in 0..<count {
                guard let entry = git_tree_entry_byindex(current.pointer, index) else { continue }
                let path = base + String(cString: git_tree_entry_name(entry))
                let oid = git_tree_entry_id(entry).pointee
                let mode = git_tree_entry_filemode(entry)
                switch mode {
                case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE:
                    let size = try objectDatabase?.header(oid, what: "cannot read the size of '\(path)'").size
                    listing.files.append(SourceFile(path: path, blobId: ObjectId.hex(oid), size: size,
                                                    executable: mode == GIT_FILEMODE_BLOB_EXECUTABLE))
                case GIT_FILEMODE_LINK:
                    listing.skipped.append(SkippedEntry(path: path, reason: .symlink))
                case GIT_FILEMODE_COMMIT:
                    listing.skipped.append(SkippedEntry(path: path, reason: .submodule))
                case GIT_FILEMODE_TREE:
                    let child = try current.repository.lookup(oid, type: GIT_OBJECT_TREE, what: "cannot read directory '\(path)'")
                    pending.append((child, path + "/"))
                default:
                    continue
                }
            }
        }
        listing.files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        listing.skipped.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        return listing
    }
}
