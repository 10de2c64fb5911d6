import Foundation

/// The per-schedule lock `<stateDir>/backups/<name>.lock` (an exclusive `flock`), so that one
/// schedule never runs twice at once — not in the scheduler, not against `steward backup run`.
public final class BackupLock: @unchecked Sendable {
    public let path: String
    private let lock = NSLock()
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    /// The lock file of schedule `name` under `stateDirectory`.
    public static func path(stateDirectory: String, schedule name: String) -> String {
        ((stateDirectory as NSString).appendingPathComponent("backups") as NSString).appendingPathComponent("\(name).lock")
    }

    /// Takes the lock without waiting; nil when another process (or another holder in this one) has it.
    /// `owner` is written into the file so others can say who holds it.
    public static func tryAcquire(path: String, owner: String) throws -> BackupLock? {
        try? FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BackupError("cannot open the backup lock \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            close(fd)
            return nil
        }
        let identity = "\(owner), pid \(getpid()) on \(ProcessInfo.processInfo.hostName)\n"
        _ = ftruncate(fd, 0)
        _ = identity.withCString { pwrite(fd, $0, strlen($0), 0) }
        return BackupLock(path: path, fd: fd)
    }

    /// Who holds the lock at `path`, as written in the file; nil when nobody does.
    public static func holder(path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        let text = ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "unknown" : text
    }

    /// Releases the lock (also done on deinit).
    public func release() {
        lock.withLock {
            guard fd >= 0 else { return }
            flock(fd, LOCK_UN)
            close(fd)
            fd = -1
        }
    }

    deinit { release() }
}
