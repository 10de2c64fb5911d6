import Dispatch
import ServiceLifecycle
import StateStore

/// The leader election as a `Service`: campaigns and renews until graceful shutdown, then gives the lease up.
/// It runs on a thread of its own: reconcile work that keeps the shared concurrency pool busy (libgit2,
/// parsing, folder fsyncs) must not delay a renewal past the lease, nor a resumed replica's finding
/// that it lost the lease.
public struct ElectionService: Service {
    public let election: LeaderElection

    public init(election: LeaderElection) { self.election = election }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskExecutorPreference(ElectionExecutor.shared) { await election.run() }
        }
    }
}

/// A task executor on one serial dispatch queue, for the election loop alone.
final class ElectionExecutor: TaskExecutor {
    static let shared = ElectionExecutor()
    private let queue = DispatchQueue(label: "steward.leader-election")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
