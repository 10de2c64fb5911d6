import Foundation
import StewardTesting
import Testing

/// `source.verify` and `git.signingKey` through the real binary (DESIGN §13): the quickstart fleet in
/// a real git repository, commits signed by `git commit -S` with real SSH keys.
@Suite("Signed fleets through the binary: nothing unsigned applied, Steward's commits signed", .serialized)
struct SignedFleetTests {
    /// The quickstart fleet, its first commit signed by the operator; controller.yaml verifies in
    /// `mode` and signs Steward's commits with a key of its own (listed as allowed) when `signing`.
    private func fleet(mode: String, signing: Bool = true) throws -> (FleetWorkspace, SigningKeys) {
        let fleet = try FleetWorkspace()
        let keys = try SigningKeys()
        try fleet.repo.git(["-c", "gpg.format=ssh", "-c", "user.signingkey=\(keys.sshKey)", "commit", "-q", "--amend", "--no-edit", "-S"])
        var git = ""
        if signing {
            let key = try keys.addSSHKey("steward_ed25519", allowed: true)
            git = "git: {signingKey: {file: \(key)}}\n"
        }
        let config = try #require(fleet.file("controller.yaml"))
            .replacingOccurrences(of: "interval: 1s}", with: "interval: 1s, verify: {mode: \(mode), allowedSigners: {file: \(keys.allowedSigners)}}}")
        try (config + git).write(toFile: fleet.path + "/controller.yaml", atomically: true, encoding: .utf8)
        return (fleet, keys)
    }

    private func head(_ fleet: FleetWorkspace) throws -> String { try fleet.repo.git("rev-parse", "HEAD") }

