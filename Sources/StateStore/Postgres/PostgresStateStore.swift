import Logging
import PostgresNIO

/// The shared store: PostgreSQL through a connection pool, the event log a table in the same transactions.
final class PostgresStateStore: SessionReads {
    let backend = StoreBackend.postgres
    let url: PostgresURL
    let client: PostgresClient
    let logger: Logger
    let specs = SpecCache()
    private let runner: Task<Void, Never>
    private let closed = LockedBox(false)
    /// The lease epoch this replica's writes must carry (`steward run` only).
    let fence = WriteFence()

    private init(url: PostgresURL, client: PostgresClient, runner: Task<Void, Never>, logger: Logger) {
        self.url = url
        self.client = client
        self.runner = runner
        self.logger = logger
    }

    /// Checks the server accepts us (bounded, one clear error), then starts the pool.
    static func open(url: PostgresURL, logger: Logger) async throws -> PostgresStateStore {
        try await PostgresConnector.probe(url, logger: logger)
        let client = PostgresClient(configuration: PostgresConnector.clientConfiguration(url), backgroundLogger: logger)
        let runner = Task { await client.run() }
        return PostgresStateStore(url: url, client: client, runner: runner, logger: logger)
    }

    func close() async throws {
        let wasClosed = closed.withLock { value in
            defer { value = true }
            return value
        }
        guard !wasClosed else { return }
        runner.cancel()
        await runner.value
    }

    /// Runs `body` on a pooled connection; waiting for one is bounded, errors become `StoreError`s.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        guard !closed.withLock({ $0 }) else { throw StoreError(.closed, "the state store at \(url) is closed") }
        let leased = LockedBox(false)
        let client = self.client, url = self.url
        do {
            return try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask {
                    try await client.withConnection { connection in
                        leased.withLock { $0 = true }
                        return try await body(connection)
                    }
                }
                group.addTask {
                    try await Task.sleep(for: .milliseconds(Int(PostgresConnector.leaseTimeout * 1000)))
                    if leased.withLock({ $0 }) { return nil }
                    throw StoreError(.unreachable, "no connection to PostgreSQL at \(url.endpoint) within \(Int(PostgresConnector.leaseTimeout)) s (store.url \(url))")
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let value = result { return value }
                }
                throw StoreError(.database, "internal error: a PostgreSQL operation ended without a result")
            }
        } catch {
            throw PostgresConnector.storeError(error, url: url, connecting: false)
        }
    }

    /// Runs `body` on a pooled connection without a transaction.
    func withSession<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await withConnection { connection in try await body(PostgresSession(connection: connection, logger: logger)) }
    }

    /// Runs `body` in one transaction, rolled back when it throws.
    func withTransaction<T: Sendable>(_ body: @escaping @Sendable (PostgresSession) async throws -> T) async throws -> T {
        let logger = self.logger
        return try await withConnection { connection in
            try await connection.withTransaction(logger: logger) { connection in
                try await body(PostgresSession(connection: connection, logger: logger))
            }
        }
    }
}
