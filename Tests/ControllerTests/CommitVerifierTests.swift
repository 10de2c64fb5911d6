@testable import Controller
import Foundation
import GitSource
import Manifests
import StewardTesting
import Testing

/// `CommitVerifier` on real commits signed by `git commit -S` with real keys (ssh-keygen, gpg),
/// checked by the real tools (ssh-keygen -Y, gpgv).
@Suite("Commit signatures: SSH and OpenPGP, head and strict (real ssh-keygen, gpg, gpgv)")
struct CommitVerifierTests {
    private func repository() throws -> (TemporaryGitRepository, SigningKeys) {
        let repo = try TemporaryGitRepository()
        try repo.write("README.md", "fleet\n")
        return (repo, try SigningKeys())
    }

    private func failure(_ result: Result<CommitVerifier.Signer, VerificationFailure>) -> String? {
        if case .failure(let failure) = result { return failure.message }
        return nil
    }

    @Test func sshSignaturesAreJudgedByTheAllowedSigners() async throws {
        let (repo, keys) = try repository()
        let verifier = CommitVerifier(mode: .head, allowedSigners: keys.allowedSigners, keyring: nil)
        let git = try GitRepository.open(at: repo.path)

        let good = try keys.commitSSH(repo, "signed by the operator")
        guard case .success(let signer) = verifier.verify(good, in: git) else {
            Issue.record("a good signature was refused: \(String(describing: failure(verifier.verify(good, in: git))))")
            return
        }
        #expect(signer.identity == keys.principal)
        #expect(signer.key.hasPrefix("SSH key SHA256:"), "\(signer.key)")
        // The fingerprint is the one ssh-keygen gives for the operator's key.
        let fingerprint = try await Subprocess.run("/usr/bin/ssh-keygen", ["-l", "-f", keys.sshKey + ".pub"]).stdout
        #expect(fingerprint.contains(signer.key.replacingOccurrences(of: "SSH key ", with: "")))

        try repo.write("README.md", "unsigned\n")
        let unsigned = try repo.commit("not signed")
        #expect(failure(verifier.verify(unsigned, in: git)) == "commit \(unsigned.prefix(12)) is not signed; source.verify requires a good signature by an allowed key")

        try repo.write("README.md", "stranger\n")
        let stranger = try keys.commitSSH(repo, "signed by a stranger", key: keys.strangerKey)
        let unknown = try #require(failure(verifier.verify(stranger, in: git)))
        #expect(unknown.hasPrefix("commit \(stranger.prefix(12)) is signed by SSH key SHA256:"), "\(unknown)")
        #expect(unknown.hasSuffix("which is not in source.verify.allowedSigners (\(keys.allowedSigners))"), "\(unknown)")

        let tampered = try keys.tamper(repo, signed: good)
        let bad = try #require(failure(verifier.verify(tampered, in: git)))
        #expect(bad.hasPrefix("commit \(tampered.prefix(12)) has a bad SSH signature: "), "\(bad)")

        // An SSH signature with only a keyring configured is not checked against anything.
        let gpgOnly = CommitVerifier(mode: .head, allowedSigners: nil, keyring: keys.allowedSigners)
        #expect(failure(gpgOnly.verify(good, in: git)) == "commit \(good.prefix(12)) has an SSH signature, but source.verify.allowedSigners is not set")
    }

    @Test func openPGPSignaturesAreJudgedByTheKeyring() async throws {
        let (repo, keys) = try repository()
        let operatorKey = try keys.openPGP("operator"), otherKey = try keys.openPGP("intruder")
        defer { keys.stopAgents() }
        let verifier = CommitVerifier(mode: .head, allowedSigners: nil, keyring: operatorKey.keyring)
        let git = try GitRepository.open(at: repo.path)

        let good = try keys.commitOpenPGP(repo, "signed with OpenPGP", key: operatorKey)
        guard case .success(let signer) = verifier.verify(good, in: git) else {
            Issue.record("a good OpenPGP signature was refused: \(String(describing: failure(verifier.verify(good, in: git))))")
            return
        }
        #expect(signer.key == "OpenPGP key \(operatorKey.fingerprint)")
        #expect(signer.identity == "operator <operator@example.com>")

        try repo.write("README.md", "intruder\n")
        let intruder = try keys.commitOpenPGP(repo, "signed by a key not in the keyring", key: otherKey)
        let unknown = try #require(failure(verifier.verify(intruder, in: git)))
        #expect(unknown == "commit \(intruder.prefix(12)) is signed by OpenPGP key \(otherKey.fingerprint.suffix(16)), which is not in source.verify.keyring (\(operatorKey.keyring))",
                "\(unknown)")

