import Reconcile

/// The state rows one batch writes, each list with a key repeated keeping its last value: what
/// `StateWriter` writes and what the batch's `stateChanged` records carry (DESIGN §14), so the
/// log and the store cannot read a batch differently.
///
/// Action keys and console ids are the drivers' bookkeeping, not fleet state: they are written
/// but not replayed (their `actionStarted`/`actionSucceeded` events already tell that story).
struct StateRows: Sendable, Equatable {
    var versions: [RegisteredVersion] = []
    var history: [HistoryEntry] = []
    var approvals: [Approval] = []
    /// Deployments whose holds are all released, before `holds` are added.
    var releasedHolds: [String] = []
    var holds: [Hold] = []
    var backupRuns: [BackupRun] = []
    var cursor: SourceCursor? = nil
    var resources: [AppliedResource] = []
    var deletedResources: [ResourceKey] = []

    init() {}

    /// The rows of `batch` (its linked seqs already resolved).
    init(_ batch: StoreBatch) {
        versions = batch.registerVersions.lastByKey { $0.blueprint }
        history = batch.history
        approvals = batch.approvals.lastByKey(Self.key)
        releasedHolds = Array(Set(batch.releaseHolds)).sorted()
        holds = batch.holds.lastByKey(Self.key)
        backupRuns = batch.backupRuns.lastByKey(Self.key)
        cursor = batch.cursor
        resources = batch.upsertResources.lastByKey { $0.key.keyValues }
        deletedResources = batch.deleteResources.lastByKey { $0 }
    }

    /// The primary keys of the tables, as `StateWriter` upserts by them and `StateSnapshot` replays them.
    static func key(_ approval: Approval) -> [String] { [approval.deployment, approval.version] }
    static func key(_ hold: Hold) -> [String] { [hold.deployment, hold.environment, hold.version, hold.specHash] }
    static func key(_ run: BackupRun) -> [String] { [run.schedule, "\(StoreTime.millis(run.scheduledFor))"] }

    /// How many rows (a released deployment counts as one).
    var count: Int {
        versions.count + history.count + approvals.count + releasedHolds.count + holds.count + backupRuns.count
            + (cursor == nil ? 0 : 1) + resources.count + deletedResources.count
    }

    var isEmpty: Bool { count == 0 }
}
