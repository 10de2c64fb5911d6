import Foundation
import Logging
import Manifests
import StateStore

extension ControllerSettings {
    /// The store URL with secrets resolved (never printed).
    func storeURL() throws -> String {
        do { return try SecretResolver.resolve(config.storeURL, baseDirectory: baseDirectory) } catch let error as ControllerError {
            throw ControllerError("store.url: \(error.message)")
        }
    }

    /// Opens the configured state store, or fails with one clear line: migrated for `.readWrite`
    /// (`steward run`, commands that record something), never changed for `.readOnly` (read commands).
    public func openStore(logger: Logger? = nil, access: StoreFactory.Access = .readWrite) async throws -> any StateStore {
        let url = try storeURL()
        var logger = logger ?? Logger(label: "steward.store")
        if logger.logLevel < .warning { logger.logLevel = .warning }
        do {
            return try await StoreFactory.open(url: url, eventLogDirectory: resolve(config.eventLogDirectory),
                                               baseDirectory: baseDirectory, logger: logger, access: access)
        } catch let error as StoreError {
            throw ControllerError(error.message)
        }
    }

    /// Runs `body` with an open store and closes it after.
    public func withStore<T>(access: StoreFactory.Access = .readWrite, _ body: (any StateStore) async throws -> T) async throws -> T {
        let store = try await openStore(access: access)
        do {
            let result = try await body(store)
            try? await store.close()
            return result
        } catch {
            try? await store.close()
            throw error
        }
    }

    /// The SQLite leader lock path (beside the database), or nil for PostgreSQL.
    public func leaderLockPath() throws -> String? {
        do {
            guard case .sqlite(let path) = try StoreLocation(parsing: try storeURL(), baseDirectory: baseDirectory) else { return nil }
            return path + ".lock"
        } catch let error as StoreError {
            throw ControllerError(error.message)
        }
    }
}
