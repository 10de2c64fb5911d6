import Foundation
import Logging

/// Applies the migrations a store lacks, inside a transaction the backend opened.
enum Migrator {
    /// Creates `schema_migrations` if needed, refuses a newer store, applies what is missing.
    /// - Parameter location: the store as users know it (path or redacted URL), for messages.
    /// - Returns: the versions applied now.
    @discardableResult
    static func run(on session: any SQLSession, location: String, logger: Logger) async throws -> [Int64] {
        try await session.run(StoreSchema.migrationsTable)
        let rows = try await session.run("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
        let current = try rows.first?.int(0) ?? 0
        let known = StoreSchema.currentVersion
        if current > known {
            throw StoreError(.schemaTooNew, "the store at \(location) has schema version \(current), newer than this steward (\(known)); upgrade steward")
        }
        var applied: [Int64] = []
        for migration in StoreSchema.migrations where migration.version > current {
            for statement in migration.statements(session.dialect) {
                try await session.run(statement)
            }
            try await session.run(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(session.dialect.placeholder(1)), \(session.dialect.placeholder(2)), \(session.dialect.placeholder(3)))",
                [.int(migration.version), .text(migration.name), .date(Date())])
            logger.info("applied store migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            applied.append(migration.version)
        }
        return applied
    }
}
