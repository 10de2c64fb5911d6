import Foundation
@testable import StateStore
import StewardTesting
import Testing

/// The settings the embedded store's writer runs with (see `SQLiteStateStore.open`).
@Suite("SQLite connection settings")
struct SQLiteSettingsTests {
    @Test func theWriterKeepsStatementJournalsInMemoryAndCheckpointsEvery8000Pages() async throws {
        let dir = try TemporaryDirectory()
        let store = try await SQLiteStateStore.open(path: dir.path + "/state.db", eventLogDirectory: dir.path + "/events", logger: .init(label: "test"))
        let settings = try await store.withSession { session in
            (try await session.run("PRAGMA temp_store")[0].int(0), try await session.run("PRAGMA journal_mode")[0].text(0),
             try await session.run("PRAGMA synchronous")[0].int(0), try await session.run("PRAGMA wal_autocheckpoint")[0].int(0))
        }
        // 2 = MEMORY: a multi-row statement's journal is not written to a file in /var/tmp; 1 = NORMAL.
        #expect(settings.0 == 2)
        #expect(settings.1 == "wal")
        #expect(settings.2 == 1)
        // A checkpoint every 8,000 pages, not every 1,000: a page many transactions write is copied once.
        #expect(settings.3 == 8000)
        try await store.close()
    }
}
