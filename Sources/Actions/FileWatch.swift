import Foundation
import Synchronization
#if canImport(Glibc)
import CFileSystem
import Glibc
#endif

/// A change count per folder tree, kept by inotify (Linux): it moves whenever anything under the
/// tree may have changed — a file written, created, removed, renamed or its attributes changed, a
/// folder added or removed, the tree itself moved, or the kernel's event queue overflowing. A count
/// read before a probe that is the same at the next look means nothing under the tree changed since
/// (what `LocalDriver.changeCount` offers the reconciler). Where inotify is missing or refuses a
/// watch (`fs.inotify.max_user_watches`), there is no count, and every probe reads.
///
/// Written by hand: no package in the mirror watches files on Linux. One inotify instance serves every
/// tree (`fs.inotify.max_user_instances` is 128 per user; a fleet of local Targets has a tree each).
/// Events are read when a count is asked for, not by a thread: the kernel queues an event before the
/// call that changed the file returns, so a count read after a change has seen it.
public final class FileWatch: Sendable {
    public static let shared = FileWatch()

    private struct Tree {
        var count: UInt64
        /// Whether every folder of the tree is watched; a tree that lost its root is set up again.
        var live: Bool
        /// The folder watched: the root with its links resolved.
        var real: String
        /// The root folder's device and inode: checked on every count, so a root the path no longer
        /// names (a link pointed elsewhere, a parent renamed, a mount over it) is set up again.
        var identity: (device: UInt64, inode: UInt64)?
        /// When setting the tree up last failed (`fs.inotify.max_user_watches`): tried again after `retrySeconds`.
        var failedAt: ContinuousClock.Instant?
    }

    /// How long a tree that could not be watched whole waits before it is tried again.
    static let retrySeconds: Double = 600

    private struct Watch {
        var folder: String
        var trees: Set<String>
    }

    private struct State {
        var descriptor: Int32 = -1
        var unavailable = false
        var trees: [String: Tree] = [:]
        /// Watch descriptor → the folder it watches and the trees that folder is in (trees may nest).
        var watches: [Int32: Watch] = [:]
        var overflows = 0
        /// The last count given: every change of every tree takes the next one, so a count is never
        /// given twice — the same count means the same tree, unchanged.
        var clock: UInt64 = 0

        mutating func tick() -> UInt64 {
            clock &+= 1
            return clock
        }
    }

    private let state = Mutex(State())

    #if canImport(Glibc)
    private static let mask = UInt32(IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
                                     | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR | IN_DONT_FOLLOW)
    #endif

    init() {}

    /// The change count of the tree at `root` (an absolute path), starting to watch it if `start` and
    /// it is not yet watched; nil when it is not watched (nothing can be said, so everything is read).
    public func count(_ root: String, start: Bool = true) -> UInt64? {
        #if canImport(Glibc)
        state.withLock { state in
            guard Self.open(&state) else { return nil }
            Self.drain(&state)
            if let tree = state.trees[root], tree.live {
                if let identity = tree.identity, let now = Self.folderIdentity(root), identity == now { return tree.count }
                Self.lose(root, &state)
            }
            guard start else { return nil }
            let now = ContinuousClock.now   // monotonic, as reconcile.fullProbeInterval: a clock set back does not extend the wait
            if let failed = state.trees[root]?.failedAt, now - failed < .seconds(Self.retrySeconds) { return nil }
            let next = state.tick()
            // Only file systems whose every change passes through this kernel's inotify: not NFS, CIFS,
            // FUSE or a VM's shared folder, where another host's writes are never reported.
            guard let real = LocalFile.realPath(root), Self.isLocalFileSystem(real), let identity = Self.folderIdentity(real) else {
                state.trees[root] = Tree(count: next, live: false, real: root, identity: nil, failedAt: nil)   // not there yet: looked at again
                return nil
            }
            guard Self.watchTree(real, tree: root, into: &state) else {
                Self.unwatch(tree: root, &state)
                state.trees[root] = Tree(count: next, live: false, real: root, identity: nil, failedAt: now)
                return nil
            }
            state.trees[root] = Tree(count: next, live: true, real: real, identity: identity, failedAt: nil)
            return next
        }
        #else
        return nil
        #endif
    }

    /// How many times the kernel's queue overflowed (each made every tree count as changed).
    public var overflows: Int { state.withLock { $0.overflows } }

    #if canImport(Glibc)
    private static func open(_ state: inout State) -> Bool {
        if state.descriptor >= 0 { return true }
        if state.unavailable { return false }
        let descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else {
            state.unavailable = true
            return false
        }
        state.descriptor = descriptor
        return true
    }

