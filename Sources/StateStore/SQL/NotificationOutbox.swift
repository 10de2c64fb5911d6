import Foundation

/// Where one notification receiver stands in the event log (DESIGN §12): the outbox of a
/// receiver is the log's records after `deliveredSeq` that its filter takes. A record is marked
/// delivered only after the receiver answered 2xx (at least once); the attempts and the next
/// attempt of the record at the head of its queue survive restarts and a change of leader.
public struct OutboxPosition: Sendable, Hashable {
    public var receiver: String
    /// Every record up to this seq was delivered (or was not for this receiver).
    public var deliveredSeq: Int64
    /// Failed attempts at the record after `deliveredSeq` that is due next.
    public var attempts: Int
    public var nextAttemptAt: Date?
    public var lastError: String?
    public var updatedAt: Date

    public init(receiver: String, deliveredSeq: Int64, attempts: Int = 0, nextAttemptAt: Date? = nil,
                lastError: String? = nil, updatedAt: Date = Date()) {
        self.receiver = receiver
        self.deliveredSeq = deliveredSeq
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.lastError = lastError
        self.updatedAt = updatedAt
    }
}

extension OutboxPosition {
    static let columns = "receiver, delivered_seq, attempts, next_attempt_at, last_error, updated_at"

    /// Migration 8: one row per receiver.
    static let createTable = """
        CREATE TABLE notification_outbox (
          receiver TEXT PRIMARY KEY, delivered_seq BIGINT NOT NULL, attempts BIGINT NOT NULL,
          next_attempt_at BIGINT, last_error TEXT, updated_at BIGINT NOT NULL)
        """

    init(row: StoreRow) throws {
        self.init(receiver: try row.text(0), deliveredSeq: try row.int(1), attempts: Int(try row.int(2)),
                  nextAttemptAt: try row.optionalDate(3), lastError: row.optionalText(4), updatedAt: try row.date(5))
    }
}

extension SessionReads {
    func notificationOutbox() async throws -> [OutboxPosition] {
        try await withSession { session in
            try await session.run("SELECT \(OutboxPosition.columns) FROM notification_outbox ORDER BY receiver").map(OutboxPosition.init(row:))
        }
    }

    /// Upserts a receiver's position; never moves `deliveredSeq` back (a deposed leader's late
    /// write loses to the new leader's).
    func saveNotificationOutbox(_ position: OutboxPosition) async throws {
        try await withSession { session in
            let p = session.dialect.placeholder
            try await session.run("""
                INSERT INTO notification_outbox (\(OutboxPosition.columns)) VALUES (\(p(1)), \(p(2)), \(p(3)), \(p(4)), \(p(5)), \(p(6)))
                ON CONFLICT (receiver) DO UPDATE SET delivered_seq = excluded.delivered_seq, attempts = excluded.attempts,
                  next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error, updated_at = excluded.updated_at
                WHERE notification_outbox.delivered_seq <= excluded.delivered_seq
                """,
                [.text(position.receiver), .int(position.deliveredSeq), .int(Int64(position.attempts)),
                 .date(position.nextAttemptAt), .text(position.lastError), .date(position.updatedAt)])
        }
    }
}
