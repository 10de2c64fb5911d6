import StateStore

/// The store a `stateStore` backup copies.
public enum BackupDatabase: Sendable, Hashable {
    case sqlite(path: String)
    case postgres(PostgresTarget)

    /// Parses a resolved `store.url` with the store's own parser (`StoreLocation`): a URL the store
    /// refuses is refused here with the same message.
    public static func parse(_ url: String, baseDirectory: String) throws -> BackupDatabase {
        let location: StoreLocation
        do {
            location = try StoreLocation(parsing: url, baseDirectory: baseDirectory)
        } catch let error as StoreError {
            throw BackupError(error.message)
        }
        switch location {
        case .sqlite(let path):
            return .sqlite(path: path)
        case .postgres(let host, let port, let username, let password, let database, let requireTLS):
            return .postgres(PostgresTarget(host: host, port: port, user: username, password: password, database: database,
                                            requireTLS: requireTLS))
        }
    }
}

/// The connection parameters `pg_dump` gets as options and environment (the password only as `PGPASSWORD`).
public struct PostgresTarget: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    /// `sslmode=require` in the URL; `pg_dump` gets `PGSSLMODE=require`, else `disable`, as the store connects.
    public var requireTLS: Bool

    /// The `PGSSLMODE` that makes `pg_dump` connect as the store does.
    public var sslMode: String { requireTLS ? "require" : "disable" }
}
