import Actions
import EventLog
import Foundation
import GitSource
import Manifests
import Reconcile
import StateStore

/// Whether deciding may write (`steward run`) or must write nothing (`steward diff`, `GET /api/plan`).
enum PlanMode {
    /// Drift events and hold changes are recorded; exec scripts run from held checkouts.
    case apply
    /// Nothing is written: drift events get the seqs they would be given, holds change only in
    /// memory, exec scripts run from a temporary checkout removed afterwards.
    case preview
}

/// What a pass decided before acting: what it observed, the drift triggers, the gate inputs and the plan.
struct Decision {
    var observation: Observation
    var triggers: [ResourceKey: String]
    var gates: GateInputs
    var plan: Plan
    /// Checkouts the drivers run from, held until the pass is over.
    var checkouts: CheckoutBag

    /// Lets the checkouts go (they may be pruned from now on).
    func release() { checkouts.release() }
}

extension Reconciler {
    /// The plan for a revision against what was observed, changing nothing (`steward diff`).
    public struct Preview: Sendable {
        public var commit: String
        public var plan: Plan
        public var errors: [ValidationError]
        /// What `explain` reads (DESIGN §14): the plan, its gate inputs, what Git wants, what runs.
        public var facts: ExplainFacts

        /// The plan's printed shape (DESIGN §7), the one `diff -o json` and `GET /api/plan` serve,
        /// each blocked item with its chain of causes.
        public var report: PlanReport {
            PlanReport(commit: commit, plan: plan, chains: Dictionary(plan.blocked.map { ($0.key, Explainer.explain($0.key, facts).lines) },
                                                                      uniquingKeysWith: { first, _ in first }))
        }

        /// Why `key` is or is not converged.
        public func explain(_ key: ResourceKey) -> Explanation { Explainer.explain(key, facts) }
    }

    /// The plan `run` would make for `revision` (default: the branch tip), through the same `decide`,
    /// writing nothing: a tip `run` would hold (rewritten history, validation errors) is reported so.
    /// - Parameters:
    ///   - explaining: read the failure events every explanation may cite; otherwise they are read
    ///     only when something is blocked (the chains of `diff`'s blocked items need them).
    ///   - explainable: the facts can explain any resource (`explain`, `rollout`, the API); without,
    ///     only the blocked items (`diff`), and what Git wants of each resource is not gathered when none is.
    public func preview(revision: String?, explaining: Bool = false, explainable: Bool = true) async throws -> Preview {
        try await withTaskExecutorPreference(ReconcileExecutor.shared) {
            let repository = try await openRepository()
            let head = try repository.resolve(revision ?? settings.config.branch)
            let lastApplied = try await store.sourceCursor()?.lastAppliedCommit
            var facts = ExplainFacts(lastApplied: lastApplied)
            // A tip `run` would not apply: what runs is what the store holds.
            func held(_ errors: [ValidationError], prefetched: Task<[ResourceKey: AppliedResource], any Error>? = nil) async throws -> Preview {
                var facts = facts
                facts.tip = ExplainFacts.TipProblem(commit: head.sha, errors: errors)
                facts.applied = try await appliedResources(prefetched: prefetched)
                if explaining { facts.incidents = try await Self.incidents(in: store) }
                return Preview(commit: head.sha, plan: Plan(commit: head.sha), errors: errors, facts: facts)
            }
            // What `run` would refuse whatever the commit holds: a signature that does not verify, a force-push.
            if let refused = try verify(head, repository: repository, lastApplied: lastApplied, log: false)
                ?? (revision == nil ? memory.source.forcePushProblem(head, repository: repository, lastApplied: lastApplied) : nil) {
                return try await held([refused])
            }
            let registered = try await registeredVersions()
            // The store reads what was applied while the commit is parsed.
            let prefetched = prefetchAppliedResources()
            let report: ValidationReport
            do {
                report = try memory.source.validate(head.sha, repository: repository, registered: registered).report
            } catch {
                _ = try? await prefetched?.value   // the store is closed after this: nothing may read it then
                throw error
            }
            guard report.isValid else { return try await held(report.errors, prefetched: prefetched) }
            let decision = try await decide(report.fleet, commit: head, repository: repository, mode: .preview, prefetched: prefetched)
            decision.release()
            facts.plan = decision.plan
            facts.gates = decision.gates.context
            facts.applied = decision.observation.applied
            if explaining || explainable || !decision.plan.blocked.isEmpty {
                facts.wanted = Self.wanted(report.fleet, desired: decision.observation.desired, records: decision.observation.records,
                                           commit: head.sha)
            }
            facts.prune = planOptions.prune
            if explaining || !decision.plan.blocked.isEmpty { facts.incidents = try await Self.incidents(in: store) }
            return Preview(commit: head.sha, plan: decision.plan, errors: [], facts: facts)
        }
    }

