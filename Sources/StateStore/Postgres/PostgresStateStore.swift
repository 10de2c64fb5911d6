import Logging
import PostgresNIO

/// The shared store: PostgreSQL through a connection pool, the event log a table in the same transactions.
final class PostgresStateStore: SessionReads {
    let backend = StoreBackend.postgres
    let url: PostgresURL
    let client: PostgresClient
    let logger: Logger
    let specs = SpecCache()
    /// Wakes readers waiting for records: this store's commits, and (through `listener`) other replicas'.
    let feed = EventFeed()
    let listener: EventListener
    private let runner: Task<Void, Never>
    private let closed = LockedBox(false)
    /// The lease epoch this replica's writes must carry (`steward run` only).
    let fence = WriteFence()

    private init(url: PostgresURL, client: PostgresClient, runner: Task<Void, Never>, logger: Logger) {
        self.url = url
        self.client = client
        self.runner = runner
        self.logger = logger
        listener = EventListener(url: url, logger: logger, feed: feed)
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
        await listener.stop()
        runner.cancel()
        await runner.value
    }

    /// Runs `body` on a pooled connection; waiting for one is bounded, errors become `StoreError`s,
    /// and a connection that closes under `body` ends the call (see `Deadline`) instead of leaving
    /// it waiting on a query PostgresNIO lost.
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        guard !closed.withLock({ $0 }) else { throw StoreError(.closed, "the state store at \(url) is closed") }
        let lease = LockedBox(ConnectionLease())
        let client = self.client, url = self.url
        let leaseDeadline = ContinuousClock.now + .milliseconds(Int(PostgresConnector.leaseTimeout * 1000))
        do {
            return try await Deadline.watched(poll: 0.25, {
                try await client.withConnection { connection in
                    // A lease granted after the caller was answered (gave up waiting) runs nothing.
                    try Task.checkCancellation()
                    lease.withLock { $0.connection = connection }
                    return try await body(connection)
                }
            }, giveUp: {
                lease.withLock { lease in
                    guard let connection = lease.connection else {
                        return ContinuousClock.now < leaseDeadline ? nil : StoreError(.unreachable,
                            "no connection to PostgreSQL at \(url.endpoint) within \(Int(PostgresConnector.leaseTimeout)) s (store.url \(url))")
                    }
                    return PostgresConnector.closedTooLong(connection, since: &lease.closedSince, url: url)
                }
            })
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

/// The connection an operation leased, and when it was first seen closed.
private struct ConnectionLease: Sendable {
    var connection: PostgresConnection?
    var closedSince: ContinuousClock.Instant?
}
