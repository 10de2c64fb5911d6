import Foundation
import Testing
@testable import StateStore

/// Versioned migrations: from empty, re-run, and a store newer than this binary.
@Suite struct MigrationTests {
    @Test(arguments: Backend.allCases)
    func migratesFromEmptyAndReRuns(_ backend: Backend) async throws {
        try await withContext(backend) { context in
            try await context.withStore { store in
                #expect(store.backend.rawValue == backend.rawValue)
                let versions = try await rawSQL("SELECT version FROM schema_migrations ORDER BY version", on: store).map { try $0.int(0) }
                #expect(versions == StoreSchema.migrations.map(\.version))
                try await store.migrate()
                try await store.migrate()
                #expect(try await count("SELECT count(*) FROM schema_migrations", on: store) == Int64(StoreSchema.migrations.count))
                #expect(try await store.resources().isEmpty)
                #expect(try await store.eventHead() == .empty)
                if backend == .postgres {
                    // Session bounds sent at connect, so a frozen replica cannot block writers forever.
                    #expect(try await rawSQL("SHOW lock_timeout", on: store).first?.text(0) == "30s")
                    #expect(try await rawSQL("SHOW idle_in_transaction_session_timeout", on: store).first?.text(0) == "30s")
                    // Server-side keepalives find a replica whose host died, so its leader lock is freed.
                    #expect(try await rawSQL("SHOW tcp_keepalives_idle", on: store).first?.text(0) == "5")
                    #expect(try await rawSQL("SHOW application_name", on: store).first?.text(0) == ReplicaIdentity.applicationName)
                }
            }
            // Re-opening an up-to-date store changes nothing.
            let migrations = try await context.withStore { try await count("SELECT count(*) FROM schema_migrations", on: $0) }
            #expect(migrations == Int64(StoreSchema.migrations.count))
        }
    }

    @Test func sqliteFilesLandUnderTheBaseDirectory() async throws {
        try await withContext(.sqlite) { context in
            try await context.withStore { store in
                try await store.close()
                await #expect(throws: StoreError(.closed, "the state store at \(context.baseDirectory)/.steward/state.db is closed")) {
                    try await store.resources()
                }
            }
            let files = FileManager.default
            #expect(files.fileExists(atPath: "\(context.baseDirectory)/.steward/state.db"))
            #expect(files.fileExists(atPath: "\(context.baseDirectory)/.steward/events"))
        }
    }

    @Test(arguments: Backend.allCases)
    func refusesAStoreNewerThanThisBinary(_ backend: Backend) async throws {
        try await withContext(backend) { context in
            try await context.withStore { store in
                try await rawSQL("INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from the future', 0)", on: store)
            }
            let error = await #expect(throws: StoreError.self) { try await context.open() }
            #expect(error?.code == .schemaTooNew)
            let message = error?.message ?? ""
            #expect(message.contains("schema version 99"))
            #expect(message.contains("newer than this steward (\(StoreSchema.currentVersion))"))
            #expect(message.contains("upgrade steward"))
            #expect(!message.contains("\n"))
            if backend == .postgres, let password = try? postgresPassword() {
                #expect(!message.contains(password))
            }
        }
    }
}

/// The password in the test server's URL, to check messages never show it.
func postgresPassword() throws -> String {
    guard case .postgres(let url) = try StoreURL.parse(try postgresAdminURL(), baseDirectory: "/") else { return "" }
    return url.password ?? ""
}
