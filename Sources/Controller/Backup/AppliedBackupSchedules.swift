import Foundation
import GitSource
import Logging
import Manifests
import StateStore
import Synchronization

/// The BackupSchedules of the last applied commit (the store's source cursor), parsed once per
/// commit, plus the read-only checkout that `command` backups run from. Feeds the scheduler
/// (`schedules()`) and the CLI (`load(fallbackToBranch:)`).
public actor AppliedBackupSchedules {
    public struct Loaded: Sendable {
        public var commit: String
        public var schedules: [String: BackupSchedule]

        /// The schedule named `name`, or a one-line error naming those the commit has.
        func schedule(_ name: String) throws -> BackupSchedule {
            guard let schedule = schedules[name] else {
                let known = schedules.keys.sorted()
                throw BackupError("no BackupSchedule '\(name)' in commit \(commit.prefix(12))"
                    + (known.isEmpty ? " (it has none)" : " (it has: \(known.joined(separator: ", ")))"))
            }
            return schedule
        }
    }

    let settings: ControllerSettings
    /// Nil when the store cannot be read (a restore into a lost store): the branch tip is read instead.
    let store: (any StateStore)?
    let logger: Logger
    private var repository: GitRepository?
    private var cached: Loaded?
    private var lastProblem: String?

    /// The schedules of the commits the reconcile loop in this process validated: not parsed again.
    let validated: ValidatedSchedules?

    public init(settings: ControllerSettings, store: (any StateStore)?, logger: Logger, validated: ValidatedSchedules? = nil) {
        self.settings = settings
        self.store = store
        self.logger = logger
        self.validated = validated
    }

    /// The schedules the scheduler should run: those of the last applied commit; none before the
    /// first apply; the last good ones when the commit cannot be read right now.
    public func schedules() async -> [String: BackupSchedule] {
        do {
            let schedules = try await load(fallbackToBranch: false)?.schedules ?? [:]
            lastProblem = nil
            return schedules
        } catch {
            if lastProblem != "\(error)" {  // once per distinct problem, not every poll
                lastProblem = "\(error)"
                logger.warning("cannot read the backup schedules of the applied commit", metadata: ["error": "\(error)"])
            }
            return cached?.schedules ?? [:]
        }
    }

    /// The schedules at the last applied commit, or (with `fallbackToBranch`, before any apply) at
    /// the tip of the configured branch; nil when there is nothing to read.
    public func load(fallbackToBranch: Bool) async throws -> Loaded? {
        let applied = try await store?.sourceCursor()?.lastAppliedCommit
        if let applied, let cached, cached.commit == applied { return cached }
        // Parsing 10,000 manifests again beside the loop that just parsed them took both cores for ~0.5 s.
        if let applied, let schedules = validated?.schedules(of: applied) {
            let loaded = Loaded(commit: applied, schedules: schedules)
            cached = loaded
            return loaded
        }
        guard applied != nil || fallbackToBranch else { return nil }
        let repository = try openRepository(branch: applied == nil)
        let revision = applied ?? settings.config.branch
        let commit: CommitInfo, report: ValidationReport
        do {
            (commit, report) = try ManifestSource.validate(repository, revision: revision, subPath: settings.config.sourcePath,
                                                           options: FleetValidator.Options(allowEmpty: true))
        } catch let error as GitError {
            throw BackupError("cannot read commit \(revision.prefix(12)) of \(settings.config.source.repository): \(error.message)")
        }
        if let first = report.errors.first {
            throw BackupError("commit \(revision.prefix(12)) is not valid (\(report.errors.count) error\(report.errors.count == 1 ? "" : "s")): \(first)")
        }
        let loaded = Loaded(commit: commit.sha, schedules: report.fleet.backups)
        cached = loaded
        return loaded
    }

    /// The read-only checkout of the commit the schedules came from (`.steward/checkouts/<sha>`),
    /// held until the hold is released: the controller's pruning leaves it while a backup runs from it.
    public func checkout() async throws -> CheckoutHold {
        guard let commit = try await load(fallbackToBranch: true)?.commit else {
            throw BackupError("no commit to run backup commands from")
        }
        do {
            return try Checkouts(directory: settings.resolve(".steward/checkouts")).hold(commit, from: openRepository())
        } catch let error as GitError {
            throw BackupError("cannot check out \(commit.prefix(12)) for the backup command: \(error.message)")
        } catch let error as ControllerError {
            throw BackupError("cannot check out \(commit.prefix(12)) for the backup command: \(error.message)")
        }
    }

    /// The repository: a local path, or the mirror the controller already fetched (opened without
    /// fetching so two processes never fetch into it at once) — fetched afresh only to read a branch.
    private func openRepository(branch: Bool = false) throws -> GitRepository {
        if let repository, !(branch && settings.sourceIsURL) { return repository }
        let opened: GitRepository
        do {
            if settings.sourceIsURL, branch {
                return try settings.openSource()
            } else if settings.sourceIsURL {
                let mirror = (settings.resolve(".steward/cache") as NSString)
                    .appendingPathComponent(GitRepository.mirrorDirectoryName(for: settings.config.source.repository))
                opened = FileManager.default.fileExists(atPath: mirror) ? try GitRepository.open(at: mirror) : try settings.openSource()
            } else {
                opened = try settings.openSource()
            }
        } catch let error as GitError {
            throw BackupError("source.repository: \(error.message)")
        } catch let error as ControllerError {
            throw BackupError(error.message)
        }
        repository = opened
        return opened
    }
}

/// The BackupSchedules of the last few commits the reconcile loop validated (`Reconciler.validatedSchedules`),
/// for the backup scheduler of the same process: such a commit becomes the applied one, and its
/// schedules are the same whoever parses it. A few, not one: while the scheduler reads the commit
/// just applied, the loop may already be validating the next.
public final class ValidatedSchedules: Sendable {
    static let kept = 4
    private let recent = Mutex<[(commit: String, schedules: [String: BackupSchedule])]>([])

    public init() {}

    func record(commit: String, schedules: [String: BackupSchedule]) {
        recent.withLock { recent in
            guard recent.last?.commit != commit else { return }
            recent.removeAll { $0.commit == commit }
            recent.append((commit, schedules))
            if recent.count > Self.kept { recent.removeFirst(recent.count - Self.kept) }
        }
    }

    /// The schedules of `commit`, when it is among the commits last validated.
    func schedules(of commit: String) -> [String: BackupSchedule]? {
        recent.withLock { recent in recent.last(where: { $0.commit == commit })?.schedules }
    }
}
