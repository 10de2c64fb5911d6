/// `kind: Environment` — where deployments run, how actions reach it, and its gates.
public typealias Environment = Manifest<EnvironmentSpec>

public struct EnvironmentSpec: Codable, Sendable, Hashable {
    public var promotesFrom: String?
    public var driver: DriverSpec
    public var adapters: [String]?
    public var strategy: Strategy?
    public var gates: Gates?
    public var autoRollback: AutoRollback?
    public var syncWindows: [SyncWindow]?
}

/// How actions reach an environment: `local`, `exec` or `http`.
public struct DriverSpec: Codable, Sendable, Hashable {
    public enum DriverType: String, Codable, Sendable, Hashable, CaseIterable, ManifestEnum {
        case local, exec, http
    }

    public var type: DriverType
    /// local: the folder the environment is materialised under.
    public var root: String?
    /// exec: the command, no shell; a relative first element names a script in the repository.
    public var command: [String]?
    public var timeoutSeconds: Int?
    /// exec: extra variables for the command, each a string or a secret reference resolved when
    /// the command runs (`{env: NAME}` from the controller's environment, `{file: PATH}`).
    public var env: [String: ValueOrSecret]?
    /// exec: how many resources one `status` run answers for (a JSON list on stdin); unset: one each.
    public var statusBatch: Int?
    /// http: the console's base URL and the bearer token reference.
    public var url: String?
    public var tokenFrom: SecretRef?
}

/// How a new version rolls out.
public struct Strategy: Codable, Sendable, Hashable {
    public enum StrategyType: String, Codable, Sendable, Hashable, CaseIterable, ManifestEnum {
        case rolling
        case blueGreen = "blue-green"
        case canary
    }

    public var type: StrategyType
    /// canary: percentages of the targets, increasing, ending at 100 (DESIGN §10).
    public var steps: [Int]?
    /// rolling: how many targets are updated at a time, `1` or `"25%"` (default 1).
    public var maxUnavailable: TargetCount?
    /// canary: seconds to wait after a step passed its gates before the next starts.
    public var pauseSeconds: Int?
    /// canary: wait for `steward approve DEPLOYMENT --step N` before each step after the first.
    public var approveSteps: Bool?

    public init(type: StrategyType, steps: [Int]? = nil, maxUnavailable: TargetCount? = nil, pauseSeconds: Int? = nil,
                approveSteps: Bool? = nil) {
        self.type = type
        self.steps = steps
        self.maxUnavailable = maxUnavailable
        self.pauseSeconds = pauseSeconds
        self.approveSteps = approveSteps
    }
}

/// Checks a deploy must pass.
public struct Gates: Codable, Sendable, Hashable {
    public var smokeTests: [SmokeTest]?
    public var requireApproval: Bool?
    public var health: HealthGate?
    /// Checks run before each deploy or promote into the environment (DESIGN §11); rollbacks skip them.
    public var preDeploy: [PreDeployCheck]?
    /// BackupSchedules (verified) run before each deploy or promote into the environment (DESIGN §11).
    public var backupBefore: [String]?
}

/// One pre-deploy check: a command from the read-only checkout of the applied commit, or an
/// endpoint called through the environment's driver.
public struct PreDeployCheck: Codable, Sendable, Hashable {
    public var name: String
    /// No shell; a relative first element names a script in the repository (DESIGN §3).
    public var command: [String]?
    public var endpoint: String?
    public var expectedStatus: Int?
    /// Default 60; a command still running then is killed and the check fails.
    public var timeoutSeconds: Int?

    public init(name: String, command: [String]? = nil, endpoint: String? = nil, expectedStatus: Int? = nil, timeoutSeconds: Int? = nil) {
        self.name = name
        self.command = command
        self.endpoint = endpoint
        self.expectedStatus = expectedStatus
        self.timeoutSeconds = timeoutSeconds
    }

    /// The timeout when none is given.
    public static let defaultTimeoutSeconds = 60
}

/// One smoke test: an endpoint check or a workflow run.
public struct SmokeTest: Codable, Sendable, Hashable {
    public var name: String
    public var endpoint: String?
    public var expectedStatus: Int?
    public var workflowId: String?
    public var expectedOutcome: String?
    public var timeoutSeconds: Int?
}

/// Health thresholds over a window after a deploy.
public struct HealthGate: Codable, Sendable, Hashable {
    public var maxErrorRate: Double?
    public var maxP95LatencyMs: Double?
    public var windowSeconds: Int?
}

/// Whether failed deploys roll back by themselves, and whether Steward commits the revert.
public struct AutoRollback: Codable, Sendable, Hashable {
    public var enabled: Bool
    public var revertCommit: Bool?
    /// After rolling back, restore the archives `gates.backupBefore` took before the failed change,
    /// through each schedule's `spec.restore` (DESIGN §11).
    public var restoreBackup: Bool?

    public init(enabled: Bool, revertCommit: Bool? = nil, restoreBackup: Bool? = nil) {
        self.enabled = enabled
        self.revertCommit = revertCommit
        self.restoreBackup = restoreBackup
    }
}

/// A recurring time window that allows or denies applies.
public struct SyncWindow: Codable, Sendable, Hashable {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable, ManifestEnum {
        case allow, deny
    }

    public var kind: Kind
    public var schedule: String
    public var durationMinutes: Int
    public var timeZone: String?
}
