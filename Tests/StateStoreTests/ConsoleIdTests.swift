import Foundation
import Testing
@testable import StateStore

/// Console ids (migration 5): written in a batch, read per console, a newer id replacing an older one.
@Suite struct ConsoleIdTests {
    static let staging = "http://console.example:3000"
    static let other = "https://other.example/tenant-a"

    func id(_ kind: ConsoleId.Kind, _ subject: String, _ value: String, console: String = staging, at offset: Int64 = 0) -> ConsoleId {
        ConsoleId(console: console, kind: kind, subject: subject, id: value, recordedAt: Fixtures.date(offset))
    }

    @Test(arguments: Backend.allCases)
    func idsRoundTripPerConsoleAndTheNewestWins(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            #expect(try await store.consoleIds(console: Self.staging).isEmpty)
            let version = id(.version, "robot-nav@1.2.0", "ver-1")
            let deployment = id(.deployment, "staging/robot-nav-staging", "dep-2", at: 1)
            let elsewhere = id(.version, "robot-nav@1.2.0", "42", console: Self.other)
            var batch = StoreBatch()
            batch.consoleIds = [version, deployment, elsewhere]
            #expect(!batch.isEmpty)
            #expect(try await store.commit(batch).isEmpty)
            #expect(try await store.consoleIds(console: Self.staging) == [deployment, version])
            #expect(try await store.consoleIds(console: Self.other) == [elsewhere])
            #expect(try await store.consoleIds(console: "http://console.example:3001").isEmpty)

            // One commit per id, as the driver records them; the same key twice keeps the last.
            var next = StoreBatch()
            let redeployed = id(.deployment, "staging/robot-nav-staging", "dep-7", at: 5)
            next.consoleIds = [id(.deployment, "staging/robot-nav-staging", "dep-6", at: 4), redeployed]
            try await store.commit(next)
            #expect(try await store.consoleIds(console: Self.staging) == [redeployed, version])
            #expect(try await count("SELECT count(*) FROM console_ids", on: store) == 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func idsOutliveTheStoreConnection(_ backend: Backend) async throws {
        try await withContext(backend) { context in
            try await context.withStore { store in
                var batch = StoreBatch()
                batch.consoleIds = [id(.version, "robot-nav@1.2.0", "ver-1")]
                try await store.commit(batch)
            }
            let reopened = try await context.withStore { try await $0.consoleIds(console: Self.staging) }
            #expect(reopened.map(\.id) == ["ver-1"])
            let applied = try await context.withStore { store in
                try await rawSQL("SELECT name FROM schema_migrations WHERE version = 5", on: store).first?.text(0)
            }
            #expect(applied == "console ids")
        }
    }
}
