import Foundation
import Logging

/// Opens the store named by `store.url`: for `steward run` (migrated), or for reading only.
public enum StoreFactory {
    /// What the opener will do with the store.
    public enum Access: Sendable {
        /// `steward run` and commands that record something: the schema is brought up to date.
        case readWrite
        /// Read commands (`diff`, `status`, `logs`, …): no migration, no write of any kind; a store
        /// whose schema is not this binary's is refused with one line.
        case readOnly
    }

    /// Opens `url` (`sqlite://PATH` or `postgres://…`), runs the migrations, and returns the store.
    ///
    /// - Parameters:
    ///   - eventLogDirectory: the file event log's folder (SQLite only), relative to `baseDirectory` unless absolute.
    ///   - baseDirectory: the folder relative paths resolve against (the one holding `controller.yaml`).
    /// - Throws: `StoreError` with one line naming what is wrong; never the password.
    public static func open(url: String, eventLogDirectory: String, baseDirectory: String, logger: Logger,
                            access: Access = .readWrite) async throws -> any StateStore {
        let store: any StateStore
        let location: String
        switch try StoreURL.parse(url, baseDirectory: baseDirectory) {
        case .sqlite(let path):
            let directory = eventLogDirectory.hasPrefix("/")
                ? eventLogDirectory : (baseDirectory as NSString).appendingPathComponent(eventLogDirectory)
            let events = (directory as NSString).standardizingPath
            store = access == .readOnly
                ? try await SQLiteStateStore.openReadOnly(path: path, eventLogDirectory: events, logger: logger)
                : try await SQLiteStateStore.open(path: path, eventLogDirectory: events, logger: logger)
            location = path
        case .postgres(let postgres):
            store = try await PostgresStateStore.open(url: postgres, logger: logger)
            location = postgres.description
        }
        do {
            switch access {
            case .readWrite: try await store.migrate()
            case .readOnly: try await store.checkSchema(location: location)
            }
        } catch {
            try? await store.close()
            throw error
        }
        return store
    }
}
