import ServiceLifecycle
import StateStore

/// The leader election as a `Service`: campaigns and renews until graceful shutdown, then gives the lease up.
public struct ElectionService: Service {
    public let election: LeaderElection

    public init(election: LeaderElection) { self.election = election }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown { await election.run() }
    }
}
