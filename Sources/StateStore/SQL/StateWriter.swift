import Reconcile

/// Writes the state part of a batch (everything but events) on a session in a transaction.
struct StateWriter {
    let session: any SQLSession
    /// Told about every spec written, so a later read can reuse it (see `SpecCache.remember`).
    var specs: SpecCache? = nil

    /// Applies the batch in the order `StoreBatch` documents.
    func write(_ batch: StoreBatch) async throws {
        let versions = batch.registerVersions.lastByKey { $0.blueprint }
        try await session.write(
            BulkStatement(table: RegisteredVersion.table, columns: RegisteredVersion.columns, conflict: RegisteredVersion.keyColumns),
            rows: try versions.map { try $0.row() })
        try await session.write(BulkStatement(table: HistoryEntry.table, columns: HistoryEntry.columns),
                                rows: try batch.history.map { try $0.row() })
        try await upsert(batch.approvals.lastByKey { [$0.deployment, $0.version] })
        let released = Array(Set(batch.releaseHolds)).sorted()
        try await session.delete(from: Hold.table, where: ["deployment"], in: released.map { [.text($0)] })
        try await upsert(batch.holds.lastByKey { [$0.deployment, $0.environment, $0.version, $0.specHash] })
        try await upsert(batch.backupRuns.lastByKey { [$0.schedule, "\(StoreTime.millis($0.scheduledFor))"] })
        if let cursor = batch.cursor { try await upsert([cursor]) }
        try await upsert(batch.actionKeys.lastByKey { $0.key })
        try await upsert(batch.consoleIds.lastByKey { [$0.console, $0.kind.rawValue, $0.subject] })
        let resources = batch.upsertResources.lastByKey { $0.key.keyValues }
        let texts = resources.map { $0.storedSpec.text ?? $0.spec.canonicalJSON }
        try await session.write(AppliedResource.upsert, rows: try zip(resources, texts).map { try $0.row(specText: $1) })
        for (resource, text) in zip(resources, texts) { specs?.remember(hash: resource.specHash, text: text, spec: resource.storedSpec) }
        let deleted = batch.deleteResources.lastByKey { $0 }
        try await session.delete(from: AppliedResource.table, where: AppliedResource.keyColumns, in: deleted.map(\.keyValues))
    }

    /// Inserts or replaces records by their key.
    private func upsert<Record: StoredRecord>(_ records: [Record]) async throws {
        try await session.write(Record.upsert, rows: try records.map { try $0.row() })
    }
}
