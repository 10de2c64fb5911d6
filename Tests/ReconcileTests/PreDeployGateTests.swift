import Foundation
import Manifests
import Reconcile
import Testing

/// Pre-deploy checks and backups before a change (DESIGN §11), as `GateContext.decide` sees them:
/// a deploy or promote carries the note that they will run (they are effects: planning never runs
/// them); a remembered failure for this change blocks it; a rollback skips them.
@Suite("Pre-deploy gate decisions: checks, backups, remembered failures, rollbacks")
struct PreDeployGateTests {
    static let check = PreDeployCheck(name: "schema", command: ["./ops/check.sh"])
    static let checked = EnvironmentPolicy(preDeploy: [check])
    static let backedUp = EnvironmentPolicy(backupBefore: ["db-before"])
    static let promotedAndChecked = EnvironmentPolicy(promotesFrom: "staging", preDeploy: [check, PreDeployCheck(name: "console", endpoint: "/health")],
                                                      backupBefore: ["db-before", "events"])
    static let failure = "pre-deploy check 'schema' failed: migration 0042 would drop a column (exited with code 1)"
    static var failed: [String: String] { [GateContext.holdKey(deployment: "nav", environment: "production"): failure] }

    private func decide(_ version: String, running: GateFixture.Running, policy: EnvironmentPolicy, proofs: [HistoryEntry] = [],
                        failures: [String: String] = [:], approvals: Set<String> = []) throws -> GateContext.Decision {
        let change = try GateFixture.change(GateFixture.desired(version), running: running)
        return GateContext(environments: ["production": policy], proofs: ProofIndex(proofs), approvals: approvals,
                           preDeployFailures: failures).decide(change)
    }

    @Test func aDeployCarriesTheNoteThatChecksWillRun() throws {
        #expect(try decide("1.2.0", running: .nothing, policy: Self.checked)
                == .proceed(.deploy, .create, reason: "pre-deploy check 'schema' will run before it"))
        #expect(try decide("1.2.0", running: .version("1.0.0"), policy: Self.backedUp)
                == .proceed(.deploy, .update, reason: "backup 'db-before' will run before it"))
        let proof = GateFixture.entry("nav-staging", in: "staging", "1.2.0", seq: 17)
        #expect(try decide("1.2.0", running: .version("1.0.0"), policy: Self.promotedAndChecked, proofs: [proof])
                == .proceed(.promote, .promote, reason: "proven in staging (seq 17); pre-deploy checks 'schema', 'console' and backups 'db-before', 'events' will run before it"))
    }

    @Test func noChecksNoNote() throws {
        #expect(try decide("1.2.0", running: .nothing, policy: EnvironmentPolicy()) == .proceed(.deploy, .create, reason: nil))
    }

    @Test func aRememberedFailureBlocksTheChange() throws {
        #expect(try decide("1.2.0", running: .version("1.0.0"), policy: Self.checked, failures: Self.failed) == .blocked(.preDeploy, Self.failure))
        // remembered for nav in production only
        let elsewhere = [GateContext.holdKey(deployment: "nav", environment: "staging"): Self.failure]
        #expect(try decide("1.2.0", running: .version("1.0.0"), policy: Self.checked, failures: elsewhere)
                == .proceed(.deploy, .update, reason: "pre-deploy check 'schema' will run before it"))
    }

    @Test func aRollbackSkipsChecksAndBackupsEvenAfterAFailure() throws {
        let healthy = GateFixture.entry(in: "production", "1.0.0", seq: 5)
        #expect(try decide("1.0.0", running: .version("1.2.0"), policy: Self.promotedAndChecked, proofs: [healthy], failures: Self.failed)
                == .proceed(.rollback, .rollback, reason: "back to 1.0.0, healthy here before (from 1.2.0)"))
    }

    @Test func earlierGatesComeFirst() throws {
        // not proven upstream: the promotion gate speaks, the checks are not mentioned
        #expect(try decide("1.3.0", running: .version("1.0.0"), policy: Self.promotedAndChecked, failures: Self.failed)
                == .blocked(.promotion, "robot-nav@1.3.0 is not proven in staging; 1.0.0 keeps running"))
        let waiting = EnvironmentPolicy(requireApproval: true, preDeploy: [Self.check])
        #expect(try decide("1.3.0", running: .version("1.0.0"), policy: waiting, failures: Self.failed)
                == .blocked(.approval, "awaiting approval of 1.3.0 (steward approve nav --version 1.3.0)"))
    }

    @Test func thePlannerBlocksWithTheGateAndPlansNothing() throws {
        let change = try GateFixture.change(GateFixture.desired("1.2.0"), running: .version("1.0.0"))
        let plan = Planner.plan(changes: [change], commit: "c2",
                                gates: GateContext(environments: ["production": Self.checked], preDeployFailures: Self.failed))
        #expect(plan.actions.isEmpty)
        #expect(plan.blocked == [BlockedItem(key: GateFixture.key, reason: Self.failure, gate: .preDeploy)])
        #expect(GateContext.preDeployKey(commit: "c2", version: "1.2.0") == "c2@1.2.0")
    }
}
