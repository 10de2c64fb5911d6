import EventLog
import Foundation
import Logging
import Manifests
import Reconcile
import StateStore

/// Runs a plan: bounded concurrency, per-action timeouts, retries with backoff for transient
/// errors, idempotency keys recorded before anything starts, every outcome recorded.
public struct Executor: Sendable {
    public struct Options: Sendable {
        public var concurrency: Int
        public var actionTimeout: Double
        public var retryInitial: Double
        public var retryMax: Double
        /// Attempts per pass for a transient failure; the next pass tries again.
        public var attempts: Int
        /// How many keys go into one store transaction.
        public var batchSize: Int

        public init(concurrency: Int = 4, actionTimeout: Double = 600, retryInitial: Double = 5, retryMax: Double = 300,
                    attempts: Int = 3, batchSize: Int = 1_000) {
            self.concurrency = max(1, concurrency)
            self.actionTimeout = actionTimeout
            self.retryInitial = retryInitial
            self.retryMax = retryMax
            self.attempts = max(1, attempts)
            self.batchSize = max(1, batchSize)
        }
    }

    /// An applied resource a run wrote to the store (nil: deleted).
    public typealias Write = (key: ResourceKey, resource: AppliedResource?)

    /// What happened to each action of the plan.
    public struct Report: Sendable {
        public var succeeded: [PlannedAction] = []
        /// Already completed in an earlier pass (or found done on the target after a crash).
        public var skipped: [PlannedAction] = []
        public var failed: [Failure] = []
        /// The applied resources the run wrote to the store (nil: deleted), in the order written.
        public var written: [Write] = []

        public var hasFailures: Bool { !failed.isEmpty }

        /// `applied` (what the store held when the run began) with the run's writes.
        public func applying(to applied: [ResourceKey: AppliedResource]) -> [ResourceKey: AppliedResource] {
            var result = applied
            for (key, resource) in written { result[key] = resource }
            return result
        }
    }

    public struct Failure: Sendable {
        public var action: PlannedAction
        public var message: String
        public var transient: Bool
    }

    public let store: any StateStore
    public let drivers: [String: any Driver]
    public let strategies: [String: JSONValue]
    public let options: Options
    public let logger: Logger
    /// Where the drivers' work runs (the reconciler's own threads: drivers block on files, processes
    /// and sockets); nil: the shared pool. Each action runs in a task of its own (`ActionDeadlines`),
    /// which would not inherit the caller's preference.
    public let taskExecutor: (any TaskExecutor)?

    public init(store: any StateStore, drivers: [String: any Driver], strategies: [String: JSONValue] = [:],
                options: Options = Options(), logger: Logger = Logger(label: "steward.executor"),
                taskExecutor: (any TaskExecutor)? = nil) {
        self.store = store
        self.drivers = drivers
        self.strategies = strategies
        self.options = options
        self.logger = logger
        self.taskExecutor = taskExecutor
    }

