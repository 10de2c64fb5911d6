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
    private var folders: Set<String> = []

    /// Adds a folder whose entries changed.
    func add(_ folder: String) {
        lock.withLock { _ = folders.insert(folder) }
    }

    /// Whether `folder` has entries not made durable yet.
    func isPending(_ folder: String) -> Bool { lock.withLock { folders.contains(folder) } }

    /// Fsyncs every folder added before this call, several at once on the file threads; a folder
    /// that is gone meanwhile has nothing left to make durable. Throws the first failure.
    func flush() async throws {
        let taken = lock.withLock { () -> Set<String> in
            defer { folders = [] }
            return folders
        }
        guard !taken.isEmpty else { return }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for folder in taken {
                group.addTask {
                    try await LocalDriver.onFileThreads {
                        do throws(AtomicFileError) {
                            try FolderSyncs.shared.sync(folder, using: AtomicFile.syncFolder)
                        } catch where error.code == ENOENT {
                            return
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
