import EventLog
import Foundation
import Reconcile

extension PostgresStateStore {
    /// Serialises concurrent migrations from several replicas.
    static let migrationLock: Int64 = 0x5374_6577_6172_6401

    func migrate() async throws {
        let location = url.description, logger = self.logger
        let applied = try await withTransaction { session in
            try await session.run("SELECT pg_advisory_xact_lock($1)", [.int(Self.migrationLock)])
            let applied = try await Migrator.run(on: session, location: location, logger: logger)
            if StoreSchema.needsBaseline(afterApplying: applied) {
                try await Self.append(try await StoreSchema.baseline(on: session, specs: self.specs), after: nil, on: session)
            }
            return applied
        }
        if !applied.isEmpty { logger.info("PostgreSQL store \(url.endpoint)/\(url.database) is at schema version \(StoreSchema.currentVersion)") }
    }

    /// State, then the head locked (`FOR UPDATE`), the events sealed after it and inserted: one transaction.
    func commit(_ batch: StoreBatch) async throws -> [EventRecord] {
        guard !batch.isEmpty else { return [] }
        let fence = self.fence.state
        let records: [EventRecord] = try await withTransaction { session in
            if fence.required { try await LeaseTable.checkFence(fence.epoch, on: session) }
            // A batch whose records take event seqs locks the head first, to know them.
            let locked = batch.linksEvents ? try await EventLogTable.head(on: session, forUpdate: true) : nil
            let rows = batch.stateRows(firstSeq: (locked?.seq ?? 0) + 1)
            let events = try batch.logEvents(carrying: rows)
            try await StateWriter(session: session, specs: self.specs).write(rows, batch: batch)
            return try await Self.append(events, after: locked, on: session)
        }
        if let last = records.last { feed.published(head: last.seq) }
        return records
    }

    func waitForEvents(after seq: Int64, timeout: Duration) async {
        listener.start()
        await feed.wait(after: seq, timeout: timeout)
    }

    /// Seals `events` after the head (`locked`, or locked now) and inserts them, moving the head.
    @discardableResult
    static func append(_ events: [NewEvent], after locked: ChainHead?, on session: PostgresSession) async throws -> [EventRecord] {
        guard !events.isEmpty else { return [] }
        let head: ChainHead
        if let locked { head = locked } else { head = try await EventLogTable.head(on: session, forUpdate: true) }
        let sealed = EventChain.sealed(events, after: head)
        try await session.write(EventLogTable.statement, rows: sealed.map(EventLogTable.row))
        let records = sealed.map(\.record)
        let last = records[records.count - 1]
        // The head moves and every replica listening is told (`EventListener`; delivered at COMMIT), in one round trip.
        try await session.run("""
            WITH head AS (UPDATE event_head SET seq = $1, hash = $2 WHERE id = 1 RETURNING seq)
            SELECT pg_notify('\(EventListener.channel)', seq::text) FROM head
            """, [.int(last.seq), .text(last.hash)])
        return records
    }

    /// The state and the log head in one repeatable-read snapshot.
    func stateSnapshot() async throws -> (state: StateSnapshot, seq: Int64) {
        try await withTransaction { session in
            try await session.run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            let state = try await StateReader(session: session).snapshot(specs: self.specs)
            return (state, try await EventLogTable.head(on: session, forUpdate: false).seq)
        }
    }

    func events(since seq: Int64, limit: Int?) async throws -> [EventRecord] {
        try await withSession { session in
            try await session.run(Self.eventsQuery(limit: limit), [.int(seq)]).map { row in
                let seq = try row.int(0)
                guard let record = EventRecord(line: try row.text(1)) else {
                    throw StoreError(.corrupt, "event_log record \(seq) is not a valid event record; run steward verify-log")
                }
                return record
            }
        }
    }

    func eventLines(since seq: Int64, limit: Int?) async throws -> [String] {
        try await withSession { session in try await session.run(Self.eventsQuery(limit: limit), [.int(seq)]).map { try $0.text(1) } }
    }

    private static func eventsQuery(limit: Int?) -> String {
        "SELECT seq, record FROM event_log WHERE seq > $1 ORDER BY seq\(limit.map { " LIMIT \(max(0, $0))" } ?? "")"
    }

    func eventHead() async throws -> ChainHead {
        try await withSession { try await EventLogTable.head(on: $0, forUpdate: false) }
    }

    /// Re-hashes every record in pages, then checks the head row matches the last record.
    func verifyEventLog() async throws -> ChainVerification {
        try await withSession { session in
            var verifier = EventChain.Verifier()
            while true {
                let rows = try await session.run("SELECT seq, record FROM event_log WHERE seq > $1 ORDER BY seq LIMIT 5000",
                                                 [.int(verifier.head.seq)])
                for row in rows {
                    guard let record = EventRecord(line: try row.text(1)) else {
                        return .broken(seq: try row.int(0), reason: "the stored record is not a valid event record")
                    }
                    if let problem = verifier.check(record) { return problem }
                }
                if rows.count < 5000 { break }
            }
            let head = try await EventLogTable.head(on: session, forUpdate: false)
            if head != verifier.head {
                return .broken(seq: verifier.head.seq + 1,
                               reason: "the log ends at seq \(verifier.head.seq) but its head records seq \(head.seq) (records were removed from the end)")
            }
            return verifier.result
        }
    }
}

/// The `event_log` and `event_head` tables.
enum EventLogTable {
    static let statement = BulkStatement(
        table: "event_log", columns: ["seq", "time", "type", "resource", "environment", "record", "prev", "hash"])

    /// The row of a sealed record: its exact canonical line, so verification re-hashes what was written.
    static func row(_ sealed: SealedRecord) -> [SQLValue] {
        let record = sealed.record
        return [.int(record.seq), .text(record.time), .text(record.type), .text(record.resource), .text(record.environment),
                .text(sealed.text), .text(record.prev), .text(record.hash)]
    }

    /// The chain head row, optionally locked until the transaction ends.
    static func head(on session: PostgresSession, forUpdate: Bool) async throws -> ChainHead {
        let rows = try await session.run("SELECT seq, hash FROM event_head WHERE id = 1\(forUpdate ? " FOR UPDATE" : "")")
        guard let row = rows.first else { throw StoreError(.corrupt, "the event_head row is missing; the store was edited by hand") }
        return ChainHead(seq: try row.int(0), hash: try row.text(1))
    }
}
