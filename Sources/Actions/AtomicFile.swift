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
        if try holds(path, bytes) { return false }
        let (folder, base) = split(path)
        let staged = try stage(path: path, bytes: bytes, mode: mode,
                               temp: "\(folder)/.\(base).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try staged.commit()
        if syncingFolder { try FolderSyncs.shared.sync(staged.folder, using: syncFolder) }
        return true
    }

    /// A file's new bytes, written under a temporary name in its folder (`stage`) and not yet synced
    /// or renamed into place (`commit`).
    struct Staged: Sendable, Hashable {
        let path: String
        let temp: String
        var folder: String { AtomicFile.split(path).folder }

        /// Makes the bytes durable (fsync), then renames them into place; the folder's entry is left
        /// to the caller. The temporary file is removed when either fails.
        func commit() throws(AtomicFileError) {
            try syncBytes()
            try rename()
        }

        /// Makes the bytes durable (fsync); the temporary file is removed when that fails.
        func syncBytes() throws(AtomicFileError) {
            do throws(AtomicFileError) {
                try AtomicFile.fsync(temp, flags: O_RDONLY | O_NOFOLLOW)
            } catch {
                discard()
                throw error
            }
        }

        /// Renames the (synced) bytes into place; the temporary file is removed when that fails.
        func rename() throws(AtomicFileError) {
            guard posixRename(temp, path) == 0 else {
                let code = errno
                discard()
                throw AtomicFileError(path: path, operation: "rename", code: code)
            }
        }

        /// Removes the temporary file (the bytes are not going in).
        func discard() { _ = unlink(temp) }
    }

    /// Writes `bytes` beside `path` under the file's one staging name (`.<name>.staged`), unsynced;
    /// nil (and nothing written) when `path` already holds exactly these bytes. A file under that
    /// name is what a writer that died before its rename left: it is replaced. One writer per file
    /// at a time (the caller's to ensure).
    static func stage(path: String, bytes: [UInt8], mode: mode_t = 0o644) throws(AtomicFileError) -> Staged? {
        if try holds(path, bytes) { return nil }
        let (folder, base) = split(path)
        let temp = "\(folder)/.\(base).staged"
        _ = unlink(temp)
        return try stage(path: path, bytes: bytes, mode: mode, temp: temp)
    }

    /// Whether `path` holds exactly `bytes`; a folder (or anything but a file or symlink) in its
    /// place is an error, as renaming over it would be.
    private static func holds(_ path: String, _ bytes: [UInt8]) throws(AtomicFileError) -> Bool {
        do {
            return try read(path: path) == bytes
        } catch where error.code == EISDIR {
            throw AtomicFileError(path: path, operation: "write", code: EISDIR)
        } catch {
            return false   // a symlink (replaced, never followed) or an unreadable file: written over
        }
    }

    private static func stage(path: String, bytes: [UInt8], mode: mode_t, temp: String) throws(AtomicFileError) -> Staged {
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw AtomicFileError(path: temp, operation: "create", code: errno) }
        do throws(AtomicFileError) {
            try writeAll(fd, bytes, path: temp)
        } catch {
            _ = close(fd)
            _ = unlink(temp)
            throw error
        }
        guard close(fd) == 0 else {
            let code = errno
            _ = unlink(temp)
            throw AtomicFileError(path: temp, operation: "close", code: code)
        }
        return Staged(path: path, temp: temp)
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
        try fsync(folder, flags: O_RDONLY | O_DIRECTORY)
    }

    /// Opens `path` with `flags`, fsyncs it and closes it.
    private static func fsync(_ path: String, flags: Int32) throws(AtomicFileError) {
        let fd = open(path, flags | O_CLOEXEC)
        guard fd >= 0 else { throw AtomicFileError(path: path, operation: "open", code: errno) }
        defer { _ = close(fd) }
        guard posixFsync(fd) == 0 else { throw AtomicFileError(path: path, operation: "fsync", code: errno) }
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

/// libc `fsync`/`read`/`rename`/`write`, named apart from the methods above.
@inline(__always)
func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

@inline(__always)
func posixFsync(_ fd: Int32) -> Int32 {
    fsync(fd)
}

@inline(__always)
func posixRename(_ from: String, _ to: String) -> Int32 {
    rename(from, to)
}

@inline(__always)
func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
