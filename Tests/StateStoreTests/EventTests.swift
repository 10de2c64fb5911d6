import EventLog
import Foundation
import Testing
@testable import StateStore

/// The hash-chained event log behind each backend.
@Suite struct EventTests {
    @Test(arguments: Backend.allCases)
    func threeBatchesFormOneChain(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            var sealed: [EventRecord] = []
            for (index, size) in [2, 3, 1].enumerated() {
                var batch = StoreBatch()
                batch.events = (0..<size).map { Fixtures.event("Step\(index)-\($0)") }
                batch.events[0].resource = nil
                batch.events[0].environment = nil
                batch.events[0].data = nil
                sealed += try await store.commit(batch)
            }
            #expect(sealed.map(\.seq) == [1, 2, 3, 4, 5, 6])
            #expect(sealed.first?.prev == EventChain.genesis)
            #expect(zip(sealed.dropFirst(), sealed).allSatisfy { $0.prev == $1.hash })

            #expect(try await store.events(since: 0, limit: nil) == sealed)
            #expect(try await store.events(since: 2, limit: nil) == Array(sealed[2...]))
            #expect(try await store.events(since: 2, limit: 2) == Array(sealed[2..<4]))
            #expect(try await store.events(since: 6, limit: nil).isEmpty)
            let last = sealed[5]
            #expect(try await store.eventHead() == ChainHead(seq: 6, hash: last.hash))
            #expect(try await store.verifyEventLog() == .valid(count: 6, head: ChainHead(seq: 6, hash: last.hash)))
            #expect(sealed[1].data == .object(["version": .string("1.2.0"), "attempt": .int(1)]))
        }
    }

    @Test(arguments: Backend.allCases)
    func concurrentCommitsKeepOneChain(_ backend: Backend) async throws {
        try await withContext(backend) { context in
            // PostgreSQL: two stores on one database, as two replicas would be; SQLite: one store shared by tasks.
            let first = try await context.open()
            let second = backend == .postgres ? try await context.open() : first
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for index in 0..<8 {
                        let store = index % 2 == 0 ? first : second
                        group.addTask {
                            var batch = StoreBatch()
                            batch.upsertResources = [Fixtures.resource("agent-\(index)")]
                            batch.events = (0..<5).map { Fixtures.event("Task\(index)-\($0)") }
                            let records = try await store.commit(batch)
                            // Its five events, then the stateChanged record of its resource, with no other batch's between.
                            #expect(records.map(\.seq) == Array(records[0].seq..<records[0].seq + 6))
                            #expect(records.last?.type == "stateChanged")
                        }
                    }
                    try await group.waitForAll()
                }
                #expect(try await first.eventHead().seq == 48)
                #expect(try await second.verifyEventLog().isValid)
                #expect(try await first.resources().count == 8)
            } catch {
                try? await first.close()
                if backend == .postgres { try? await second.close() }
                throw error
            }
            try await first.close()
            if backend == .postgres { try await second.close() }
        }
    }

    @Test(arguments: Backend.allCases)
    func verificationFindsAnEditedRecord(_ backend: Backend) async throws {
        try await withStore(backend) { store, context in
            var batch = StoreBatch()
            batch.events = [Fixtures.event("One"), Fixtures.event("Two"), Fixtures.event("Three")]
            try await store.commit(batch)
            switch backend {
            case .postgres:
                try await rawSQL("UPDATE event_log SET record = replace(record, 'Two done', 'Two undone') WHERE seq = 2", on: store)
            case .sqlite:
                try await store.close()
                let directory = (context.baseDirectory as NSString).appendingPathComponent(context.eventLogDirectory)
                let segment = try #require(try FileManager.default.contentsOfDirectory(atPath: directory).first { $0.hasSuffix(".jsonl") })
                let path = (directory as NSString).appendingPathComponent(segment)
                let text = try String(contentsOfFile: path, encoding: .utf8)
                try text.replacingOccurrences(of: "Two done", with: "Two undone").write(toFile: path, atomically: true, encoding: .utf8)
            }
            let verification = backend == .sqlite
                ? try await context.withStore { try await $0.verifyEventLog() } : try await store.verifyEventLog()
            #expect(verification == .broken(seq: 2, reason: "hash does not match the record's content (the record was edited)"))
        }
    }

    @Test func sqliteReplaysFileRecordsItHasNotSeen() async throws {
        try await withContext(.sqlite) { context in
            var batch = StoreBatch()
            batch.events = [Fixtures.event("Committed")]
            try await context.withStore { _ = try await $0.commit(batch) }

            // Records appended to the file without a store commit (a crash between fsync and COMMIT).
            let directory = (context.baseDirectory as NSString).appendingPathComponent(context.eventLogDirectory)
            let log = try FileEventLog(directory: directory)
            let orphans = try log.append([Fixtures.event("Orphan 1"), Fixtures.event("Orphan 2")])
            #expect(orphans.map(\.seq) == [2, 3])

            try await context.withStore { store in
                #expect(try await count("SELECT count(*) FROM events", on: store) == 3)
                let indexed = try await rawSQL("SELECT record FROM events WHERE seq = 3", on: store).first?.text(0)
                #expect(indexed == orphans[1].line)
                #expect(try await rawSQL("SELECT value FROM store_meta WHERE name = 'last_event_seq'", on: store).first?.text(0) == "3")
                #expect(try await store.events(since: 1, limit: nil) == orphans)
                let next = try await store.commit(batch)
                #expect(next.map(\.seq) == [4])
                #expect(try await count("SELECT count(*) FROM events", on: store) == 4)
            }
        }
    }

    @Test func sqliteForgetsIndexRowsALostLogNoLongerHas() async throws {
        try await withContext(.sqlite) { context in
            var batch = StoreBatch()
            batch.events = [Fixtures.event("One"), Fixtures.event("Two")]
            try await context.withStore { _ = try await $0.commit(batch) }
            let directory = (context.baseDirectory as NSString).appendingPathComponent(context.eventLogDirectory)
            try FileManager.default.removeItem(atPath: directory)

            try await context.withStore { store async throws in
                #expect(try await count("SELECT count(*) FROM events", on: store) == 0)
                #expect(try await store.eventHead() == .empty)
                #expect(try await store.commit(batch).map(\.seq) == [1, 2])
                #expect(try await count("SELECT count(*) FROM events", on: store) == 2)
            }
        }
    }
}
