import Manifests
import Reconcile

extension BackupRun: StoredRecord {
    static let table = "backup_runs"
    static let columns = ["schedule", "scheduled_for", "started_at", "finished_at", "outcome", "archive", "size_bytes", "message"]
    static let keyColumns = ["schedule", "scheduled_for"]

    func row() throws -> [SQLValue] {
        [.text(schedule), .date(scheduledFor), .date(startedAt), .date(finishedAt), .text(outcome), .text(archive),
         .int(sizeBytes), .text(message)]
    }

    init(row: StoreRow) throws {
        self.init(schedule: try row.text(0), scheduledFor: try row.date(1), startedAt: try row.date(2),
                  finishedAt: try row.optionalDate(3), outcome: try row.text(4), archive: row.optionalText(5),
                  sizeBytes: try row.optionalInt(6), message: row.optionalText(7))
    }
}

extension SourceCursor: StoredRecord {
    static let table = "source_cursor"
    static let columns = ["id", "last_seen_commit", "last_applied_commit", "errors", "updated_at"]
    /// A single row, id 1.
    static let keyColumns = ["id"]

    func row() throws -> [SQLValue] {
        [.int(1), .text(lastSeenCommit), .text(lastAppliedCommit), .text(try StoreJSON.encode(errors)), .date(updatedAt)]
    }

    init(row: StoreRow) throws {
        self.init(lastSeenCommit: row.optionalText(1), lastAppliedCommit: row.optionalText(2),
                  errors: try StoreJSON.decode([ValidationError].self, from: try row.text(3), what: "source errors"),
                  updatedAt: try row.date(4))
    }
}

extension ActionKeyRecord: StoredRecord {
    static let table = "action_keys"
    static let columns = ["action_key", "state", "action", "resource", "environment", "started_at", "finished_at", "message", "effect"]
    static let keyColumns = ["action_key"]

    func row() throws -> [SQLValue] {
        [.text(key), .text(state.rawValue), .text(action), .text(resource), .text(environment), .date(startedAt),
         .date(finishedAt), .text(message), .text(effect)]
    }

    init(row: StoreRow) throws {
        let key = try row.text(0), stateText = try row.text(1)
        guard let state = State(rawValue: stateText) else {
            throw StoreError(.corrupt, "action key \(key) has the unknown state \"\(stateText)\"")
        }
        self.init(key: key, state: state, action: try row.text(2), resource: try row.text(3), environment: row.optionalText(4),
                  startedAt: try row.date(5), finishedAt: try row.optionalDate(6), message: row.optionalText(7),
                  effect: row.optionalText(8))
    }
}
