@testable import Controller
import Foundation
import EventLog
import GitSource
import Logging
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

/// `gates.preDeploy` (DESIGN §11) with real parts: a real git repository, a real check script run
/// from the checkout of the applied commit, the real test console for endpoint checks. Each check
/// blocks and unblocks; a failure is remembered, not retried every pass; a hanging check is killed
/// at its timeout; a secret it prints is redacted; a rollback is never blocked by a check.
@Suite("Pre-deploy checks block deploys and promotions (real git, real scripts, real console)", .serialized)
struct PreDeployTests {
    /// What the check does, read from `OUT/mode` on every run: pass, fail, hang or secret.
    static func script(out: String, secretFile: String) -> String {
        """
        #!/bin/bash
        echo "$STEWARD_DEPLOYMENT $STEWARD_ENVIRONMENT $STEWARD_VERSION $STEWARD_COMMIT $STEWARD_CHANGE $PWD ${CONSOLE_TOKEN:-no-token}" >> "\(out)/calls"
        case "$(cat "\(out)/mode")" in
          pass) exit 0 ;;
          fail) echo "checking schema"; echo "migration 0042 would drop column users.email" >&2; exit 3 ;;
          hang) sleep 60 ;;
          secret) echo "console token is $(cat "\(secretFile)")" >&2; exit 1 ;;
        esac

        """
    }

    static let token = "tok-7c1e9a42d05f3b86"

    /// The script check; its timeout is far above what the script needs (a loaded CI machine once
    /// took over 2 s to start it) except where a test proves the timeout itself.
    static func schemaCheck(timeoutSeconds: Int) -> String {
        "[{name: schema, command: [./ops/check.sh], timeoutSeconds: \(timeoutSeconds)}]"
    }

    final class Setup {
        let fleet: PromotionFleet
        let out: TemporaryDirectory
        let reconciler: Reconciler

        init(mode: String, checks: String = PreDeployTests.schemaCheck(timeoutSeconds: 60)) async throws {
            out = try TemporaryDirectory(prefix: "steward-checks")
            let secretFile = out.path + "/console-token"
            try Self.write(PreDeployTests.token + "\n", to: secretFile)
            fleet = try await PromotionFleet(production: .init(preDeploy: checks, tokenFrom: "{file: \(secretFile)}"))
            try fleet.repo.write("ops/check.sh", PreDeployTests.script(out: out.path, secretFile: secretFile))
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fleet.repo.path + "/ops/check.sh")
            _ = try fleet.repo.commit("pre-deploy check script")
            try Self.write(mode, to: out.path + "/mode")
            reconciler = try await fleet.reconciler()
        }

        func setMode(_ mode: String) throws { try Self.write(mode, to: out.path + "/mode") }

