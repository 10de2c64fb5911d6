import Foundation
import Manifests
import Reconcile
import Testing

/// One row of the gate table: a Deployment change, what its environment asks, and the exact decision.
struct GateCase: Sendable, CustomTestStringConvertible {
    /// Where a hold sits, if there is one.
    enum HoldOn: Sendable {
        case none
        /// On the desired (Deployment, version, spec), with the seq of its event.
        case desiredSpec(seq: Int64?)
        /// On an older spec: a commit changed the Deployment since.
        case otherSpec
        /// On the same Deployment name in another environment.
        case otherEnvironment
    }

    var name: String
    var version: String?
    var note = ""
    var running: GateFixture.Running
    /// Nil: the environment has no policy at all.
    var policy: EnvironmentPolicy? = EnvironmentPolicy()
    var proofs: [HistoryEntry] = []
    var approvals: Set<String> = []
    var hold = HoldOn.none
    var expected: GateContext.Decision

    var testDescription: String { name }
}

/// The gate decisions of DESIGN §6, row by row (`GateContext.decide`, pure).
@Suite("Gate decisions: holds, windows, rollback, promotion, approval")
struct GateDecisionTests {
    private static let plain = EnvironmentPolicy()
    private static let promoted = EnvironmentPolicy(promotesFrom: "staging")
    private static let approved = EnvironmentPolicy(requireApproval: true)
    private static let both = EnvironmentPolicy(promotesFrom: "staging", requireApproval: true)
    private static let closed = EnvironmentPolicy(promotesFrom: "staging", syncWindow: .closed(until: GateFixture.t0.addingTimeInterval(3600)))
    private static let neverOpen = EnvironmentPolicy(syncWindow: .closed(until: nil))

    private static let provenInStaging = GateFixture.entry("nav-staging", in: "staging", "1.2.0", seq: 17)
    private static let healthyHere = GateFixture.entry(in: "production", "1.0.0", seq: 5)
    private static let failedHere = GateFixture.entry(in: "production", "0.9.0", outcome: "failed", seq: 6)

    private static let held = "held after failed 1.2.0 (seq 42): smoke tests failed: GET /health answered 500"
    private static let windowUntil = "sync window until 2027-01-15T09:00:00.000Z"

    static let holds: [GateCase] = [
        GateCase(name: "hold on the desired spec, a version running, with seq", version: "1.2.0", running: .version("1.0.0"),
                 hold: .desiredSpec(seq: 42), expected: .blocked(.hold, held + "; Git is ahead of the fleet, which runs 1.0.0")),
        GateCase(name: "hold on the desired spec, nothing running, no seq", version: "1.2.0", running: .nothing,
                 hold: .desiredSpec(seq: nil), expected: .blocked(.hold, "held after failed 1.2.0: smoke tests failed: GET /health answered 500")),
        GateCase(name: "a hold outranks a closed sync window", version: "1.2.0", running: .version("1.0.0"), policy: closed,
                 hold: .desiredSpec(seq: 42), expected: .blocked(.hold, held + "; Git is ahead of the fleet, which runs 1.0.0")),
        GateCase(name: "a hold outranks proof upstream", version: "1.2.0", running: .version("1.0.0"), policy: promoted,
                 proofs: [provenInStaging], hold: .desiredSpec(seq: 42),
                 expected: .blocked(.hold, held + "; Git is ahead of the fleet, which runs 1.0.0")),
        GateCase(name: "a hold on another spec is lifted by the new commit", version: "1.2.0", running: .version("1.0.0"),
                 hold: .otherSpec, expected: .proceed(.deploy, .update, reason: nil)),
        GateCase(name: "a hold in another environment does not apply", version: "1.2.0", running: .version("1.0.0"),
                 hold: .otherEnvironment, expected: .proceed(.deploy, .update, reason: nil)),
    ]

    static let unchangedVersion: [GateCase] = [
        GateCase(name: "same version, new spec, window open: no promotion or approval", version: "1.0.0", note: "replicas: 3",
                 running: .version("1.0.0"), policy: both, expected: .proceed(.deploy, .update, reason: nil)),
        GateCase(name: "same version, new spec, window closed", version: "1.0.0", note: "replicas: 3", running: .version("1.0.0"),
                 policy: closed, expected: .blocked(.syncWindow, windowUntil)),
        GateCase(name: "same version, new spec, no allow window ever opens", version: "1.0.0", note: "replicas: 3",
                 running: .version("1.0.0"), policy: neverOpen, expected: .blocked(.syncWindow, "sync window: no allow window ever opens")),
        GateCase(name: "no version in Git is created ungated", version: nil, running: .nothing, policy: both,
                 expected: .proceed(.deploy, .create, reason: nil)),
    ]

