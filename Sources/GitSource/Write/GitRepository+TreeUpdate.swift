import CLibgit2
import Foundation

extension GitRepository {
    /// Repository-relative file paths checked and normalised (`a/b.yaml`), refusing the root, `.git` and duplicates.
    static func normalisedFilePaths(_ files: [String: [UInt8]]) throws(GitError) -> [(path: String, bytes: [UInt8])] {
        var seen = Set<String>()
        var result: [(path: String, bytes: [UInt8])] = []
        for (path, bytes) in files.sorted(by: { $0.key < $1.key }) {
            let sub = try SubPath(path)
            guard !sub.isRoot else { throw GitError(.invalidPath, "path '\(path)' names the repository root, not a file") }
            guard !sub.components.contains(where: { $0.lowercased() == ".git" }) else {
                throw GitError(.invalidPath, "path '\(path)' is inside .git")
            }
            guard seen.insert(sub.display).inserted else {
                throw GitError(.invalidPath, "path '\(path)' is given twice")
            }
            result.append((sub.display, bytes))
        }
        return result
    }

    /// The id of a new tree: `base` with each file written as a blob at its path (folders made as needed).
    ///
    /// A file keeps its mode (executable stays executable); a path that is a folder, symbolic
    /// link or submodule in `base` is refused.
    func updatedTree(_ base: ObjectHandle, files: [(path: String, bytes: [UInt8])]) throws(GitError) -> git_oid {
        var updates: [git_tree_update] = []
        var paths: [UnsafeMutablePointer<CChar>?] = []
        defer { paths.forEach { free($0) } }
        for file in files {
            var update = git_tree_update()
            update.action = GIT_TREE_UPDATE_UPSERT
            update.id = try writeBlob(file.bytes, path: file.path)
            update.filemode = try fileMode(in: base, path: file.path)
            let path = strdup(file.path)
            paths.append(path)
            update.path = UnsafePointer(path)
            updates.append(update)
        }
        var tree = git_oid()
        try LibGit2.call("cannot write the updated tree") {
            git_tree_create_updated(&tree, handle.pointer, base.pointer, updates.count, updates)
        }
        return tree
    }

    /// Writes `bytes` as a blob and returns its id.
    private func writeBlob(_ bytes: [UInt8], path: String) throws(GitError) -> git_oid {
        var oid = git_oid()
        let content = bytes.isEmpty ? [0] : bytes
        try LibGit2.call("cannot write the blob for '\(path)'") {
            content.withUnsafeBytes { buffer in
                git_blob_create_from_buffer(&oid, handle.pointer, buffer.baseAddress, bytes.count)
            }
        }
        return oid
    }

    /// The mode `path` gets: its current one when it is a regular file in `tree`, a plain file when new.
    private func fileMode(in tree: ObjectHandle, path: String) throws(GitError) -> git_filemode_t {
        guard let entry = try TreeEntryHandle.find(in: tree, path: path) else { return GIT_FILEMODE_BLOB }
        let mode = git_tree_entry_filemode(entry.pointer)
        switch mode {
        case GIT_FILEMODE_BLOB, GIT_FILEMODE_BLOB_EXECUTABLE: return mode
        case GIT_FILEMODE_TREE: throw GitError(.invalidPath, "'\(path)' is a folder in the repository, not a file")
        case GIT_FILEMODE_LINK: throw GitError(.invalidPath, "'\(path)' is a symbolic link in the repository; Steward writes only regular files")
        default: throw GitError(.invalidPath, "'\(path)' is a submodule in the repository, not a file")
        }
    }
}
