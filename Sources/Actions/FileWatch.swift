import Foundation
import Synchronization
#if canImport(Glibc)
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
        /// The folder watched: the root with its links resolved (looked at again on every count when they differ).
        var real: String
    }

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
                // A root reached through a link that now points elsewhere is another tree.
                if tree.real == root || Self.realPath(root) == tree.real { return tree.count }
                Self.lose(root, &state)
            }
            guard start else { return nil }
            let next = state.tick()
            guard let real = Self.realPath(root), Self.watchTree(real, tree: root, into: &state) else {
                Self.unwatch(tree: root, &state)
                state.trees[root] = Tree(count: next, live: false, real: root)
                return nil
            }
            state.trees[root] = Tree(count: next, live: true, real: real)
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
            guard entry.pointee.d_type == UInt8(DT_DIR) else { continue }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            guard watchTree(folder + "/" + name, tree: tree, into: &state) else { return false }
        }
        return true
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

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
            guard read > 0 else { return }   // EAGAIN: nothing more queued
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
            // The tree's root gone, or a folder of it moved (its path is no longer known): set up again.
            let rootGone = watch.folder == state.trees[tree]?.real && event.mask & UInt32(IN_DELETE_SELF | IN_IGNORED) != 0
            if rootGone || event.mask & UInt32(IN_MOVE_SELF) != 0 {
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
