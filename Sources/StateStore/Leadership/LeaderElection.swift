import Foundation
import Logging
import PostgresNIO

/// Leadership over a PostgreSQL store (DESIGN §7, §9): a session advisory lock held on a dedicated
/// connection, plus the `leader_lease` row whose epoch every write of this replica checks.
///
/// A standby retries every `retrySeconds`. It takes over when the lock is free (the leader exited,
/// or its connection died: server-side TCP keepalives find a dead host) or when the lease ran out
/// (a leader frozen with SIGSTOP keeps its connection open: the standby then ends that leader's
/// sessions). The leader renews every third of the lease and stops leading, by its own clock, when
/// a renewal has not succeeded within the lease.
public final class LeaderElection: @unchecked Sendable {
    /// This replica, as the lease row and `/readyz` name it.
    public let identity = ReplicaIdentity.description
    public let leaseSeconds: Double
    let store: PostgresStateStore
    let logger: Logger
    private let onChange: @Sendable (Bool) -> Void
    private let state = LockedBox(State())

    struct State {
        var epoch: Int64?
        var validUntil = ContinuousClock.now
        var lastError: String?
    }

    /// An election for `store`, or nil when the store leads by a lock file (SQLite). From now on the
    /// store writes only while this replica leads.
    public static func make(for store: any StateStore, leaseSeconds: Int, logger: Logger,
                            onChange: @escaping @Sendable (Bool) -> Void = { _ in }) -> LeaderElection? {
        guard let postgres = store as? PostgresStateStore else { return nil }
        postgres.fence.require()
        return LeaderElection(store: postgres, leaseSeconds: Double(max(1, leaseSeconds)), logger: logger, onChange: onChange)
    }

    private init(store: PostgresStateStore, leaseSeconds: Double, logger: Logger, onChange: @escaping @Sendable (Bool) -> Void) {
        self.store = store
        self.leaseSeconds = leaseSeconds
        self.logger = logger
        self.onChange = onChange
    }

    /// Whether this replica leads now: it holds an epoch renewed within the lease.
    public var isLeader: Bool { state.withLock { $0.epoch != nil && ContinuousClock.now < $0.validUntil } }
    /// The epoch this replica leads under, nil while it does not lead.
    public var epoch: Int64? { state.withLock { $0.epoch } }
    /// Why the last campaign or renewal failed (the store is down), nil when it worked.
    public var lastError: String? { state.withLock { $0.lastError } }
    /// The current lease, as the store has it.
    public func lease() async throws -> LeaderLease? { try await store.leaderLease() }

    var retrySeconds: Double { min(1, leaseSeconds / 5) }
    var renewSeconds: Double { leaseSeconds / 3 }
    var leaseMs: Int64 { Int64(leaseSeconds * 1000) }

    /// Campaigns, then renews, until cancelled; a leader gives the lease up on the way out.
    public func run() async {
        var connection: PostgresConnection?
        while !Task.isCancelled {
            var wait = epoch == nil ? retrySeconds : renewSeconds
            do {
                if connection == nil || connection?.isClosed == true {
                    try? await connection?.close()
                    connection = try await PostgresConnector.connect(store.url, logger: logger)
                }
                let session = PostgresSession(connection: connection!, logger: logger)
                // Bounded: a query PostgresNIO loses on a connection that closed must not stop the election.
                let epoch = self.epoch
                let result = try await PostgresConnector.bounded(connection!, seconds: leaseSeconds, url: store.url) {
                    if let epoch {
                        try await self.renew(epoch, session)
                        return CampaignResult.won
                    }
                    return try await self.campaign(session)
                }
                if result == .retryNow { wait = 0.1 }
                state.withLock { $0.lastError = nil }
            } catch {
                if Task.isCancelled { break }   // shutting down, not a store failure: give the lease up below
                let message = "\(PostgresConnector.storeError(error, url: store.url, connecting: false))"
                let changed = state.withLock { current in
                    defer { current.lastError = message }
                    return current.lastError != message
                }
                if changed { logger.warning("leader election: the store does not answer", metadata: ["error": "\(message)"]) }
                if epoch != nil { lose("cannot renew the lease: \(message)") }
                try? await connection?.close()
                connection = nil
            }
            try? await Task.sleep(for: .milliseconds(Int(wait * 1000)))
        }
        if let epoch, let connection {
            // In a task of its own: this one is cancelled, and the release must still reach the store.
            let logger = logger
            await Task { try? await LeaseTable.release(epoch: epoch, on: PostgresSession(connection: connection, logger: logger)) }.value
            logger.info("gave up the leadership", metadata: ["epoch": "\(epoch)"])
        }
        lose(nil)
        try? await connection?.close()
    }

    enum CampaignResult { case won, standby, retryNow }

    private func campaign(_ session: PostgresSession) async throws -> CampaignResult {
        let started = ContinuousClock.now
        let locked = try await session.run("SELECT CASE WHEN pg_try_advisory_lock($1) THEN 1 ELSE 0 END", [.int(LeaseTable.advisoryKey)])
        guard try locked.first?.int(0) == 1 else {
            // The lock is held. A holder that let its lease run out is frozen or cut off: end its sessions.
            guard let lease = try await LeaseTable.read(on: session), !lease.isLive,
                  lease.applicationName != ReplicaIdentity.applicationName else { return .standby }
            let ended = try await LeaseTable.endSessions(of: lease.applicationName, on: session)
            logger.warning("the leader missed its lease; ending its sessions",
                           metadata: ["leader": "\(lease.holder)", "epoch": "\(lease.epoch)", "sessions": "\(ended)"])
            return .retryNow
        }
        let (epoch, former) = try await LeaseTable.takeOver(leaseMs: leaseMs, on: session)
        store.fence.set(epoch)
        state.withLock {
            $0.epoch = epoch
            $0.validUntil = started + .milliseconds(leaseMs)
        }
        logger.info("leading", metadata: ["epoch": "\(epoch)", "replica": "\(identity)", "former": "\(former?.holder ?? "none")"])
        onChange(true)
        return .won
    }

    private func renew(_ epoch: Int64, _ session: PostgresSession) async throws {
        let started = ContinuousClock.now
        guard try await LeaseTable.renew(epoch: epoch, leaseMs: leaseMs, on: session) else {
            lose("another replica took the lease (this replica led under epoch \(epoch))")
            try? await session.run("SELECT pg_advisory_unlock($1)", [.int(LeaseTable.advisoryKey)])
            return
        }
        state.withLock { $0.validUntil = started + .milliseconds(leaseMs) }
    }

    /// Stops leading: writes are refused from now on.
    private func lose(_ reason: String?) {
        store.fence.set(nil)
        let was = state.withLock { current in
            defer { current.epoch = nil }
            return current.epoch
        }
        guard let was else { return }
        if let reason { logger.error("lost the leadership", metadata: ["epoch": "\(was)", "reason": "\(reason)"]) }
        onChange(false)
    }
}
