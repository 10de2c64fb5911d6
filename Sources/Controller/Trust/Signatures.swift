import Actions
import Foundation
import GitSource

/// SSH commit signatures through OpenSSH (`ssh-keygen -Y`, namespace `git`, as `git verify-commit`).
enum SSHSignatures {
    static func verify(_ signature: CommitSignature, commit sha: String, allowedSigners: String) throws -> Result<CommitVerifier.Signer, VerificationFailure> {
        guard let tool = Tools.sshKeygen else { throw ControllerError("ssh-keygen is not installed") }
        let short = String(sha.prefix(12))
        return try Tools.withScratch { folder in
            let file = folder + "/signature"
            try Data(signature.signature.utf8).write(to: URL(fileURLWithPath: file))
            // 1. Is it a good signature at all, and by which key?
            let check = try ProcessRunner.capture(tool, ["-Y", "check-novalidate", "-n", "git", "-s", file],
                                                  stdin: signature.payload, environment: Tools.environment)
            guard check.exitCode == 0 else {
                return .failure(VerificationFailure(commit: sha, message: "commit \(short) has a bad SSH signature: \(check.lastLine)"))
            }
            let key = fingerprint(in: check.stdout + check.stderr).map { "SSH key \($0)" } ?? "SSH key"
            // 2. Is the key allowed?
            let principals = try ProcessRunner.capture(tool, ["-Y", "find-principals", "-s", file, "-f", allowedSigners],
                                                       environment: Tools.environment)
            guard principals.exitCode == 0, let principal = principals.stdout.split(whereSeparator: \.isNewline).first.map(String.init) else {
                return .failure(VerificationFailure(commit: sha, message: "commit \(short) is signed by \(key), which is not in source.verify.allowedSigners (\(allowedSigners))"))
            }
            // 3. The full check for that principal (validity dates, namespaces).
            let verified = try ProcessRunner.capture(tool, ["-Y", "verify", "-f", allowedSigners, "-I", principal, "-n", "git", "-s", file],
                                                     stdin: signature.payload, environment: Tools.environment)
            guard verified.exitCode == 0 else {
                return .failure(VerificationFailure(commit: sha, message: "commit \(short) is signed by \(key) (\(principal)), refused by allowedSigners: \(verified.lastLine)"))
            }
            return .success(CommitVerifier.Signer(key: key, identity: principal))
        }
    }

    /// `SHA256:…` in ssh-keygen's "Good "git" signature … with ED25519 key SHA256:…".
    static func fingerprint(in text: String) -> String? {
        guard let range = text.range(of: "SHA256:") else { return nil }
        return String(text[range.lowerBound...].prefix { !$0.isWhitespace })
    }

    /// Signs the commits Steward writes with `key` (an SSH private key file), as `git commit -S` with
    /// `gpg.format=ssh` does.
    static func signer(key: String) -> CommitSigner {
        { bytes in
            guard let tool = Tools.sshKeygen else { throw ControllerError("git.signingKey: ssh-keygen is not installed (apt-get install openssh-client)") }
            let run = try ProcessRunner.capture(tool, ["-Y", "sign", "-n", "git", "-f", key], stdin: bytes, environment: Tools.environment)
            guard run.exitCode == 0, run.stdout.hasPrefix("-----BEGIN SSH SIGNATURE-----") else {
                throw ControllerError("git.signingKey: ssh-keygen could not sign with \(key): \(run.lastLine)")
            }
            return run.stdout
        }
    }

    /// The public half of a private key file (`ssh-keygen -y`): `type base64`, without the comment.
    static func publicKey(of key: String) throws -> String {
        guard let tool = Tools.sshKeygen else { throw ControllerError("git.signingKey: ssh-keygen is not installed (apt-get install openssh-client)") }
        let run = try ProcessRunner.capture(tool, ["-y", "-f", key], environment: Tools.environment)
        let parts = run.stdout.split(separator: " ")
        guard run.exitCode == 0, parts.count >= 2 else { throw ControllerError("git.signingKey: cannot read the SSH key \(key): \(run.lastLine)") }
        return "\(parts[0]) \(parts[1])"
    }
}

/// OpenPGP commit signatures through `gpgv` (a verify-only tool: no trust database, no agent).
enum OpenPGPSignatures {
    static func verify(_ signature: CommitSignature, commit sha: String, keyring: String) throws -> Result<CommitVerifier.Signer, VerificationFailure> {
        guard let tool = Tools.gpgv else { throw ControllerError("gpgv is not installed") }
        let short = String(sha.prefix(12))
        return try Tools.withScratch { folder in
            let file = folder + "/signature.asc", payload = folder + "/payload", home = folder + "/home"
            try Data(signature.signature.utf8).write(to: URL(fileURLWithPath: file))
            try Data(signature.payload).write(to: URL(fileURLWithPath: payload))
            try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
            let run = try ProcessRunner.capture(tool, ["--homedir", home, "--status-fd", "1", "--keyring", keyring, file, payload],
                                                environment: Tools.environment)
            let status = run.stdout.split(whereSeparator: \.isNewline).compactMap { line -> (String, [Substring])? in
                let words = line.split(separator: " ")
                guard words.count >= 2, words[0] == "[GNUPG:]" else { return nil }
                return (String(words[1]), Array(words.dropFirst(2)))
            }
            func field(_ name: String) -> [Substring]? { status.first { $0.0 == name }?.1 }
            if run.exitCode == 0, let good = field("GOODSIG"), let valid = field("VALIDSIG"), let fingerprint = valid.first {
                return .success(CommitVerifier.Signer(key: "OpenPGP key \(fingerprint)", identity: good.dropFirst().joined(separator: " ")))
            }
            let reason: String
            if let missing = field("NO_PUBKEY") {
                reason = "is signed by OpenPGP key \(missing.first ?? "?"), which is not in source.verify.keyring (\(keyring))"
            } else if let bad = field("BADSIG") {
                reason = "has a bad OpenPGP signature by key \(bad.first ?? "?")"
            } else if let expired = field("EXPKEYSIG") ?? field("EXPSIG") {
                reason = "is signed by expired OpenPGP key \(expired.first ?? "?")"
            } else if let revoked = field("REVKEYSIG") {
                reason = "is signed by revoked OpenPGP key \(revoked.first ?? "?")"
            } else {
                reason = "has an OpenPGP signature gpgv does not accept: \(run.lastLine)"
            }
            return .failure(VerificationFailure(commit: sha, message: "commit \(short) \(reason)"))
        }
    }
}
