import Foundation

/// A record type stored one row per value: its table, columns, key and row mapping.
protocol StoredRecord: Sendable {
    static var table: String { get }
    /// Written and selected in this order.
    static var columns: [String] { get }
    /// The unique key, for upserts.
    static var keyColumns: [String] { get }
    /// The values of `columns`.
    func row() throws -> [SQLValue]
    /// Reads a row selected with `columns`.
    init(row: StoreRow) throws
}

extension StoredRecord {
    /// `SELECT columns FROM table`.
    static var select: String { "SELECT \(columns.joined(separator: ", ")) FROM \(table)" }

    /// An upsert replacing every non-key column.
    static var upsert: BulkStatement {
        BulkStatement(table: table, columns: columns, conflict: keyColumns, update: columns.filter { !keyColumns.contains($0) })
    }
}

/// JSON-in-a-column helpers: stable text out, one clear error in.
enum StoreJSON {
    /// The JSON text of `value`. An encoder per call: batches are encoded on several threads at once.
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// Decodes `text`; `what` names the column for the error.
    static func decode<T: Decodable>(_ type: T.Type, from text: String, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StoreError(.corrupt, "stored \(what) is not valid JSON for \(T.self): \(error)")
        }
    }
}
