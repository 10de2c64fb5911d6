import Foundation
import Manifests
import Reconcile

/// The fleet state the event log can rebuild (DESIGN §14): applied resources (without spec
/// bodies when replayed), registered versions, history (proofs included), approvals, holds,
/// backup runs and the source cursor. Read whole from a store, or rebuilt by `StateReplay`.
public struct StateSnapshot: Sendable, Equatable {
    public internal(set) var resources: [ResourceKey: AppliedResource] = [:]
    public internal(set) var versions: [BlueprintRef: RegisteredVersion] = [:]
    /// In the order the store appended them.
    public internal(set) var history: [HistoryEntry] = []
    var approvals: [[String]: Approval] = [:]
    var holds: [[String]: Hold] = [:]
    var backupRuns: [[String]: BackupRun] = [:]
    public internal(set) var cursor: SourceCursor? = nil

    public init() {}

    /// Applies one batch's rows the way `StateWriter` writes them.
    mutating func apply(_ rows: StateRows) {
        for version in rows.versions where versions[version.blueprint] == nil { versions[version.blueprint] = version }
        history += rows.history
        for approval in rows.approvals { approvals[StateRows.key(approval)] = approval }
        if !rows.releasedHolds.isEmpty {
            let released = Set(rows.releasedHolds)
            holds = holds.filter { !released.contains($0.value.deployment) }
        }
        for hold in rows.holds { holds[StateRows.key(hold)] = hold }
        for run in rows.backupRuns { backupRuns[StateRows.key(run)] = run }
        if let cursor = rows.cursor { self.cursor = cursor }
        for resource in rows.resources { resources[resource.key] = resource }
        for key in rows.deletedResources { resources[key] = nil }
    }

    /// The snapshot as one batch's rows (a baseline).
    var rows: StateRows {
        var rows = StateRows()
        rows.versions = versionList
        rows.history = history
        rows.approvals = approvalList
        rows.holds = holdList
        rows.backupRuns = backupRunList
        rows.cursor = cursor
        rows.resources = resourceList
        return rows
    }

    init(rows: StateRows) { apply(rows) }

    public var resourceList: [AppliedResource] { resources.values.sorted { $0.key < $1.key } }
    public var versionList: [RegisteredVersion] { versions.values.sorted { $0.blueprint < $1.blueprint } }
    public var approvalList: [Approval] { Self.sorted(approvals) }
    public var holdList: [Hold] { Self.sorted(holds) }
    public var backupRunList: [BackupRun] { Self.sorted(backupRuns) }

    /// A deployment's history, oldest first (the order `StateStore.history(deployment:)` reads).
    public func history(deployment: String) -> [HistoryEntry] {
        Self.byTime(history.filter { $0.deployment == deployment })
    }

    /// Entries by time, ties in the order they were appended (the store's `ORDER BY time, id`).
    static func byTime(_ entries: [HistoryEntry]) -> [HistoryEntry] {
        entries.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
    }

    /// A table's rows in the order of their keys.
    private static func sorted<Row>(_ table: [[String]: Row]) -> [Row] {
        table.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map(\.value)
    }
}