        let tampered = try keys.tamper(repo, signed: good)
        #expect(failure(verifier.verify(tampered, in: git)) == "commit \(tampered.prefix(12)) has a bad OpenPGP signature by key \(operatorKey.fingerprint.suffix(16))")

        // An OpenPGP signature with only SSH keys configured.
        let sshOnly = CommitVerifier(mode: .head, allowedSigners: keys.allowedSigners, keyring: nil)
        #expect(failure(sshOnly.verify(good, in: git)) == "commit \(good.prefix(12)) has an OpenPGP signature, but source.verify.keyring is not set")
    }

    @Test func strictCatchesAnUnsignedCommitInTheMiddleOfAPush() throws {
        let (repo, keys) = try repository()
        let git = try GitRepository.open(at: repo.path)
        let base = try keys.commitSSH(repo, "applied")
        try repo.write("a.txt", "1\n")
        let first = try keys.commitSSH(repo, "one")
        try repo.write("a.txt", "2\n")
        let middle = try repo.commit("two, unsigned")
        try repo.write("a.txt", "3\n")
        let head = try keys.commitSSH(repo, "three")

        let headMode = CommitVerifier(mode: .head, allowedSigners: keys.allowedSigners, keyring: nil)
        let byHead = headMode.check(head: head, base: base, in: git)
        #expect(byHead.failure == nil && byHead.checked == 1)

        let strict = CommitVerifier(mode: .strict, allowedSigners: keys.allowedSigners, keyring: nil)
        #expect(try strict.commitsToCheck(head: head, base: base, in: git).shas == [head, middle, first])
        let byStrict = strict.check(head: head, base: base, in: git)
        #expect(byStrict.failure?.commit == middle)
        #expect(byStrict.failure?.message == "commit \(middle.prefix(12)) is not signed; source.verify requires a good signature by an allowed key "
                + "(it is among the commits strict mode checks before \(head.prefix(12)))")
        #expect(byStrict.checked == 2, "oldest first: 'one' passed, 'two' failed")

        // Without a base (nothing applied yet) strict mode checks the tip alone, and says so.
        let first_ = strict.check(head: head, base: nil, in: git)
        #expect(first_.failure == nil && first_.checked == 1 && first_.firstCheck)
        // From the commit after the unsigned one, everything verifies.
        #expect(strict.check(head: head, base: middle, in: git).failure == nil)
    }

    @Test func stewardsSignedCommitsPassGitsOwnCheckAndTheVerifier() async throws {
        let (repo, keys) = try repository()
        let tip = try keys.commitSSH(repo, "operator")
        let stewardKey = try keys.addSSHKey("steward_ed25519", allowed: true)
        let git = try GitRepository.open(at: repo.path)
        let sha = try git.commitFiles(branch: "main", expectedTip: tip, files: ["deploy.yaml": Array("version: 2\n".utf8)],
                                      message: "Roll back\n\nSteward-Action: rollback\n", author: CommitAuthor(name: "steward", email: "steward@localhost"),
                                      signer: SSHSignatures.signer(key: stewardKey))
        // git itself accepts the signature (gpg.ssh.allowedSignersFile), as an operator's CI would.
        let verified = try await Subprocess.run("/usr/bin/git", ["-c", "gpg.ssh.allowedSignersFile=\(keys.allowedSigners)", "verify-commit", "--raw", sha],
                                                in: repo.path)
        #expect(verified.status == 0, "\(verified.stderr)")
        #expect(verified.stderr.contains("Good \"git\" signature for steward_ed25519@steward"), "\(verified.stderr)")
        let verifier = CommitVerifier(mode: .strict, allowedSigners: keys.allowedSigners, keyring: nil)
        #expect(verifier.check(head: sha, base: tip, in: git).failure == nil)
        #expect(try git.signature(of: sha)?.format == .ssh)
        #expect(try git.signature(of: try repo.commit("plain", allowEmpty: true)) == nil)

        // A key ssh-keygen cannot use is one clear line, and nothing is written.
        let broken = keys.directory.path + "/broken_key"
        try "not a key\n".write(toFile: broken, atomically: true, encoding: .utf8)
        chmod(broken, 0o600)
        let head = try repo.git("rev-parse", "HEAD")
        #expect {
            try git.commitFiles(branch: "main", expectedTip: head, files: ["deploy.yaml": Array("version: 3\n".utf8)], message: "x",
                                author: CommitAuthor(name: "steward", email: "steward@localhost"), signer: SSHSignatures.signer(key: broken))
        } throws: { error in
            "\(error)".contains("cannot sign the commit: git.signingKey: ssh-keygen could not sign with \(broken)")
        }
        #expect(try repo.git("rev-parse", "HEAD") == head)
    }
}
