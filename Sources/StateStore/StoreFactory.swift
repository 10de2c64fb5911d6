import Foundation
import Logging

/// Opens the store named by `store.url` and brings its schema up to date.
public enum StoreFactory {
    /// Opens `url` (`sqlite://PATH` or `postgres://…`), runs the migrations, and returns the store.
    ///
    /// - Parameters:
    ///   - eventLogDirectory: the file event log's folder (SQLite only), relative to `baseDirectory` unless absolute.
    ///   - baseDirectory: the folder relative paths resolve against (the one holding `controller.yaml`).
    /// - Throws: `StoreError` with one line naming what is wrong; never the password.
    public static func open(url: String, eventLogDirectory: String, baseDirectory: String, logger: Logger) async throws -> any StateStore {
        let store: any StateStore
        switch try StoreURL.parse(url, baseDirectory: baseDirectory) {
        case .sqlite(let path):
            let directory = eventLogDirectory.hasPrefix("/")
                ? eventLogDirectory : (baseDirectory as NSString).appendingPathComponent(eventLogDirectory)
            store = try await SQLiteStateStore.open(path: path, eventLogDirectory: (directory as NSString).standardizingPath, logger: logger)
        case .postgres(let postgres):
            store = try await PostgresStateStore.open(url: postgres, logger: logger)
        }
        do {
            try await store.migrate()
        } catch {
            try? await store.close()
            throw error
        }
        return store
    }
}
