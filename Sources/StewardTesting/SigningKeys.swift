import Foundation

/// Real signing keys for tests, made by the real tools: SSH ed25519 keys (`ssh-keygen`) with an
/// allowed-signers file, and an OpenPGP key in a private GnuPG home (`gpg --quick-gen-key`) with its
/// exported keyring. Commits are signed by `git commit -S`, as operators sign them.
public final class SigningKeys: @unchecked Sendable {
    public let directory: TemporaryDirectory
    /// The allowed operator's SSH private key, and the allowed-signers file listing it.
    public let sshKey: String
    public let allowedSigners: String
    /// An SSH key that is not in `allowedSigners`.
    public let strangerKey: String
    public let principal = "operator@example.com"
    private let lock = NSLock()
    private var homes: [String] = []

    public init() throws {
        directory = try TemporaryDirectory(prefix: "steward-keys")
        sshKey = directory.path + "/operator_ed25519"
        strangerKey = directory.path + "/stranger_ed25519"
        allowedSigners = directory.path + "/allowed_signers"
        for (key, comment) in [(sshKey, principal), (strangerKey, "stranger@example.com")] {
            try Self.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", comment, "-f", key])
        }
        try "\(principal) \(try Self.publicKey(sshKey))\n".write(toFile: allowedSigners, atomically: true, encoding: .utf8)
    }

    /// A new SSH key (e.g. for Steward's own commits), listed in `allowedSigners` when `allowed`.
    public func addSSHKey(_ name: String, allowed: Bool) throws -> String {
        let key = directory.path + "/" + name
        try Self.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", key])
        if allowed {
            let line = "\(name)@steward \(try Self.publicKey(key))\n"
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: allowedSigners))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(line.utf8))
            try handle.close()
        }
        return key
    }

    /// `type base64` of a private key's public half.
    public static func publicKey(_ key: String) throws -> String {
        let line = try run("/usr/bin/ssh-keygen", ["-y", "-f", key])
        return line.split(separator: " ").prefix(2).joined(separator: " ")
    }

    // MARK: OpenPGP

    /// A GnuPG home with one signing key, and that key exported as a keyring for `gpgv`.
    public struct OpenPGP: Sendable {
        public var home: String
        public var keyring: String
        public var fingerprint: String
    }

    /// Makes an OpenPGP key named `name` (its own GnuPG home), exported to `<name>.gpg`.
    public func openPGP(_ name: String = "operator") throws -> OpenPGP {
        let home = directory.path + "/gnupg-\(name)"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let environment = ["GNUPGHOME": home]
        lock.withLock { homes.append(home) }
        try Self.run("/usr/bin/gpg", ["--batch", "--passphrase", "", "--quick-gen-key", "\(name) <\(name)@example.com>", "ed25519", "sign", "never"],
                     environment: environment)
        let listing = try Self.run("/usr/bin/gpg", ["--batch", "--with-colons", "--list-keys"], environment: environment)
        guard let fingerprint = listing.split(whereSeparator: \.isNewline).first(where: { $0.hasPrefix("fpr:") })?
            .split(separator: ":", omittingEmptySubsequences: false).dropFirst(9).first.map(String.init) else {
            throw ProcessFailure(message: "gpg made no key: \(listing)")
        }
        let keyring = directory.path + "/\(name).gpg"
        // Binary output: redirected by a shell straight into the file.
        try Self.run("/bin/sh", ["-c", "gpg --batch --export \(fingerprint) > '\(keyring)'"], environment: environment)
        let size = (try FileManager.default.attributesOfItem(atPath: keyring)[.size] as? Int) ?? 0
        guard size > 0 else { throw ProcessFailure(message: "gpg exported nothing for \(fingerprint)") }
        return OpenPGP(home: home, keyring: keyring, fingerprint: fingerprint)
    }

    /// Stops the gpg-agents that gpg started for these homes (they would outlive the test).
    public func stopAgents() {
        for home in lock.withLock({ homes }) {
            _ = try? Subprocess.run("/usr/bin/gpgconf", ["--homedir", home, "--kill", "gpg-agent"])
        }
        lock.withLock { homes = [] }
    }

    deinit { stopAgents() }

    // MARK: Signed commits

    /// Stages everything and commits it signed with an SSH key (`git commit -S`, `gpg.format=ssh`).
    @discardableResult
    public func commitSSH(_ repo: TemporaryGitRepository, _ message: String, key: String? = nil) throws -> String {
        try repo.git("add", "-A")
        try repo.git(["-c", "gpg.format=ssh", "-c", "user.signingkey=\(key ?? sshKey)", "commit", "-q", "-S", "-m", message])
        return try repo.git("rev-parse", "HEAD")
    }

    /// Stages everything and commits it signed with an OpenPGP key.
    @discardableResult
    public func commitOpenPGP(_ repo: TemporaryGitRepository, _ message: String, key: OpenPGP) throws -> String {
        try repo.git("add", "-A")
        try repo.git(["-c", "gpg.format=openpgp", "-c", "gpg.program=/usr/bin/gpg", "-c", "user.signingkey=\(key.fingerprint)",
                      "commit", "-q", "-S", "-m", message], environment: ["GNUPGHOME": key.home])
        return try repo.git("rev-parse", "HEAD")
    }

    /// Writes a commit object that claims `signed`'s signature over other content (a tampered
    /// payload): the tree and parents of `signed`, another message. Moves `branch` to it.
    @discardableResult
    public func tamper(_ repo: TemporaryGitRepository, signed: String, branch: String = "main") throws -> String {
        let raw = try repo.git("cat-file", "commit", signed)
        guard raw.contains("gpgsig ") else { throw ProcessFailure(message: "\(signed) is not signed") }
        let forged = raw + "\n\nappended after signing\n"
        let file = directory.path + "/forged-\(UUID().uuidString)"
        try forged.write(toFile: file, atomically: true, encoding: .utf8)
        let sha = try repo.git("hash-object", "-t", "commit", "-w", file)
        try repo.git("update-ref", "refs/heads/\(branch)", sha)
        try repo.git("reset", "-q", "--hard", sha)
        return sha
    }

    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let result = try Subprocess.run(executable, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        guard result.status == 0 else { throw ProcessFailure(message: "\(executable) \(arguments.joined(separator: " ")): \(result.stderr)") }
        return result.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
