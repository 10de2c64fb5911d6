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
        public var resources: [ResourceKey: AppliedResource]? = nil
        /// Gates that failed in this pass (smoke tests, health), one line each.
        public var gateFailures: [String] = []
        /// When a health window still running ends (nil when none runs).
        public var nextGateCheck: Date? = nil
        public var failed: Bool { (report?.hasFailures ?? false) || !validationErrors.isEmpty || !gateFailures.isEmpty }
    }

    public let settings: ControllerSettings
    public let store: any StateStore
    public let logger: Logger
    private var repository: GitRepository?
    var source: SourceState
    /// Whether passes ask the drivers what targets run (benchmarks time probes separately).
    var probeTargets = true
    /// The applied resources as the last pass left them (nil: read them from the store).
    var appliedCache: [ResourceKey: AppliedResource]? {
        didSet { appliedGeneration &+= 1 }
    }
    /// Changes whenever `appliedCache` does, so an observation of it can be reused.
    private(set) var appliedGeneration = 0
    /// The `appliedGeneration` whose resources the `steward_resources` series count.
    private var resourcesCounted: Int?
    /// The last observation without target probes: the same commit over the same applied state
    /// (same generation) observes the same desired state and changes.
    var observationCache: (commit: String, generation: Int, observation: Observation)?
    /// The registered blueprint versions with their spec hashes: only this controller's actions
    /// register versions, so they are read again only after a pass that acted (or failed).
    var registeredCache: [BlueprintRef: String]?
    /// Whether this process checked that every applied blueprint version is registered (a store
    /// with registrations already records them).
    var registrationsChecked = false
    /// Observations made by patching the cached one (only some Deployments changed), for tests and figures.
    var patchedObservations = 0
    /// The commit and applied generation whose environments, schedules and versions were found
    /// recorded as they are (nothing to write): the same pair needs no second look.
    var quietConfiguration: (commit: String, generation: Int)?
    /// The time gates and sync windows are judged at: the wall clock, or the fixed
    /// `STEWARD_TEST_NOW` (RFC 3339) so tests can place a pass inside or outside a window.
    public var now: @Sendable () -> Date = Reconciler.defaultClock()

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
            // Counted again only when they changed: an unchanged commit's pass does not walk them all.
            if let resources = result.resources, resourcesCounted != appliedGeneration {
                ReconcileMetrics.recordResources(resources.values)
                resourcesCounted = appliedGeneration
            }
            return result
        } catch {
            appliedCache = nil
            registeredCache = nil
            ReconcileMetrics.recordPass(duration: Date().timeIntervalSince(started), failed: true, report: nil)
            throw error
        }
    }

    private func run(executorOptions: Executor.Options?) async throws -> PassResult {
        let repository = try openRepository()
        let head = try repository.resolve(settings.config.branch)
        let registered = try await registeredVersions()
        if !registered.isEmpty { registrationsChecked = true }   // a store that records registrations
        let cursor = try await store.sourceCursor()
        let prefetched = prefetchAppliedResources()
        defer { prefetched?.cancel() }
        let seen = try source.load(head, repository: repository, registered: registered, lastApplied: cursor?.lastAppliedCommit)
        if !seen.errors.isEmpty, cursor?.lastSeenCommit != head.sha || cursor?.errors.isEmpty == true {
            try await recordValidationFailure(head, errors: seen.errors)
        }
        guard let good = source.lastGood else {
            return PassResult(commit: head.sha, appliedCommit: nil, plan: Plan(commit: nil), report: nil, validationErrors: seen.errors)
        }
        let observation = try await observe(good.fleet, commit: good.commit.sha, repository: repository, delta: good.delta,
                                              prefetched: prefetched)
        let triggers = try await recordDrift(observation)
        let gates = try await gateInputs(good.fleet, observation: observation, head: good.commit)
        if !gates.holdChanges.isEmpty { _ = try await store.commit(gates.holdChanges) }
        var plan = Planner.plan(changes: observation.changes, commit: good.commit.sha, suspended: observation.suspended,
                                driftTriggers: triggers, options: planOptions, gates: gates.context)
        plan.blocked += observation.driverBlocked
        var report: Executor.Report?
        let executor = Executor(store: store, drivers: observation.drivers.drivers, strategies: observation.drivers.strategies,
                                options: executorOptions ?? defaultExecutorOptions, logger: logger)
        if !plan.actions.isEmpty {
            var started = StoreBatch()
            started.events.append(NewEvent(commit: good.commit.sha, type: .reconcileStarted, reason: "ReconcileStarted",
                                           message: "applying commit \(good.commit.sha.prefix(12)): \(plan.actions.count) action\(plan.actions.count == 1 ? "" : "s")",
                                           data: .object(["actions": .int(plan.actions.count), "blocked": .int(plan.blocked.count)])))
            _ = try await store.commit(started)
            // The applied resources the plan was made from are what the store holds: only this replica writes them.
            report = try await executor.run(plan, existing: observation.applied)
        }
        var outcome = try await runGates(report: report, observation: observation, context: gates.context, executor: executor,
                                         commit: good.commit)
        let recorded = try await recordPass(head: head, good: good, errors: seen.errors, plan: plan, report: report,
                                            observation: observation, driftTriggers: triggers, reread: outcome.wrote || !gates.holdChanges.isEmpty,
                                            gateFailures: outcome.failures.count)
        if recorded.changed || appliedCache == nil { appliedCache = recorded.applied }
        if report != nil || outcome.wrote || recorded.changed { registeredCache = nil }   // actions may have registered versions
        try await recordRegistrationsOfOlderStores(recorded.applied)
        let resources = recorded.applied
        for revert in outcome.reverts {
            await commitRevert(revert, fleet: good.fleet, repository: repository)
        }
        outcome.reverts = []
        return PassResult(commit: head.sha, appliedCommit: good.commit.sha, plan: plan, report: report, validationErrors: seen.errors,
                          resources: resources, gateFailures: outcome.failures, nextGateCheck: outcome.nextWindowEnd)
    }

    /// Drops what this replica remembers of the store (after a change of leader another replica may have written).
    public func forgetCaches() {
        appliedCache = nil
        observationCache = nil
        quietConfiguration = nil
        registeredCache = nil
    }

    /// The registered blueprint versions (DESIGN §2), read again only after a pass that acted.
    func registeredVersions() async throws -> [BlueprintRef: String] {
        if let registeredCache { return registeredCache }
        let versions = Dictionary(try await store.registeredVersions().map { ($0.blueprint, $0.specHash) }, uniquingKeysWith: { a, _ in a })
        registeredCache = versions
        return versions
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
