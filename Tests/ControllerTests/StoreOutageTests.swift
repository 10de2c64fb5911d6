import Foundation
import StewardTesting
import Testing

/// DESIGN §9: a store outage means retries with backoff, not a crash. The test's own PostgreSQL
/// server is crashed while a new commit is being reconciled and started again.
@Suite("PostgreSQL restarted under a running controller", .serialized)
struct StoreOutageTests {
    @Test func crashedServerMeansDegradedAndBackoffThenConvergence() async throws {
        let cluster = try PostgresCluster()
        let fleet = try FleetWorkspace(storeURL: cluster.url)
        try await fleet.enableReplicas(leaseSeconds: 4)
        let controller = try ReplicaProcess(fleet, name: "controller")
        try await controller.start()
        try await controller.waitForRole("leader", seconds: 60)

        let adapter = try #require(fleet.repo.read("adapters/desktop-main.yaml"))
        try fleet.repo.write("adapters/desktop-main.yaml", adapter.replacingOccurrences(of: "memoryMb: 4096", with: "memoryMb: 8192"))
        let sha = try fleet.repo.commit("more memory for desktop")
        try cluster.crash()
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

        try cluster.start()
        do {
            try await fleet.waitForApplied(sha, seconds: 60)
        } catch {
            Issue.record("\(error)\ncontroller output (last lines): \(controller.output.suffix(4_000))")
            throw error
        }
        #expect(fleet.file("var/fleet/staging/adapters/desktop-main.json")?.contains("\"memoryMb\":8192") == true)
        try await controller.waitForRole("leader", seconds: 30)
        #expect(controller.isRunning)
        let verify = try await fleet.steward("verify-log")
        #expect(verify.exitCode == 0, "\(verify.stderr)")
        controller.signal(SIGTERM)
        let status = await controller.exitStatus()
        #expect(status == 0, "\(controller.output.suffix(2_000))")
    }
}
