import Foundation

extension ConsoleId: StoredRecord {
    static let table = "console_ids"
    static let columns = ["console", "kind", "subject", "console_id", "recorded_at"]
    /// One id per (console, kind, subject): a newer one replaces it.
    static let keyColumns = ["console", "kind", "subject"]

    func row() throws -> [SQLValue] { [.text(console), .text(kind.rawValue), .text(subject), .text(id), .date(recordedAt)] }

    init(row: StoreRow) throws {
        let kindText = try row.text(1)
        guard let kind = Kind(rawValue: kindText) else {
            throw StoreError(.corrupt, "a stored console id has the unknown kind \"\(kindText)\"")
        }
        self.init(console: try row.text(0), kind: kind, subject: try row.text(2), id: try row.text(3), recordedAt: try row.date(4))
    }

    /// Migration 5: the table.
    static let createTable = """
        CREATE TABLE console_ids (
          console TEXT NOT NULL, kind TEXT NOT NULL, subject TEXT NOT NULL, console_id TEXT NOT NULL,
          recorded_at BIGINT NOT NULL, PRIMARY KEY (console, kind, subject))
        """
}

extension StateReader {
    /// Every id recorded for one console, by kind and subject.
    func consoleIds(console: String) async throws -> [ConsoleId] {
        try await session.run("\(ConsoleId.select) WHERE console = \(session.dialect.placeholder(1)) ORDER BY kind, subject",
                              [.text(console)])
            .map(ConsoleId.init(row:))
    }
}

extension SessionReads {
    func consoleIds(console: String) async throws -> [ConsoleId] {
        try await withSession { try await StateReader(session: $0).consoleIds(console: console) }
    }
}