    /// The one plan (DESIGN §1): observe the targets, record (or, previewing, predict) drift, read the
    /// gate inputs, plan. `run`, `diff` and `GET /api/plan` all come through here, so a preview of the
    /// tip shows the actions `run` then executes, under the same idempotency keys.
    func decide(_ fleet: Fleet, commit: CommitInfo, repository: GitRepository, mode: PlanMode,
                prefetched: Task<[ResourceKey: AppliedResource], any Error>? = nil) async throws -> Decision {
        let bag = CheckoutBag(mode == .apply ? .held(checkouts) : .temporary)
        do {
            let applied = try await appliedResources(prefetched: prefetched)
            let observation = try await observe(fleet, commit: commit.sha, applied: applied, watch: mode == .apply) {
                try bag.checkout(commit.sha, from: repository)
            }
            let triggers = mode == .apply ? try await recordDrift(observation) : try await predictDrift(observation)
            let gates = try await gateInputs(fleet, observation: observation, head: commit)
            if mode == .apply, !gates.holdChanges.isEmpty { _ = try await store.commit(gates.holdChanges) }
            var plan = Planner.plan(changes: observation.changes, commit: commit.sha, suspended: observation.suspended,
                                    driftTriggers: triggers, options: planOptions, gates: gates.context)
            plan.blocked += observation.driverBlocked
            return Decision(observation: observation, triggers: triggers, gates: gates, plan: plan, checkouts: bag)
        } catch {
            bag.release()
            throw error
        }
    }

    /// Records a `driftDetected` event for drift not seen before; returns the seq that triggers each heal.
    func recordDrift(_ observation: Observation) async throws -> [ResourceKey: String] {
        let (triggers, fresh) = Self.knownDrift(observation)
        guard !fresh.isEmpty else { return triggers }
        var batch = StoreBatch()
        for change in fresh {
            batch.events.append(NewEvent(commit: change.applied?.commit, resource: change.key.resource, environment: change.key.environment,
                                         type: .driftDetected, reason: "Drifted", message: change.detail ?? "changed on the target"))
        }
        let records = try await store.commit(batch)
        return triggers.merging(zip(fresh, records).map { ($0.key, String($1.seq)) }) { $1 }
    }

    /// The triggers `recordDrift` would return: new drift events take the seqs after the log's head, in order.
    func predictDrift(_ observation: Observation) async throws -> [ResourceKey: String] {
        let (triggers, fresh) = Self.knownDrift(observation)
        guard !fresh.isEmpty else { return triggers }
        let head = try await store.eventHead().seq
        return triggers.merging(fresh.enumerated().map { ($1.key, String(head + 1 + Int64($0))) }) { $1 }
    }

    /// Drift already recorded (its trigger is the seq in its `Drifted` condition), and drift seen for the first time.
    private static func knownDrift(_ observation: Observation) -> (triggers: [ResourceKey: String], fresh: [ResourceChange]) {
        var triggers: [ResourceKey: String] = [:]
        var fresh: [ResourceChange] = []
        for change in observation.changes where change.change == .drift {
            if let known = change.applied?.conditions.first(where: { $0.type == "Drifted" }) {
                triggers[change.key] = known.reason
            } else {
                fresh.append(change)
            }
        }
        return (triggers, fresh)
    }
}

/// The checkouts one decision's drivers run from: held in `.steward/checkouts` (`run`), or exported to a
/// temporary folder removed when released (previews write nothing of Steward's).
final class CheckoutBag: @unchecked Sendable {
    enum Place {
        case held(Checkouts)
        case temporary
    }

    private let place: Place
    private let lock = NSLock()
    private var holds: [CheckoutHold] = []
    private var temporary: String?

    init(_ place: Place) { self.place = place }

    /// The checkout of `commit`, made once.
    func checkout(_ commit: String, from repository: GitRepository) throws -> String {
        switch place {
        case .held(let checkouts):
            let hold = try checkouts.hold(commit, from: repository)
            lock.withLock { holds.append(hold) }
            return hold.path
        case .temporary:
            let folder = try lock.withLock {
                if let temporary { return temporary }
                let made = try TemporaryFolder.make(prefix: "steward-preview-")
                temporary = made
                return made
            }
            return try repository.export(commit: commit, to: (folder as NSString).appendingPathComponent(commit))
        }
    }

    func release() {
        let folder: String? = lock.withLock {
            holds = []
            defer { temporary = nil }
            return temporary
        }
        if let folder { try? FileManager.default.removeItem(atPath: folder) }
    }
}

/// A new folder under the system's temporary directory.
enum TemporaryFolder {
    static func make(prefix: String) throws -> String {
        var template = Array((NSTemporaryDirectory() as NSString).appendingPathComponent(prefix + "XXXXXX").utf8CString)
        let made: String? = template.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress, let folder = mkdtemp(base) else { return nil }
            return String(cString: folder)
        }
        guard let made else { throw ControllerError("cannot make a temporary folder: \(String(cString: strerror(errno)))") }
        return made
    }
}
