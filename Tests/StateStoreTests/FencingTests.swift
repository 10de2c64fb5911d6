import Foundation
import Testing
@testable import StateStore

/// The write fence of DESIGN §9 on a real PostgreSQL server: a replica writes only under the
/// lease's current epoch, checked inside the same transaction as the write.
@Suite("Leader lease fencing (PostgreSQL)")
struct FencingTests {
    private func batch(_ name: String) -> StoreBatch {
        var batch = StoreBatch()
        batch.upsertResources = [Fixtures.resource(name)]
        batch.events = [Fixtures.event("Applied", resource: "Deployment/\(name)")]
        return batch
    }

    @Test func aReplicaWritesOnlyUnderTheCurrentEpoch() async throws {
        try await withStore(.postgres) { store, context in
            let leader = try #require(store as? PostgresStateStore)
            // Unfenced (CLI commands): writes go through.
            try await leader.commit(batch("cli"))
            leader.fence.require()
            // Fenced without an epoch (a standby): refused, nothing written.
            await #expect(throws: StoreError.self) { try await leader.commit(batch("standby")) }

            // This replica takes the lease: epoch 1, its writes go through.
            let (epoch, _) = try await leader.withSession { try await LeaseTable.takeOver(leaseMs: 10_000, on: $0) }
            leader.fence.set(epoch)
            try await leader.commit(batch("leader"))

            // Another replica takes over (the epoch moves on): the former leader's next write is refused.
            let other = try #require(try await context.open() as? PostgresStateStore)
            let (next, former) = try await other.withSession { try await LeaseTable.takeOver(leaseMs: 10_000, on: $0) }
            #expect(next == epoch + 1)
            #expect(former?.epoch == epoch)
            let error = try await #require(throws: StoreError.self) { try await leader.commit(batch("frozen")) }
            #expect(error.code == .fenced)
            #expect(error.message.contains("lost the leadership (it leads under lease epoch \(epoch), the store is at \(next))"))
            try await other.close()

            let names = try await store.resources().map(\.key.name).sorted()
            #expect(names == ["cli", "leader"])
            let reasons = try await store.events(since: 0, limit: nil).map(\.reason)
            #expect(reasons == ["Applied", "StateChanged", "Applied", "StateChanged"])
            #expect(try await store.verifyEventLog().isValid)
        }
    }

    @Test func theLeaseNamesItsHolderAndRunsOut() async throws {
        try await withStore(.postgres) { store, _ in
            #expect(try await store.leaderLease() == nil)
            let postgres = try #require(store as? PostgresStateStore)
            let (epoch, _) = try await postgres.withSession { try await LeaseTable.takeOver(leaseMs: 60_000, on: $0) }
            let lease = try #require(try await store.leaderLease())
            #expect(lease.epoch == epoch && lease.isLive)
            #expect(lease.holder == ReplicaIdentity.description && lease.applicationName == ReplicaIdentity.applicationName)
            try await postgres.withSession { try await LeaseTable.release(epoch: epoch, on: $0) }
            #expect(try await store.leaderLease()?.isLive == false)
        }
    }
}
