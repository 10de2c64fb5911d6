import Foundation

/// What `store.url` names, for tools that copy the store (backups): read by the same parser as
/// `StoreFactory.open`, so a URL the store refuses is refused here with the same `StoreError`.
public enum StoreLocation: Sendable, Hashable {
    /// An SQLite file: an absolute, standardized path.
    case sqlite(path: String)
    /// A PostgreSQL server, as the store connects to it (TLS only when `sslmode=require`).
    case postgres(host: String, port: Int, username: String, password: String?, database: String, requireTLS: Bool)

    /// Parses `url` (`sqlite://PATH`, relative to `baseDirectory` unless absolute, or `postgres://…`).
    /// - Throws: `StoreError` with code `.badURL` and the message `StoreFactory.open` gives.
    public init(parsing url: String, baseDirectory: String) throws {
        switch try StoreURL.parse(url, baseDirectory: baseDirectory) {
        case .sqlite(let path):
            self = .sqlite(path: path)
        case .postgres(let server):
            self = .postgres(host: server.host, port: server.port, username: server.username, password: server.password,
                             database: server.database, requireTLS: server.requireTLS)
        }
    }
}
