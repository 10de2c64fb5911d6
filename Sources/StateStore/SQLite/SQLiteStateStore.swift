import EventLog
import Foundation
import Logging
import NIOPosix
import SQLiteNIO

/// The embedded store: one SQLite file (WAL) plus the JSON-lines event log in a folder.
///
/// One connection, used by one operation at a time; the file log is appended and fsynced
/// inside the SQLite write transaction, just before it commits.
final class SQLiteStateStore: SessionReads {
    let backend = StoreBackend.sqlite
    let path: String
    let connection: SQLiteConnection
    let eventLog: FileEventLog
    let logger: Logger
    let specs = SpecCache()
    /// Wakes readers waiting for records this store commits.
    let feed = EventFeed()
    private let gate = AsyncLock()
    private let closed = LockedBox(false)

    private init(path: String, connection: SQLiteConnection, eventLog: FileEventLog, logger: Logger) {
        self.path = path
        self.connection = connection
        self.eventLog = eventLog
        self.logger = logger
    }

    /// Opens (creating folders and the file) and sets WAL, `busy_timeout` 5 s, `synchronous=NORMAL`,
    /// `temp_store=MEMORY`, `wal_autocheckpoint=8000`.
    static func open(path: String, eventLogDirectory: String, logger: Logger) async throws -> SQLiteStateStore {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.database, "cannot create the folder \(folder) for the SQLite store: \(FileErrors.reason(error))")
        }
        let log = try await openLog(eventLogDirectory) { try FileEventLog(directory: $0) }
        let store = try await connect(path: path, storage: .file(path: path), eventLog: log, logger: logger)
        // temp_store=MEMORY: a multi-row statement in a transaction keeps its statement journal in
        // memory. On disk, the journals of a 10,000-manifest apply wrote 180 MB to a deleted file in
        // /var/tmp in 88,000 writes.
        // wal_autocheckpoint=8000 pages (32 MB; the default is 1,000): a page written by many
        // transactions (the resources' and the indexes') is copied into the file once per checkpoint.
        // In that apply: 135 -> 71 MB written to state.db, 139 -> 22 fsyncs of the database and its WAL.
        try await store.configure(["PRAGMA journal_mode=WAL", "PRAGMA busy_timeout=5000", "PRAGMA synchronous=NORMAL",
                                   "PRAGMA temp_store=MEMORY", "PRAGMA wal_autocheckpoint=8000"])
        return store
    }

    /// Opens for reading only (read commands, DESIGN §7): the connection refuses writes
    /// (`query_only`), the event log is not created or repaired, no migration runs. A store that does
    /// not exist yet reads as an empty one (an in-memory database), and nothing is created on disk.
    static func openReadOnly(path: String, eventLogDirectory: String, logger: Logger) async throws -> SQLiteStateStore {
        let log = try await openLog(eventLogDirectory) { try FileEventLog(readingOnly: $0) }
        guard FileManager.default.fileExists(atPath: path) else {
            let store = try await connect(path: path, storage: .memory, eventLog: log, logger: logger)
            try await store.withTransaction { session in _ = try await Migrator.run(on: session, location: path, logger: logger) }
            return store
        }
        let store = try await connect(path: path, storage: .file(path: path), eventLog: log, logger: logger)
        try await store.configure(["PRAGMA busy_timeout=5000", "PRAGMA query_only=1"])
        return store
    }

    private static func openLog(_ directory: String, _ open: @escaping @Sendable (String) throws -> FileEventLog) async throws -> FileEventLog {
        do {
            return try await NIOThreadPool.singleton.runIfActive { try open(directory) }
        } catch {
            throw StoreError(.eventLog, "cannot open the event log in \(directory): \(FileErrors.reason(error))")
        }
    }

    private static func connect(path: String, storage: SQLiteConnection.Storage, eventLog: FileEventLog,
                                logger: Logger) async throws -> SQLiteStateStore {
        do {
            let connection = try await SQLiteConnection.open(storage: storage, logger: logger)
            return SQLiteStateStore(path: path, connection: connection, eventLog: eventLog, logger: logger)
        } catch {
            throw StoreError(.database, "cannot open the SQLite store at \(path): \(error)")
        }
    }

    /// Runs connection settings; closes the connection when one fails.
    private func configure(_ pragmas: [String]) async throws {
        do {
            let session = SQLiteSession(connection: connection)
            for pragma in pragmas { try await session.run(pragma) }
        } catch {
            try? await connection.close()
            throw StoreError(.database, "cannot use the SQLite store at \(path): \(error)")
        }
    }

    func close() async throws {
        try await gate.withLock {
            let wasClosed = self.closed.withLock { value in
                defer { value = true }
                return value
            }
            if !wasClosed { try await self.connection.close() }
        }
    }

    /// Runs `body` on the connection, alone; errors become one-line `StoreError`s.
    func withSession<T: Sendable>(_ body: @escaping @Sendable (SQLiteSession) async throws -> T) async throws -> T {
        try await gate.withLock {
            guard !self.closed.withLock({ $0 }) else { throw StoreError(.closed, "the state store at \(self.path) is closed") }
            do {
                return try await body(SQLiteSession(connection: self.connection))
            } catch let error as StoreError {
                throw error
            } catch {
                throw StoreError(.database, "SQLite store \(self.path): \(error)")
            }
        }
    }

    /// Runs `body` in one write transaction (`BEGIN IMMEDIATE`), rolled back when it throws.
    func withTransaction<T: Sendable>(_ body: @escaping @Sendable (SQLiteSession) async throws -> T) async throws -> T {
        try await withSession { session in
            try await session.run("BEGIN IMMEDIATE")
            do {
                let value = try await body(session)
                try await session.run("COMMIT")
                return value
            } catch {
                do { try await session.run("ROLLBACK") } catch { self.logger.warning("SQLite rollback failed: \(error)") }
                throw error
            }
        }
    }

    /// Runs a blocking call on the file event log off the cooperative pool.
    func onLog<T: Sendable>(_ body: @escaping @Sendable (FileEventLog) throws -> T) async throws -> T {
        let log = eventLog
        do {
            return try await NIOThreadPool.singleton.runIfActive { try body(log) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.eventLog, "event log in \(log.directory): \(error)")
        }
    }
}
