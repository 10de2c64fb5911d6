import Actions
import EventLog
import Foundation
import GitSource
import Logging
import Manifests
import Reconcile
import StateStore

/// One reconcile pass, as a short list of steps (`run`): read the source, decide the plan, act on
/// it, run the gates, record. Deciding is `decide` — the one function `steward diff` and
/// `GET /api/plan` call too (`preview`). Owned by one task; its work runs on `ReconcileExecutor`,
/// off the shared concurrency pool.
public final class Reconciler {
    /// What a pass saw and did.
    public struct PassResult: Sendable {
        public var commit: String?
        public var appliedCommit: String?
        public var plan: Plan
        public var report: Executor.Report?
        public var validationErrors: [ValidationError]
        /// The applied resources after the pass (nil when nothing was reconciled).
        public var resources: [ResourceKey: AppliedResource]? = nil
        /// Gates that failed in this pass (smoke tests, health), one line each.
        public var gateFailures: [String] = []
        /// When a health window still running ends (nil when none runs).
        public var nextGateCheck: Date? = nil
        /// How many versions this pass proved (DESIGN §6): the next pass may promote them onwards.
        public var proved = 0
        /// Targets whose gates passed in this pass (DESIGN §10): the next pass may start the rollout's next step.
        public var targetsPassed = 0
        /// The rollout steps this pass started, one line each.
        public var rolloutSteps: [String] = []
        public var failed: Bool { (report?.hasFailures ?? false) || !validationErrors.isEmpty || !gateFailures.isEmpty }
    }

    public let settings: ControllerSettings
    public let store: any StateStore
    public let logger: Logger
    /// Stops a fetch waiting on a silent remote (graceful shutdown) without cancelling the pass's actions.
    public let fetchStop = FetchStop()
    /// The read-only checkouts exec scripts run from.
    let checkouts: Checkouts
    /// A local repository, opened once (a URL's mirror is fetched, and opened, every pass).
    private var localRepository: GitRepository?
    /// What passes keep between them, with the rules for forgetting it (`PassMemory`).
    var memory: PassMemory
    /// The time gates and sync windows are judged at: the wall clock, or the fixed
    /// `STEWARD_TEST_NOW` (RFC 3339) so tests can place a pass inside or outside a window.
    public var now: @Sendable () -> Date = Reconciler.defaultClock()
    /// The BackupSchedules of the last commit a pass validated, for the backup scheduler beside the loop.
    public let validatedSchedules = ValidatedSchedules()
    /// Set for one pass (`POST /api/reconcile`): pre-deploy checks that failed for this commit run again.
    public var retryPreDeployChecks = false

    public init(settings: ControllerSettings, store: any StateStore, logger: Logger) {
        self.settings = settings
        self.store = store
        self.logger = logger
        memory = PassMemory(settings: settings)
        checkouts = Checkouts(directory: settings.resolve(".steward/checkouts"))
    }

    /// Runs one pass and records its outcome.
    public func pass(executorOptions: Executor.Options? = nil) async throws -> PassResult {
        try await withTaskExecutorPreference(ReconcileExecutor.shared) {
            let started = Date()
            do {
                let result = try await run(executorOptions: executorOptions)
                recordMetrics(result, seconds: Date().timeIntervalSince(started))
                return result
            } catch {
                memory.forgetStore()
                ReconcileMetrics.recordPass(duration: Date().timeIntervalSince(started), failed: true, report: nil)
                throw error
            }
        }
    }

