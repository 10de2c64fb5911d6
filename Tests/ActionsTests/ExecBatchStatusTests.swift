@testable import Actions
import Foundation
import Manifests
import Reconcile
import StewardTesting
import Testing

/// `driver.statusBatch` (DESIGN §5): one `status` run answers for many resources, with a real script.
@Suite("exec: batched status")
struct ExecBatchStatusTests {
    /// Answers a batch from stdin, logging one line per run (its STEWARD_BATCH and resources) to `runs.log`.
    static let body = #"""
    [ "$STEWARD_ACTION" = status ] || { echo "expected status, got $STEWARD_ACTION" >&2; exit 9; }
    [ -z "${STEWARD_RESOURCE:-}" ] || { echo "a batch names no STEWARD_RESOURCE" >&2; exit 9; }
    exec python3 -c '
    import json, os, sys
    request = json.load(sys.stdin)
    names = [item["resource"] for item in request["resources"]]
    with open(os.path.join(os.path.dirname(sys.argv[1]), "runs.log"), "a") as log:
        log.write(os.environ["STEWARD_BATCH"] + " " + ",".join(names) + "\n")
    if "Deployment/broken" in names:
        sys.stderr.write("console unreachable\n"); sys.exit(2)
    answers = []
    for item in request["resources"]:
        name = item["resource"]
        if name == "Deployment/drifted": answers.append({"resource": name, "status": "drifted", "message": "hand edit"})
        elif name == "Deployment/degraded": answers.append({"resource": name, "status": "degraded", "errorRate": 0.07})
        elif name == "Deployment/forgotten": pass
        else: answers.append({"resource": name, "status": "healthy", "version": item["version"]})
    print("checking", len(names), "resources")
    print(json.dumps({"resources": answers}))
    ' "$0"
    """#

    @Test func oneRunAnswersForABatch() async throws {
        let dir = try TemporaryDirectory()
        let script = try ExecFixture.script(dir, Self.body)
        let driver = ExecDriver(command: [script], workingDirectory: dir.path, statusBatch: 3)
        let names = ["a", "b", "drifted", "degraded", "forgotten"]
        let results = try await driver.probe(environment: ExecFixture.environment, applied: names.map { ExecFixture.applied($0) })
        func result(_ name: String) -> ProbeResult? { results[ResourceKey(kind: .deployment, name: name, environment: ExecFixture.environment)] }
        let runs = try String(contentsOfFile: dir.appending("runs.log").path, encoding: .utf8).split(separator: "\n")
        #expect(runs.count == 2, "five resources, three per run: \(runs)")
        #expect(Set(runs.map { $0.split(separator: " ")[0] }) == ["3", "2"], "STEWARD_BATCH is each run's count: \(runs)")
        #expect(result("a") == ProbeResult(state: .inSync, health: .healthy))
        #expect(result("drifted") == ProbeResult(state: .drifted, health: .healthy, message: "hand edit"))
        #expect(result("degraded")?.health == .degraded && result("degraded")?.errorRate == 0.07)
        // Not named in the reply: Unknown with the reason, never drift.
        #expect(result("forgotten")?.state == .unknown && result("forgotten")?.message?.contains("does not name Deployment/forgotten") == true)
    }

    @Test func aRunThatFailsTellsNothingAboutItsBatch() async throws {
        let dir = try TemporaryDirectory()
        let script = try ExecFixture.script(dir, Self.body)
        let driver = ExecDriver(command: [script], workingDirectory: dir.path, statusBatch: 2)
        let results = try await driver.probe(environment: ExecFixture.environment, applied: ["a", "broken", "c"].map { ExecFixture.applied($0) })
        func result(_ name: String) -> ProbeResult? { results[ResourceKey(kind: .deployment, name: name, environment: ExecFixture.environment)] }
        let failed = ["a", "broken", "c"].filter { result($0)?.state == .unknown }
        // The run with "broken" fails: both of its resources are Unknown with the script's line; the other run answers.
        #expect(failed.count == 2 && failed.contains("broken"), "\(results)")
        #expect(result("broken")?.message?.contains("console unreachable") == true)
        #expect(results.values.count(where: { $0.state == .inSync }) == 1)
    }

    @Test func aReplyOfAnotherShapeIsUnknown() async throws {
        let dir = try TemporaryDirectory()
        let script = try ExecFixture.script(dir, #"echo '{"status":"healthy"}'"#)
        let driver = ExecDriver(command: [script], workingDirectory: dir.path, statusBatch: 10)
        let results = try await driver.probe(environment: ExecFixture.environment, applied: ["a", "b"].map { ExecFixture.applied($0) })
        #expect(results.count == 2 && results.values.allSatisfy { $0.state == .unknown && $0.message?.contains("{\"resources\": [...]}") == true },
                "\(results)")
    }

    @Test func onlyAnExplicitActiveSlotSkipsASwitch() async throws {
        let dir = try TemporaryDirectory()
        // Answers a plain "healthy" to every status, as a script that knows nothing of slots does.
        let plain = ExecDriver(command: [try ExecFixture.script(dir, name: "plain.sh", #"echo '{"status":"healthy"}'"#)], workingDirectory: dir.path)
        let knows = ExecDriver(command: [try ExecFixture.script(dir, name: "knows.sh", #"""
            [ "$STEWARD_ACTION" = status ] && [ -n "$STEWARD_SLOT" ] || { echo "expected status with STEWARD_SLOT" >&2; exit 9; }
            echo '{"activeSlot":"green"}'
            """#)], workingDirectory: dir.path)
        func switchTo(_ slot: String) -> ActionRequest {
            var request = ExecFixture.request(.switchSlot, document: BlueGreen.routerDocument(deployment: "nav-production", slot: slot, blueprint: "nav", version: "1.2.0"))
            request.action.change = .create
            return request
        }
        #expect(try await plain.hasEffect(switchTo("green")) == false, "a plain healthy is not an answer to which slot takes traffic")
        #expect(try await knows.hasEffect(switchTo("green")) == true)
        #expect(try await knows.hasEffect(switchTo("blue")) == false)
    }

    @Test func aStartRefusedAsTextFileBusyIsTriedAgain() {
        func result(_ code: Int32, _ stderr: String) -> ExecRunResult {
            ExecRunResult(termination: .exited(code), stdout: [], stdoutTail: [], stdoutTruncated: false, stderrTail: Array(stderr.utf8),
                          stderrTruncated: false, timedOut: false, cancelled: false, processIdentifier: 1)
        }
        #expect(ExecRunner.neverStarted(result(126, "setpriv: failed to execute /w/ops/check.sh: Text file busy\n")))
        // The command itself failing, or printing the same words, is its own outcome: never run again.
        #expect(!ExecRunner.neverStarted(result(1, "setpriv: failed to execute /w/ops/check.sh: Text file busy\n")))
        #expect(!ExecRunner.neverStarted(result(126, "deploy: Text file busy\n")))
    }
}
