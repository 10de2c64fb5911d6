/// One connection's worth of SQL: the shared store code runs on SQLite and PostgreSQL through it.
protocol SQLSession: Sendable {
    var dialect: SQLDialect { get }
    /// Runs one statement with positional binds and returns its rows.
    @discardableResult
    func run(_ sql: String, _ binds: [SQLValue]) async throws -> [StoreRow]
}

extension SQLSession {
    /// Runs one statement without binds.
    @discardableResult
    func run(_ sql: String) async throws -> [StoreRow] { try await run(sql, []) }
}

/// Where the two SQL dialects differ.
enum SQLDialect: Sendable {
    case sqlite, postgres

    /// The text of bind parameter `index` (1-based).
    func placeholder(_ index: Int) -> String {
        switch self {
        case .sqlite: return "?"
        case .postgres: return "$\(index)"
        }
    }

    /// How many rows one multi-row INSERT carries.
    var rowsPerStatement: Int {
        switch self {
        case .sqlite: return 200
        case .postgres: return 1000
        }
    }

    /// A row-number primary key column type.
    var autoIncrementKey: String {
        switch self {
        case .sqlite: return "INTEGER PRIMARY KEY AUTOINCREMENT"
        case .postgres: return "BIGSERIAL PRIMARY KEY"
        }
    }

    /// `(?, ?, ?)` for `count` binds starting after `offset`.
    func tuple(_ count: Int, offset: Int) -> String {
        "(" + (1...count).map { placeholder(offset + $0) }.joined(separator: ", ") + ")"
    }
}
