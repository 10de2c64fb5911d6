/// Bad text in an override variable.
struct OverrideError: Error, CustomStringConvertible {
    var description: String
}

extension ControllerConfig {
    typealias Setter = @Sendable (inout ControllerConfig, String) throws -> Void

    private static func bool(_ text: String) throws -> Bool {
        switch text.lowercased() {
        case "true": return true
        case "false": return false
        default: throw OverrideError(description: "expected true or false, got '\(text)'")
        }
    }

    private static func int(_ text: String) throws -> Int {
        guard let value = Int(text) else { throw OverrideError(description: "expected an integer, got '\(text)'") }
        return value
    }

    private static func double(_ text: String) throws -> Double {
        guard let value = Double(text) else { throw OverrideError(description: "expected a number, got '\(text)'") }
        return value
    }

    /// Variable name → setter, for every scalar setting of DESIGN §3.
    static let overrides: [String: Setter] = [
        "STEWARD_SOURCE_REPOSITORY": { $0.source.repository = $1 },
        "STEWARD_SOURCE_BRANCH": { $0.source.branch = $1 },
        "STEWARD_SOURCE_PATH": { $0.source.path = $1 },
        "STEWARD_SOURCE_INTERVAL": { $0.source.interval = $1 },
        "STEWARD_SOURCE_ALLOW_FORCE_PUSH": { $0.source.allowForcePush = try bool($1) },
        "STEWARD_SOURCE_CONNECT_TIMEOUT": { $0.source.connectTimeout = $1 },
        "STEWARD_SOURCE_TRANSFER_TIMEOUT": { $0.source.transferTimeout = $1 },
        "STEWARD_SOURCE_VERIFY_MODE": {
            guard let mode = VerifyMode(rawValue: $1) else { throw OverrideError(description: "expected head or strict, got '\($1)'") }
            $0.source.verify = VerifyConfig(mode: mode, allowedSigners: $0.source.verify?.allowedSigners, keyring: $0.source.verify?.keyring)
        },
        "STEWARD_STORE_URL": { $0.store = StoreConfig(url: .value($1)) },
        "STEWARD_EVENT_LOG_DIRECTORY": { $0.eventLog = EventLogConfig(directory: $1, segmentBytes: $0.eventLog?.segmentBytes) },
        "STEWARD_SERVER_LISTEN": { $0.server = ServerConfig(listen: $1, webhookSecret: $0.server?.webhookSecret, apiToken: $0.server?.apiToken, ui: $0.server?.ui) },
        "STEWARD_RECONCILE_PRUNE": { $0.reconcileSection.prune = try bool($1) },
        "STEWARD_RECONCILE_SELF_HEAL": { $0.reconcileSection.selfHeal = try bool($1) },
        "STEWARD_RECONCILE_ALLOW_EMPTY": { $0.reconcileSection.allowEmpty = try bool($1) },
        "STEWARD_RECONCILE_CONCURRENCY": { $0.reconcileSection.concurrency = try int($1) },
        "STEWARD_RECONCILE_RETRY_INITIAL_SECONDS": { $0.reconcileSection.retry = RetryConfig(initialSeconds: try double($1), maxSeconds: $0.reconcile?.retry?.maxSeconds) },
        "STEWARD_RECONCILE_RETRY_MAX_SECONDS": { $0.reconcileSection.retry = RetryConfig(initialSeconds: $0.reconcile?.retry?.initialSeconds, maxSeconds: try double($1)) },
        "STEWARD_RECONCILE_FULL_PROBE_INTERVAL": { $0.reconcileSection.fullProbeInterval = $1 },
        "STEWARD_LEADER_ELECTION_LEASE_SECONDS": { $0.leaderElection = LeaderElectionConfig(leaseSeconds: try int($1)) },
        "STEWARD_GIT_PUSH": { $0.git = GitConfig(author: $0.git?.author, push: try bool($1)) },
    ]

    /// The reconcile section, created on first write.
    var reconcileSection: ReconcileConfig {
        get { reconcile ?? ReconcileConfig() }
        set { reconcile = newValue }
    }
}
