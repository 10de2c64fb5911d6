import Actions
import EventLog
import Foundation
import GitSource
import Logging
import Manifests
import Reconcile
import StateStore

/// One reconcile pass: fetch → parse → observe → diff → plan → apply → record. Owned by one task.
public final class Reconciler {
    /// What a pass saw and did.
    public struct PassResult: Sendable {
        public var commit: String?
        public var appliedCommit: String?
        public var plan: Plan
        public var report: Executor.Report?
        public var validationErrors: [ValidationError]
        /// The applied resources after the pass (nil when nothing was reconciled).
        public var resources: [AppliedResource]? = nil
        public var failed: Bool { (report?.hasFailures ?? false) || !validationErrors.isEmpty }
    }

    public let settings: ControllerSettings
    public let store: any StateStore
    public let logger: Logger
    private var repository: GitRepository?
    var source: SourceState
    /// Whether passes ask the drivers what targets run (benchmarks time probes separately).
    var probeTargets = true

    public init(settings: ControllerSettings, store: any StateStore, logger: Logger) {
        self.settings = settings
        self.store = store
        self.logger = logger
        self.source = SourceState(settings: settings)
    }

    func openRepository() throws -> GitRepository {
        if let repository {
            if repository.isMirror { try repository.fetch() }
            return repository
        }
        let opened = try settings.openSource()
        repository = opened
        return opened
    }

    /// Runs one pass and records its outcome.
    public func pass(executorOptions: Executor.Options? = nil) async throws -> PassResult {
        let started = Date()
        do {
            let result = try await run(executorOptions: executorOptions)
            ReconcileMetrics.recordPass(duration: Date().timeIntervalSince(started), failed: result.failed, report: result.report)
            if let commit = result.appliedCommit { ReconcileMetrics.recordSource(commit: commit) }
            if let resources = result.resources { ReconcileMetrics.recordResources(resources) }
            return result
        } catch {
            ReconcileMetrics.recordPass(duration: Date().timeIntervalSince(started), failed: true, report: nil)
            throw error
        }
    }

    private func run(executorOptions: Executor.Options?) async throws -> PassResult {
        let repository = try openRepository()
        let head = try repository.resolve(settings.config.branch)
        let registered = Dictionary(try await store.registeredVersions().map { ($0.blueprint, $0.specHash) }, uniquingKeysWith: { a, _ in a })
        let cursor = try await store.sourceCursor()
        let seen = try source.load(head, repository: repository, registered: registered, lastApplied: cursor?.lastAppliedCommit)
        if !seen.errors.isEmpty, cursor?.lastSeenCommit != head.sha || cursor?.errors.isEmpty == true {
            try await recordValidationFailure(head, errors: seen.errors)
        }
        guard let good = source.lastGood else {
            return PassResult(commit: head.sha, appliedCommit: nil, plan: Plan(commit: nil), report: nil, validationErrors: seen.errors)
        }
        let observation = try await observe(good.fleet, commit: good.commit.sha, repository: repository)
        let triggers = try await recordDrift(observation)
        var plan = Planner.plan(changes: observation.changes, commit: good.commit.sha, suspended: observation.suspended,
                                driftTriggers: triggers, options: planOptions)
        plan.blocked += observation.driverBlocked
        var report: Executor.Report?
        if !plan.actions.isEmpty {
            var started = StoreBatch()
            started.events.append(NewEvent(commit: good.commit.sha, type: .reconcileStarted, reason: "ReconcileStarted",
                                           message: "applying commit \(good.commit.sha.prefix(12)): \(plan.actions.count) action\(plan.actions.count == 1 ? "" : "s")",
                                           data: .object(["actions": .int(plan.actions.count), "blocked": .int(plan.blocked.count)])))
            _ = try await store.commit(started)
            let options = executorOptions ?? defaultExecutorOptions
            report = try await Executor(store: store, drivers: observation.drivers.drivers, strategies: observation.drivers.strategies,
                                        options: options, logger: logger).run(plan)
        }
        let resources = try await recordPass(head: head, good: good, errors: seen.errors, plan: plan, report: report,
                                             observation: observation, driftTriggers: triggers)
        return PassResult(commit: head.sha, appliedCommit: good.commit.sha, plan: plan, report: report, validationErrors: seen.errors,
                          resources: resources)
    }

    var planOptions: Planner.Options {
        Planner.Options(prune: settings.config.prune, selfHeal: settings.config.selfHeal)
    }

    var defaultExecutorOptions: Executor.Options {
        Executor.Options(concurrency: settings.config.concurrency,
                         retryInitial: settings.config.reconcile?.retry?.initialSeconds ?? 5,
                         retryMax: settings.config.reconcile?.retry?.maxSeconds ?? 300)
    }
}
