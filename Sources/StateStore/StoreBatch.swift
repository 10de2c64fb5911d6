import EventLog
import Reconcile

/// Everything one `StateStore.commit(_:)` writes, in one transaction.
///
/// Applied in this order: versions, history, approvals, released holds, new holds, backup
/// runs, cursor, action keys, console ids, resource upserts, resource deletes, events. A key repeated in
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
    /// Console ids to insert or replace, by (console, kind, subject).
    public var consoleIds: [ConsoleId] = []
    /// Events to append to the log, in order.
    public var events: [NewEvent] = []
    /// History entries (by index in `history`) whose `seq` is the seq the log gives an event of this batch (by index in `events`).
    public var historySeqs: [Int: Int] = [:]
    /// Holds (by index in `holds`) whose `seq` is the seq of an event of this batch.
    public var holdSeqs: [Int: Int] = [:]

    public init() {}

    /// Appends an event and returns its index, for `record(_:seqOfEvent:)`.
    @discardableResult
    public mutating func append(_ event: NewEvent) -> Int {
        events.append(event)
        return events.count - 1
    }

    /// Appends a history entry whose `seq` will be that of `events[event]`.
    public mutating func append(_ entry: HistoryEntry, seqOfEvent event: Int?) {
        if let event { historySeqs[history.count] = event }
        history.append(entry)
    }

    /// Appends a hold whose `seq` will be that of `events[event]`.
    public mutating func append(_ hold: Hold, seqOfEvent event: Int?) {
        if let event { holdSeqs[holds.count] = event }
        holds.append(hold)
    }

    /// Whether some record takes the seq of one of the batch's events.
    var linksEvents: Bool { !historySeqs.isEmpty || !holdSeqs.isEmpty }

    /// The batch with linked seqs filled in, the log's next seq being `firstSeq`.
    func resolvingSeqs(firstSeq: Int64) -> StoreBatch {
        var batch = self
        for (entry, event) in historySeqs where batch.history.indices.contains(entry) { batch.history[entry].seq = firstSeq + Int64(event) }
        for (hold, event) in holdSeqs where batch.holds.indices.contains(hold) { batch.holds[hold].seq = firstSeq + Int64(event) }
        return batch
    }

    /// The state rows the batch writes, `firstSeq` being the log's next seq (used only when the
    /// batch links events).
    func stateRows(firstSeq: Int64) -> StateRows {
        StateRows(linksEvents ? resolvingSeqs(firstSeq: firstSeq) : self)
    }

    /// The events to append: the batch's own, then the `stateChanged` records carrying `rows` (DESIGN §14).
    func logEvents(carrying rows: StateRows) throws -> [NewEvent] {
        guard !rows.isEmpty else { return events }
        let commit = events.last(where: { $0.commit != nil })?.commit ?? cursor?.lastAppliedCommit
        return events + (try StateDelta.records(rows, commit: commit))
    }

    /// Whether the batch writes nothing.
    public var isEmpty: Bool {
        upsertResources.isEmpty && deleteResources.isEmpty && registerVersions.isEmpty && history.isEmpty
            && approvals.isEmpty && holds.isEmpty && releaseHolds.isEmpty && backupRuns.isEmpty
            && cursor == nil && actionKeys.isEmpty && consoleIds.isEmpty && events.isEmpty
    }
}
