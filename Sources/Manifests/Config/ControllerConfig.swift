/// `controller.yaml` (DESIGN §3). Every section is optional; defaults are the quickstart's.
public struct ControllerConfig: Codable, Sendable, Hashable {
    public var source: SourceConfig
    public var store: StoreConfig?
    public var eventLog: EventLogConfig?
    public var server: ServerConfig?
    public var reconcile: ReconcileConfig?
    public var drivers: DriversConfig?
    public var leaderElection: LeaderElectionConfig?
    public var git: GitConfig?
    /// Receivers told of events and commit results (DESIGN §12).
    public var notifications: [NotificationConfig]?

    public struct SourceConfig: Codable, Sendable, Hashable {
        public var repository: String
        public var branch: String?
        public var path: String?
        public var interval: String?
        public var auth: SourceAuth?
        public var allowForcePush: Bool?
        /// How long a fetch waits for the remote's first answer (default 15s).
        public var connectTimeout: String?
        /// How long a fetch waits between two signs of progress (default 60s).
        public var transferTimeout: String?
        /// Commit signatures required before anything is applied (DESIGN §13).
        public var verify: VerifyConfig?
    }

    /// `source.verify`: which commits must carry a good signature, and the keys allowed to make it.
    public struct VerifyConfig: Codable, Sendable, Hashable {
        public var mode: VerifyMode?
        /// OpenSSH allowed-signers file (`ssh-keygen -Y verify -f`), for SSH signatures.
        public var allowedSigners: FileRef?
        /// OpenPGP keyring (`gpg --export KEYID > keyring.gpg`), for `gpgv`.
        public var keyring: FileRef?
    }

    /// `head`: the commit to apply is checked; `strict`: every commit since the last verified one too.
    public enum VerifyMode: String, Codable, Sendable, Hashable, CaseIterable, ManifestEnum {
        case head, strict
    }

    /// A file the controller reads by path (`{file: PATH}`, relative to controller.yaml).
    public struct FileRef: Codable, Sendable, Hashable {
        public var file: String
    }

    public struct SourceAuth: Codable, Sendable, Hashable {
        public var sshKey: SecretRef?
        public var knownHosts: SecretRef?
        public var username: String?
        public var password: SecretRef?
    }

    public struct StoreConfig: Codable, Sendable, Hashable {
        public var url: ValueOrSecret?
    }

    public struct EventLogConfig: Codable, Sendable, Hashable {
        public var directory: String?
        public var segmentBytes: Int?
    }

    public struct ServerConfig: Codable, Sendable, Hashable {
        public var listen: String?
        public var webhookSecret: SecretRef?
        public var apiToken: SecretRef?
        /// The web status page at `/` (DESIGN §12): on (default), off, or without its buttons.
        public var ui: UIMode?
    }

    /// `server.ui`: `true` serves the page, `false` answers 404 on it, `readOnly` serves it without buttons.
    public enum UIMode: String, Codable, Sendable, Hashable, CaseIterable, ManifestEnum {
        case on = "true", off = "false", readOnly
    }

    public struct ReconcileConfig: Codable, Sendable, Hashable {
        public var prune: Bool?
        public var selfHeal: Bool?
        public var allowEmpty: Bool?
        public var concurrency: Int?
        public var retry: RetryConfig?
        /// How long a probe may trust that an unchanged file (same inode, size and times) still
        /// holds what was applied before reading it in full again (default 10m).
        public var fullProbeInterval: String?
        /// How many targets are probed at once (DESIGN §10, default 16).
        public var probeConcurrency: Int?
    }

    public struct RetryConfig: Codable, Sendable, Hashable {
        public var initialSeconds: Double?
        public var maxSeconds: Double?
    }

    public struct DriversConfig: Codable, Sendable, Hashable {
        public var local: LocalDriverConfig?
        public var exec: ExecDriverConfig?
    }

    public struct LocalDriverConfig: Codable, Sendable, Hashable {
        public var allowedRoots: [String]?
    }

    public struct ExecDriverConfig: Codable, Sendable, Hashable {
        public var allowedCommands: [String]?
    }

    public struct LeaderElectionConfig: Codable, Sendable, Hashable {
        public var leaseSeconds: Int?
    }

    public struct GitConfig: Codable, Sendable, Hashable {
        public var author: Author?
        public var push: Bool?
        /// An SSH private key that signs the commits Steward writes (`ssh-keygen -Y sign`).
        public var signingKey: FileRef?
    }

    public struct Author: Codable, Sendable, Hashable {
        public var name: String
        public var email: String
    }
}
