import Foundation
import Testing
@testable import StateStore

/// The notification outbox (migration 8): one position per receiver, read back as written, never
/// moved back by a late writer (a deposed leader), and no part of the replayed state.
@Suite struct NotificationOutboxTests {
    @Test(arguments: Backend.allCases)
    func positionsRoundTripAndNeverMoveBack(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            #expect(try await store.notificationOutbox().isEmpty)
            let failing = OutboxPosition(receiver: "slack", deliveredSeq: 7, attempts: 2, nextAttemptAt: Fixtures.date(5),
                                         lastError: "HTTP 503", updatedAt: Fixtures.date(1))
            try await store.saveNotificationOutbox(failing)
            try await store.saveNotificationOutbox(OutboxPosition(receiver: "github", deliveredSeq: 3, updatedAt: Fixtures.date(2)))
            #expect(try await store.notificationOutbox() == [OutboxPosition(receiver: "github", deliveredSeq: 3, updatedAt: Fixtures.date(2)), failing])

            let delivered = OutboxPosition(receiver: "slack", deliveredSeq: 9, updatedAt: Fixtures.date(6))
            try await store.saveNotificationOutbox(delivered)
            // A replica that lost the lead writes an older position late: it loses.
            try await store.saveNotificationOutbox(OutboxPosition(receiver: "slack", deliveredSeq: 8, updatedAt: Fixtures.date(7)))
            #expect(try await store.notificationOutbox().first { $0.receiver == "slack" } == delivered)
            // Attempts at the same seq are recorded.
            var retried = delivered
            retried.attempts = 1
            retried.lastError = "timeout"
            try await store.saveNotificationOutbox(retried)
            #expect(try await store.notificationOutbox().first { $0.receiver == "slack" } == retried)
            // Bookkeeping, not state: no stateChanged record, and replay still matches the store.
            #expect(try await store.events(since: 0, limit: nil).isEmpty)
            #expect(try await store.checkReplay().difference == nil)
        }
    }
}
