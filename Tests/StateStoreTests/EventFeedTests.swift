import EventLog
import Foundation
import Testing
@testable import StateStore

/// Readers waiting for records are woken by the commit that writes them, not by their next poll.
@Suite struct EventFeedTests {
    /// A reader waiting with a long timeout returns when a commit publishes a record after its seq;
    /// one waiting for a later seq keeps waiting. (The 60 s timeouts are never reached: a return
    /// within them can only come from the commit.)
    @Test(arguments: Backend.allCases)
    func aCommitWakesTheReadersItConcerns(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            let head = try await store.eventHead().seq
            let woken = Task {
                let start = ContinuousClock.now
                await store.waitForEvents(after: head, timeout: .seconds(60))
                return ContinuousClock.now - start
            }
            let later = Task { await store.waitForEvents(after: head + 100, timeout: .seconds(60)) }
            try await Task.sleep(for: .milliseconds(100))
            var batch = StoreBatch()
            batch.events = [Fixtures.event("Deployed")]
            try await store.commit(batch)
            let waited = await woken.value
            #expect(waited < .seconds(30), "woken by the commit, not by its timeout")
            #expect(try await store.events(since: head, limit: nil).map(\.reason) == ["Deployed"])
            // The other reader is still waiting; cancelling it ends its wait.
            try await Task.sleep(for: .milliseconds(100))
            later.cancel()
            await later.value
        }
    }

    /// PostgreSQL: a replica's reader is woken by a commit another replica makes (NOTIFY), not by
    /// its poll. Two stores on one database stand for two replicas.
    @Test func anotherReplicasCommitWakesTheReader() async throws {
        try await withContext(.postgres) { context in
            let writer = try await context.open(), reader = try await context.open()
            do {
                let head = try await reader.eventHead().seq
                // The first wait starts the reader's listener; give it time to LISTEN.
                await reader.waitForEvents(after: head, timeout: .milliseconds(10))
                try await Task.sleep(for: .seconds(1))
                let woken = Task {
                    let start = ContinuousClock.now
                    await reader.waitForEvents(after: head, timeout: .seconds(60))
                    return ContinuousClock.now - start
                }
                try await Task.sleep(for: .milliseconds(200))
                var batch = StoreBatch()
                batch.events = [Fixtures.event("FromTheLeader")]
                try await writer.commit(batch)
                #expect(await woken.value < .seconds(30), "woken by the other store's NOTIFY, not by its timeout")
                #expect(try await reader.events(since: head, limit: nil).map(\.reason) == ["FromTheLeader"])
            } catch {
                Issue.record(error)
            }
            try await reader.close()
            try await writer.close()
        }
    }

    @Test func aRecordAlreadyPublishedDoesNotWaitAndTheTimeoutEnds() async {
        let feed = EventFeed()
        feed.published(head: 5)
        let start = ContinuousClock.now
        await feed.wait(after: 4, timeout: .seconds(60))
        #expect(ContinuousClock.now - start < .seconds(30))
        await feed.wait(after: 5, timeout: .milliseconds(50))   // nothing after 5: the timeout ends it
    }

    /// The SQLite store reads records from its index (by seq), not by parsing the file from the start.
    @Test func sqliteReadsComeFromTheIndex() async throws {
        try await withStore(.sqlite) { store, _ in
            var batch = StoreBatch()
            batch.events = (0..<5).map { Fixtures.event("E\($0)") }
            try await store.commit(batch)
            try await rawSQL("UPDATE events SET record = replace(record, 'E3 done', 'E3 indexed') WHERE seq = 4", on: store)
            #expect(try await store.events(since: 2, limit: 2).map(\.message) == ["E2 done", "E3 indexed"])
        }
    }
}