    private func setReplicasComment(_ fleet: FleetWorkspace, _ text: String) throws {
        let file = "deployments/robot-nav-staging.yaml"
        try fleet.repo.write(file, "# \(text)\n" + (try #require(fleet.repo.read(file))))
    }

    @Test func aSignedFleetIsAppliedAndAnUnsignedOrTamperedHeadIsNot() async throws {
        let (fleet, keys) = try fleet(mode: "head")
        let signed = try head(fleet)
        let first = try await fleet.steward("run", "--once")
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(try await fleet.statusJSON()["commit"] as? String == signed)

        // Unsigned: refused like an invalid commit, naming the commit; nothing of it is applied.
        try setReplicasComment(fleet, "unsigned edit")
        try fleet.repo.write("adapters/extra.yaml", "apiVersion: steward/v1\nkind: RuntimeAdapter\nmetadata: {name: extra}\nspec: {runtimeType: cloud}\n")
        let unsigned = try fleet.repo.commit("unsigned change")
        let refused = try await fleet.steward("run", "--once")
        #expect(refused.exitCode == 1)
        let reason = "commit \(unsigned.prefix(12)) is not signed; source.verify requires a good signature by an allowed key"
        #expect(refused.stderr.contains(reason), "\(refused.stderr)")
        let status = try await fleet.statusJSON()
        #expect(status["commit"] as? String == signed)
        let names = (status["resources"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(!names.contains("extra"), "nothing of the refused commit was applied")
        let source = try #require(status["source"] as? [String: Any])
        #expect(source["lastSeenCommit"] as? String == unsigned)
        #expect(((source["errors"] as? [[String: Any]])?.first?["message"] as? String)?.contains(reason) == true, "\(source)")
        let logs = try await fleet.steward("logs", "-o", "json")
        #expect(logs.stdout.contains("\"type\":\"validationFailed\"") && logs.stdout.contains(reason), "\(logs.stdout)")
        let diff = try await fleet.steward("diff")
        #expect(diff.stdout.contains(reason) || diff.stderr.contains(reason), "diff names the refused commit: \(diff.stdout)\(diff.stderr)")

        // CI can refuse it before it lands: validate --repo --rev with the same allowed signers.
        let ci = try await StewardProcess.run(["validate", "--repo", fleet.repo.path, "--rev", unsigned, "--allowed-signers", keys.allowedSigners])
        #expect(ci.exitCode == 1 && ci.stderr.contains(reason), "\(ci.stderr)")
        let good = try await StewardProcess.run(["validate", "--repo", fleet.repo.path, "--rev", signed, "--allowed-signers", keys.allowedSigners])
        #expect(good.exitCode == 0, "\(good.stderr)")
        #expect(good.stdout.contains("signed by SSH key SHA256:") && good.stdout.contains("(\(keys.principal))"), "\(good.stdout)")

        // Tampered: the signature of a good commit over other content.
        try fleet.repo.git("reset", "-q", "--hard", signed)
        try setReplicasComment(fleet, "signed edit")
        let goodEdit = try keys.commitSSH(fleet.repo, "signed edit")
        let forged = try keys.tamper(fleet.repo, signed: goodEdit)
        let tampered = try await fleet.steward("run", "--once")
        #expect(tampered.exitCode == 1)
        #expect(tampered.stderr.contains("commit \(forged.prefix(12)) has a bad SSH signature"), "\(tampered.stderr)")
        #expect(try await fleet.statusJSON()["commit"] as? String == signed)

        // A stranger's key.
        try fleet.repo.git("reset", "-q", "--hard", goodEdit)
        try setReplicasComment(fleet, "stranger")
        let stranger = try keys.commitSSH(fleet.repo, "stranger's edit", key: keys.strangerKey)
        let foreign = try await fleet.steward("run", "--once")
        #expect(foreign.exitCode == 1)
        #expect(foreign.stderr.contains("commit \(stranger.prefix(12)) is signed by SSH key SHA256:"), "\(foreign.stderr)")

        // Signed again by the operator: applied (head mode checks the tip only).
        try setReplicasComment(fleet, "operator again")
        let fixed = try keys.commitSSH(fleet.repo, "operator's fix")
        let applied = try await fleet.steward("run", "--once")
        #expect(applied.exitCode == 0, "\(applied.stderr)")
        #expect(try await fleet.statusJSON()["commit"] as? String == fixed)
        #expect(try await fleet.steward("verify-log").exitCode == 0)
    }

    @Test func strictRefusesAPushWithAnUnsignedCommitInTheMiddle() async throws {
        let (fleet, keys) = try fleet(mode: "strict")
        let signed = try head(fleet)
        #expect(try await fleet.steward("run", "--once").exitCode == 0)
        try setReplicasComment(fleet, "one")
        try keys.commitSSH(fleet.repo, "one")
        try setReplicasComment(fleet, "two")
        let middle = try fleet.repo.commit("two, unsigned")
        try setReplicasComment(fleet, "three")
        let tip = try keys.commitSSH(fleet.repo, "three")
        let run = try await fleet.steward("run", "--once")
        #expect(run.exitCode == 1)
        #expect(run.stderr.contains("commit \(middle.prefix(12)) is not signed; source.verify requires a good signature by an allowed key "
                                    + "(it is among the commits strict mode checks before \(tip.prefix(12)))"), "\(run.stderr)")
        #expect(try await fleet.statusJSON()["commit"] as? String == signed)
        // The same push under head mode would have been applied: strict is what caught it.
        let lenient = try await StewardProcess.run(["run", "--once"], in: fleet.path, environment: ["STEWARD_SOURCE_VERIFY_MODE": "head"])
        #expect(lenient.exitCode == 0, "\(lenient.stderr)")
        #expect(try await fleet.statusJSON()["commit"] as? String == tip)
        // CI: validate --since the applied commit checks the whole push.
        let ci = try await StewardProcess.run(["validate", "--repo", fleet.repo.path, "--rev", tip, "--since", signed, "--allowed-signers", keys.allowedSigners])
        #expect(ci.exitCode == 1 && ci.stderr.contains("commit \(middle.prefix(12)) is not signed"), "\(ci.stderr)")
    }

    @Test func stewardsOwnCommitIsSignedAndPassesStrict() async throws {
        let (fleet, keys) = try fleet(mode: "strict")
        #expect(try await fleet.steward("run", "--once").exitCode == 0)
        let rolled = try await fleet.steward("rollback", "robot-nav-staging", "--to", "1.2.0")
        #expect(rolled.exitCode == 0, "\(rolled.stderr)")
        let commit = try head(fleet)
        let verified = try await Subprocess.run("/usr/bin/git", ["-c", "gpg.ssh.allowedSignersFile=\(keys.allowedSigners)", "verify-commit", commit],
                                                in: fleet.repo.path)
        #expect(verified.status == 0 && verified.stderr.contains("Good \"git\" signature for steward_ed25519@steward"), "\(verified.stderr)")
        let run = try await fleet.steward("run", "--once")
        #expect(run.exitCode == 0, "\(run.stderr)")
        let status = try await fleet.statusJSON()
        #expect(status["commit"] as? String == commit)

        // Steward writes nothing on a tip that does not verify (head mode would otherwise carry it).
        try setReplicasComment(fleet, "unsigned")
        let unsigned = try fleet.repo.commit("unsigned")
        let refused = try await fleet.steward("rollback", "robot-nav-staging", "--to", "1.3.0")
        #expect(refused.exitCode == 1)
        #expect(refused.stderr.contains("no commit written on 'main': its tip does not verify: commit \(unsigned.prefix(12)) is not signed"), "\(refused.stderr)")
        #expect(try head(fleet) == unsigned)
    }

    @Test func verifyWithoutAWorkingSigningKeyRefusesToStart() async throws {
        let (fleet, keys) = try fleet(mode: "head", signing: false)
        let run = try await fleet.steward("run", "--once")
        #expect(run.exitCode == 1)
        #expect(run.stderr == "error: source.verify is on but git.signingKey is not set: the commits Steward writes (promote, rollback, auto-revert) "
                + "would be refused by its own check; set git.signingKey: {file: PATH} to an SSH key listed in source.verify.allowedSigners\n", "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: fleet.path + "/.steward/state.db"), "nothing started")

        // A signing key whose public half is not an allowed signer.
        let config = try #require(fleet.file("controller.yaml"))
        try (config + "git: {signingKey: {file: \(keys.strangerKey)}}\n").write(toFile: fleet.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let stranger = try await fleet.steward("run", "--once")
        #expect(stranger.exitCode == 1)
        #expect(stranger.stderr.hasPrefix("error: git.signingKey: its public key (ssh-ed25519 ") && stranger.stderr.contains("is not in source.verify.allowedSigners"),
                "\(stranger.stderr)")

        // An allowed-signers file that is not there.
        try (config.replacingOccurrences(of: keys.allowedSigners, with: keys.directory.path + "/missing")).write(toFile: fleet.path + "/controller.yaml",
                                                                                                            atomically: true, encoding: .utf8)
        let missing = try await fleet.steward("run", "--once")
        #expect(missing.exitCode == 1)
        #expect(missing.stderr == "error: source.verify.allowedSigners: cannot read \(keys.directory.path)/missing\n", "\(missing.stderr)")

        // A mode that does not exist: file, line, column and field.
        try (config.replacingOccurrences(of: "mode: head", with: "mode: sometimes")).write(toFile: fleet.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let mode = try await fleet.steward("run", "--once")
        #expect(mode.exitCode != 0)
        #expect(mode.stderr.contains("controller.yaml:1:") && mode.stderr.contains("source.verify.mode") && mode.stderr.contains("expected one of: head, strict"),
                "\(mode.stderr)")
    }
}
