import Reconcile

extension HistoryEntry: StoredRecord {
    static let table = "deployment_history"
    static let columns = ["deployment", "environment", "version", "action", "outcome", "commit_sha", "seq", "time", "blueprint", "archive", "archive_sha256", "target"]
    /// Entries are appended, never replaced.
    static let keyColumns: [String] = []

    func row() throws -> [SQLValue] {
        [.text(deployment), .text(environment), .text(version), .text(action), .text(outcome), .text(commit), .int(seq), .date(time), .text(blueprint),
         .text(archive), .text(archiveSha256), .text(target)]
    }

    init(row: StoreRow) throws {
        self.init(deployment: try row.text(0), environment: try row.text(1), version: try row.text(2), action: try row.text(3),
                  outcome: try row.text(4), commit: try row.text(5), seq: try row.optionalInt(6), time: try row.date(7),
                  blueprint: row.optionalText(8), archive: row.optionalText(9), archiveSha256: row.optionalText(10),
                  target: row.values.count > 11 ? row.optionalText(11) : nil)
    }
}

extension Approval: StoredRecord {
    static let table = "approvals"
    static let columns = ["deployment", "version", "approved_by", "time"]
    static let keyColumns = ["deployment", "version"]

    func row() throws -> [SQLValue] { [.text(deployment), .text(version), .text(approvedBy), .date(time)] }

    init(row: StoreRow) throws {
        self.init(deployment: try row.text(0), version: try row.text(1), approvedBy: try row.text(2), time: try row.date(3))
    }
}

extension Hold: StoredRecord {
    static let table = "holds"
    static let columns = ["deployment", "environment", "version", "spec_hash", "reason", "seq", "time"]
    static let keyColumns = ["deployment", "environment", "version", "spec_hash"]

    func row() throws -> [SQLValue] {
        [.text(deployment), .text(environment), .text(version), .text(specHash), .text(reason), .int(seq), .date(time)]
    }

    init(row: StoreRow) throws {
        self.init(deployment: try row.text(0), environment: try row.text(1), version: try row.text(2), specHash: try row.text(3),
                  reason: try row.text(4), seq: try row.optionalInt(5), time: try row.date(6))
    }
}
