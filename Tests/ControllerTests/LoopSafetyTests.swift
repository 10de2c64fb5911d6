@testable import Controller
import Foundation
import StewardTesting
import Testing

/// DESIGN §3, §5, §9 through real processes: a silent git remote cannot stall the controller, exec
/// scripts die with it, and checkouts do not pile up.
@Suite("Loop safety: silent remotes, exec children, checkouts", .serialized)
struct LoopSafetyTests {
    /// The quickstart with staging on the exec driver running `ops/deploy.sh` (the given body), production local.
    private func execFleet(script: String) async throws -> FleetWorkspace {
        let fleet = try FleetWorkspace()
        try fleet.repo.write("environments/environments.yaml", """
            apiVersion: steward/v1
            kind: Environment
            metadata: {name: staging}
            spec:
              driver: {type: exec, command: [./ops/deploy.sh], timeoutSeconds: 120}
              adapters: [robotics-main, desktop-main]
            ---
            apiVersion: steward/v1
            kind: Environment
            metadata: {name: production}
            spec:
              promotesFrom: staging
              driver: {type: local, root: ./var/fleet/production}
              adapters: [robotics-main, desktop-main]

            """)
        try fleet.repo.write("ops/deploy.sh", script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fleet.repo.path + "/ops/deploy.sh")
        try fleet.repo.commit("staging on the exec driver")
        return fleet
    }

    @Test func aSilentRemoteFailsThePassInTimeAndSIGTERMStillEndsTheController() async throws {
        let (listener, port) = try listeningSocket()   // accepts every connection, never answers
        defer { close(listener) }
        let fleet = try FleetWorkspace()
        let url = "http://127.0.0.1:\(port)/fleet.git"
        try """
            source: {repository: "\(url)", branch: main, interval: 1s, connectTimeout: 2s, transferTimeout: 2s}
            store: {url: "sqlite://.steward/state.db"}
            eventLog: {directory: .steward/events}
            server: {listen: "127.0.0.1:0"}

            """.write(toFile: fleet.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let controller = try ReplicaProcess(fleet, name: "silent")
        try await controller.start()
        let line = "source.repository: cannot fetch '\(url)': no answer within 2 s"
        #expect(try await controller.waitForOutput(line, seconds: 10), "\(controller.output.suffix(1_500))")
        #expect(await loopbackGET(port: controller.port, path: "/healthz")?.status == 200, "/healthz answers while the fetch waits")
        let ready = await controller.readiness()
        #expect(ready?["ready"] == "false" && ready?["reason"]?.contains("no answer within 2 s") == true, "\(ready ?? [:])")
        // A second pass fetches again (the first fetch's thread was released), and fails the same way.
        #expect(try await controller.waitForOutput("reconcile failed", seconds: 10))
        try await Task.sleep(for: .milliseconds(1_500))   // a fetch is in progress again now
        let process = try #require(controller.process)
        let start = ContinuousClock.now
        controller.signal(SIGTERM)
        // Timed on the waiting thread: a busy concurrency pool in this test process is not counted.
        let took = await Subprocess.offPool { () -> Duration in
            _ = process.waitBlocking()
            return ContinuousClock.now - start
        }
        let status = await controller.exitStatus()
        #expect(took < .seconds(10), "SIGTERM took \(took)")   // fetches retry forever: only the SIGTERM ends this process
        #expect(status == 0, "\(controller.output.suffix(1_500))")
        #expect(!controller.output.contains("still waiting for the remote"), "\(controller.output.suffix(1_500))")
    }

    @Test func execScriptsDieWithAKilledController() async throws {
        let pids = try TemporaryDirectory(prefix: "steward-exec-pids")
        let fleet = try await execFleet(script: """
            #!/bin/bash
            cat > /dev/null
            if [ "$STEWARD_ACTION" = status ]; then exit 0; fi
            echo $$ >> "\(pids.path)/pids"
            sleep 60

            """)
        try await fleet.enableReplicas(leaseSeconds: 5)
        let controller = try ReplicaProcess(fleet, name: "killed")
        try await controller.start()
        var running: [Int32] = []
        for _ in 0..<100 where running.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            running = ((try? String(contentsOfFile: pids.path + "/pids", encoding: .utf8)) ?? "").split(separator: "\n").compactMap { Int32($0) }
        }
        try #require(!running.isEmpty, "no exec script started: \(controller.output.suffix(1_500))")
        #expect(running.allSatisfy(Self.isAlive))
        controller.signal(SIGKILL)
        _ = await controller.exitStatus()
        var alive = running
        for _ in 0..<30 where !alive.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            alive = alive.filter(Self.isAlive)
        }
        #expect(alive.isEmpty, "scripts \(alive) outlived the controller that started them")
    }

    @Test func checkoutsOfOldCommitsArePruned() async throws {
        let fleet = try await execFleet(script: "#!/bin/sh\ncat > /dev/null\nexit 0\n")
        let reconciler = try await Reconciler.quiet(in: fleet.path)
        let checkouts = fleet.path + "/.steward/checkouts"
        var most = 0
        for round in 0..<50 {
            let deployment = try #require(fleet.repo.read("deployments/desktop-assistant-staging.yaml"))
            try fleet.repo.write("deployments/desktop-assistant-staging.yaml",
                                 deployment.replacingOccurrences(of: #"\n    round: "[0-9]+""#, with: "", options: .regularExpression)
                                     .replacingOccurrences(of: "    team: productivity", with: "    team: productivity\n    round: \"\(round)\""))
            try fleet.repo.commit("round \(round)")
            let result = try await reconciler.pass()
            #expect(result.validationErrors.isEmpty && result.report?.hasFailures == false,
                    "round \(round): \(result.validationErrors) \(result.report?.failed.map(\.message) ?? [])")
            let kept = try FileManager.default.contentsOfDirectory(atPath: checkouts).filter { !$0.hasSuffix(".lock") }
            most = max(most, kept.count)
            #expect(kept == [result.appliedCommit], "round \(round): only the applied commit's checkout stays")
        }
        #expect(most <= 2)
        try await reconciler.store.close()
        // diff probes the exec targets from a temporary checkout, and leaves Steward's as they were.
        try fleet.repo.write("NOTES.md", "not a manifest\n")
        try fleet.repo.commit("one more commit")
        let before = try FileManager.default.contentsOfDirectory(atPath: checkouts).sorted()
        let temporary = try TemporaryDirectory(prefix: "steward-diff-tmp")
        let diff = try await StewardProcess.run(["diff"], in: fleet.path, environment: ["TMPDIR": temporary.path])
        #expect(diff.exitCode == 0, "\(diff.stderr)")
        #expect(try await FileManager.default.contentsOfDirectory(atPath: checkouts).sorted() == before)
        #expect(try await FileManager.default.contentsOfDirectory(atPath: temporary.path).isEmpty, "the temporary checkout is removed")
    }

    /// Whether `pid` runs (a zombie waiting to be reaped counts as ended).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }
}
