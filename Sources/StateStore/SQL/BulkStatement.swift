/// A multi-row `INSERT … ON CONFLICT`, so writing many rows costs one round trip per chunk.
struct BulkStatement: Sendable {
    var table: String
    var columns: [String]
    /// The unique key; empty for a plain insert.
    var conflict: [String] = []
    /// Columns replaced on conflict; nil keeps the existing row (`DO NOTHING`).
    var update: [String]? = nil

    /// The statement for `rows` rows.
    func sql(rows: Int, dialect: SQLDialect) -> String {
        var sql = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        sql.reserveCapacity(sql.utf8.count + rows * columns.count * 6)
        for row in 0..<rows {
            if row > 0 { sql += ", " }
            sql += dialect.tuple(columns.count, offset: row * columns.count)
        }
        if !conflict.isEmpty {
            sql += " ON CONFLICT (\(conflict.joined(separator: ", "))) DO "
            if let update, !update.isEmpty {
                sql += "UPDATE SET " + update.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
            } else {
                sql += "NOTHING"
            }
        }
        return sql
    }
}

extension SQLSession {
    /// Writes `rows` with `statement`, in chunks of the dialect's rows per statement.
    func write(_ statement: BulkStatement, rows: [[SQLValue]]) async throws {
        let chunkSize = dialect.rowsPerStatement
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + chunkSize, rows.count)]
            try await run(statement.sql(rows: chunk.count, dialect: dialect), chunk.flatMap { $0 })
            start += chunkSize
        }
    }

    /// Deletes the rows of `table` whose `columns` equal one of `keys`, in chunks.
    func delete(from table: String, where columns: [String], in keys: [[SQLValue]]) async throws {
        let chunkSize = dialect.rowsPerStatement
        var start = 0
        while start < keys.count {
            let chunk = keys[start..<min(start + chunkSize, keys.count)]
            let tuples = (0..<chunk.count).map { dialect.tuple(columns.count, offset: $0 * columns.count) }
            let target = columns.count == 1 ? columns[0] : "(\(columns.joined(separator: ", ")))"
            let list = columns.count == 1 ? tuples.joined(separator: ", ") : "VALUES " + tuples.joined(separator: ", ")
            try await run("DELETE FROM \(table) WHERE \(target) IN (\(list))", chunk.flatMap { $0 })
            start += chunkSize
        }
    }
}

extension Array {
    /// One element per key: the last one given, at the place of the first.
    func lastByKey<Key: Hashable>(_ key: (Element) -> Key) -> [Element] {
        var index: [Key: Int] = [:]
        var result: [Element] = []
        result.reserveCapacity(count)
        for element in self {
            let k = key(element)
            if let at = index[k] { result[at] = element } else { index[k] = result.count; result.append(element) }
        }
        return result
    }
}