    static let rollbacks: [GateCase] = [
        GateCase(name: "back to a version healthy here before", version: "1.0.0", running: .version("1.2.0"), proofs: [healthyHere],
                 expected: .proceed(.rollback, .rollback, reason: "back to 1.0.0, healthy here before (from 1.2.0)")),
        GateCase(name: "a rollback needs no proof upstream and no approval", version: "1.0.0", running: .version("1.2.0"), policy: both,
                 proofs: [healthyHere], expected: .proceed(.rollback, .rollback, reason: "back to 1.0.0, healthy here before (from 1.2.0)")),
        GateCase(name: "a rollback waits for a closed sync window", version: "1.0.0", running: .version("1.2.0"), policy: closed,
                 proofs: [healthyHere], expected: .blocked(.syncWindow, windowUntil)),
        GateCase(name: "a version that failed here is a gated deploy: promotion", version: "0.9.0", running: .version("1.2.0"),
                 policy: both, proofs: [failedHere],
                 expected: .blocked(.promotion, "robot-nav@0.9.0 is not proven in staging; 1.2.0 keeps running")),
        GateCase(name: "a version that failed here is a gated deploy: approval", version: "0.9.0", running: .version("1.2.0"),
                 policy: both, proofs: [failedHere, GateFixture.entry("nav-staging", in: "staging", "0.9.0", seq: 3)],
                 expected: .blocked(.approval, "awaiting approval of 0.9.0 (steward approve nav --version 0.9.0)")),
        GateCase(name: "a version that failed here is a plain deploy, not a rollback", version: "0.9.0", running: .version("1.2.0"),
                 proofs: [failedHere], expected: .proceed(.deploy, .update, reason: nil)),
        GateCase(name: "healthy for another Deployment is not healthy here", version: "0.8.0", running: .version("1.2.0"),
                 policy: approved, proofs: [GateFixture.entry("nav-canary", in: "production", "0.8.0")],
                 expected: .blocked(.approval, "awaiting approval of 0.8.0 (steward approve nav --version 0.8.0)")),
        GateCase(name: "healthy in another environment is not healthy here", version: "0.7.0", running: .version("1.2.0"),
                 policy: approved, proofs: [GateFixture.entry(in: "staging", "0.7.0")],
                 expected: .blocked(.approval, "awaiting approval of 0.7.0 (steward approve nav --version 0.7.0)")),
        GateCase(name: "healthy before, nothing running: a deploy needing no proof or approval", version: "1.0.0", running: .nothing,
                 policy: both, proofs: [healthyHere], expected: .proceed(.deploy, .create, reason: nil)),
        GateCase(name: "healthy before, a record only ever blocked (nothing applied: a create): a deploy, not a rollback", version: "1.0.0",
                 running: .blockedOnly("1.0.0"), policy: both, proofs: [healthyHere], expected: .proceed(.deploy, .create, reason: nil)),
    ]

