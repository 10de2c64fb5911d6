import Foundation

/// The `leader_lease` row: reads, the fence check every leader write makes, and takeover.
enum LeaseTable {
    /// The session advisory lock the leader holds on its dedicated connection.
    static let advisoryKey: Int64 = 0x5374_6577_6172_6402
    /// The server's clock in milliseconds: replicas never compare their own clocks.
    static let nowMs = "(extract(epoch from clock_timestamp()) * 1000)::bigint"

    /// Refuses the transaction unless `epoch` is the lease's current epoch. The row stays share-locked
    /// until the transaction ends, so a takeover (which updates it) waits for the write in flight and
    /// every later write of the former leader sees the new epoch.
    static func checkFence(_ epoch: Int64?, on session: PostgresSession) async throws {
        let rows = try await session.run("SELECT epoch FROM leader_lease WHERE id = 1 FOR SHARE")
        let current = try rows.first.map { try $0.int(0) } ?? 0
        guard let epoch else {
            throw StoreError(.fenced, "write refused: this replica (\(ReplicaIdentity.applicationName)) does not lead (lease epoch \(current))")
        }
        guard epoch == current else {
            throw StoreError(.fenced, "write refused: this replica (\(ReplicaIdentity.applicationName)) lost the leadership (it leads under lease epoch \(epoch), the store is at \(current))")
        }
    }

    /// The lease, nil before any replica ever led.
    static func read(on session: PostgresSession) async throws -> LeaderLease? {
        let rows = try await session.run("""
            SELECT epoch, holder, application_name, expires_at, CASE WHEN expires_at > \(nowMs) THEN 1 ELSE 0 END
            FROM leader_lease WHERE id = 1
            """)
        guard let row = rows.first, case let holder = try row.text(1), !holder.isEmpty else { return nil }
        return LeaderLease(epoch: try row.int(0), holder: holder, applicationName: try row.text(2),
                           expiresAt: Date(timeIntervalSince1970: Double(try row.int(3)) / 1000), isLive: try row.int(4) == 1)
    }

    /// Ends every session of `applicationName` but this one: a frozen or former leader's
    /// transactions roll back and its advisory lock is freed. Returns how many ended.
    static func endSessions(of applicationName: String, on session: PostgresSession) async throws -> Int {
        guard !applicationName.isEmpty, applicationName != ReplicaIdentity.applicationName else { return 0 }
        let rows = try await session.run("""
            SELECT CASE WHEN pg_terminate_backend(pid) THEN 1 ELSE 0 END
            FROM (SELECT pid FROM pg_stat_activity WHERE application_name = $1 AND pid <> pg_backend_pid()) AS former
            """, [.text(applicationName)])
        return try rows.filter { try $0.int(0) == 1 }.count
    }

    /// After taking the advisory lock: ends the former leader's sessions and raises the epoch.
    static func takeOver(leaseMs: Int64, on session: PostgresSession) async throws -> (epoch: Int64, former: LeaderLease?) {
        let former = try await read(on: session)
        if let former { _ = try await endSessions(of: former.applicationName, on: session) }
        let rows = try await session.run("""
            UPDATE leader_lease SET epoch = epoch + 1, holder = $1, application_name = $2, renewed_at = \(nowMs),
              expires_at = \(nowMs) + $3 WHERE id = 1 RETURNING epoch
            """, [.text(ReplicaIdentity.description), .text(ReplicaIdentity.applicationName), .int(leaseMs)])
        guard let row = rows.first else { throw StoreError(.corrupt, "the leader_lease row is missing; the store was edited by hand") }
        return (try row.int(0), former)
    }

    /// Extends the lease; false when the epoch moved on (another replica took over).
    static func renew(epoch: Int64, leaseMs: Int64, on session: PostgresSession) async throws -> Bool {
        let rows = try await session.run("""
            UPDATE leader_lease SET renewed_at = \(nowMs), expires_at = \(nowMs) + $2 WHERE id = 1 AND epoch = $1 RETURNING epoch
            """, [.int(epoch), .int(leaseMs)])
        return !rows.isEmpty
    }

    /// Gives the lease up at once (graceful shutdown), so a standby need not wait for it to run out.
    static func release(epoch: Int64, on session: PostgresSession) async throws {
        try await session.run("UPDATE leader_lease SET expires_at = 0 WHERE id = 1 AND epoch = $1", [.int(epoch)])
        try await session.run("SELECT pg_advisory_unlock($1)", [.int(advisoryKey)])
    }
}

extension PostgresStateStore {
    func leaderLease() async throws -> LeaderLease? {
        try await withSession { try await LeaseTable.read(on: $0) }
    }
}
