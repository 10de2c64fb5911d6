import Dispatch

/// Where reconcile passes run: threads of their own (a concurrent dispatch queue that adds threads
/// when jobs block), not the shared concurrency pool. A pass does blocking work — libgit2 reads,
/// parsing, file writes and fsyncs, process spawns — that must not hold the few pool threads the
/// HTTP handlers, the backup scheduler and the store's callbacks need.
final class ReconcileExecutor: TaskExecutor {
    static let shared = ReconcileExecutor()
    private let queue = DispatchQueue(label: "steward.reconcile", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
