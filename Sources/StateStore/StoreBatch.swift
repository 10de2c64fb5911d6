import EventLog
import Reconcile

/// Everything one `StateStore.commit(_:)` writes, in one transaction.
///
/// Applied in this order: versions, history, approvals, released holds, new holds, backup
/// runs, cursor, action keys, resource upserts, resource deletes, events. A key repeated in
/// one list keeps its last value.
public struct StoreBatch: Sendable {
    /// Resources to insert or replace, by (kind, name, environment).
    public var upsertResources: [AppliedResource] = []
    /// Resources to remove.
    public var deleteResources: [ResourceKey] = []
    /// Versions to register if absent; a registered version is never changed or deleted.
    public var registerVersions: [RegisteredVersion] = []
    /// History entries to append.
    public var history: [HistoryEntry] = []
    /// Approvals to record (replacing one for the same deployment and version).
    public var approvals: [Approval] = []
    /// Holds to record.
    public var holds: [Hold] = []
    /// Deployments whose holds are all released (before `holds` are added).
    public var releaseHolds: [String] = []
    /// Backup runs to insert or update, by (schedule, scheduledFor).
    public var backupRuns: [BackupRun] = []
    /// The new source position, if it moved.
    public var cursor: SourceCursor? = nil
    /// Idempotency keys to insert or update, by key.
    public var actionKeys: [ActionKeyRecord] = []
    /// Events to append to the log, in order.
    public var events: [NewEvent] = []

    public init() {}

    /// Whether the batch writes nothing.
    public var isEmpty: Bool {
        upsertResources.isEmpty && deleteResources.isEmpty && registerVersions.isEmpty && history.isEmpty
            && approvals.isEmpty && holds.isEmpty && releaseHolds.isEmpty && backupRuns.isEmpty
            && cursor == nil && actionKeys.isEmpty && events.isEmpty
    }
}
