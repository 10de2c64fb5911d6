import NIOCore
import SQLiteNIO

/// Runs the shared store SQL on one SQLite connection.
struct SQLiteSession: SQLSession {
    let connection: SQLiteConnection
    var dialect: SQLDialect { .sqlite }

    @discardableResult
    func run(_ sql: String, _ binds: [SQLValue]) async throws -> [StoreRow] {
        let data: [SQLiteData] = try binds.map { value in
            switch value {
            case .null: return .null
            case .int(let number): return .integer(SQLiteInt64(number))
            case .text(let text): return .text(text)
            case .textArray: throw StoreError(.database, "internal error: SQLite cannot bind an array")
            }
        }
        let rows = try await connection.query(sql, data)
        return rows.map { row in
            StoreRow(values: row.columns.map { column in
                switch column.data {
                case .integer(let number): return .int(Int64(number))
                case .text(let text): return .text(text)
                case .float(let number): return .int(Int64(number))
                case .blob(let buffer): return .text(String(buffer: buffer))
                case .null: return .null
                }
            })
        }
    }
}