    static let promotions: [GateCase] = [
        GateCase(name: "not proven upstream, a version running", version: "1.4.0", running: .version("1.0.0"), policy: promoted,
                 proofs: [provenInStaging], expected: .blocked(.promotion, "robot-nav@1.4.0 is not proven in staging; 1.0.0 keeps running")),
        GateCase(name: "not proven upstream, nothing running", version: "1.4.0", running: .nothing, policy: promoted,
                 proofs: [provenInStaging], expected: .blocked(.promotion, "robot-nav@1.4.0 is not proven in staging")),
        GateCase(name: "a record only ever blocked runs nothing: still gated", version: "1.4.0", running: .blockedOnly("1.4.0"),
                 policy: promoted, expected: .blocked(.promotion, "robot-nav@1.4.0 is not proven in staging")),
        GateCase(name: "proven upstream promotes, reason with seq", version: "1.2.0", running: .version("1.0.0"), policy: promoted,
                 proofs: [provenInStaging], expected: .proceed(.promote, .promote, reason: "proven in staging (seq 17)")),
        GateCase(name: "proven upstream promotes a create", version: "1.2.0", running: .nothing, policy: promoted,
                 proofs: [provenInStaging], expected: .proceed(.promote, .promote, reason: "proven in staging (seq 17)")),
        GateCase(name: "proven upstream without seq", version: "1.3.0", running: .version("1.0.0"), policy: promoted,
                 proofs: [GateFixture.entry("nav-staging", in: "staging", "1.3.0")],
                 expected: .proceed(.promote, .promote, reason: "proven in staging")),
        GateCase(name: "the newest proof names the seq", version: "1.2.0", running: .version("1.0.0"), policy: promoted,
                 proofs: [provenInStaging, GateFixture.entry("nav-staging-b", in: "staging", "1.2.0", seq: 30)],
                 expected: .proceed(.promote, .promote, reason: "proven in staging (seq 30)")),
        GateCase(name: "another blueprint's proof does not count", version: "1.4.0", running: .version("1.0.0"), policy: promoted,
                 proofs: [GateFixture.entry("arm-staging", in: "staging", "1.4.0", blueprint: "robot-arm")],
                 expected: .blocked(.promotion, "robot-nav@1.4.0 is not proven in staging; 1.0.0 keeps running")),
        GateCase(name: "a proof in another environment does not count", version: "1.4.0", running: .version("1.0.0"), policy: promoted,
                 proofs: [GateFixture.entry("nav-qa", in: "qa", "1.4.0", seq: 8)],
                 expected: .blocked(.promotion, "robot-nav@1.4.0 is not proven in staging; 1.0.0 keeps running")),
        GateCase(name: "a proof recorded without its blueprint does not count", version: "1.4.0", running: .version("1.0.0"),
                 policy: promoted, proofs: [GateFixture.entry("nav-staging", in: "staging", "1.4.0", blueprint: nil)],
                 expected: .blocked(.promotion, "robot-nav@1.4.0 is not proven in staging; 1.0.0 keeps running")),
        GateCase(name: "a failed run upstream is not a proof", version: "1.4.0", running: .version("1.0.0"), policy: promoted,
                 proofs: [GateFixture.entry("nav-staging", in: "staging", "1.4.0", outcome: "failed", seq: 9)],
                 expected: .blocked(.promotion, "robot-nav@1.4.0 is not proven in staging; 1.0.0 keeps running")),
        GateCase(name: "an approval does not replace proof upstream", version: "1.4.0", running: .version("1.0.0"), policy: both,
                 approvals: ["nav@1.4.0"], expected: .blocked(.promotion, "robot-nav@1.4.0 is not proven in staging; 1.0.0 keeps running")),
    ]

    static let approvals: [GateCase] = [
        GateCase(name: "approval required and missing", version: "1.2.0", running: .version("1.0.0"), policy: approved,
                 expected: .blocked(.approval, "awaiting approval of 1.2.0 (steward approve nav --version 1.2.0)")),
        GateCase(name: "approval given", version: "1.2.0", running: .version("1.0.0"), policy: approved, approvals: ["nav@1.2.0"],
                 expected: .proceed(.deploy, .update, reason: nil)),
        GateCase(name: "an approval of another version does not count", version: "1.2.0", running: .version("1.0.0"), policy: approved,
                 approvals: ["nav@1.1.0"], expected: .blocked(.approval, "awaiting approval of 1.2.0 (steward approve nav --version 1.2.0)")),
        GateCase(name: "an approval of another Deployment does not count", version: "1.2.0", running: .version("1.0.0"),
                 policy: approved, approvals: ["nav-canary@1.2.0"],
                 expected: .blocked(.approval, "awaiting approval of 1.2.0 (steward approve nav --version 1.2.0)")),
        GateCase(name: "proven upstream, approval missing", version: "1.2.0", running: .version("1.0.0"), policy: both,
                 proofs: [provenInStaging], expected: .blocked(.approval, "awaiting approval of 1.2.0 (steward approve nav --version 1.2.0)")),
        GateCase(name: "proven upstream and approved promotes", version: "1.2.0", running: .version("1.0.0"), policy: both,
                 proofs: [provenInStaging], approvals: ["nav@1.2.0"],
                 expected: .proceed(.promote, .promote, reason: "proven in staging (seq 17)")),
    ]

