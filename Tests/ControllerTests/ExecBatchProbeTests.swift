@testable import Controller
import Foundation
import Logging
import Reconcile
import StewardTesting
import Testing

/// `driver.statusBatch` through the reconciler (DESIGN §4): one status run per environment and pass,
/// and drift still seen — and healed — within one pass.
@Suite("exec: batched probes in the loop", .serialized)
struct ExecBatchProbeTests {
    /// A target keeping one file per resource under $STATE, answering status one at a time or in batches.
    static let script = #"""
        #!/usr/bin/env python3
        import json, os, sys
        request = json.load(sys.stdin)
        action, state = os.environ["STEWARD_ACTION"], os.environ["STATE"]
        with open(os.path.join(state, "runs.log"), "a") as log: log.write(action + " " + os.environ.get("STEWARD_BATCH", "-") + "\n")
        def path(resource): return os.path.join(state, os.environ["STEWARD_ENVIRONMENT"], resource.replace("/", "_"))
        def answer(item):
            if not os.path.exists(path(item["resource"])): return {"status": "missing"}
            same = open(path(item["resource"])).read() == json.dumps(item["document"], sort_keys=True)
            return {"status": "healthy"} if same else {"status": "drifted", "message": "edited by hand"}
        if action == "status":
            if "STEWARD_BATCH" in os.environ:
                print(json.dumps({"resources": [dict(answer(item), resource=item["resource"]) for item in request["resources"]]}))
            else:
                print(json.dumps(answer(request)))
        elif action in ("undeploy", "removeAdapter"):
            if os.path.exists(path(request["resource"])): os.remove(path(request["resource"]))
        elif action != "smokeTest":
            os.makedirs(os.path.dirname(path(request["resource"])), exist_ok=True)
            open(path(request["resource"]), "w").write(json.dumps(request["document"], sort_keys=True))

        """#

    @Test func oneStatusRunPerEnvironmentAndDriftIsStillHealed() async throws {
        let directory = try TemporaryDirectory()
        let repo = try TemporaryGitRepository()
        let state = directory.path + "/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        try repo.copyQuickstart()
        try repo.writeQuickstartEnvironments(driver: "{type: exec, command: [ops/target.py], env: {STATE: \"\(state)\"}, statusBatch: 50}")
        try repo.write("ops/target.py", Self.script)
        chmod(repo.path + "/ops/target.py", 0o755)
        _ = try repo.commit("exec environments, batched status")
        try """
            source: {repository: \(repo.path), branch: main, path: ., interval: 1s}
            store: {url: "sqlite://.steward/state.db"}
            eventLog: {directory: .steward/events}

            """.write(toFile: directory.path + "/controller.yaml", atomically: true, encoding: .utf8)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let settings = try ControllerSettings.load(path: directory.path + "/controller.yaml")
        let reconciler = Reconciler(settings: settings, store: try await settings.openStore(), logger: logger)
        func statusRuns() throws -> [Substring] {
            try String(contentsOfFile: state + "/runs.log", encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("status") }
        }
        do {
            _ = try await reconciler.pass()
            let before = try statusRuns().count
            let unchanged = try await reconciler.pass()
            #expect(unchanged.plan.actions.isEmpty, "\(unchanged.plan.actions.map(\.key))")
            let runs = try statusRuns().dropFirst(before)
            #expect(runs.count == 2 && runs.allSatisfy { $0 != "status -" }, "one batched run per environment: \(runs)")
            // A hand edit is seen in the next pass, and healed.
            let file = state + "/production/Deployment_robot-nav-production"
            try "{}".write(toFile: file, atomically: true, encoding: .utf8)
            let healed = try await reconciler.pass()
            #expect(healed.plan.actions.map(\.change) == [.drift] && healed.plan.actions.first?.key.name == "robot-nav-production",
                    "\(healed.plan.actions.map { "\($0.change) \($0.key)" })")
            #expect(try String(contentsOfFile: file, encoding: .utf8) != "{}")
            #expect(try await reconciler.pass().plan.isEmpty)
        } catch {
            try? await reconciler.store.close()
            throw error
        }
        try await reconciler.store.close()
    }
}
