import EventLog

extension StateStore {
    /// Hands the log records after seq `after` to `body` in seq order, read `pageSize` at a time
    /// (a log of hundreds of thousands of records is never all in memory), until it returns false.
    /// Returns the seq of the last record `body` took (`after` when none).
    @discardableResult
    public func forEachEvent(after: Int64 = 0, pageSize: Int = eventPageSize, _ body: (EventRecord) throws -> Bool) async throws -> Int64 {
        var after = after
        while true {
            let page = try await events(since: after, limit: max(1, pageSize))
            for record in page {
                guard try body(record) else { return after }
                after = record.seq
            }
            if page.count < max(1, pageSize) { return after }
        }
    }
}

/// How many log records a reader that goes through the whole log reads from the store at once.
public let eventPageSize = 2_000
