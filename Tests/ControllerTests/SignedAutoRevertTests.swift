@testable import Controller
import Foundation
import StewardTesting
import Testing

/// The auto-rollback revert commit under `source.verify: strict` (DESIGN §6, §13): Steward signs it
/// with `git.signingKey`, git's own `verify-commit` accepts it, and the next pass applies it.
@Suite("Auto-revert commits are signed and pass strict verification (real console, real keys)", .serialized)
struct SignedAutoRevertTests {
    @Test func theRevertCommitIsSignedAndApplied() async throws {
        let keys = try SigningKeys()
        let stewardKey = try keys.addSSHKey("steward_ed25519", allowed: true)
        let fleet = try await PromotionFleet(git: "git: {signingKey: {file: \(stewardKey)}}")
        try fleet.repo.git(["-c", "gpg.format=ssh", "-c", "user.signingkey=\(keys.sshKey)", "commit", "-q", "--amend", "--no-edit", "-S"])
        let config = try String(contentsOfFile: fleet.path + "/controller.yaml", encoding: .utf8)
            .replacingOccurrences(of: "interval: 1s}", with: "interval: 1s, verify: {mode: strict, allowedSigners: {file: \(keys.allowedSigners)}}}")
        try config.write(toFile: fleet.path + "/controller.yaml", atomically: true, encoding: .utf8)

        let reconciler = try await fleet.reconciler()
        #expect(try await reconciler.pass().appliedCommit == (try fleet.repo.git("rev-parse", "HEAD")))
        _ = try await reconciler.pass()
        try fleet.setVersion("robot-nav-staging", "1.3.0")
        try keys.commitSSH(fleet.repo, "staging to 1.3.0")
        _ = try await reconciler.pass()
        fleet.console.setSmokeTests(version: "1.3.0", passed: false)
        try fleet.setVersion("robot-nav-production", "1.3.0")
        let bad = try keys.commitSSH(fleet.repo, "production to 1.3.0")
        let failed = try await reconciler.pass()
        #expect(failed.failed && failed.gateFailures.first?.contains("smoke tests failed") == true, "\(failed.gateFailures)")

        let revert = try fleet.repo.git("rev-parse", "HEAD")
        #expect(try fleet.repo.git("rev-parse", "HEAD^") == bad, "the revert commit is on the tip")
        #expect(try fleet.repo.git("log", "-1", "--format=%B").contains("Steward-Action: auto-rollback"))
        let verified = try await Subprocess.run("/usr/bin/git", ["-c", "gpg.ssh.allowedSignersFile=\(keys.allowedSigners)", "verify-commit", revert],
                                                in: fleet.repo.path)
        #expect(verified.status == 0 && verified.stderr.contains("Good \"git\" signature for steward_ed25519@steward"), "\(verified.stderr)")

        // Strict mode checks the revert commit like any other, and applies it.
        let after = try await reconciler.pass()
        #expect(after.appliedCommit == revert, "\(after)")
        #expect(try await fleet.applied(reconciler, "robot-nav-production")?.version == "1.2.0")
        try await reconciler.store.close()
        await fleet.stop()
    }
}
