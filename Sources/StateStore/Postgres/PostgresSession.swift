import Logging
import PostgresNIO

/// Runs the shared store SQL on one leased PostgreSQL connection.
struct PostgresSession: SQLSession {
    let connection: PostgresConnection
    let logger: Logger
    var dialect: SQLDialect { .postgres }

    @discardableResult
    func run(_ sql: String, _ binds: [SQLValue]) async throws -> [StoreRow] {
        var bindings = PostgresBindings(capacity: binds.count)
        for value in binds {
            switch value {
            case .null: bindings.appendNull()
            case .int(let number): bindings.append(number)
            case .text(let text): bindings.append(text)
            case .textArray(let texts): bindings.append(texts)
            }
        }
        let sequence = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        var rows: [StoreRow] = []
        for try await row in sequence {
            rows.append(StoreRow(values: try row.map(Self.value)))
        }
        return rows
    }

    /// A cell as text or an integer.
    private static func value(_ cell: PostgresCell) throws -> SQLValue {
        guard let bytes = cell.bytes else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .int(try cell.decode(Int64.self))
        case .text, .varchar, .name, .bpchar: return .text(try cell.decode(String.self))
        default: return .text(String(buffer: bytes))
        }
    }
}
