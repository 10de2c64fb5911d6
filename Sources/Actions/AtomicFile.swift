#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed file operation: what was done to which path and the `errno` it failed with.
public struct AtomicFileError: Error, Sendable, Hashable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var code: Int32

    public init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    public var description: String { "\(operation) \(path): \(String(cString: strerror(code)))" }
}

/// Crash-safe file writes: temp file in the same folder, write, fsync, rename, fsync the folder.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically; returns false (and touches nothing) when the file
    /// already holds exactly these bytes. A symlink at `path` is replaced, never followed.
    /// `syncingFolder: false` leaves the folder's fsync (which makes the rename durable) to the
    /// caller.
    @discardableResult
    public static func write(path: String, bytes: [UInt8], mode: mode_t = 0o644,
                             syncingFolder: Bool = true) throws(AtomicFileError) -> Bool {
        if let existing = try? read(path: path), existing == bytes { return false }
        let (folder, base) = split(path)
        let temp = "\(folder)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw AtomicFileError(path: temp, operation: "create", code: errno) }
        var closed = false
        defer {
            if !closed { _ = close(fd) }
        }
        do throws(AtomicFileError) {
            try writeAll(fd, bytes, path: temp)
            guard fsync(fd) == 0 else { throw AtomicFileError(path: temp, operation: "fsync", code: errno) }
            closed = true
            guard close(fd) == 0 else { throw AtomicFileError(path: temp, operation: "close", code: errno) }
            guard rename(temp, path) == 0 else { throw AtomicFileError(path: path, operation: "rename", code: errno) }
        } catch {
            _ = unlink(temp)
            throw error
        }
        if syncingFolder { try FolderSyncs.shared.sync(folder, using: syncFolder) }
        return true
    }

    /// The file's bytes, or nil when it does not exist. Does not follow a symlink at `path`.
    public static func read(path: String) throws(AtomicFileError) -> [UInt8]? {
        try readStated(path: path)?.bytes
    }

    /// `read(path:)`, with the file's status from before the read and from after it (to tell
    /// whether it changed while it was read).
    static func readStated(path: String) throws(AtomicFileError) -> (bytes: [UInt8], before: stat, after: stat)? {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            throw AtomicFileError(path: path, operation: "open", code: code)
        }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw AtomicFileError(path: path, operation: "stat", code: errno) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw AtomicFileError(path: path, operation: "read", code: EISDIR) }
        // Read into a buffer of the file's size (plus one byte to notice growth), not a 64 KiB scratch chunk.
        var result = [UInt8](repeating: 0, count: max(Int(info.st_size), 0) + 1)
        var filled = 0
        while true {
            if filled == result.count { result.append(contentsOf: repeatElement(0, count: result.count)) }
            let count = result.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw AtomicFileError(path: path, operation: "read", code: errno)
            }
            if count == 0 { break }
            filled += count
        }
        result.removeSubrange(filled...)
        var after = stat()
        guard fstat(fd, &after) == 0 else { throw AtomicFileError(path: path, operation: "stat", code: errno) }
        return (result, info, after)
    }

    /// Removes `path` (a missing file is fine) and fsyncs its folder; returns whether it existed.
    @discardableResult
    public static func remove(path: String) throws(AtomicFileError) -> Bool {
        guard unlink(path) == 0 else {
            let code = errno
            if code == ENOENT { return false }
            throw AtomicFileError(path: path, operation: "remove", code: code)
        }
        try syncFolder(split(path).folder)
        return true
    }

    /// Flushes a folder's entries (a rename or unlink in it) to disk.
    public static func syncFolder(_ folder: String) throws(AtomicFileError) {
        let fd = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError(path: folder, operation: "open", code: errno) }
        defer { _ = close(fd) }
        guard fsync(fd) == 0 else { throw AtomicFileError(path: folder, operation: "fsync", code: errno) }
    }

    /// Writes every byte, retrying short writes and EINTR.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(AtomicFileError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count < 0 {
                if errno == EINTR { continue }
                throw AtomicFileError(path: path, operation: "write", code: errno)
            }
            offset += count
        }
    }

    /// The folder and file name of a path (folder "." for a bare name).
    static func split(_ path: String) -> (folder: String, base: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let folder = String(path[..<slash])
        return (folder.isEmpty ? "/" : folder, String(path[path.index(after: slash)...]))
    }
}

/// libc `read`/`write`, named apart from the `read`/`write` methods above.
@inline(__always)
func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

@inline(__always)
func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