    private func run(executorOptions: Executor.Options?) async throws -> PassResult {
        // 1. The source: the branch tip, fetched within its limits, parsed where it changed, validated.
        let source = try await readSource()
        guard let good = source.good else {
            return PassResult(commit: source.head.sha, appliedCommit: nil, plan: Plan(commit: nil), report: nil, validationErrors: source.errors)
        }
        validatedSchedules.record(commit: good.commit.sha, schedules: good.fleet.backups)
        // 2. The plan: observe, record drift, gate inputs, plan (DESIGN §1: the same plan `diff` shows).
        var decision = try await decide(good.fleet, commit: good.commit, repository: source.repository, mode: .apply,
                                        prefetched: source.prefetched)
        // Pre-deploy checks (DESIGN §11) are effects: only here, never while previewing.
        let checked = try await runPreDeployChecks(&decision, fleet: good.fleet, commit: good.commit, repository: source.repository)
        // 3. Act on it.
        let executor = Executor(store: store, drivers: decision.observation.drivers.drivers, strategies: decision.observation.drivers.strategies,
                                options: executorOptions ?? defaultExecutorOptions, logger: logger, taskExecutor: ReconcileExecutor.shared)
        let steps = try await recordRolloutSteps(decision.plan, rollouts: decision.gates.context.rollouts)
        let report = try await act(decision, executor: executor)
        // 4. The gates after acting: smoke tests, health windows, proofs, auto-rollbacks (DESIGN §6).
        let outcome = try await runGates(report: report, observation: decision.observation, context: decision.gates.context,
                                         executor: executor, commit: good.commit)
        // 5. Record what the pass learnt.
        let recorded = try await recordPass(head: source.head, good: good, errors: source.errors, plan: decision.plan, report: report,
                                            observation: decision.observation, driftTriggers: decision.triggers,
                                            reread: outcome.wrote || checked || !decision.gates.holdChanges.isEmpty, gateFailures: outcome.failures.count,
                                            gateFailedEnvironments: outcome.failedEnvironments)
        if recorded.changed || memory.applied == nil { memory.applied = recorded.applied }
        if report != nil || outcome.wrote || recorded.changed { memory.registered = nil }   // actions may have registered versions
        try await recordRegistrationsOfOlderStores(recorded.applied)
        // 6. Restores and revert commits of auto-rollbacks; checkouts nothing runs from any more are removed.
        for restore in outcome.restores where await restoreBackups(restore, fleet: good.fleet, commit: good.commit, repository: source.repository) {
            memory.applied = nil   // a failed restore marked the Deployment Degraded
        }
        for revert in outcome.reverts {
            await commitRevert(revert, fleet: good.fleet, repository: source.repository)
        }
        RolloutMetrics.recordSteps(decision.gates.context.rollouts.values)
        decision.release()
        checkouts.prune(keeping: [good.commit.sha])
        // The documents' hashes, for the next process's `diff` (after acting: off the path to the first action).
        if settings.savesCaches { memory.source.cache.saveHashes(commit: good.commit.sha) }
        return PassResult(commit: source.head.sha, appliedCommit: good.commit.sha, plan: decision.plan, report: report,
                          validationErrors: source.errors, resources: recorded.applied, gateFailures: outcome.failures,
                          nextGateCheck: [outcome.nextWindowEnd, decision.gates.context.rollouts.values.compactMap(\.pausedUntil).min()]
                            .compactMap { $0 }.min(),
                          proved: outcome.proved, targetsPassed: outcome.targetsPassed, rolloutSteps: steps)
    }

    /// Runs the plan's actions, announced by a `reconcileStarted` event; nil when there are none.
    private func act(_ decision: Decision, executor: Executor) async throws -> Executor.Report? {
        let plan = decision.plan
        guard !plan.actions.isEmpty else { return nil }
        var started = StoreBatch()
        started.events.append(NewEvent(commit: plan.commit, type: .reconcileStarted, reason: "ReconcileStarted",
                                       message: "applying commit \(plan.commit?.prefix(12) ?? "-"): \(plan.actions.count) action\(plan.actions.count == 1 ? "" : "s")",
                                       data: .object(["actions": .int(plan.actions.count), "blocked": .int(plan.blocked.count),
                                                      "environments": .array(Self.environments(of: plan.actions).map(JSONValue.string))])))
        _ = try await store.commit(started)
        // The applied resources the plan was made from are what the store holds: only this replica writes them.
        return try await executor.run(plan, existing: decision.observation.applied)
    }

    private func recordMetrics(_ result: PassResult, seconds: Double) {
        ReconcileMetrics.recordPass(duration: seconds, failed: result.failed, report: result.report)
        if let commit = result.appliedCommit { ReconcileMetrics.recordSource(commit: commit) }
        // Counted again only when they changed: an unchanged commit's pass does not walk them all.
        if let resources = result.resources, memory.countedGeneration != memory.appliedGeneration {
            ReconcileMetrics.recordResources(resources.values)
            RolloutMetrics.recordTargets(resources.values)
            memory.countedGeneration = memory.appliedGeneration
        }
    }

    /// Drops what this replica remembers of the store (after a change of leader another replica may have written).
    public func forgetCaches() { memory.forgetStore() }

    /// The registered blueprint versions (DESIGN §2), read again only after a pass that acted.
    func registeredVersions() async throws -> [BlueprintRef: String] {
        if let registered = memory.registered { return registered }
        let versions = Dictionary(try await store.registeredVersions().map { ($0.blueprint, $0.specHash) }, uniquingKeysWith: { a, _ in a })
        memory.registered = versions
        return versions
    }

    /// The configured repository: a URL's mirror fetched within `source.connectTimeout` /
    /// `transferTimeout` (each pass), a local path opened once.
    func openRepository() async throws -> GitRepository {
        if settings.sourceIsURL { return try await settings.fetchSource(stop: fetchStop) }
        if let localRepository { return localRepository }
        let opened = try settings.openSource()
        localRepository = opened
        return opened
    }

    /// The wall clock, unless `STEWARD_TEST_NOW` names a fixed time.
    public static func defaultClock(environment: [String: String] = ProcessInfo.processInfo.environment) -> @Sendable () -> Date {
        guard let text = environment["STEWARD_TEST_NOW"], let fixed = EventTime.parse(text) else { return { Date() } }
        return { fixed }
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
