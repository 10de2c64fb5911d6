@testable import Actions
import Foundation
import Manifests
import Reconcile
import StewardTesting
import Testing

/// Scripts written into a temp dir per test, and requests to run them with.
enum ExecFixture {
    static let environment = "production"

    /// Writes an executable bash script named `name` into `dir` and returns its path.
    static func script(_ dir: TemporaryDirectory, name: String = "deploy.sh", _ body: String) throws -> String {
        let path = dir.appending(name).path
        // Written with O_CLOEXEC: a plain write would leak the open fd into commands other tests
        // spawn meanwhile, and exec would then fail with ETXTBSY.
        try AtomicFile.write(path: path, bytes: Array(("#!/bin/bash\n" + body + "\n").utf8), mode: 0o755)
        return path
    }

    static func request(_ kind: ActionKind = .deploy, name: String = "nav-production", version: String? = "1.2.0",
                        document: JSONValue? = nil) -> ActionRequest {
        let key = ResourceKey(kind: .deployment, name: name, environment: environment)
        let document = document ?? .object([
            "apiVersion": .string("steward/v1"), "kind": .string("Deployment"),
            "metadata": .object(["name": .string(name)]),
            "spec": .object(["blueprint": .string("nav"), "version": .string(version ?? "1.2.0")]),
        ])
        let action = PlannedAction(kind: kind, key: key, change: .update, document: document, specHash: "spechash",
                                   version: version, commit: "abc123", trigger: "abc123", reason: "test")
        return ActionRequest(action: action, environment: environment, idempotencyKey: action.idempotencyKey,
                             strategy: .object(["type": .string("rolling")]))
    }

    static func applied(_ name: String, version: String? = "1.2.0") -> AppliedResource {
        let request = request(name: name, version: version)
        return AppliedResource(key: request.action.key, specHash: "spechash", spec: request.action.document,
                               commit: "abc123", version: version, createdAt: Date(), updatedAt: Date())
    }

    /// Whether a process is alive (a zombie counts as gone).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(close, offsetBy: 2)]
        return state != "Z" && state != "X"
    }

    static func pid(in path: String) throws -> Int32 {
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return try #require(Int32(text))
    }

    /// Waits up to `seconds` for `condition`.
    static func eventually(_ seconds: Double = 20, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}