        /// The check's runs so far, one line each.
        func calls() -> [String] {
            ((try? String(contentsOfFile: out.path + "/calls", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        }

        func promoteCalls() -> Int { fleet.console.calls.filter { $0.method == "POST" && $0.path.hasSuffix("/promote") }.count }

        func production() async throws -> AppliedResource? { try await fleet.applied(reconciler, "robot-nav-production") }

        func stop() async {
            try? await reconciler.store.close()
            await fleet.stop()
        }

        static func write(_ text: String, to path: String) throws { try text.write(toFile: path, atomically: true, encoding: .utf8) }
    }

    static let failure = "pre-deploy check 'schema' failed: migration 0042 would drop column users.email (exited with code 3)"

    @Test func aFailingCheckBlocksThePromotionOnceUntilTheNextCommitOrARetry() async throws {
        let setup = try await Setup(mode: "fail")
        let first = try await setup.reconciler.pass()   // staging deploys and proves 1.2.0; production waits for the proof
        #expect(first.plan.blocked.map(\.gate) == [.promotion])
        #expect(setup.calls().isEmpty, "a change that is not going ahead runs no check")

        let blocked = try await setup.reconciler.pass()
        #expect(blocked.plan.actions.filter { $0.key.kind == .deployment }.isEmpty)
        #expect(blocked.plan.blocked.map(\.reason) == [Self.failure])
        #expect(setup.promoteCalls() == 0, "nothing applied")
        let calls = setup.calls()
        let commit = try setup.fleet.repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(calls.count == 1)
        // the change named in STEWARD_* variables, run from the read-only checkout of the applied commit, no controller secrets
        #expect(calls.first?.hasPrefix("robot-nav-production production 1.2.0 \(commit) promote ") == true, "\(calls)")
        #expect(calls.first?.contains("/.steward/checkouts/\(commit)") == true, "\(calls)")
        #expect(calls.first?.hasSuffix(" no-token") == true)
        var record = try #require(try await setup.production())
        #expect(record.sync == .blocked && record.message == Self.failure)

        // not retried every pass
        for _ in 0..<3 {
            let again = try await setup.reconciler.pass()
            #expect(again.plan.blocked.map(\.reason) == [Self.failure])
        }
        #expect(setup.calls().count == 1)
        // `diff` (the preview) shows the block and runs nothing
        let preview = try await setup.reconciler.preview(revision: nil)
        #expect(preview.plan.blocked.map(\.reason) == [Self.failure])
        #expect(setup.calls().count == 1)

        // POST /api/reconcile retries: the check runs again, fails again
        setup.reconciler.retryPreDeployChecks = true
        _ = try await setup.reconciler.pass()
        #expect(setup.calls().count == 2)
        _ = try await setup.reconciler.pass()
        #expect(setup.calls().count == 2)
        let failed = try await setup.fleet.events(setup.reconciler, type: "preDeployCheckFailed")
        #expect(failed.map(\.message) == [Self.failure, Self.failure])
        #expect(failed.first?.resource == "Deployment/robot-nav-production" && failed.first?.environment == "production")

        // the next commit retries; the check passes and the promotion goes ahead
        try setup.setMode("pass")
        try setup.fleet.repo.write("NOTES.md", "fixed the migration\n")
        _ = try setup.fleet.repo.commit("unrelated commit")
        let promoted = try await setup.reconciler.pass()
        #expect(promoted.plan.actions.map(\.kind) == [.promote])
        #expect(setup.calls().count == 3)
        #expect(setup.promoteCalls() == 1)
        record = try #require(try await setup.production())
        #expect(record.version == "1.2.0" && record.sync == .synced)
        #expect(try await setup.fleet.events(setup.reconciler, type: "preDeployChecksPassed").count == 1)
        await setup.stop()
    }

    @Test func aHangingCheckIsKilledAtItsTimeout() async throws {
        let setup = try await Setup(mode: "hang", checks: Self.schemaCheck(timeoutSeconds: 2))
        _ = try await setup.reconciler.pass()
        let started = Date()
        let blocked = try await setup.reconciler.pass()
        #expect(Date().timeIntervalSince(started) < 15)
        #expect(blocked.plan.blocked.map(\.reason) == ["pre-deploy check 'schema' failed: timed out after 2 s (killed)"])
        #expect(setup.promoteCalls() == 0)
        await setup.stop()
    }

    @Test func aSecretTheCheckPrintsIsRedacted() async throws {
        let setup = try await Setup(mode: "secret")
        _ = try await setup.reconciler.pass()
        let blocked = try await setup.reconciler.pass()
        let reason = try #require(blocked.plan.blocked.first?.reason)
        #expect(reason == "pre-deploy check 'schema' failed: console token is [redacted] (exited with code 1)")
        let events = try await setup.reconciler.store.events(since: 0, limit: nil)
        #expect(!events.contains { $0.message.contains(Self.token) || ($0.data.map { "\($0)" } ?? "").contains(Self.token) })
        #expect(try await setup.production()?.message?.contains(Self.token) == false)
        await setup.stop()
    }

    @Test func aRollbackIsNotBlockedByAFailingCheck() async throws {
        let setup = try await Setup(mode: "pass")
        _ = try await setup.reconciler.pass()
        _ = try await setup.reconciler.pass()   // production promotes 1.2.0 and proves it
        try setup.fleet.setVersion("robot-nav-staging", "1.3.0")
        try setup.fleet.setVersion("robot-nav-production", "1.3.0")
        _ = try setup.fleet.repo.commit("both to 1.3.0")
        _ = try await setup.reconciler.pass()   // staging proves 1.3.0
        let promoted = try await setup.reconciler.pass()   // production promotes 1.3.0 after its check
        #expect(try await setup.production()?.version == "1.3.0", "blocked: \(promoted.plan.blocked.map(\.reason)), calls: \(setup.calls())")
        let checked = setup.calls().count
        #expect(checked == 2)

        try setup.setMode("fail")
        try setup.fleet.setVersion("robot-nav-production", "1.2.0")
        _ = try setup.fleet.repo.commit("roll production back to 1.2.0")
        let back = try await setup.reconciler.pass()
        #expect(back.plan.actions.filter { $0.key.kind == .deployment }.map(\.kind) == [.rollback])
        #expect(back.plan.blocked.isEmpty)
        #expect(setup.calls().count == checked, "rollbacks skip pre-deploy checks")
        #expect(try await setup.production()?.version == "1.2.0")
        await setup.stop()
    }

    @Test func anEndpointCheckGoesThroughTheConsole() async throws {
        let setup = try await Setup(mode: "pass", checks: "[{name: console up, endpoint: /health, expectedStatus: 204}]")
        _ = try await setup.reconciler.pass()
        let blocked = try await setup.reconciler.pass()
        #expect(blocked.plan.blocked.map(\.reason) == ["pre-deploy check 'console up' failed: GET /health answered 200, expected 204"])
        #expect(setup.promoteCalls() == 0)
        let healthCalls = setup.fleet.console.calls("GET", "/health").count
        _ = try await setup.reconciler.pass()
        #expect(setup.fleet.console.calls("GET", "/health").count == healthCalls, "not asked again every pass")

        let environments = try #require(setup.fleet.repo.read("environments/environments.yaml"))
        try setup.fleet.repo.write("environments/environments.yaml", environments.replacingOccurrences(of: "expectedStatus: 204", with: "expectedStatus: 200"))
        _ = try setup.fleet.repo.commit("the console answers 200")
        let promoted = try await setup.reconciler.pass()
        #expect(promoted.plan.actions.map(\.kind) == [.promote])
        #expect(setup.promoteCalls() == 1)
        await setup.stop()
    }
    @Test func theLoopRetriesOnAPIReconcileButNotOnAPlainTrigger() async throws {
        let setup = try await Setup(mode: "fail")
        let service = ReconcileService(reconciler: setup.reconciler, interval: 300, logger: Logger(label: "test"))
        let loop = Task { try await service.run() }
        func waitFor(_ what: String, _ condition: () -> Bool) async throws {
            for _ in 0..<150 where !condition() { try await Task.sleep(for: .milliseconds(100)) }
            #expect(condition(), "\(what)")
        }
        // staging deploys, production's check fails once; then the loop sleeps (interval 300 s)
        try await waitFor("the check ran") { setup.calls().count == 1 && service.lastResult?.plan.blocked.first?.gate == .preDeploy }
        service.requestReconcile()   // a webhook's trigger: the same commit, the failure stays remembered
        try await Task.sleep(for: .seconds(1.5))
        #expect(setup.calls().count == 1)
        service.requestReconcile(retryingChecks: true)   // POST /api/reconcile
        try await waitFor("the check ran again") { setup.calls().count == 2 }
        try await Task.sleep(for: .seconds(1))
        #expect(setup.calls().count == 2, "once, not in a loop")
        loop.cancel()
        _ = await loop.result
        await setup.stop()
    }
    @Test func aBadCheckOrBackupInACommitIsRefusedAndNothingOfItIsApplied() async throws {
        let fleet = try await PromotionFleet(production: .init(preDeploy: "[{name: schema, command: [./ops/check.sh], endpoint: /health}]",
                                                               backupBefore: "[nightly]"))
        let reconciler = try await fleet.reconciler()
        let result = try await reconciler.pass()
        let errors = result.validationErrors.map(\.description)
        #expect(errors == [
            "environments/environments.yaml:23:17: Environment/production: spec.gates.preDeploy[0]: a pre-deploy check needs exactly one of 'command' or 'endpoint'",
            "environments/environments.yaml:24:20: Environment/production: spec.gates.backupBefore[0]: BackupSchedule 'nightly' not found",
        ])
        #expect(result.appliedCommit == nil && result.report == nil)
        #expect(fleet.console.calls.filter { $0.method != "GET" }.isEmpty, "nothing applied")
        try await reconciler.store.close()
        await fleet.stop()
    }
}
