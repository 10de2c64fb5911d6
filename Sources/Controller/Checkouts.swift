import Foundation
import GitSource

/// The read-only checkouts exec scripts and backup commands run from (DESIGN §3:
/// `.steward/checkouts/<sha>`). Whoever runs something from a checkout holds it; `prune` removes
/// every checkout but the ones asked to stay and those held — by this process or another one
/// (`steward backup run` beside the controller), since a hold is a shared `flock` on `<sha>.lock`
/// and pruning one takes that lock exclusively first.
public struct Checkouts: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    /// Holds the checkout of `commit`, exporting it from `repository` when it is not there yet.
    public func hold(_ commit: String, from repository: GitRepository) throws -> CheckoutHold {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let hold = try CheckoutHold(path: path(of: commit), lock: lockPath(of: commit))
        _ = try repository.export(commit: commit, to: hold.path)
        return hold
    }

    /// Removes the checkouts of every commit except `keep` and those held now; returns the commits removed.
    @discardableResult
    public func prune(keeping keep: Set<String>) -> [String] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return [] }
        var removed: [String] = []
        for name in names where !name.hasSuffix(".lock") && !name.hasPrefix(".") && !name.contains(".partial-") && !keep.contains(name) {
            // An exclusive lock that cannot be had at once means someone holds the checkout.
            let lock = open(lockPath(of: name), O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard lock >= 0 else { continue }
            defer { close(lock) }
            guard flock(lock, LOCK_EX | LOCK_NB) == 0 else { continue }
            if (try? FileManager.default.removeItem(atPath: path(of: name))) != nil {
                removed.append(name)
                unlink(lockPath(of: name))
            }
        }
        return removed
    }

    func path(of commit: String) -> String { (directory as NSString).appendingPathComponent(commit) }
    private func lockPath(of commit: String) -> String { path(of: commit) + ".lock" }
}

/// A checkout kept from pruning until this value is released (or the process ends).
public final class CheckoutHold: @unchecked Sendable {
    public let path: String
    private let descriptor: Int32

    /// Takes a shared lock on `lock`; a pruner may unlink that file right before, so the lock counts only
    /// when the file locked is still the one at the path (else it is taken again).
    init(path: String, lock: String) throws {
        self.path = path
        while true {
            let descriptor = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0, flock(descriptor, LOCK_SH) == 0 else {
                let reason = String(cString: strerror(errno))
                if descriptor >= 0 { close(descriptor) }
                throw ControllerError("cannot hold the checkout \(path): \(reason)")
            }
            var held = stat(), current = stat()
            if fstat(descriptor, &held) == 0, stat(lock, &current) == 0, held.st_ino == current.st_ino, held.st_dev == current.st_dev {
                self.descriptor = descriptor
                return
            }
            close(descriptor)
        }
    }

    deinit { close(descriptor) }
}
