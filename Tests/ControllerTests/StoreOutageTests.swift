import EventLog
import Foundation
import Logging
@testable import StateStore
import StewardTesting
import Testing

/// DESIGN §9: a store outage means retries with backoff, not a crash. The test's own PostgreSQL
/// server is crashed while a new commit is being reconciled and started again.
@Suite("PostgreSQL restarted under a running controller", .serialized)
struct StoreOutageTests {
    @Test func crashedServerMeansDegradedAndBackoffThenConvergence() async throws {
        let cluster = try await PostgresCluster.start()
        let fleet = try FleetWorkspace(storeURL: cluster.url)
        try await fleet.enableReplicas(leaseSeconds: 4)
        let controller = try ReplicaProcess(fleet, name: "controller")
        try await controller.start()
        try await controller.waitForRole("leader", seconds: 60)

        let adapter = try #require(fleet.repo.read("adapters/desktop-main.yaml"))
        try fleet.repo.write("adapters/desktop-main.yaml", adapter.replacingOccurrences(of: "memoryMb: 4096", with: "memoryMb: 8192"))
        let sha = try fleet.repo.commit("more memory for desktop")
        try await cluster.crash()
        let crashed = Date()

        // Meanwhile: not ready, with the reason; the process keeps running.
        var readiness: [String: String]?
        for _ in 0..<30 {
            readiness = await controller.readiness()
            if readiness?["ready"] == "false" { break }
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(readiness?["ready"] == "false", "\(readiness ?? [:])")
        #expect(readiness?["reason"]?.contains("the store does not answer") == true, "\(readiness ?? [:])")
        try await Task.sleep(for: .seconds(max(0, 6 - Date().timeIntervalSince(crashed))))
        #expect(controller.isRunning)
        let outage = Date().timeIntervalSince(crashed)
        let complaints = controller.output.split(separator: "\n").filter { $0.contains("\"level\":\"error\"") || $0.contains("\"level\":\"warning\"") }
        print("store outage of \(String(format: "%.1f", outage)) s: \(complaints.count) warning/error lines")
        #expect(complaints.count < 30, "a tight retry loop: \(complaints.count) lines in \(outage) s")

        try await cluster.start()
        let restarted = Date()
        do {
            // A hang guard far above the seconds it takes (a loaded CI machine once took over 60 s)
            try await fleet.waitForApplied(sha, seconds: 180)
        } catch {
            // The first line is what CI's summary shows: the controller's last complaint.
            let last = controller.output.split(separator: "\n").last { $0.contains("\"level\":\"error\"") || $0.contains("\"level\":\"warning\"") }
            Issue.record("""
                not applied \(Int(Date().timeIntervalSince(restarted))) s after the restart; last complaint: \(last ?? "none")
                \(error)
                controller output (last lines): \(controller.output.suffix(4_000))
                """)
            throw error
        }
        print("applied \(String(format: "%.1f", Date().timeIntervalSince(restarted))) s after the store came back")
        #expect(fleet.file("var/fleet/staging/adapters/desktop-main.json")?.contains("\"memoryMb\":8192") == true)
        try await controller.waitForRole("leader", seconds: 30)
        #expect(controller.isRunning)
        let verify = try await fleet.steward("verify-log")
        #expect(verify.exitCode == 0, "\(verify.stderr)")
        controller.signal(SIGTERM)
        let status = await controller.exitStatus()
        #expect(status == 0, "\(controller.output.suffix(2_000))")
        await cluster.stop()
    }

    /// A store call made while PostgreSQL crashes ends with an error instead of waiting for ever:
    /// PostgresNIO loses a query written to a connection that has already closed (its promise is
    /// never completed), and `withTransaction` sends ROLLBACK on exactly such a connection after the
    /// statement before it failed. A controller pass stuck there never ended. In this suite so that
    /// its own server is not set up while the other test's is (initdb is heavy on a loaded machine).
    @Test func aTransactionInFlightWhenTheServerCrashesEnds() async throws {
        let cluster = try await PostgresCluster.start()
        let directory = try TemporaryDirectory()
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let opened = try await StoreFactory.open(url: cluster.url, eventLogDirectory: "events", baseDirectory: directory.path, logger: logger)
        let store = try #require(opened as? PostgresStateStore)
        let ended = LockedBox<String?>(nil)
        // A transaction whose statement is still running when the server goes away.
        let call = Task {
            do {
                _ = try await store.withTransaction { session in try await session.run("SELECT pg_sleep(30)", []) }
                ended.withLock { $0 = "ended without an error" }
            } catch {
                ended.withLock { $0 = "\(error)" }
            }
        }
        try await Task.sleep(for: .seconds(1))
        try await cluster.crash()
        // Polled, not awaited: awaiting a call that never ends would hang this test instead of failing it.
        for _ in 0..<600 where ended.withLock({ $0 }) == nil { try await Task.sleep(for: .milliseconds(100)) }
        let outcome = try #require(ended.withLock { $0 }, "the call never ended")   // hang guard: 60 s, far above the second it takes
        #expect(outcome.contains("PostgreSQL at 127.0.0.1:\(cluster.port)"), "\(outcome)")
        #expect(!outcome.contains("ended without"))
        _ = call

        // The server back, the store works again and the chain is whole.
        try await cluster.start()
        var batch = StoreBatch()
        batch.events = [NewEvent(type: "probe", reason: "Probe", message: "after the restart")]
        var committed: [EventRecord] = []
        for _ in 0..<100 where committed.isEmpty {
            committed = (try? await store.commit(batch)) ?? []
            if committed.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(committed.map(\.message) == ["after the restart"])
        #expect(try await store.verifyEventLog().isValid)
        try await store.close()
        await cluster.stop()
    }
}
