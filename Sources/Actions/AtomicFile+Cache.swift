import Foundation

extension AtomicFile {
    /// Replaces `path` with `bytes` for a cache that the next process may read: written whole to a
    /// temporary name in the same folder (made when missing) and renamed, never fsynced (losing it
    /// costs time, nothing else). Best effort: false when it could not be written.
    @discardableResult
    public static func replaceCache(path: String, bytes: [UInt8]) -> Bool {
        let folder = split(path).folder
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = path + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)), rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }
}
