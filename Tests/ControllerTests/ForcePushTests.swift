@testable import Controller
import Foundation
import StewardTesting
import Testing

/// A non-fast-forward move of the watched branch is held unless `source.allowForcePush: true`
/// (DESIGN §3, §9): the last applied commit stays applied, status says why, and the branch moving
/// back onto the applied history is applied again.
@Suite("Force-pushes are held unless allowed", .serialized)
struct ForcePushTests {
    /// Applies a second good commit, then rewrites it away: the new head drops a deployment.
    private func rewrite(_ bench: HostileBench) async throws -> (applied: String, rewritten: String) {
        try await bench.recover()
        let applied = try bench.repo.git("rev-parse", "HEAD")
        try bench.repo.git("reset", "-q", "--hard", "HEAD~1")
        try bench.repo.remove("deployments/desktop-assistant-staging.yaml")
        return (applied, try bench.repo.commit("rewritten history without the desktop assistant"))
    }

    @Test func rewrittenHistoryIsHeldAndTheAppliedCommitKeepsRunning() async throws {
        try await HostileBench.with { bench in
            try await bench.recover()
            let before = try await bench.snapshot()
            let (applied, rewritten) = try await rewrite(bench)
            #expect(before.applied != nil)
            let held = try await bench.snapshot()
            let attempt = try await bench.checkRefused(
                "force-push", containing: "branch 'main' moved non-fast-forward from \(applied.prefix(12)) to \(rewritten.prefix(12))",
                head: rewritten, before: held)
            #expect(attempt.messages.first?.contains("source.allowForcePush: true") == true, "\(attempt.messages)")
            #expect(bench.fleetFile("staging/deployments/desktop-assistant-staging.json") != nil, "a held force-push must not prune")
            // `steward diff` of the branch tip says the same instead of previewing a prune that will not happen.
            let preview = try await bench.reconciler.preview(revision: nil)
            #expect(preview.plan.actions.isEmpty)
            #expect(preview.errors.first?.message.contains("moved non-fast-forward") == true, "\(preview.errors)")
            #expect(try await bench.reconciler.preview(revision: rewritten).plan.actions.contains { $0.change == .prune },
                    "an explicit --rev still previews that commit")
            // A second pass and a restarted controller (no parse state in memory) still hold it.
            let again = await bench.timedPass()
            #expect(again.result?.appliedCommit == applied && again.result?.plan.actions.isEmpty == true)
            try await bench.restart()
            let afterRestart = try await bench.reconciler.pass()
            #expect(afterRestart.appliedCommit == applied)
            #expect(afterRestart.plan.actions.isEmpty, "\(afterRestart.plan.actions.map(\.key))")
            #expect(afterRestart.validationErrors.first?.message.contains("non-fast-forward") == true)
            // Moving the branch back onto the applied history lifts the hold.
            try bench.repo.git("reset", "-q", "--hard", applied)
            try await bench.recover()
        }
    }

    @Test func unrelatedHistoryIsHeld() async throws {
        try await HostileBench.with { bench in
            let before = try await bench.snapshot()
            let applied = try #require(before.applied)
            try bench.repo.remove("deployments/robot-nav-staging.yaml")
            try bench.repo.git("add", "-A")
            let tree = try bench.repo.git("write-tree")
            let orphan = try bench.repo.git("commit-tree", tree, "-m", "unrelated history")
            try bench.repo.git("update-ref", "refs/heads/main", orphan)
            try bench.repo.git("reset", "-q", "--hard", orphan)
            try await bench.checkRefused("force-push-unrelated", containing: "moved non-fast-forward from \(applied.prefix(12)) to \(orphan.prefix(12))",
                                         head: orphan, before: before)
            try bench.repo.git("reset", "-q", "--hard", applied)
            try await bench.recover()
        }
    }

    /// The applied commit rewritten away and garbage-collected: still held, with the reason.
    @Test func appliedCommitGarbageCollected() async throws {
        try await HostileBench.with { bench in
            try await bench.recover()
            let (applied, rewritten) = try await rewrite(bench)
            try bench.repo.git("reflog", "expire", "--expire=now", "--all")
            try bench.repo.git("gc", "-q", "--prune=now")
            #expect(throws: (any Error).self) { try bench.repo.git("cat-file", "-e", applied) }
            let before = try await bench.snapshot()
            try await bench.checkRefused("force-push-gc", containing: "the last applied commit cannot be found in the repository any more",
                                         head: rewritten, before: before)
        }
    }

    @Test func allowForcePushAcceptsRewrittenHistory() async throws {
        try await HostileBench.with(source: "allowForcePush: true") { bench in
            let (_, rewritten) = try await rewrite(bench)
            let result = try await bench.reconciler.pass()
            #expect(result.validationErrors.isEmpty, "\(result.validationErrors)")
            #expect(result.appliedCommit == rewritten)
            #expect(bench.fleetFile("staging/deployments/desktop-assistant-staging.json") == nil)
        }
    }

    @Test func fastForwardIsNotHeld() async throws {
        try await HostileBench.with { bench in
            try await bench.recover()
            try await bench.recover()
        }
    }
}
