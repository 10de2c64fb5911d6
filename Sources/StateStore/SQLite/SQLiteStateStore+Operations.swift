import EventLog
import Reconcile

extension SQLiteStateStore {
    func migrate() async throws {
        let (applied, replayed) = try await withTransaction { session in
            let applied = try await Migrator.run(on: session, location: self.path, logger: self.logger)
            try await self.forgetIndexBeyondLog(on: session)
            let replayed = try await self.indexEvents(appended: [], on: session)
            if StoreSchema.needsBaseline(afterApplying: applied) {
                let events = try await StoreSchema.baseline(on: session, specs: self.specs)
                try await self.indexEvents(appended: try await self.onLog { try $0.appendSealed(events) }, on: session)
            }
            return (applied, replayed)
        }
        if !applied.isEmpty { logger.info("SQLite store at \(path) is at schema version \(StoreSchema.currentVersion)") }
        if replayed > 0 { logger.notice("replayed \(replayed) event log records into the store at \(path)") }
    }

    /// Reads the store's index of the file log: the records of committed batches, found by seq
    /// (reading the file would parse it from the start on every call).
    func events(since seq: Int64, limit: Int?) async throws -> [EventRecord] {
        try await withSession { session in
            try await session.run(Self.eventsQuery(limit: limit), [.int(seq)]).map { row in
                guard let record = EventRecord(line: try row.text(1)) else {
                    throw StoreError(.corrupt, "the store's index of event log record \(try row.int(0)) is not a record")
                }
                return record
            }
        }
    }

    func eventLines(since seq: Int64, limit: Int?) async throws -> [String] {
        try await withSession { session in try await session.run(Self.eventsQuery(limit: limit), [.int(seq)]).map { try $0.text(1) } }
    }

    private static func eventsQuery(limit: Int?) -> String {
        "SELECT seq, record FROM events WHERE seq > ? ORDER BY seq\(limit.map { " LIMIT \(max(0, $0))" } ?? "")"
    }

    func waitForEvents(after seq: Int64, timeout: Duration) async { await feed.wait(after: seq, timeout: timeout) }
    func eventHead() async throws -> ChainHead { try await withSession { _ in try await self.onLog { $0.head } } }
    func verifyEventLog() async throws -> ChainVerification { try await withSession { _ in try await self.onLog { try $0.verify() } } }

    func indexedEventSeq() async throws -> Int64? { try await withSession { session in try await self.lastIndexedSeq(on: session) } }

    /// State first; then the events are appended to the file log (fsynced) and indexed; then COMMIT.
    /// A batch that fails before the append leaves both the store and the log untouched.
    func commit(_ batch: StoreBatch) async throws -> [EventRecord] {
        guard !batch.isEmpty else { return [] }
        let records: [EventRecord] = try await withTransaction { session in
            let first = batch.linksEvents ? try await self.onLog { $0.head }.seq + 1 : 0
            let rows = batch.stateRows(firstSeq: first)
            let events = try batch.logEvents(carrying: rows)
            try await StateWriter(session: session, specs: self.specs).write(rows, batch: batch)
            let sealed = events.isEmpty ? [] : try await self.onLog { try $0.appendSealed(events) }
            try await self.indexEvents(appended: sealed, on: session)
            return sealed.map(\.record)
        }
        if let last = records.last { feed.published(head: last.seq) }
        return records
    }

    /// In one read transaction: the state and the last log record the store indexed (a record the
    /// file log holds past it belongs to a batch whose COMMIT never happened).
    func stateSnapshot() async throws -> (state: StateSnapshot, seq: Int64) {
        try await withSession { session in
            try await session.run("BEGIN")
            do {
                let state = try await StateReader(session: session).snapshot(specs: self.specs)
                let seq = try await self.lastIndexedSeq(on: session)
                try await session.run("COMMIT")
                return (state, seq)
            } catch {
                try? await session.run("ROLLBACK")
                throw error
            }
        }
    }

    /// Looks the keys up in the indexed log records (canonical JSON, so `"key":"…"` is literal).
    func loggedSuccesses(_ keys: [String]) async throws -> Set<String> {
        guard !keys.isEmpty else { return [] }
        return try await withSession { session in
            var found: Set<String> = []
            for key in Set(keys) where key.allSatisfy({ $0.isHexDigit }) {
                let rows = try await session.run("SELECT seq FROM events WHERE type = 'actionSucceeded' AND instr(record, ?) > 0 LIMIT 1",
                                                 [.text("\"key\":\"\(key)\"")])
                if !rows.isEmpty { found.insert(key) }
            }
            return found
        }
    }

    /// When the file log ends before what the store indexed (its folder was replaced), drops the
    /// index rows the log no longer has, with a warning, so new records are indexed again.
    func forgetIndexBeyondLog(on session: SQLiteSession) async throws {
        let head = try await onLog { $0.head }
        let lastSeen = try await lastIndexedSeq(on: session)
        guard lastSeen > head.seq else { return }
        logger.warning("the event log in \(eventLog.directory) ends at seq \(head.seq) but the store at \(path) indexed up to seq \(lastSeen); dropping the index rows the log no longer has")
        try await session.run("DELETE FROM events WHERE seq > ?", [.int(head.seq)])
        try await session.run("UPDATE store_meta SET value = ? WHERE name = ?", [.text(String(head.seq)), .text(StoreMeta.lastEventSeq)])
    }

    /// The last file-log seq the store has indexed.
    func lastIndexedSeq(on session: SQLiteSession) async throws -> Int64 {
        try await session.run("SELECT value FROM store_meta WHERE name = ?", [.text(StoreMeta.lastEventSeq)])
            .first.flatMap { $0.optionalText(0) }.flatMap { Int64($0) } ?? 0
    }

    /// Indexes `appended` plus any file-log records the store has not seen yet (replay).
    @discardableResult
    func indexEvents(appended: [SealedRecord], on session: SQLiteSession) async throws -> Int {
        let lastSeen = try await lastIndexedSeq(on: session)
        var rows = appended.map { EventIndex.row($0.record, line: $0.text) }
        let firstNew = appended.first?.record.seq ?? Int64.max
        // Nothing appended (opening the store): read the log only when its head is past the index.
        let logAhead = appended.isEmpty ? try await onLog { $0.head }.seq > lastSeen : true
        var last = appended.last?.record.seq
        if firstNew > lastSeen + 1, logAhead {
            let missing = try await onLog { try $0.read(since: lastSeen) }.filter { $0.seq < firstNew }
            rows = missing.map { EventIndex.row($0, line: $0.line) } + rows
            last = last ?? missing.last?.seq
        }
        guard let last, last > lastSeen else { return 0 }
        try await session.write(EventIndex.statement, rows: rows)
        try await session.run("UPDATE store_meta SET value = ? WHERE name = ?", [.text(String(last)), .text(StoreMeta.lastEventSeq)])
        return rows.count - appended.count
    }
}

/// The `events` table: one index row per file-log record.
enum EventIndex {
    static let statement = BulkStatement(table: "events", columns: ["seq", "time", "type", "resource", "environment", "record"],
                                         conflict: ["seq"])

    /// `line`: the record's canonical line, as the log holds it.
    static func row(_ record: EventRecord, line: String) -> [SQLValue] {
        [.int(record.seq), .text(record.time), .text(record.type), .text(record.resource), .text(record.environment), .text(line)]
    }
}
