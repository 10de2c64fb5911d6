import Actions
import Foundation
import GitSource
import Manifests

/// Checks commit signatures before anything of a commit is applied (DESIGN §13), with the real
/// tools: OpenSSH's `ssh-keygen -Y` against an allowed-signers file for SSH signatures, `gpgv`
/// against a keyring for OpenPGP ones. The signed bytes and the signature come from libgit2.
///
/// Runs tools and blocks: call it from a reconcile pass or a command, never from the shared pool.
public struct CommitVerifier: Sendable {
    public var mode: ControllerConfig.VerifyMode
    /// Absolute paths.
    public var allowedSigners: String?
    public var keyring: String?

    public init(mode: ControllerConfig.VerifyMode, allowedSigners: String?, keyring: String?) {
        self.mode = mode
        self.allowedSigners = allowedSigners
        self.keyring = keyring
    }

    /// The verifier `source.verify` asks for, nil when it is not set; throws one line for a policy
    /// that cannot work (no key file, a file that cannot be read, a tool that is not installed).
    public static func configured(_ settings: ControllerSettings) throws -> CommitVerifier? {
        guard let verify = settings.config.source.verify else { return nil }
        guard let mode = verify.mode else { throw ControllerError("source.verify.mode: required (head or strict)") }
        guard verify.allowedSigners != nil || verify.keyring != nil else {
            throw ControllerError("source.verify: give allowedSigners: {file: …} (SSH signatures) or keyring: {file: …} (OpenPGP), or both")
        }
        let verifier = CommitVerifier(mode: mode, allowedSigners: verify.allowedSigners.map { settings.resolve($0.file) },
                                      keyring: verify.keyring.map { settings.resolve($0.file) })
        try verifier.checkUsable()
        return verifier
    }

    /// Throws one line when a key file cannot be read or a tool is missing.
    public func checkUsable() throws {
        for (field, path) in [("allowedSigners", allowedSigners), ("keyring", keyring)] {
            guard let path else { continue }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw ControllerError("source.verify.\(field): cannot read \(path)")
            }
        }
        if allowedSigners != nil, Tools.sshKeygen == nil { throw ControllerError("source.verify.allowedSigners: ssh-keygen is not installed (apt-get install openssh-client)") }
        if keyring != nil, Tools.gpgv == nil { throw ControllerError("source.verify.keyring: gpgv is not installed (apt-get install gpgv)") }
    }

    /// A good signature: who made it.
    public struct Signer: Sendable, Hashable, CustomStringConvertible {
        /// `SSH key SHA256:…` or `OpenPGP key <fingerprint>`.
        public var key: String
        /// The allowed-signers principal or the key's user id.
        public var identity: String
        public var description: String { "\(key) (\(identity))" }
    }

    /// Whether commit `sha` carries a good signature by an allowed key: the signer, or why not (one
    /// line naming the commit and, when there is one, the key).
    public func verify(_ sha: String, in repository: GitRepository) -> Result<Signer, VerificationFailure> {
        let short = String(sha.prefix(12))
        let signature: CommitSignature?
        do { signature = try repository.signature(of: sha) } catch {
            return .failure(VerificationFailure(commit: sha, message: "commit \(short): cannot read its signature (\(error))"))
        }
        guard let signature else {
            return .failure(VerificationFailure(commit: sha, message: "commit \(short) is not signed; source.verify requires a good signature by an allowed key"))
        }
        do {
            switch signature.format {
            case .ssh:
                guard let allowedSigners else {
                    return .failure(VerificationFailure(commit: sha, message: "commit \(short) has an SSH signature, but source.verify.allowedSigners is not set"))
                }
                return try SSHSignatures.verify(signature, commit: sha, allowedSigners: allowedSigners)
            case .openpgp:
                guard let keyring else {
                    return .failure(VerificationFailure(commit: sha, message: "commit \(short) has an OpenPGP signature, but source.verify.keyring is not set"))
                }
                return try OpenPGPSignatures.verify(signature, commit: sha, keyring: keyring)
            case .unknown:
                return .failure(VerificationFailure(commit: sha, message: "commit \(short) has a signature of a kind Steward cannot check (neither SSH nor OpenPGP)"))
            }
        } catch {
            return .failure(VerificationFailure(commit: sha, message: "commit \(short): cannot check its signature: \(error)"))
        }
    }

    /// The commits that must verify before `head` is applied: `head` alone in `head` mode, and in
    /// `strict` mode every commit since `base` (the last verified commit, when it is an ancestor).
    /// `firstCheck` is true when strict mode had no base and checked the tip only.
    public func commitsToCheck(head: String, base: String?, in repository: GitRepository) throws -> (shas: [String], firstCheck: Bool) {
        guard mode == .strict else { return ([head], false) }
        guard let base, base != head, (try? repository.isAncestor(base, of: head)) == true else {
            return ([head], base != head)
        }
        return (try repository.commits(from: base, to: head), false)
    }

    /// What `check` found: the first commit that fails (oldest first), how many were checked, whether
    /// strict mode had no base, and who signed `head` when everything verified.
    public struct Verdict: Sendable {
        public var failure: VerificationFailure?
        public var checked: Int
        public var firstCheck: Bool
        public var signer: Signer?
    }

    /// Checks the commits from `head` back to `base` (see `commitsToCheck`), oldest first.
    public func check(head: String, base: String?, in repository: GitRepository) -> Verdict {
        let plan: (shas: [String], firstCheck: Bool)
        do { plan = try commitsToCheck(head: head, base: base, in: repository) } catch {
            return Verdict(failure: VerificationFailure(commit: head, message: "cannot list the commits to verify before \(head.prefix(12)): \(error)"),
                           checked: 0, firstCheck: false)
        }
        var signer: Signer?
        for (index, sha) in plan.shas.reversed().enumerated() {
            switch verify(sha, in: repository) {
            case .failure(var failure):
                if sha != head { failure.message += " (it is among the commits strict mode checks before \(head.prefix(12)))" }
                return Verdict(failure: failure, checked: index + 1, firstCheck: plan.firstCheck)
            case .success(let good):
                if sha == head { signer = good }
            }
        }
        return Verdict(failure: nil, checked: plan.shas.count, firstCheck: plan.firstCheck, signer: signer)
    }
}

/// Why a commit may not be applied.
public struct VerificationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    public var commit: String
    public var message: String
    public var description: String { message }
}

/// Where the signature tools are.
enum Tools {
    static let sshKeygen = find("ssh-keygen")
    static let gpgv = find("gpgv")

    static func find(_ name: String) -> String? {
        ["/usr/bin/", "/bin/", "/usr/local/bin/"].map { $0 + name }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Exactly what the tools need: nothing of the controller's environment.
    static let environment = ["PATH": "/usr/bin:/bin", "LC_ALL": "C"]

    /// A private temporary folder, removed after `body`.
    static func withScratch<T>(_ body: (String) throws -> T) throws -> T {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("steward-verify-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try body(folder)
    }
}