    /// Watches `folder` and every folder under it (symbolic links are not followed).
    private static func watchTree(_ folder: String, tree: String, into state: inout State) -> Bool {
        let watch = inotify_add_watch(state.descriptor, folder, mask)
        guard watch >= 0 else { return false }
        var entry = state.watches[watch] ?? Watch(folder: folder, trees: [])
        entry.folder = folder
        entry.trees.insert(tree)
        state.watches[watch] = entry
        guard let directory = opendir(folder) else { return false }
        defer { closedir(directory) }
        while let entry = readdir(directory) {
            let type = entry.pointee.d_type
            guard type == UInt8(DT_DIR) || type == UInt8(DT_UNKNOWN) else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let path = folder + "/" + name
            // Some file systems do not say what an entry is: a folder (not a link to one) is watched.
            if type == UInt8(DT_UNKNOWN) {
                var info = stat()
                guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { continue }
            }
            guard watchTree(path, tree: tree, into: &state) else { return false }
        }
        return true
    }

    /// A folder's device and inode (following links), nil when it is not a folder.
    private static func folderIdentity(_ path: String) -> (device: UInt64, inode: UInt64)? {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFDIR else { return nil }
        return (UInt64(info.st_dev), UInt64(info.st_ino))
    }

    /// Whether `path` is on a file system local to this kernel (ext2/3/4, XFS, Btrfs, tmpfs, F2FS,
    /// ZFS, overlay — a container's own files, whose image layers do not change).
    static func isLocalFileSystem(_ path: String) -> Bool {
        var info = statfs()
        guard statfs(path, &info) == 0 else { return false }
        return localFileSystems.contains(UInt64(UInt(bitPattern: Int(info.f_type))))
    }

    /// The `statfs` magic numbers of ext2/3/4, XFS, Btrfs, tmpfs, F2FS, ZFS and overlay.
    private static let localFileSystems: Set<UInt64> = [0xEF53, 0x5846_5342, 0x9123_683E, 0x0102_1994, 0xF2F5_2010, 0x2FC1_2FC1, 0x794C_7630]

    private static func unwatch(tree: String, _ state: inout State) {
        for (descriptor, watch) in state.watches where watch.trees.contains(tree) {
            state.watches[descriptor]?.trees.remove(tree)
            if watch.trees.count == 1 {
                inotify_rm_watch(state.descriptor, descriptor)
                state.watches[descriptor] = nil
            }
        }
    }

    /// Reads every queued event: each counts its tree as changed; a new folder is watched at once.
    private static func drain(_ state: inout State) {
        let size = 64 * 1024
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        defer { buffer.deallocate() }
        while true {
            let read = Glibc.read(state.descriptor, buffer, size)
            if read < 0, errno == EINTR { continue }
            if read < 0, errno != EAGAIN {
                // Events may be lost: every tree counts as changed and is set up again.
                for root in state.trees.keys { lose(root, &state) }
                return
            }
            guard read > 0 else { return }   // nothing more queued
            var offset = 0
            while offset + MemoryLayout<inotify_event>.size <= read {
                let event = buffer.load(fromByteOffset: offset, as: inotify_event.self)
                let nameBytes = Int(event.len)
                let name = nameBytes == 0 ? "" : String(cString: buffer.advanced(by: offset + MemoryLayout<inotify_event>.size)
                    .assumingMemoryBound(to: CChar.self))
                offset += MemoryLayout<inotify_event>.size + nameBytes
                handle(event, name: name, &state)
            }
        }
    }

    private static func handle(_ event: inotify_event, name: String, _ state: inout State) {
        if event.mask & UInt32(IN_Q_OVERFLOW) != 0 {
            // Events were lost, folders created meanwhile among them: every tree is set up again.
            state.overflows += 1
            for root in state.trees.keys { lose(root, &state) }
            return
        }
        guard let watch = state.watches[event.wd] else { return }
        if event.mask & UInt32(IN_IGNORED) != 0 { state.watches[event.wd] = nil }
        for tree in watch.trees {
            let next = state.tick()
            state.trees[tree]?.count = next
            // A folder of the tree gone (deleted, unmounted: its watch ends), or moved (its path is
            // no longer known): the tree is set up again.
            if event.mask & UInt32(IN_MOVE_SELF | IN_DELETE_SELF | IN_IGNORED | IN_UNMOUNT) != 0 {
                lose(tree, &state)
                continue
            }
            // A folder created or moved in: watched now (whatever was written in it before is read by
            // the next probe, which this event already made full).
            if event.mask & UInt32(IN_ISDIR) != 0, event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, state.trees[tree]?.live == true,
               !watchTree(watch.folder + "/" + name, tree: tree, into: &state) {
                lose(tree, &state)
            }
        }
    }

    /// The tree counts as changed and is set up again at the next look.
    private static func lose(_ root: String, _ state: inout State) {
        unwatch(tree: root, &state)
        let next = state.tick()
        state.trees[root]?.count = next
        state.trees[root]?.live = false
    }
    #endif
}
