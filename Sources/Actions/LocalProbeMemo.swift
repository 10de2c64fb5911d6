import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// What the local driver learnt of the files it read in full and found as applied: each file's
/// identity (device, inode, size, modification and change times) then. A probe that finds the
/// same identity, for the same applied content, skips the read — a hand edit changes the change
/// time (which no user can set back) and is read at once. An identity is remembered only when the
/// file had settled before the read (`settleSeconds(_:path:)`: a change in the same clock tick as
/// the read could keep its times), and is trusted for at most `reconcile.fullProbeInterval`.
///
/// Paths and contents are kept as 128-bit digests (`Digest`), 80 bytes a file. A memo attached to
/// a file (`attach`, `.steward/cache/probe-memo`) starts from what other processes saved there and
/// saves what it learnt (`save`), so a fresh `diff` or a restarted controller trusts what a probe
/// read before under the same rules: the identity still has to match (a file edited since has
/// another change time), and the interval runs from that read.
final class LocalProbeMemo: Sendable {
    static let shared = LocalProbeMemo()
    /// How long a file must have gone unchanged before a read of it is remembered, where nothing
    /// shorter is known to be safe: file systems whose times come from another clock (a server's)
    /// or in whole seconds (two for FAT).
    static let settleSeconds: Double = 2
    /// The same on a file system local to this kernel that keeps times in nanoseconds: its times
    /// come from the kernel's clock, which lags the clock read for `now` by at most a tick
    /// (10 ms at the slowest tick Linux has), so a change after the read gets a later change time.
    static let localSettleSeconds: Double = 0.1

    struct Identity: Hashable, Sendable {
        var device: UInt64, inode: UInt64, size: Int64
        var modified: Int64, changed: Int64   // nanoseconds since the epoch
        var changedAt: Double { Double(changed) / 1e9 }
    }

    /// Two 64-bit FNV-1a-style digests of a text (different offsets and odd multipliers). Not a defence against
    /// crafted input: a path digest that collides still has to match the file's device and inode,
    /// and a content holds the applied spec's SHA-256.
    struct Digest: Hashable, Sendable {
        var a: UInt64, b: UInt64

        init(_ text: String) {
            var a: UInt64 = 0xcbf2_9ce4_8422_2325, b: UInt64 = 0x6c62_272e_07bb_0142
            for byte in text.utf8 {
                a = (a ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
                b = (b ^ UInt64(byte)) &* 0x0000_0100_0000_0193
            }
            (self.a, self.b) = (a, b)
        }

        init(a: UInt64, b: UInt64) { (self.a, self.b) = (a, b) }
    }

    struct Entry: Sendable {
        var identity: Identity
        var content: Digest
        var checkedAt: Double
    }

    struct Saved: Sendable {
        var file: String?
        var saving = false
        var dirty = false
    }

    let entries = Mutex<[Digest: Entry]>([:])
    /// Whether each device seen is a file system local to this kernel (`FileWatch.isLocalFileSystem`).
    private let localDevices = Mutex<[UInt64: Bool]>([:])
    let saved = Mutex(Saved())
    private let reads = Mutex<[String: Int]>([:])
    private let probes = Mutex<[String: Int]>([:])

    /// Counts a probe of the environment (or Target) whose folder is `root` (what the tests look at).
    func countProbe(_ root: String) { probes.withLock { $0[root, default: 0] += 1 } }

    /// How many probes looked at the files under `root`.
    func probes(of root: String) -> Int { probes.withLock { $0[root] ?? 0 } }

    /// Counts a file under `root` read in full by a probe (what the tests look at): by root, so
    /// the count takes no memory per file.
    func countRead(_ root: String) { reads.withLock { $0[root, default: 0] += 1 } }

    /// How many files under `root` probes read in full.
    func fullReads(_ root: String) -> Int { reads.withLock { $0[root] ?? 0 } }

    /// The identity of a regular file (not following a final symlink); nil otherwise.
    static func identity(_ path: String) -> Identity? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return identity(info)
    }

    /// The identity of a regular file from its status; nil for anything else.
    static func identity(_ info: stat) -> Identity? {
        guard (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Identity(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                        modified: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec),
                        changed: Int64(info.st_ctim.tv_sec) * 1_000_000_000 + Int64(info.st_ctim.tv_nsec))
    }

    /// Whether `path` is the file found holding `content` before, unchanged since, within `maxAge`.
    func unchanged(_ path: String, content: String, maxAge: Double, now: Double = Date().timeIntervalSince1970) -> Bool {
        guard let entry = entries.withLock({ $0[Digest(path)] }), entry.content == Digest(content),
              (0..<maxAge).contains(now - entry.checkedAt), let current = Self.identity(path) else { return false }
        return current == entry.identity
    }

    /// How long the file at `path`, of this identity, must have gone unchanged before a read of it
    /// is remembered: `localSettleSeconds` when its change time has a fraction of a second (the
    /// file system keeps them) and it is on a local file system, else `settleSeconds`.
    func settleSeconds(_ identity: Identity, path: String) -> Double {
        guard identity.changed % 1_000_000_000 != 0 else { return Self.settleSeconds }
        let known = localDevices.withLock { $0[identity.device] }
        let local = known ?? FileWatch.isLocalFileSystem(path)
        if known == nil { localDevices.withLock { $0[identity.device] = local } }
        return local ? Self.localSettleSeconds : Self.settleSeconds
    }

    /// Records that `path` held `content` when read; `before` and `after` are the identities of the
    /// file read, taken before and after the read, and `now` a time before both. Nothing is
    /// remembered unless they are the same and the file had settled by `now`.
    func remember(_ path: String, content: String, before: Identity?, after: Identity?, now: Double = Date().timeIntervalSince1970) {
        guard let before, after == before, before.changedAt < now - settleSeconds(before, path: path) else {
            forget(path)
            return
        }
        entries.withLock { $0[Digest(path)] = Entry(identity: before, content: Digest(content), checkedAt: now) }
        saved.withLock { $0.dirty = true }
    }

    func forget(_ path: String?) {
        guard let path else { return }
        if entries.withLock({ $0.removeValue(forKey: Digest(path)) }) != nil { saved.withLock { $0.dirty = true } }
    }

    /// Forgets every file: the next probes read them all (a fresh process, for benchmarks).
    func forgetAll() { entries.withLock { $0 = [:] } }
}