    /// Runs `plan`. `existing`: what is applied now, when the caller holds it (else read from the store).
    public func run(_ plan: Plan, existing: [ResourceKey: AppliedResource]? = nil) async throws -> Report {
        var report = Report()
        guard !plan.actions.isEmpty else { return report }
        let keys = plan.actions.map(\.idempotencyKey)   // each a hash: made once here
        let known = try await store.actionKeys(keys)
        let started = keys.filter { known[$0]?.state == .started }
        let logged = started.isEmpty ? [] : try await store.loggedSuccesses(started)
        // Keys of the same effects started under another trigger and never completed (a crash, then a
        // new commit or drift event): those actions ask the target first too (DESIGN §5).
        let fresh = zip(plan.actions, keys).filter { known[$1] == nil }.map { $0.0.effectKey }
        let sameEffects = try await store.actionKeys(effects: fresh)
        let interrupted = Dictionary(grouping: sameEffects.filter { $0.state == .started && $0.effect != nil }, by: { $0.effect! })
        // Registrations are permanent (DESIGN §2): a version that left an environment's records (no
        // Deployment there used it) and comes back is registered there already.
        let registered = Set(sameEffects.filter { $0.state == .completed && $0.action == ActionKind.registerVersion.rawValue }.compactMap(\.effect))
        let existing = if let existing { existing } else { try await store.appliedTable() }
        var pending: [PlannedAction] = []
        var alreadyDone: [PlannedAction] = []
        var alreadyLogged: [PlannedAction] = []
        var alreadyRegistered: [PlannedAction] = []
        var unknown: [(action: PlannedAction, reason: String)] = []
        for (action, key) in zip(plan.actions, keys) {
            switch known[key]?.state {
            case .completed?:
                report.skipped.append(action)
            case .failed?:
                report.failed.append(Failure(action: action, message: known[key]?.message ?? "failed earlier", transient: false))
            case .started? where logged.contains(key):
                alreadyLogged.append(action)   // completed before a crash: restore the state, log nothing twice
            case nil where action.kind == .registerVersion && action.change == .create && registered.contains(action.effectKey):
                alreadyRegistered.append(action)
            case .started?, nil:
                // Its own key, the same effect under another trigger, or another action on a resource
                // created by an action whose outcome was never recorded: the target is asked first.
                let uncertain = existing[action.key]?.conditions.contains { $0.type == Self.startedCondition } == true
                // A blue-green switch with no record of the slot taking traffic (the first, or after the
                // Deployment was not blue-green for a while): the target may be on that slot already.
                let unrecordedSwitch = action.kind == .switchSlot && existing[action.key].map { $0.specHash.isEmpty } ?? true
                guard known[key] != nil || interrupted[action.effectKey] != nil || uncertain || unrecordedSwitch else {
                    pending.append(action)
                    continue
                }
                // A run whose transient failure was recorded (it ended, and its driver said "try again")
                // is retried when the target cannot tell; only a run whose end was never recorded (a
                // crash) waits for the target to answer.
                let retrying = !uncertain && (known[key].map { $0.finishedAt != nil } ?? true)
                    && (interrupted[action.effectKey] ?? []).allSatisfy { $0.finishedAt != nil }
                // Started and never completed: run again only when the target does not show the effect.
                switch await effectPresent(action) {
                case .success(true): alreadyDone.append(action)
                case .success(false): pending.append(action)
                case .failure where retrying: pending.append(action)
                case .failure(let error): unknown.append((action, "\(error)"))
                }
            }
        }
        if !alreadyDone.isEmpty {
            let found = alreadyDone.map { Outcome(action: $0, result: .success(ActionOutcome(message: "found already applied on the target"))) }
            // What an interrupted run left may not be durable yet (the local driver's renames): as for any outcome.
            try await settle(found)
            report.written += try await record(existing: existing, found, interrupted: interrupted)
            report.skipped += alreadyDone
        }
        if !alreadyRegistered.isEmpty {
            report.written += try await record(existing: existing, alreadyRegistered.map {
                Outcome(action: $0, result: .success(ActionOutcome(message: "registered in \($0.environmentName) before; registrations are permanent")))
            })
            report.skipped += alreadyRegistered
        }
        if !alreadyLogged.isEmpty {
            report.written += try await record(existing: existing, alreadyLogged.map {
                Outcome(action: $0, result: .success(ActionOutcome(message: "completed before a restart (event log)")), logged: true)
            }, interrupted: interrupted)
            report.skipped += alreadyLogged
        }
        if !unknown.isEmpty {
            report.written += try await recordUnknownEffects(unknown, existing: existing)
            report.failed += unknown.map { Failure(action: $0.action, message: Self.unknownEffectMessage($0.action, $0.reason), transient: true) }
        }
        // Keys are marked started group by group, each group before any of its actions starts; outcomes
        // are recorded as they come. Both run alongside the actions (see `StartMarker`, `OutcomeRecorder`).
        let ordered = phases(pending)
        let marker = StartMarker(self, ordered.flatMap { $0 }, existing: existing)
        let recorder = OutcomeRecorder(self, existing: existing, interrupted: interrupted)
        var offset = 0
        for phase in ordered where !recorder.failed && !marker.failed {
            let outcomes = await execute(phase, from: offset, marker: marker, recorder: recorder)
            offset += phase.count
            for outcome in outcomes {
                switch outcome.result {
                case .success: report.succeeded.append(outcome.action)
                case .failure(let error): report.failed.append(Failure(action: outcome.action, message: error.message, transient: error.isTransient))
                }
            }
        }
        // Nothing is left writing when the run returns, even after a failure.
        var failure: (any Error)?
        do { try await marker.finish() } catch { failure = error }
        do { report.written += try await recorder.finish() } catch { failure = failure ?? error }
        if let failure { throw failure }
        return report
    }

