import EventLog
import Foundation
import Reconcile
import Testing
@testable import StateStore

extension Tag {
    /// Benchmarks: run only with STEWARD_BENCH=1 (scripts/bench-store); they print figures and check the work was done, never assert times.
    @Tag static var bench: Self
}

/// Prints store and event-log throughput figures (scripts/bench-store).
@Suite(.tags(.bench), .enabled(if: ProcessInfo.processInfo.environment["STEWARD_BENCH"] == "1"), .serialized)
struct StateStoreBenchmarks {
    @Test(arguments: Backend.allCases)
    func upsertTenThousandResources(_ backend: Backend) async throws {
        try await withStore(backend) { store, _ in
            var batch = StoreBatch()
            batch.upsertResources = Fixtures.resources(10_000)
            batch.events = [Fixtures.event("Applied")]
            let insert = try await measure { try await store.commit(batch) }
            batch.upsertResources = Fixtures.resources(10_000, commit: "beef")
            let update = try await measure { try await store.commit(batch) }
            var stored: [AppliedResource] = []
            let read = try await measure { stored = try await store.resources() }
            // Figures of work that was done: every resource reads back with the update's commit.
            #expect(stored.count == 10_000)
            #expect(stored.allSatisfy { $0.commit == "beef" })
            let keys = (0..<10_000).map { Fixtures.actionKey("key-\($0)", state: .started) }
            var marks = StoreBatch()
            marks.actionKeys = keys
            let mark = try await measure { try await store.commit(marks) }
            var found: [String: ActionKeyRecord] = [:]
            let lookup = try await measure { found = try await store.actionKeys(keys.map(\.key)) }
            #expect(found.count == 10_000)
            print("bench \(backend.rawValue): upsert 10,000 resources in one commit: insert \(ms(insert)), update \(ms(update)); read all \(ms(read)); mark 10,000 action keys \(ms(mark)); look them up \(ms(lookup))")
        }
    }

    @Test(arguments: [1, 100])
    func fileEventLogAppends(_ batchSize: Int) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("steward-bench-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let log = try FileEventLog(directory: directory)
        let events = (0..<batchSize).map { Fixtures.event("Bench\($0)") }
        let appends = batchSize == 1 ? 2_000 : 200
        let clock = ContinuousClock()
        let elapsed = try clock.measure {
            for _ in 0..<appends { _ = try log.append(events) }
        }
        let seconds = Double(elapsed.components.attoseconds) / 1e18 + Double(elapsed.components.seconds)
        #expect(try log.read().count == appends * batchSize, "every append is in the log")
        print(String(format: "bench FileEventLog: batches of %d: %d appends (fsync each) in %.2f s = %.0f appends/s, %.0f events/s",
                     batchSize, appends, seconds, Double(appends) / seconds, Double(appends * batchSize) / seconds))
    }

    private func measure(_ body: () async throws -> Void) async throws -> Duration {
        let start = ContinuousClock.now
        try await body()
        return ContinuousClock.now - start
    }

    private func ms(_ duration: Duration) -> String {
        String(format: "%.0f ms", Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15)
    }
}
