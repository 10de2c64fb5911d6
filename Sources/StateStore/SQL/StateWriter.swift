import Reconcile

/// Writes the state part of a batch (everything but events) on a session in a transaction.
struct StateWriter {
    let session: any SQLSession
    /// Told about every spec written, so a later read can reuse it (see `SpecCache.remember`).
    var specs: SpecCache? = nil

    /// Applies the batch in the order `StoreBatch` documents.
    func write(_ batch: StoreBatch) async throws {
        try await write(StateRows(batch), batch: batch)
    }

    /// Writes `rows` (the replayed state of `batch`) and the batch's action keys and console ids.
    func write(_ rows: StateRows, batch: StoreBatch) async throws {
        try await session.write(
            BulkStatement(table: RegisteredVersion.table, columns: RegisteredVersion.columns, conflict: RegisteredVersion.keyColumns),
            rows: try rows.versions.map { try $0.row() })
        try await session.write(BulkStatement(table: HistoryEntry.table, columns: HistoryEntry.columns),
                                rows: try rows.history.map { try $0.row() })
        try await upsert(rows.approvals)
        try await session.delete(from: Hold.table, where: ["deployment"], in: rows.releasedHolds.map { [.text($0)] })
        try await upsert(rows.holds)
        try await upsert(rows.backupRuns)
        if let cursor = rows.cursor { try await upsert([cursor]) }
        try await upsert(batch.actionKeys.lastByKey { $0.key })
        try await upsert(batch.consoleIds.lastByKey { [$0.console, $0.kind.rawValue, $0.subject] })
        let texts = rows.resources.map { $0.storedSpec.text ?? $0.spec.canonicalJSON }
        try await session.write(AppliedResource.upsert, rows: try zip(rows.resources, texts).map { try $0.row(specText: $1) })
        for (resource, text) in zip(rows.resources, texts) { specs?.remember(hash: resource.specHash, text: text, spec: resource.storedSpec) }
        try await session.delete(from: AppliedResource.table, where: AppliedResource.keyColumns, in: rows.deletedResources.map(\.keyValues))
    }

    /// Inserts or replaces records by their key.
    private func upsert<Record: StoredRecord>(_ records: [Record]) async throws {
        try await session.write(Record.upsert, rows: try records.map { try $0.row() })
    }
}