    /// Whether the target shows the action's effect; a probe that fails is not a "no" (DESIGN §5).
    private func effectPresent(_ action: PlannedAction) async -> Result<Bool, any Error> {
        guard let driver = drivers[action.key.placement] else {
            return .failure(DriverError("no driver for environment '\(action.environmentName)'", transient: false))
        }
        do { return .success(try await driver.hasEffect(request(action))) } catch { return .failure(error) }
    }

    static func unknownEffectMessage(_ action: PlannedAction, _ reason: String) -> String {
        "cannot tell whether \(action.kind.rawValue) already ran on the target (\(reason)); not run again until the target answers"
    }

    func request(_ action: PlannedAction) -> ActionRequest {
        ActionRequest(action: action, environment: action.environmentName, idempotencyKey: action.idempotencyKey,
                      strategy: strategies[action.environmentName])
    }

    /// Applies before removals; within applies, adapters, then versions, then deployments.
    private func phases(_ actions: [PlannedAction]) -> [[PlannedAction]] {
        var groups: [Int: [PlannedAction]] = [:]
        for action in actions {
            let phase = action.change == .prune ? 10 - action.key.kind.order : action.key.kind.order
            groups[phase, default: []].append(action)
        }
        return groups.keys.sorted().map { groups[$0]! }
    }

    struct Outcome: Sendable {
        var action: PlannedAction
        var result: Result<ActionOutcome, DriverError>
        /// Its event is already in the log (it completed before a crash): record the state only.
        var logged = false
    }

    /// Runs a phase (its actions at `offset` onwards in the marker's order) with at most `concurrency`
    /// actions at a time: each starts once its key is marked started; each outcome goes to `recorder`
    /// as it comes. Starts no more actions once marking or recording failed.
    private func execute(_ actions: [PlannedAction], from offset: Int, marker: StartMarker, recorder: OutcomeRecorder) async -> [Outcome] {
        let deadlines = ActionDeadlines(seconds: options.actionTimeout, executor: taskExecutor)
        defer { deadlines.stop() }
        return await withTaskGroup(of: Outcome.self) { group in
            var results: [Outcome] = []
            var next = 0
            func launch() async -> Bool {
                guard next < actions.count, !recorder.failed, await marker.ready(offset + next) else { return false }
                let action = actions[next]
                next += 1
                group.addTask { await self.attempt(action, deadlines: deadlines) }
                return true
            }
            for _ in 0..<options.concurrency {
                guard await launch() else { break }
            }
            while let outcome = await group.next() {
                results.append(outcome)
                recorder.add(outcome)
                _ = await launch()
            }
            return results
        }
    }

    /// One action with timeout and retries on transient errors.
    private func attempt(_ action: PlannedAction, deadlines: ActionDeadlines) async -> Outcome {
        guard let driver = drivers[action.key.placement] else {
            return Outcome(action: action, result: .failure(DriverError("no driver for environment '\(action.environmentName)'", transient: false)))
        }
        var delay = options.retryInitial
        var lastError = DriverError("not run", transient: true)
        for attempt in 1...options.attempts {
            do {
                let outcome = try await deadlines.run { try await driver.execute(self.request(action)) }
                return Outcome(action: action, result: .success(outcome))
            } catch let error as DriverError {
                lastError = error
            } catch is CancellationError {
                return Outcome(action: action, result: .failure(DriverError("cancelled", transient: true)))
            } catch {
                lastError = DriverError("\(error)", transient: true)
            }
            guard lastError.isTransient, attempt < options.attempts, !Task.isCancelled else { break }
            logger.info("retrying after transient error", metadata: ["resource": "\(action.key)", "error": "\(lastError.message)"])
            try? await Task.sleep(for: .seconds(delay))
            delay = min(delay * 2, options.retryMax)
        }
        return Outcome(action: action, result: .failure(lastError))
    }
}

extension PlannedAction {
    /// The environment an action runs in.
    public var environmentName: String { key.environment ?? "" }
}