@Suite("Exec driver: no shell, clean environment, stdin JSON, exit codes, timeouts, tails, status probes")
struct ExecDriverTests {
    @Test func runsTheScriptWithActionJSONAndOnlyAllowedEnvironment() async throws {
        // The controller's environment holds secrets; the command must not see them.
        let controller = ProcessInfo.processInfo.environment.merging(
            ["STEWARD_TEST_SECRET_ENV": "x", "AWS_SECRET_ACCESS_KEY": "controller-only-secret"]) { $1 }
        let dir = try TemporaryDirectory()
        let ledger = dir.appending("ledger").path
        let script = try ExecFixture.script(dir, #"""
        {
          printf '%s %s %s\n' "$STEWARD_ACTION" "$STEWARD_RESOURCE" "$STEWARD_IDEMPOTENCY_KEY"
          cat
        } >> "$LEDGER"
        env -0 > "$LEDGER.env"
        pwd > "$LEDGER.pwd"
        echo '{"status":"deployed","deploymentId":"dep-42","message":"rolled out 1.2.0"}'
        """#)
        let driver = ExecDriver(command: [script], workingDirectory: dir.path, environment: ["LEDGER": ledger], controllerEnvironment: controller)
        let request = ExecFixture.request()
        let outcome = try await driver.execute(request)
        #expect(outcome.targetId == "dep-42")
        #expect(outcome.message == "rolled out 1.2.0")
        #expect(outcome.output?.hasPrefix(#"stdout: {"status":"deployed""#) == true)

        let lines = try String(contentsOfFile: ledger, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines[0] == "deploy Deployment/nav-production \(request.idempotencyKey)")
        let stdin = try JSONDecoder().decode(JSONValue.self, from: Data(lines[1].utf8))
        #expect(stdin == .object([
            "action": .string("deploy"), "resource": .string("Deployment/nav-production"),
            "environment": .string("production"), "version": .string("1.2.0"),
            "idempotencyKey": .string(request.idempotencyKey), "commit": .string("abc123"), "trigger": .string("abc123"),
            "document": request.action.document, "strategy": .object(["type": .string("rolling")]),
        ]))

        var env: [String: String] = [:]
        for entry in try String(contentsOfFile: ledger + ".env", encoding: .utf8).split(separator: "\0") {
            let parts = entry.split(separator: "=", maxSplits: 1).map(String.init)
            env[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        #expect(env["STEWARD_ACTION"] == "deploy")
        #expect(env["STEWARD_RESOURCE"] == "Deployment/nav-production")
        #expect(env["STEWARD_ENVIRONMENT"] == "production")
        #expect(env["STEWARD_VERSION"] == "1.2.0")
        #expect(env["STEWARD_IDEMPOTENCY_KEY"] == request.idempotencyKey)
        #expect(env["LEDGER"] == ledger)
        #expect(env["PATH"] == ProcessInfo.processInfo.environment["PATH"])
        #expect(env["STEWARD_TEST_SECRET_ENV"] == nil)
        #expect(env["AWS_SECRET_ACCESS_KEY"] == nil)
        // Nothing but what we passed (and what bash itself adds).
        let allowed: Set<String> = ["PATH", "HOME", "STEWARD_ACTION", "STEWARD_RESOURCE", "STEWARD_ENVIRONMENT",
                                    "STEWARD_VERSION", "STEWARD_IDEMPOTENCY_KEY", "LEDGER", "PWD", "SHLVL", "_", "OLDPWD"]
        #expect(Set(env.keys).subtracting(allowed).isEmpty, "unexpected: \(Set(env.keys).subtracting(allowed))")
        #expect(try String(contentsOfFile: ledger + ".pwd", encoding: .utf8) == dir.path + "\n")
    }

    @Test func argumentsArriveVerbatimWithoutAShell() async throws {
        let dir = try TemporaryDirectory()
        let pwned = dir.appending("pwned").path
        let script = try ExecFixture.script(dir, #"printf '%s\0' "$@" > "$(dirname "$0")/args""#)
        let arguments = ["a; touch \(pwned)", "$(touch \(pwned))", "`touch \(pwned)`", "it's \"quoted\"", "two words",
                         "*", "| rm -rf /", "$HOME"]
        _ = try await ExecDriver(command: [script] + arguments, workingDirectory: dir.path).execute(ExecFixture.request())
        let received = try String(contentsOfFile: dir.appending("args").path, encoding: .utf8)
            .split(separator: "\0", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(received == arguments)
        #expect(!FileManager.default.fileExists(atPath: pwned))
    }

    @Test func aRelativeCommandRunsFromTheWorkingDirectory() async throws {
        let dir = try TemporaryDirectory()
        try FileManager.default.createDirectory(at: dir.appending("ops"), withIntermediateDirectories: true)
        _ = try ExecFixture.script(dir, name: "ops/deploy.sh", "echo relative-ok")
        let outcome = try await ExecDriver(command: ["./ops/deploy.sh"], workingDirectory: dir.path).execute(ExecFixture.request())
        #expect(outcome.output?.hasPrefix("stdout: relative-ok\n") == true)
        #expect(outcome.message == "deploy Deployment/nav-production succeeded")
        let missing = ExecDriver(command: ["./ops/nope.sh"], workingDirectory: dir.path)
        let error = try await #require(throws: DriverError.self) { try await missing.execute(ExecFixture.request()) }
        #expect(!error.isTransient)
    }

    @Test func failedStatusOnStdoutIsAFailure() async throws {
        let dir = try TemporaryDirectory()
        let script = try ExecFixture.script(dir, #"echo '{"status":"failed","message":"quota exceeded"}'"#)
        let error = try await #require(throws: DriverError.self) {
            try await ExecDriver(command: [script], workingDirectory: dir.path).execute(ExecFixture.request())
        }
        #expect(!error.isTransient)
        #expect(error.message.contains("quota exceeded"))
    }

    @Test func nonZeroExitIsTerminalAndExit75IsTransient() async throws {
        let dir = try TemporaryDirectory()
        let script = try ExecFixture.script(dir, #"""
        echo "working" >&2
        echo "console said no" >&2
        exit "$1"
        """#)
        let terminal = try await #require(throws: DriverError.self) {
            try await ExecDriver(command: [script, "3"], workingDirectory: dir.path).execute(ExecFixture.request())
        }
        #expect(!terminal.isTransient)
        #expect(terminal.message.contains("exited with code 3"))
        #expect(terminal.message.hasSuffix(": console said no"))
        let transient = try await #require(throws: DriverError.self) {
            try await ExecDriver(command: [script, "75"], workingDirectory: dir.path).execute(ExecFixture.request())
        }
        #expect(transient.isTransient)
        #expect(transient.message.contains("exited with code 75"))
    }

    @Test func aTimeoutKillsTheProcessAndItsChildren() async throws {
        let dir = try TemporaryDirectory()
        let script = try ExecFixture.script(dir, #"""
        echo $$ > "$(dirname "$0")/pid"
        sleep 30 &
        echo $! > "$(dirname "$0")/child"
        wait
        """#)
        let started = Date()
        let error = try await #require(throws: DriverError.self) {
            try await ExecDriver(command: [script], workingDirectory: dir.path, timeoutSeconds: 1).execute(ExecFixture.request())
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(error.isTransient)
        #expect(error.message.hasPrefix("timed out after 1 s"))
        // The script sleeps 30 s: ending well before proves it was killed (no tight timing: CI is loaded).
        #expect(elapsed < 25, "took \(elapsed) s")
        let pid = try ExecFixture.pid(in: dir.appending("pid").path)
        let child = try ExecFixture.pid(in: dir.appending("child").path)
        #expect(await ExecFixture.eventually { !ExecFixture.isAlive(pid) && !ExecFixture.isAlive(child) })
    }

    @Test func aScriptIgnoringSIGTERMIsKilledAfterTheGrace() async throws {
        let dir = try TemporaryDirectory()
        let script = try ExecFixture.script(dir, #"""
        trap '' TERM
        echo $$ > "$(dirname "$0")/pid"
        for i in $(seq 1 300); do sleep 0.1; done
        """#)
        let started = Date()
        let error = try await #require(throws: DriverError.self) {
            try await ExecDriver(command: [script], workingDirectory: dir.path, timeoutSeconds: 0.5).execute(ExecFixture.request())
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(error.message.hasPrefix("timed out after 0.5 s"))
        #expect(elapsed >= 2 && elapsed < 25, "took \(elapsed) s")  // the 2 s grace, then SIGKILL long before 30 s
        // The script wrote its pid (a missing file must fail here, not read as pid 0, which is never alive).
        let pid = try ExecFixture.pid(in: dir.appending("pid").path)
        #expect(await ExecFixture.eventually { !ExecFixture.isAlive(pid) })
    }

    @Test func cancellingTheTaskTerminatesTheProcess() async throws {
        let dir = try TemporaryDirectory()
        let pidFile = dir.appending("pid").path
        let script = try ExecFixture.script(dir, #"echo $$ > "$(dirname "$0")/pid"; exec sleep 30"#)
        let driver = ExecDriver(command: [script], workingDirectory: dir.path)
        let task = Task { try await driver.execute(ExecFixture.request()) }
        #expect(await ExecFixture.eventually { FileManager.default.fileExists(atPath: pidFile) })
        try await Task.sleep(for: .milliseconds(100))
        let pid = try ExecFixture.pid(in: pidFile)
        let started = Date()
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(Date().timeIntervalSince(started) < 25)
        #expect(await ExecFixture.eventually { !ExecFixture.isAlive(pid) })
    }

    @Test func outputTailsAreBoundedAndSecretsRedacted() async throws {
        let dir = try TemporaryDirectory()
        let secret = "hunter2-TOKEN-9f8e7d"
        let script = try ExecFixture.script(dir, #"""
        for i in $(seq 1 4000); do echo "stdout line $i with the token $1 inside"; done
        for i in $(seq 1 4000); do echo "stderr line $i token=$1" >&2; done
        printf 'ends with %s' "$1"
        """#)
        let driver = ExecDriver(command: [script, secret], workingDirectory: dir.path, secrets: [secret, "unused"])
        let outcome = try await driver.execute(ExecFixture.request())
        let output = try #require(outcome.output)
        #expect(!output.contains(secret))
        #expect(!output.contains("9f8e7d"))
        #expect(output.contains("[redacted]"))
        #expect(output.hasSuffix("token=[redacted]"))
        let parts = output.components(separatedBy: "\nstderr: ")
        #expect(parts.count == 2)
        #expect(parts[0].hasPrefix("stdout: "))
        #expect(parts[0].utf8.count <= 4096 + "stdout: ".utf8.count)
        #expect(parts[1].utf8.count <= 4096)
        #expect(parts[0].hasSuffix("ends with [redacted]"))
        #expect(parts[1].contains("stderr line 4000 token=[redacted]"))

        // Error messages are redacted too.
        let failing = try ExecFixture.script(dir, name: "fail.sh", #"echo "bad credentials $1" >&2; exit 1"#)
        let error = try await #require(throws: DriverError.self) {
            try await ExecDriver(command: [failing, secret], workingDirectory: dir.path, secrets: [secret]).execute(ExecFixture.request())
        }
        #expect(error.message.hasSuffix("bad credentials [redacted]"))
    }

    @Test func largeOutputAndUnreadStdinDoNotDeadlock() async throws {
        let dir = try TemporaryDirectory()
        // Writes 1 MiB to each stream without reading stdin, which gets a 2 MiB document.
        let script = try ExecFixture.script(dir, #"""
        head -c 1048576 /dev/zero | tr '\0' 'o'
        head -c 1048576 /dev/zero | tr '\0' 'e' >&2
        echo
        echo '{"deploymentId":"big"}'
        """#)
        let big = JSONValue.string(String(repeating: "x", count: 2 << 20))
        let request = ExecFixture.request(document: .object(["spec": .object(["blob": big])]))
        let outcome = try await ExecDriver(command: [script], workingDirectory: dir.path, timeoutSeconds: 60).execute(request)
        #expect(outcome.targetId == "big")  // JSON on the last line after other output
        #expect(outcome.output!.utf8.count <= 4096 * 2 + 20)
    }

    @Test func statusProbeMapping() async throws {
        let dir = try TemporaryDirectory()
        let script = try ExecFixture.script(dir, #"""
        [ "$STEWARD_ACTION" = status ] || { echo "expected status, got $STEWARD_ACTION" >&2; exit 9; }
        case "$STEWARD_RESOURCE" in
          Deployment/ok) exit 0 ;;
          Deployment/degraded) echo '{"status":"degraded","version":"1.2.0","message":"error rate 7%"}' ;;
          Deployment/drifted) echo '{"status":"drifted","version":"1.1.0","message":"hand edit"}' ;;
          Deployment/missing) echo '{"status":"missing","message":"no such deployment"}' ;;
          Deployment/broken) echo "console unreachable" >&2; exit 2 ;;
          Deployment/oldversion) echo '{"status":"healthy","version":"0.9.0"}' ;;
        esac
        """#)
        let driver = ExecDriver(command: [script], workingDirectory: dir.path)
        let names = ["ok", "degraded", "drifted", "missing", "broken", "oldversion"]
        let results = try await driver.probe(environment: ExecFixture.environment, applied: names.map { ExecFixture.applied($0) })
        func result(_ name: String) -> ProbeResult? {
            results[ResourceKey(kind: .deployment, name: name, environment: ExecFixture.environment)]
        }
        #expect(results.count == 6)
        #expect(result("ok") == ProbeResult(state: .inSync, health: .healthy))
        #expect(result("degraded") == ProbeResult(state: .inSync, health: .degraded, message: "error rate 7%"))
        #expect(result("drifted") == ProbeResult(state: .drifted, health: .healthy, message: "hand edit"))
        #expect(result("missing") == ProbeResult(state: .missing, health: .missing, message: "no such deployment"))
        #expect(result("broken")?.health == .unknown)
        #expect(result("broken")?.state == .unknown, "a status that fails tells nothing: never drift")
        #expect(result("broken")?.message?.contains("console unreachable") == true)
        #expect(result("oldversion")?.state == .drifted)
        #expect(result("oldversion")?.message?.contains("0.9.0") == true)

        // hasEffect asks the same status command.
        #expect(try await driver.hasEffect(ExecFixture.request(name: "ok")) == true)
        #expect(try await driver.hasEffect(ExecFixture.request(name: "drifted")) == false)
        // A status that fails is not a "no" (DESIGN §5): the action waits instead of running again.
        await #expect(throws: DriverError.self) { try await driver.hasEffect(ExecFixture.request(name: "broken")) }
        #expect(try await driver.hasEffect(ExecFixture.request(.undeploy, name: "missing")) == true)
        #expect(try await driver.hasEffect(ExecFixture.request(.undeploy, name: "ok")) == false)
        #expect(try await driver.hasEffect(ExecFixture.request(.smokeTest, name: "ok")) == false)
    }
}
