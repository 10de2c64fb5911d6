import Foundation
import Synchronization
import Manifests
import Reconcile

/// Everything a reconciler keeps between passes, and when each part is forgotten.
///
/// None of it is the truth — Git and the store are. Each part is kept only because production
/// reads it every pass, and is dropped (never patched) when it may have gone stale:
/// - `source`: parsed files by blob id (DESIGN §9: an unchanged blob is never read or parsed again)
///   and the last commit that validated, onto which a commit changing only Deployments is patched.
///   Kept for the process's life, bounded by `ParseCache.capacity`; blob ids cannot go stale.
/// - `applied`: the applied resources as the last pass left them. While this replica leads it is
///   their only writer, so they are read from the store again only after a failed pass or a change
///   of leader.
/// - `registered`: the registered blueprint versions. Only actions register versions, so they are
///   read again after a pass that acted, after a failed pass and after a change of leader.
/// - `registrationsChecked`: whether this process registered what a store older than registrations
///   had applied (done once per process).
/// - `verified`: the signature verdict on the last tip checked (`source.verify`), so an unchanged tip
///   is not checked again every pass; a new tip is always checked.
/// - `appliedGeneration` / `countedGeneration`: the `steward_resources` series are counted again only
///   when the applied resources changed.
/// - `loggedSecretProblems`: the unresolvable secret references already logged, replaced every pass
///   by the current ones (so one that resolves and fails again is logged again).
/// - `observed`: the last observation, with the change count each placement's driver gave before
///   its probe (`Driver.changeCount`: a watch on the local driver's files). For the same
///   `appliedGeneration`, driver problems and blue-green routers (what is probed), a placement whose
///   count is the same is not probed again — its answers stand, for a new commit too — until
///   `reconcile.fullProbeInterval` has passed since it was; for the same commit, when no placement
///   was probed, the whole observation stands (the diff included). A driver without a count is
///   probed every pass.
/// - `wanted`: the desired state of a commit (and its records and suspended Deployments), kept for
///   the commit and the `appliedGeneration` it was made from: a commit's fleet depends on the commit
///   alone, and the commit each change is attributed to on the applied resources alone. An unchanged
///   pass does not make it again.
struct PassMemory {
    var source: SourceState
    var applied: [ResourceKey: AppliedResource]? {
        didSet { appliedGeneration &+= 1 }
    }
    var registered: [BlueprintRef: String]?
    var registrationsChecked = false
    var verified: (head: String, failure: ValidationError?)?
    private(set) var appliedGeneration = 0
    var countedGeneration: Int?
    /// Exec secret references the log already said cannot be resolved (each is logged once while it fails).
    var loggedSecretProblems: Set<String> = []
    var wanted: WantedState?
    var observed: KeptObservation?

    init(settings: ControllerSettings) { source = SourceState(settings: settings) }

    /// After a failed pass or a change of leader: what the store holds may differ from what was
    /// remembered (the parses stay: they depend on Git alone).
    mutating func forgetStore() {
        applied = nil
        registered = nil
        wanted = nil
        observed = nil
    }
}

/// What Git wants of one commit, as `observe` uses it.
struct WantedState {
    var commit: String
    var appliedGeneration: Int
    var desired: [ResourceKey: DesiredResource]
    var suspended: Set<String>
    var records: [ResourceKey: JSONValue]
    var recordHashes: [ResourceKey: String]
}

/// An observation and what it was made from (`PassMemory.observed`).
struct KeptObservation {
    var commit: String
    var appliedGeneration: Int
    var problems: [String: String]
    /// Each placement probed under a change count: the count, and when its answers must be read again.
    var counts: [String: (count: UInt64, due: ContinuousClock.Instant)]
    /// The records that were not probed (blue-green routers).
    var routers: Set<ResourceKey>
    var observation: Observation
    /// The blocked items of the last pass that recorded nothing of this observation's configuration
    /// and probes: with the same blocked items (the only input of that part that may change while
    /// the observation stands), the next pass has nothing of it to record either.
    private var settledBlocked: Set<ResourceKey>?

    init(commit: String, appliedGeneration: Int, problems: [String: String], counts: [String: (count: UInt64, due: ContinuousClock.Instant)],
         routers: Set<ResourceKey>, observation: Observation) {
        self.commit = commit
        self.appliedGeneration = appliedGeneration
        self.problems = problems
        self.counts = counts
        self.routers = routers
        self.observation = observation
        self.observation.kept = Self.nextID.add(1, ordering: .relaxed).newValue
    }

    private static let nextID = Atomic<Int>(0)

    /// Whether a pass with `blocked` on `observation` (this one, standing) has nothing to record of it.
    func settled(_ observation: Observation, blocked: Set<ResourceKey>) -> Bool {
        observation.kept == self.observation.kept && settledBlocked == blocked
    }

    /// Notes that a pass on this observation with `blocked` recorded nothing of it.
    mutating func settle(_ observation: Observation, blocked: Set<ResourceKey>) {
        if observation.kept == self.observation.kept { settledBlocked = blocked }
    }

    /// The placements whose last answers still stand: same count, not due (`routers`: nil when the
    /// commit is the one observed, which has the same routers).
    func standing(appliedGeneration: Int, problems: [String: String], routers: Set<ResourceKey>?, counts now: [String: UInt64],
                  at time: ContinuousClock.Instant) -> [String: (count: UInt64, due: ContinuousClock.Instant)] {
        guard appliedGeneration == self.appliedGeneration, problems == self.problems, routers.map({ $0 == self.routers }) ?? true
        else { return [:] }
        return counts.filter { placement, kept in now[placement] == kept.count && time < kept.due }
    }
}