    static let deploys: [GateCase] = [
        GateCase(name: "no promotesFrom: a new version deploys", version: "1.2.0", running: .version("1.0.0"),
                 expected: .proceed(.deploy, .update, reason: nil)),
        GateCase(name: "no promotesFrom: a first version is created", version: "1.2.0", running: .nothing,
                 expected: .proceed(.deploy, .create, reason: nil)),
        GateCase(name: "an environment without a policy deploys", version: "1.2.0", running: .version("1.0.0"), policy: nil,
                 expected: .proceed(.deploy, .update, reason: nil)),
        GateCase(name: "a closed sync window blocks a version change", version: "1.2.0", running: .version("1.0.0"),
                 policy: EnvironmentPolicy(syncWindow: .closed(until: GateFixture.t0.addingTimeInterval(3600))),
                 expected: .blocked(.syncWindow, windowUntil)),
        GateCase(name: "a closed sync window is reported before promotion", version: "1.4.0", running: .version("1.0.0"),
                 policy: closed, expected: .blocked(.syncWindow, windowUntil)),
        GateCase(name: "no allow window ever opens: a create waits", version: "1.2.0", running: .nothing, policy: neverOpen,
                 expected: .blocked(.syncWindow, "sync window: no allow window ever opens")),
    ]

    @Test(arguments: holds + unchangedVersion + rollbacks + promotions + approvals + deploys)
    func decide(_ row: GateCase) throws {
        let desired = GateFixture.desired(row.version, note: row.note)
        let change = try GateFixture.change(desired, running: row.running)
        var holds: [String: Hold] = [:]
        switch row.hold {
        case .none:
            break
        case .desiredSpec(let seq):
            holds[GateContext.holdKey(deployment: "nav", environment: "production")] = GateFixture.hold("1.2.0", specHash: desired.specHash, seq: seq)
        case .otherSpec:
            let older = GateFixture.desired(row.version, note: "before the fix")
            holds[GateContext.holdKey(deployment: "nav", environment: "production")] = GateFixture.hold("1.2.0", specHash: older.specHash, seq: 42)
        case .otherEnvironment:
            holds[GateContext.holdKey(deployment: "nav", environment: "staging")] =
                GateFixture.hold("1.2.0", specHash: desired.specHash, seq: 42, environment: "staging")
        }
        let context = GateContext(environments: row.policy.map { ["production": $0] } ?? [:], proofs: ProofIndex(row.proofs),
                                  approvals: row.approvals, holds: holds)
        #expect(context.decide(change) == row.expected)
    }
}

/// The planner turns a gate decision into the action it plans or the item it blocks.
@Suite("Planner applies gate decisions")
struct PlannerGateTests {
    @Test func aProvenVersionIsPlannedAsAPromoteWithItsReason() throws {
        let change = try GateFixture.change(GateFixture.desired("1.2.0"), running: .version("1.0.0"))
        let gates = GateContext(environments: ["production": EnvironmentPolicy(promotesFrom: "staging")],
                                proofs: ProofIndex([GateFixture.entry("nav-staging", in: "staging", "1.2.0", seq: 17)]))
        let plan = Planner.plan(changes: [change], commit: "c2", gates: gates)
        #expect(plan.blocked.isEmpty)
        #expect(plan.actions.map { [$0.kind.rawValue, $0.change.rawValue, $0.version ?? "", $0.trigger, $0.reason] } == [
            ["promote", "promote", "1.2.0", "c2", "changed in Git: spec.note, spec.version; proven in staging (seq 17)"],
        ])
    }

    @Test func anUnprovenVersionIsBlockedWithTheGate() throws {
        let change = try GateFixture.change(GateFixture.desired("1.4.0"), running: .version("1.0.0"))
        let plan = Planner.plan(changes: [change], commit: "c2", gates: GateContext(environments: ["production": EnvironmentPolicy(promotesFrom: "staging")]))
        #expect(plan.actions.isEmpty)
        #expect(plan.blocked == [BlockedItem(key: GateFixture.key, reason: "robot-nav@1.4.0 is not proven in staging; 1.0.0 keeps running",
                                             gate: .promotion)])
    }
}
