import EventLog
import Foundation
import Manifests
import Reconcile

/// The `stateChanged` records of a batch (DESIGN §14): its state rows as the store writes them,
/// one JSON object per row keyed by column name, without resource spec bodies (the `spec_hash`
/// names the spec; Git holds it). A batch of more than `rowsPerRecord` rows takes several records
/// (`part` of `parts`), applied in order.
enum StateDelta {
    static let rowsPerRecord = 1_000
    /// The event type of the records.
    static let type: EventType = "stateChanged"

    /// The sections of a record's `data.state`, in the order `StateWriter` applies them.
    enum Section: String, CaseIterable {
        case versions = "registered_versions", history = "deployment_history", approvals, releasedHolds = "released_holds"
        case holds, backupRuns = "backup_runs", cursor = "source_cursor", resources, deletedResources = "deleted_resources"
    }

    /// The records carrying `rows`; `baseline` marks a whole-state snapshot that replaces what replay held.
    static func records(_ rows: StateRows, commit: String?, time: Date = Date(), baseline: Bool = false) throws -> [NewEvent] {
        guard !rows.isEmpty || baseline else { return [] }
        var entries: [(Section, JSONValue)] = []
        entries += try rows.versions.map { (.versions, try object($0)) }
        entries += try rows.history.map { (.history, try object($0)) }
        entries += try rows.approvals.map { (.approvals, try object($0)) }
        entries += rows.releasedHolds.map { (.releasedHolds, .string($0)) }
        entries += try rows.holds.map { (.holds, try object($0)) }
        entries += try rows.backupRuns.map { (.backupRuns, try object($0)) }
        if let cursor = rows.cursor { entries.append((.cursor, try object(cursor))) }
        // The spec body is left out (its `spec_hash` names it), so it is not written out either.
        entries += try rows.resources.map { (.resources, object(AppliedResource.columns, try $0.row(specText: ""), dropping: "spec")) }
        entries += rows.deletedResources.map { key in
            (.deletedResources, .object(["kind": .string(key.kind.rawValue), "name": .string(key.name), "environment": .string(key.environment ?? "")]))
        }
        let chunks = entries.isEmpty ? [[]] : stride(from: 0, to: entries.count, by: rowsPerRecord).map {
            Array(entries[$0..<min($0 + rowsPerRecord, entries.count)])
        }
        let summary = Self.summary(rows, baseline: baseline)
        return chunks.enumerated().map { index, chunk in
            // Rows gathered per section first: appending to a JSON array in place would copy it per row.
            var state = Dictionary(grouping: chunk, by: { $0.0.rawValue }).mapValues { JSONValue.array($0.map(\.1)) }
            state["part"] = .int(index + 1)
            state["parts"] = .int(chunks.count)
            if baseline { state["baseline"] = .bool(true) }
            let part = chunks.count > 1 ? " (part \(index + 1) of \(chunks.count))" : ""
            return NewEvent(time: time, commit: commit, type: type, reason: baseline ? "StateBaseline" : "StateChanged",
                            message: summary + part, data: .object(["state": .object(state)]))
        }
    }

    /// One record's part: its rows, whether it is the first part of a baseline, and its place.
    struct Part {
        var rows: StateRows
        var baseline: Bool
        var part: Int
        var parts: Int
    }

    /// Reads a `stateChanged` record's `data.state`.
    static func part(of record: EventRecord) throws -> Part {
        guard case .object(let state)? = record.data?["state"] else {
            throw StoreError(.corrupt, "event log record \(record.seq) (\(record.type)) has no data.state")
        }
        var rows = StateRows()
        func list(_ section: Section) -> [JSONValue] { state[section.rawValue]?.array ?? [] }
        let what = "event log record \(record.seq)"
        rows.versions = try list(.versions).map { try decode($0, what) }
        rows.history = try list(.history).map { try decode($0, what) }
        rows.approvals = try list(.approvals).map { try decode($0, what) }
        rows.releasedHolds = list(.releasedHolds).compactMap(\.string)
        rows.holds = try list(.holds).map { try decode($0, what) }
        rows.backupRuns = try list(.backupRuns).map { try decode($0, what) }
        rows.cursor = try list(.cursor).last.map { try decode($0, what) }
        rows.resources = try list(.resources).map { value in
            let row = storeRow(value, columns: AppliedResource.columns)
            return try AppliedResource(row: row, key: try ResourceKey(row: row, targetColumn: AppliedResource.targetColumn), spec: AppliedSpec(.null))
        }
        rows.deletedResources = try list(.deletedResources).map { try ResourceKey(row: storeRow($0, columns: ResourceKey.columns), targetColumn: ResourceKey.columns.count - 1) }
        let (number, parts) = place(of: record)
        return Part(rows: rows, baseline: state["baseline"] == .bool(true), part: number, parts: parts)
    }

