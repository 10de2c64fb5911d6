import Foundation
import Logging
import Testing
@testable import StateStore

/// The two backends every scenario runs against.
enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres
    var testDescription: String { rawValue }
}

/// A test set-up problem, reported as the test's failure.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
}

/// Quiet logs: tests read results, not log lines.
let testLogger: Logger = {
    var logger = Logger(label: "steward.store.test")
    logger.logLevel = .warning
    return logger
}()

/// One scenario's private store: an SQLite file in a temp folder, or a fresh PostgreSQL database.
struct StoreContext: Sendable {
    let backend: Backend
    let url: String
    let baseDirectory: String
    let eventLogDirectory: String

    /// Opens (and migrates) the store, as the controller does.
    func open() async throws -> any StateStore {
        try await StoreFactory.open(url: url, eventLogDirectory: eventLogDirectory, baseDirectory: baseDirectory, logger: testLogger)
    }

    /// Opens the store, runs `body`, closes it even when `body` throws.
    @discardableResult
    func withStore<T>(_ body: (any StateStore) async throws -> T) async throws -> T {
        let store = try await open()
        do {
            let value = try await body(store)
            try await store.close()
            return value
        } catch {
            try? await store.close()
            throw error
        }
    }
}

/// The admin URL of the test server: set by scripts/test, and required (PostgreSQL cases fail without it).
func postgresAdminURL() throws -> String {
    guard let url = ProcessInfo.processInfo.environment["STEWARD_TEST_POSTGRES_URL"], !url.isEmpty else {
        throw HarnessError(description: """
            STEWARD_TEST_POSTGRES_URL is not set, so the PostgreSQL cases cannot run: use scripts/test, or start a server \
            (source scripts/postgres.sh; postgres_start) and export STEWARD_TEST_POSTGRES_URL=$POSTGRES_URL
            """)
    }
    return url
}

/// `url` with its database replaced by `database`.
func replacingDatabase(of url: String, with database: String) -> String {
    let schemeEnd = url.range(of: "://")!.upperBound
    var head = url[..<url.endIndex]
    var query = ""
    if let mark = url.firstIndex(of: "?") { query = String(url[mark...]); head = url[..<mark] }
    if let slash = head[schemeEnd...].firstIndex(of: "/") { head = head[..<slash] }
    return "\(head)/\(database)\(query)"
}

/// Runs `body` with a private store context and removes it afterwards.
func withContext<T>(_ backend: Backend, _ body: (StoreContext) async throws -> T) async throws -> T {
    let base = FileManager.default.temporaryDirectory.appendingPathComponent("steward-store-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: base) }
    switch backend {
    case .sqlite:
        let context = StoreContext(backend: .sqlite, url: "sqlite://.steward/state.db", baseDirectory: base, eventLogDirectory: ".steward/events")
        return try await body(context)
    case .postgres:
        let adminText = try postgresAdminURL()
        guard case .postgres(let admin) = try StoreURL.parse(adminText, baseDirectory: base) else {
            throw HarnessError(description: "STEWARD_TEST_POSTGRES_URL is not a postgres:// URL")
        }
        let name = "steward_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        try await PostgresConnector.execute("CREATE DATABASE \(name)", url: admin, logger: testLogger)
        let context = StoreContext(backend: .postgres, url: replacingDatabase(of: adminText, with: name), baseDirectory: base,
                                   eventLogDirectory: "events")
        do {
            let value = try await body(context)
            try await PostgresConnector.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", url: admin, logger: testLogger)
            return value
        } catch {
            try? await PostgresConnector.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", url: admin, logger: testLogger)
            throw error
        }
    }
}

/// Opens a private store for `backend`, runs `body`, closes and removes it.
func withStore<T>(_ backend: Backend, _ body: (any StateStore, StoreContext) async throws -> T) async throws -> T {
    try await withContext(backend) { context in
        try await context.withStore { try await body($0, context) }
    }
}

/// Runs raw SQL on an open store's own connection (tests only: they peek and tamper).
@discardableResult
func rawSQL(_ sql: String, on store: any StateStore) async throws -> [StoreRow] {
    if let store = store as? SQLiteStateStore { return try await store.withSession { try await $0.run(sql) } }
    if let store = store as? PostgresStateStore { return try await store.withSession { try await $0.run(sql) } }
    throw HarnessError(description: "unknown store type \(type(of: store))")
}

/// A count from `SELECT count(*) …`.
func count(_ sql: String, on store: any StateStore) async throws -> Int64 {
    try await rawSQL(sql, on: store).first?.int(0) ?? -1
}

/// Takes an open store back to schema version 8, the shape stores had before Targets (DESIGN §10):
/// `resources` keyed by (kind, name, environment), history without a target. Rows are kept.
func downgradeToBeforeTargets(_ store: any StateStore) async throws {
    if store is SQLiteStateStore {
        try await rawSQL("""
            CREATE TABLE resources_v8 (
              kind TEXT NOT NULL, name TEXT NOT NULL CHECK (name <> ''), environment TEXT NOT NULL DEFAULT '',
              spec_hash TEXT NOT NULL, spec TEXT NOT NULL, commit_sha TEXT NOT NULL, version TEXT,
              sync TEXT NOT NULL, health TEXT NOT NULL, message TEXT, conditions TEXT NOT NULL,
              created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
              PRIMARY KEY (kind, name, environment))
            """, on: store)
        try await rawSQL("""
            INSERT INTO resources_v8 SELECT kind, name, environment, spec_hash, spec, commit_sha, version, sync, health, message,
              conditions, created_at, updated_at FROM resources
            """, on: store)
        try await rawSQL("DROP TABLE resources", on: store)
        try await rawSQL("ALTER TABLE resources_v8 RENAME TO resources", on: store)
    } else {
        try await rawSQL("ALTER TABLE resources DROP COLUMN target", on: store)
        try await rawSQL("ALTER TABLE resources ADD PRIMARY KEY (kind, name, environment)", on: store)
    }
    try await rawSQL("ALTER TABLE deployment_history DROP COLUMN target", on: store)
    try await rawSQL("DELETE FROM schema_migrations WHERE version >= 9", on: store)
}
