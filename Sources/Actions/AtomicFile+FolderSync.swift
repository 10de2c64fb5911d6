import Foundation

/// Folder fsyncs shared by concurrent writers (group commit): an fsync that starts after a
/// writer's rename makes that rename durable, so writers in one folder that wait together are
/// covered by one fsync instead of one each. A failed fsync is retried by each waiter, which then
/// gets its own error.
final class FolderSyncs: @unchecked Sendable {
    static let shared = FolderSyncs()

    private struct State {
        var requested = 0
        var completed = 0
        var running = false
    }

    private let condition = NSCondition()
    /// One small entry per folder ever synced (never dropped: tickets must stay monotonic).
    private var states: [String: State] = [:]

    /// Returns once an fsync of `folder` that started after this call began has succeeded.
    func sync(_ folder: String, using fsyncFolder: (String) throws(AtomicFileError) -> Void) throws(AtomicFileError) {
        condition.lock()
        defer { condition.unlock() }
        states[folder, default: State()].requested += 1
        let ticket = states[folder]!.requested
        while states[folder]!.completed < ticket {
            if states[folder]!.running {
                condition.wait()
                continue
            }
            states[folder]!.running = true
            let target = states[folder]!.requested
            condition.unlock()
            var failure: AtomicFileError?
            do { try fsyncFolder(folder) } catch { failure = error }
            condition.lock()
            states[folder]!.running = false
            if failure == nil { states[folder]!.completed = target }
            condition.broadcast()
            if let failure { throw failure }
        }
    }
}
