import Foundation
import StewardTesting
import Testing

/// Several `steward run` processes on one PostgreSQL store (DESIGN §7, §9): one leads, the
/// others stand by; a dead leader is replaced within the lease; a frozen one never writes again.
@Suite("Replicas elect one fenced leader", .serialized)
struct ReplicaTests {
    static let lease = 4

    private func fleet() async throws -> FleetWorkspace {
        let fleet = try FleetWorkspace(storeURL: try await TestPostgres.freshDatabaseURL())
        try await fleet.enableReplicas(leaseSeconds: Self.lease)
        return fleet
    }

    /// A fleet on a fresh database with replica "a" leading and replica "b" standing by.
    private func twoReplicas() async throws -> (FleetWorkspace, leader: ReplicaProcess, standby: ReplicaProcess) {
        let fleet = try await fleet()
        let a = try ReplicaProcess(fleet, name: "a")
        try await a.start()
        try await a.waitForRole("leader", seconds: 60)
        let b = try ReplicaProcess(fleet, name: "b")
        try await b.start()
        try await b.waitForRole("standby", seconds: 30)
        return (fleet, a, b)
    }

    /// Pushes a change to an adapter and waits until the leader has applied it.
    private func pushAndWaitUntilApplied(_ fleet: FleetWorkspace) async throws {
        let adapter = try #require(fleet.repo.read("adapters/desktop-main.yaml"))
        try fleet.repo.write("adapters/desktop-main.yaml", adapter.replacingOccurrences(of: "memoryMb: 4096", with: "memoryMb: 8192"))
        let sha = try fleet.repo.commit("more memory for desktop")
        try await fleet.waitForApplied(sha, seconds: 30)
    }

    private func leader(_ fleet: FleetWorkspace) async throws -> String {
        (try await fleet.statusJSON()["leader"] as? String) ?? ""
    }

    @Test func killedLeaderIsReplacedByTheStandby() async throws {
        let (fleet, a, b) = try await twoReplicas()
        #expect(await b.readiness()?["leader"]?.contains("pid \(a.pid) ") == true)
        #expect(try await leader(fleet).contains("pid \(a.pid) "))

        a.signal(SIGKILL)
        _ = await a.exitStatus()
        let takeover = try await b.waitForRole("leader", seconds: 10)
        print("takeover after kill -9 of the leader: \(String(format: "%.2f", takeover)) s (lease \(Self.lease) s)")
        #expect(try await leader(fleet).contains("pid \(b.pid) "))

        // The new leader applies what is pushed next.
        try await pushAndWaitUntilApplied(fleet)
        #expect(fleet.file("var/fleet/staging/adapters/desktop-main.json")?.contains("\"memoryMb\":8192") == true)
        let verify = try await fleet.steward("verify-log")
        #expect(verify.exitCode == 0, "\(verify.stderr)")
    }

    @Test func frozenLeaderLosesTheLeaseAndNeverWritesAgain() async throws {
        let (fleet, a, b) = try await twoReplicas()

        a.signal(SIGSTOP)
        let takeover = try await b.waitForRole("leader", seconds: Double(Self.lease) + 10)
        print("takeover after SIGSTOP of the leader: \(String(format: "%.2f", takeover)) s (lease \(Self.lease) s)")
        #expect(try await leader(fleet).contains("pid \(b.pid) "))
        try await pushAndWaitUntilApplied(fleet)
        let head = try await fleet.steward("logs", "-o", "json").stdout.split(separator: "\n").count

        // Resumed, the former leader finds its sessions ended and its epoch gone: it stands by.
        // Its own clock says the lease ran out at once (/readyz: standby); its election loop says so
        // in the log at its next renewal, up to a third of the lease later, plus a loaded machine.
        a.signal(SIGCONT)
        try await a.waitForRole("standby", seconds: 20)
        let said = try await a.waitForOutput("lost the leadership", seconds: 20)
        #expect(said, "\(a.output.suffix(2_000))")
        try await Task.sleep(for: .seconds(2))
        #expect(try await fleet.steward("logs", "-o", "json").stdout.split(separator: "\n").count == head)
        #expect(try await leader(fleet).contains("pid \(b.pid) "))
        #expect(a.isRunning)
        let verify = try await fleet.steward("verify-log")
        #expect(verify.exitCode == 0, "\(verify.stderr)")
    }

    @Test func gracefulStopHandsTheLeaseOverAtOnce() async throws {
        let (fleet, a, b) = try await twoReplicas()
        a.signal(SIGTERM)
        let status = await a.exitStatus()
        #expect(status == 0, "\(a.output.suffix(2_000))")
        let takeover = try await b.waitForRole("leader", seconds: 10)
        print("takeover after SIGTERM of the leader: \(String(format: "%.2f", takeover)) s")
        #expect(a.output.contains("gave up the leadership"))
    }
}
