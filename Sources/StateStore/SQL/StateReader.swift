import Reconcile

/// The bulk reads shared by both backends: one query each (action keys in chunks).
struct StateReader {
    let session: any SQLSession

    private func p(_ index: Int) -> String { session.dialect.placeholder(index) }

    /// Every applied resource; specs unchanged since the last read come from `specs` unparsed.
    func resources(specs: SpecCache) async throws -> [AppliedResource] {
        // In primary-key order: read through its index, with no sort of whole rows (specs included).
        let rows = try await session.run("\(AppliedResource.select) ORDER BY kind, name, environment, target")
        let columns = try rows.map { row in
            SpecCache.Column(hash: try row.text(3), text: try row.text(4), key: try ResourceKey(row: row, targetColumn: AppliedResource.targetColumn))
        }
        let parsed = try specs.specs(columns)
        return try rows.indices.map { try AppliedResource(row: rows[$0], key: columns[$0].key, spec: parsed[$0]) }
    }

    /// Every table replay rebuilds (DESIGN §14), history in the order it was appended.
    func snapshot(specs: SpecCache) async throws -> StateSnapshot {
        var rows = StateRows()
        rows.resources = try await resources(specs: specs)
        rows.versions = try await registeredVersions()
        rows.history = try await session.run("\(HistoryEntry.select) ORDER BY id").map(HistoryEntry.init(row:))
        rows.approvals = try await session.run(Approval.select).map(Approval.init(row:))
        rows.holds = try await holds()
        rows.backupRuns = try await backupRuns(schedule: nil)
        rows.cursor = try await sourceCursor()
        return StateSnapshot(rows: rows)
    }

    func registeredVersions() async throws -> [RegisteredVersion] {
        try await session.run("\(RegisteredVersion.select) ORDER BY blueprint, registered_at, version").map(RegisteredVersion.init(row:))
    }

    func history(deployment: String) async throws -> [HistoryEntry] {
        try await session.run("\(HistoryEntry.select) WHERE deployment = \(p(1)) ORDER BY time, id", [.text(deployment)])
            .map(HistoryEntry.init(row:))
    }

    func history(outcome: String) async throws -> [HistoryEntry] {
        try await session.run("\(HistoryEntry.select) WHERE outcome = \(p(1)) ORDER BY time, id", [.text(outcome)])
            .map(HistoryEntry.init(row:))
    }

    func approvals(deployment: String) async throws -> [Approval] {
        try await session.run("\(Approval.select) WHERE deployment = \(p(1)) ORDER BY time, version", [.text(deployment)])
            .map(Approval.init(row:))
    }

    func holds() async throws -> [Hold] {
        try await session.run("\(Hold.select) ORDER BY deployment, environment, time").map(Hold.init(row:))
    }

    func backupRuns(schedule: String?) async throws -> [BackupRun] {
        let order = "ORDER BY scheduled_for DESC, started_at DESC, schedule"
        guard let schedule else { return try await session.run("\(BackupRun.select) \(order)").map(BackupRun.init(row:)) }
        return try await session.run("\(BackupRun.select) WHERE schedule = \(p(1)) \(order)", [.text(schedule)]).map(BackupRun.init(row:))
    }

    func sourceCursor() async throws -> SourceCursor? {
        try await session.run("\(SourceCursor.select) WHERE id = 1").first.map(SourceCursor.init(row:))
    }

    /// Looks keys up in chunks of at most 1,000, one query per chunk.
    func actionKeys(_ keys: [String]) async throws -> [String: ActionKeyRecord] {
        var found: [String: ActionKeyRecord] = [:]
        for record in try await actionKeys(column: "action_key", in: keys) { found[record.key] = record }
        return found
    }

    /// The keys of actions with one of these effects, under any trigger.
    func actionKeys(effects: [String]) async throws -> [ActionKeyRecord] {
        try await actionKeys(column: "effect", in: effects)
    }

    /// The action keys whose `column` is one of `values`, in chunks of at most 1,000 (one query each).
    private func actionKeys(column: String, in values: [String]) async throws -> [ActionKeyRecord] {
        let unique = Array(Set(values))
        var found: [ActionKeyRecord] = []
        var start = 0
        while start < unique.count {
            let chunk = Array(unique[start..<min(start + 1000, unique.count)])
            let rows: [StoreRow]
            switch session.dialect {
            case .postgres:
                rows = try await session.run("\(ActionKeyRecord.select) WHERE \(column) = ANY($1)", [.textArray(chunk)])
            case .sqlite:
                let list = (1...chunk.count).map(p).joined(separator: ", ")
                rows = try await session.run("\(ActionKeyRecord.select) WHERE \(column) IN (\(list))", chunk.map(SQLValue.text))
            }
            found += try rows.map(ActionKeyRecord.init(row:))
            start += 1000
        }
        return found
    }

    /// The schema version the store is at (0 when it has none yet).
    func schemaVersion() async throws -> Int64 {
        let exists: Bool
        switch session.dialect {
        case .postgres:
            exists = try await !session.run("SELECT 1 FROM pg_tables WHERE schemaname = current_schema() AND tablename = 'schema_migrations'").isEmpty
        case .sqlite:
            exists = try await !session.run("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").isEmpty
        }
        guard exists else { return 0 }
        return try await session.run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").first?.int(0) ?? 0
    }
}
