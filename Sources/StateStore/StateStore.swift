import EventLog
import Reconcile

/// Steward's observed state (DESIGN §4): SQLite or PostgreSQL behind one interface.
///
/// Reads return plain values; every write goes through `commit(_:)`, one transaction per call,
/// which also appends the batch's events to the hash-chained event log and returns them sealed.
public protocol StateStore: Sendable {
    /// Which database holds the state.
    var backend: StoreBackend { get }

    /// Runs the versioned migrations not yet applied; refuses a store newer than this binary.
    func migrate() async throws
    /// Releases connections; the store must not be used afterwards.
    func close() async throws

    /// Every applied resource, in one query.
    func resources() async throws -> [AppliedResource]
    /// Every registered blueprint version.
    func registeredVersions() async throws -> [RegisteredVersion]
    /// A deployment's history in every environment, oldest first.
    func history(deployment: String) async throws -> [HistoryEntry]
    /// Every deployment's history entries with this outcome (`proven`: the proof of DESIGN §6), oldest first.
    func history(outcome: String) async throws -> [HistoryEntry]
    /// The approvals recorded for a deployment.
    func approvals(deployment: String) async throws -> [Approval]
    /// Every active hold.
    func holds() async throws -> [Hold]
    /// Backup runs of one schedule (or all when nil), newest first.
    func backupRuns(schedule: String?) async throws -> [BackupRun]
    /// The console ids the `http` driver recorded for the console at this base URL.
    func consoleIds(console: String) async throws -> [ConsoleId]
    /// Where the controller is in the source, nil before the first pass.
    func sourceCursor() async throws -> SourceCursor?
    /// The recorded state of these idempotency keys; absent keys are left out.
    func actionKeys(_ keys: [String]) async throws -> [String: ActionKeyRecord]
    /// The keys of actions with one of these effects (`PlannedAction.effectKey`), under any trigger:
    /// one left `started` by a crash makes the same effect probe the target first (DESIGN §5).
    func actionKeys(effects: [String]) async throws -> [ActionKeyRecord]
    /// The schema version the store is at: 0 before the first migration.
    func schemaVersion() async throws -> Int64
    /// Every table the event log can rebuild, read in one snapshot, and the seq of the last log
    /// record that state includes (DESIGN §14: replaying the log up to it must give the same).
    func stateSnapshot() async throws -> (state: StateSnapshot, seq: Int64)
    /// Event records with `seq > since`, in order, at most `limit`.
    func events(since seq: Int64, limit: Int?) async throws -> [EventRecord]
    /// The same records as stored: each one's canonical JSON line (DESIGN §4), not decoded (what
    /// `GET /api/events` serves).
    func eventLines(since seq: Int64, limit: Int?) async throws -> [String]
    /// The last record of the event log.
    func eventHead() async throws -> ChainHead
    /// Returns once this process committed a record after `seq`, or after `timeout` (callers
    /// re-read the log then: records other processes wrote are seen at the next poll).
    func waitForEvents(after seq: Int64, timeout: Duration) async
    /// Re-hashes the whole event log.
    func verifyEventLog() async throws -> ChainVerification
    /// The last seq of the event log the store has indexed, when the log is a file it indexes
    /// (SQLite); nil when the log is the store's own table (PostgreSQL).
    func indexedEventSeq() async throws -> Int64?

    /// Writes a batch in one transaction and returns its events, sealed.
    @discardableResult
    func commit(_ batch: StoreBatch) async throws -> [EventRecord]

    /// The leader lease (PostgreSQL), nil when the store has none (SQLite leads by a lock file).
    func leaderLease() async throws -> LeaderLease?
    /// Every notification receiver's position in the event log (DESIGN §12).
    func notificationOutbox() async throws -> [OutboxPosition]
    /// Records a receiver's position; `deliveredSeq` never moves back.
    func saveNotificationOutbox(_ position: OutboxPosition) async throws

    /// Which of these idempotency keys have an `actionSucceeded` record in the event log. A key the
    /// store holds as `started` with such a record completed in a batch that reached the log but not
    /// the store (a crash between the log's fsync and the store's COMMIT; SQLite only).
    func loggedSuccesses(_ keys: [String]) async throws -> Set<String>
}

extension StateStore {
    public func leaderLease() async throws -> LeaderLease? { nil }
    public func waitForEvents(after seq: Int64, timeout: Duration) async { try? await Task.sleep(for: timeout) }
    /// PostgreSQL commits the log and the state in one transaction: they cannot part.
    public func loggedSuccesses(_ keys: [String]) async throws -> Set<String> { [] }

    /// Refuses a store whose schema is not the one this binary writes: read commands never migrate
    /// (DESIGN §7: they write nothing), so an older store is one `steward run` has not opened yet.
    public func checkSchema(location: String) async throws {
        let version = try await schemaVersion(), known = StoreSchema.currentVersion
        if version > known {
            throw StoreError(.schemaTooNew, "the store at \(location) has schema version \(version), newer than this steward (\(known)); upgrade steward")
        }
        if version < known {
            let what = version == 0 ? "has no Steward schema yet" : "has schema version \(version), older than this steward (\(known))"
            throw StoreError(.schemaTooOld, "the store at \(location) \(what); start `steward run` once to migrate it (read commands never change the store)")
        }
    }

    /// The applied resources by key.
    public func appliedTable() async throws -> [ResourceKey: AppliedResource] {
        Dictionary(try await resources().map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
    }
}

/// The database behind a `StateStore`.
public enum StoreBackend: String, Sendable, Hashable, CaseIterable {
    case sqlite, postgres
}

/// Readers waiting for event records (`/api/events?wait=`).
public enum EventPolling {
    /// How often a waiting reader re-reads the log: records this process commits wake it at once,
    /// records other processes write (a CLI command, another replica) are seen at the next read.
    public static let interval: Duration = .milliseconds(250)
}

extension StateStore {
    public func indexedEventSeq() async throws -> Int64? { nil }
}
