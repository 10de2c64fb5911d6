import Foundation
import StateStore

/// Steward's own store is restored only while no controller leads it: with SQLite the restore holds
/// the leader lock file itself (no controller can start meanwhile); with PostgreSQL a live lease refuses it.
enum RestoreLeadership {
    /// What the restore holds while it writes (the SQLite leader lock), released when it is dropped.
    struct Hold: Sendable {
        let lock: LeaderLock?
    }

    /// Takes the SQLite leader lock (or, for a dry run, only checks it is free); refuses naming the holder.
    static func claimSQLite(lockPath: String, dryRun: Bool) throws -> Hold {
        if dryRun {
            if let holder = LeaderLock.currentHolder(path: lockPath) { throw refusal(holder) }
            return Hold(lock: nil)
        }
        do {
            return Hold(lock: try LeaderLock(path: lockPath))
        } catch {
            throw refusal(LeaderLock.currentHolder(path: lockPath) ?? "unknown")
        }
    }

    /// Refuses when the PostgreSQL store's lease is live; a store that cannot be read (lost, empty) has no leader.
    static func checkPostgres(_ store: (any StateStore)?) async throws {
        guard let store, let lease = try? await store.leaderLease(), lease.isLive else { return }
        throw refusal(lease.holder)
    }

    static func refusal(_ holder: String) -> BackupError {
        BackupError("a controller holds the leadership of the store (\(holder)): stop it before restoring Steward's own store; nothing was restored")
    }
}