    /// Which part of its batch's records a `stateChanged` record is, without reading its rows.
    static func place(of record: EventRecord) -> (part: Int, parts: Int) {
        let number = { (name: String) -> Int in if case .int(let n)? = record.data?["state"]?[name] { n } else { 1 } }
        return (number("part"), number("parts"))
    }

    /// A record as `{column: value}`, the store's own representation of each column.
    private static func object<Record: StoredRecord>(_ record: Record) throws -> JSONValue {
        object(Record.columns, try record.row())
    }

    private static func object(_ columns: [String], _ values: [SQLValue], dropping dropped: String? = nil) -> JSONValue {
        var members: [String: JSONValue] = [:]
        for (column, value) in zip(columns, values) where column != dropped {
            switch value {
            case .null: members[column] = .null
            case .int(let number): members[column] = .int(Int(number))
            case .text(let text): members[column] = .string(text)
            case .textArray(let texts): members[column] = .array(texts.map(JSONValue.string))
            }
        }
        return .object(members)
    }

    private static func decode<Record: StoredRecord>(_ value: JSONValue, _ what: String) throws -> Record {
        guard value.object != nil else { throw StoreError(.corrupt, "\(what) has a \(Record.table) row that is not a mapping") }
        return try Record(row: storeRow(value, columns: Record.columns))
    }

    /// The row a `{column: value}` object stands for; a missing column reads as null.
    private static func storeRow(_ value: JSONValue, columns: [String]) -> StoreRow {
        StoreRow(values: columns.map { column in
            switch value[column] {
            case .int(let number)?: .int(Int64(number))
            case .string(let text)?: .text(text)
            case .bool(let flag)?: .int(flag ? 1 : 0)
            default: .null
            }
        })
    }

    /// A one-line account of the rows, naming them when there are few.
    static func summary(_ rows: StateRows, baseline: Bool) -> String {
        var parts: [String] = []
        func add<T>(_ items: [T], _ noun: String, _ name: (T) -> String) {
            guard !items.isEmpty else { return }
            parts.append(items.count <= 3 ? "\(noun) " + items.map(name).joined(separator: ", ") : "\(items.count) \(noun)s")
        }
        add(rows.resources, "resource") { "\($0.key) \($0.version.map { "\($0) " } ?? "")\($0.sync.rawValue)/\($0.health.rawValue)" }
        add(rows.deletedResources, "removed resource") { "\($0)" }
        add(rows.history, "history") { "\($0.deployment) in \($0.environment): \($0.action) \($0.version) \($0.outcome)" }
        add(rows.holds, "hold") { "\($0.deployment) \($0.version) in \($0.environment)" }
        add(rows.releasedHolds, "holds released for") { $0 }
        add(rows.approvals, "approval") { "\($0.deployment) \($0.version) by \($0.approvedBy)" }
        add(rows.versions, "registered") { "\($0.blueprint)" }
        add(rows.backupRuns, "backup run") { "\($0.schedule) \($0.outcome)" }
        if let cursor = rows.cursor {
            parts.append("source at \(cursor.lastAppliedCommit.map { String($0.prefix(7)) } ?? "-")\(cursor.errors.isEmpty ? "" : " (\(cursor.errors.count) errors at \(cursor.lastSeenCommit.map { String($0.prefix(7)) } ?? "-"))")")
        }
        let body = parts.isEmpty ? "empty" : parts.joined(separator: "; ")
        return baseline ? "state baseline: \(body)" : "state: \(body)"
    }
}
