import Foundation

/// Leadership with SQLite: an exclusive `flock` on a file beside the database, held while `run` runs.
public final class LeaderLock: @unchecked Sendable {
    private let fd: Int32
    public let path: String

    /// Takes the lock or fails naming the holder (pid and host written in the file).
    public init(path: String) throws {
        self.path = path
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ControllerError("cannot open the leader lock \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
            close(fd)
            throw ControllerError("another steward run holds the store (\(holder.isEmpty ? "unknown" : holder)); lock \(path)")
        }
        let identity = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName)\n"
        ftruncate(fd, 0)
        _ = identity.withCString { write(fd, $0, strlen($0)) }
    }

    /// Who holds the lock, as written in the file.
    public var holder: String {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}

extension LeaderLock {
    /// Who holds the lock at `path` right now, or nil when nobody does.
    public static func currentHolder(path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        let text = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "unknown" : text
    }
}
