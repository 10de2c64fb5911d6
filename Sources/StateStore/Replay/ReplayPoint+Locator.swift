import EventLog
import Foundation

extension ReplayPoint {
    /// Finds where a point is in a log read once, record by record in seq order, keeping only what
    /// it needs (a log of hundreds of thousands of records is never held whole).
    struct Locator {
        let point: ReplayPoint
        /// The last record at or before the point, and how far its batch's state records reach.
        private var chosen: Int64?
        private var reach: Int64 = 0
        /// Whether the record at `reach` is a state record with more parts of its batch to come.
        private var partsFollow = false
        private var first: EventRecord?
        private var lastSeq: Int64?
        /// The first baseline: the log tells the state only from there.
        private var baseline: EventRecord?

        init(_ point: ReplayPoint) { self.point = point }

        mutating func see(_ record: EventRecord) {
            if first == nil { first = record }
            lastSeq = record.seq
            let isState = record.type == StateDelta.type.rawValue
            if baseline == nil, isState, record.reason == "StateBaseline" { baseline = record }
            if matches(record) {
                chosen = record.seq
                reach = record.seq
            } else if chosen != nil, partsFollow, isState {
                // A batch is atomic: a point among its state records means the whole batch.
                reach = record.seq
            } else {
                partsFollow = false
                return
            }
            let place = isState ? StateDelta.place(of: record) : (part: 1, parts: 1)
            partsFollow = place.part < place.parts
        }

        private func matches(_ record: EventRecord) -> Bool {
            switch point {
            case .seq(let seq): record.seq <= seq
            case .time(let date): (record.date ?? .distantFuture) <= date
            case .commit(let sha): record.commit?.hasPrefix(sha) == true
            }
        }

        /// The seq of the last record to apply for the point, after every record was seen.
        func end() throws -> Int64 {
            switch point {
            case .seq(let seq):
                guard let head = lastSeq, seq <= head else {
                    throw StoreError(.replayPoint, "the event log ends at seq \(lastSeq ?? 0); there is no seq \(seq) yet")
                }
            case .time(let date):
                if chosen == nil, let first {
                    throw StoreError(.replayPoint, "the event log starts at \(first.time), after \(EventTime.format(date))")
                }
            case .commit(let sha):
                if chosen == nil { throw StoreError(.replayPoint, "no event log record carries commit \(sha)") }
            }
            guard chosen != nil else { throw StoreError(.replayPoint, "the event log is empty") }
            if let baseline, reach < baseline.seq {
                throw StoreError(.replayPoint, "the event log records the state only from seq \(baseline.seq) (\(baseline.time)), when this store was upgraded to a steward that writes state to the log; \(point) is before that")
            }
            return reach
        }
    }
}

extension StateStore {
    /// The state after every record up to `point`, replayed from the log read a page at a time:
    /// once to find where the point is, once to apply the records up to it.
    public func replayState(at point: ReplayPoint, pageSize: Int = eventPageSize) async throws -> StateReplay {
        var locator = ReplayPoint.Locator(point)
        try await forEachEvent(pageSize: pageSize) { record in
            locator.see(record)
            return true
        }
        let end = try locator.end()
        var replay = StateReplay()
        try await forEachEvent(pageSize: pageSize) { record in
            guard record.seq <= end else { return false }
            try replay.apply(record)
            return true
        }
        return replay
    }

    /// Reads the state and replays the log, a page at a time, up to the record the state includes.
    public func checkReplay(pageSize: Int = eventPageSize) async throws -> ReplayCheck {
        let (stored, seq) = try await stateSnapshot()
        var replay = StateReplay()
        try await forEachEvent(pageSize: pageSize) { record in
            guard record.seq <= seq else { return false }
            try replay.apply(record)
            return true
        }
        return ReplayCheck(replay: replay, stored: stored, seq: seq)
    }
}
