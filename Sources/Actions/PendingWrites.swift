import Foundation

/// Files the local driver has written under temporary names and not yet put in place: an action's
/// file is written when the action runs, and made durable and renamed into place (DESIGN §5:
/// "written to a temp file, fsynced, renamed") when the driver settles — before the executor
/// records the outcomes of its group, so no outcome is on record before its file is in place and
/// durable. A group's files are fsynced several at a time rather than one per action on the
/// action's way, so the disk's flushes are shared and actions do not wait on them.
///
/// Whatever reads or removes the driver's files first commits what is staged (`commit`), so each
/// action sees the ones before it as if each had renamed its own file.
///
/// Each driver has its own (the controller makes its drivers for a pass): a commit that fails
/// fails the settle of the driver whose files it holds, and nothing another driver staged.
final class PendingWrites: @unchecked Sendable {
    init() {}

    private let lock = NSLock()
    /// Staged files in the order they were written, each with its key.
    private var staged: [(file: AtomicFile.Staged, key: String)] = []
    /// How many staged or committing files each key has (to tell a writer to commit first).
    private var keys: [String: Int] = [:]
    /// The last commit begun: commits run one after another.
    private var last: Task<Void, any Error>?

    /// Adds a staged file, known by `key` (the same for every write of that file; after the one
    /// written before it, if any).
    func add(_ file: AtomicFile.Staged, key: String) {
        lock.withLock {
            staged.append((file, key))
            keys[key, default: 0] += 1
        }
    }

    /// Whether nothing is staged or committing.
    var isEmpty: Bool { lock.withLock { keys.isEmpty } }

    /// Whether the file known by `key` has bytes staged or committing.
    func isStaged(_ key: String) -> Bool { lock.withLock { keys[key] != nil } }

    /// Returns once every file staged before this call is durable and in place, its folder added
    /// to `folders` (whose flush makes the rename durable). Files are fsynced several at a time on
    /// the file threads, then renamed in the order they were written. When an fsync or rename
    /// fails, the files of that commit not yet in place are removed (their actions' outcomes are
    /// not recorded: the next pass asks the target) and the first failure is thrown.
    func commit(into folders: PendingFolderSyncs) async throws {
        let task: Task<Void, any Error> = lock.withLock {
            let previous = last
            let task = Task {
                _ = try? await previous?.value
                try await self.commitStaged(into: folders)
            }
            last = task
            return task
        }
        try await task.value
    }

    private func commitStaged(into folders: PendingFolderSyncs) async throws {
        let entries = lock.withLock {
            defer { staged = [] }
            return staged
        }
        guard !entries.isEmpty else { return }
        defer {
            lock.withLock {
                for (_, key) in entries {
                    keys[key]! -= 1
                    if keys[key] == 0 { keys[key] = nil }
                }
            }
        }
        let batch = entries.map(\.file)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for part in batch.chunked(max(1, (batch.count + Self.syncThreads - 1) / Self.syncThreads)) {
                    group.addTask { try await LocalDriver.onFileThreads { for file in part { try file.syncBytes() } } }
                }
                try await group.waitForAll()
            }
        } catch {
            for file in batch { file.discard() }
            throw error
        }
        try await LocalDriver.onFileThreads {
            for (index, file) in batch.enumerated() {
                do throws(AtomicFileError) {
                    try file.rename()
                } catch {
                    for later in batch[(index + 1)...] { later.discard() }
                    throw error
                }
                folders.add(file.folder)
            }
        }
    }

    /// How many fsyncs run at once (of the file threads' 16).
    static let syncThreads = 8
}
