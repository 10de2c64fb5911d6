import Foundation
import Manifests

/// What an environment asks of a version change (DESIGN §2 Environment, §6), as the planner sees it.
public struct EnvironmentPolicy: Sendable, Hashable {
    public var promotesFrom: String?
    public var requireApproval: Bool
    public var smokeTests: [SmokeTest]
    public var health: HealthGate?
    public var autoRollback: Bool
    public var revertCommit: Bool
    /// Set while a sync window blocks applies: when they may go ahead again (nil: never, inside the rules given).
    public var syncWindow: SyncWindowState
    /// Checks run before each deploy or promote (DESIGN §11); rollbacks skip them.
    public var preDeploy: [PreDeployCheck]
    /// BackupSchedules run (verified) before each deploy or promote (DESIGN §11).
    public var backupBefore: [String]
    /// After an auto-rollback, restore what `backupBefore` took before the failed change.
    public var restoreBackup = false

    public init(promotesFrom: String? = nil, requireApproval: Bool = false, smokeTests: [SmokeTest] = [], health: HealthGate? = nil,
                autoRollback: Bool = false, revertCommit: Bool = false, syncWindow: SyncWindowState = .open, preDeploy: [PreDeployCheck] = [],
                backupBefore: [String] = []) {
        self.promotesFrom = promotesFrom
        self.requireApproval = requireApproval
        self.smokeTests = smokeTests
        self.health = health
        self.autoRollback = autoRollback
        self.revertCommit = revertCommit
        self.syncWindow = syncWindow
        self.preDeploy = preDeploy
        self.backupBefore = backupBefore
    }

    /// The policy of an environment manifest at `now`.
    public init(_ environment: Environment, now: Date) {
        let spec = environment.spec
        self.init(promotesFrom: spec.promotesFrom, requireApproval: spec.gates?.requireApproval ?? false,
                  smokeTests: spec.gates?.smokeTests ?? [], health: spec.gates?.health,
                  autoRollback: spec.autoRollback?.enabled ?? false, revertCommit: spec.autoRollback?.revertCommit ?? false,
                  syncWindow: SyncWindows.state(spec.syncWindows ?? [], at: now), preDeploy: spec.gates?.preDeploy ?? [],
                  backupBefore: spec.gates?.backupBefore ?? [])
        restoreBackup = spec.autoRollback?.restoreBackup ?? false
    }

    /// How long the health gate watches a new version, when there is one.
    public var healthWindowSeconds: Double? {
        guard let health else { return nil }
        return Double(health.windowSeconds ?? 300)
    }
}

/// Whether applies may run now under an environment's sync windows.
public enum SyncWindowState: Sendable, Hashable {
    case open
    /// Blocked; applies may run again at this time (nil when no window will ever allow them).
    case closed(until: Date?)

    public var isOpen: Bool { self == .open }

    /// `sync window until 2026-11-28T00:00:00.000Z`.
    public var reason: String {
        switch self {
        case .open: return "sync window open"
        case .closed(let until?): return "sync window until \(CanonicalJSON.timestamp(until))"
        case .closed(nil): return "sync window: no allow window ever opens"
        }
    }
}
