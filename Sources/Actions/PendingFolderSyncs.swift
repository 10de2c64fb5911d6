#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Folder entries the local driver made and has not made durable yet: the folder a file was
/// renamed into, and the parent of a folder it created. The executor makes them durable
/// (`Driver.settle`) before it records the outcomes of the actions that made them, so an outcome
/// is never on record while the rename or the new folder it stands for could still be lost — as
/// when each action synced its own folder, but one fsync per folder for a group of outcomes (a
/// group's Deployments share one folder) rather than one per action, and none on an action's way.
final class PendingFolderSyncs: @unchecked Sendable {
    static let shared = PendingFolderSyncs()

    init() {}

    private let lock = NSLock()
    /// Each folder with entries not made durable yet, with the number of its latest change.
    private var folders: [String: UInt64] = [:]
    private var changes: UInt64 = 0

    /// Adds a folder whose entries changed.
    func add(_ folder: String) {
        lock.withLock {
            changes += 1
            folders[folder] = changes
        }
    }

    /// Whether `folder` has entries not made durable yet.
    func isPending(_ folder: String) -> Bool { lock.withLock { folders[folder] != nil } }

    /// Returns once every folder added before this call is synced: each by an fsync that began
    /// after the call (`FolderSyncs`, so a flush running beside this one shares its fsyncs rather
    /// than returning before they end), several at once on the file threads. A folder gone
    /// meanwhile has nothing left to make durable. A folder changed again while it was synced stays
    /// pending, and so does one whose fsync failed; the first failure is thrown.
    func flush() async throws {
        let snapshot = lock.withLock { folders }
        guard !snapshot.isEmpty else { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (folder, change) in snapshot {
                group.addTask {
                    try await LocalDriver.onFileThreads {
                        do throws(AtomicFileError) {
                            try FolderSyncs.shared.sync(folder, using: AtomicFile.syncFolder)
                        } catch where error.code == ENOENT {
                            // Gone: no entry of it is left to lose.
                        }
                    }
                    self.lock.withLock {
                        if self.folders[folder] == change { self.folders[folder] = nil }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
