import Foundation

extension GitRepository {
    /// Writes the files of `commit` into `directory` as a read-only checkout (symlinks and
    /// submodules left out), through a temporary folder renamed into place. Returns `directory`.
    @discardableResult
    public func export(commit sha: String, to directory: String, limit: Int = 64 << 20) throws -> String {
        let manager = FileManager.default
        if manager.fileExists(atPath: directory) { return directory }
        let snapshot = try snapshot(commit: sha, path: ".")
        let staging = directory + ".partial-\(getpid())"
        try? manager.removeItem(atPath: staging)
        do {
            for file in snapshot.files {
                let target = (staging as NSString).appendingPathComponent(file.path)
                try manager.createDirectory(atPath: (target as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                let bytes = try readBlob(file.blobId, path: file.path, limit: limit)
                guard manager.createFile(atPath: target, contents: Data(bytes), attributes: [.posixPermissions: file.executable ? 0o555 : 0o444]) else {
                    throw GitError(.invalidPath, "cannot write \(target)")
                }
            }
            try manager.createDirectory(atPath: staging, withIntermediateDirectories: true)
            try manager.createDirectory(atPath: (directory as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try manager.moveItem(atPath: staging, toPath: directory)
        } catch {
            try? manager.removeItem(atPath: staging)
            if manager.fileExists(atPath: directory) { return directory }
            throw error
        }
        return directory
    }
}
