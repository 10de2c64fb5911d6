import Foundation
import Manifests
@testable import Reconcile
import Testing

/// `Explainer` (DESIGN §14) for every reason a Deployment or resource can be not Synced/Healthy:
/// pure facts in, the chain and its unblock out.
@Suite("Explanations: the chain of causes and what unblocks it")
struct ExplainerTests {
    static let time = Date(timeIntervalSince1970: 1_800_000_000)
    static let staging = ResourceKey(kind: .deployment, name: "nav-staging", environment: "staging")
    static let production = ResourceKey(kind: .deployment, name: "nav-production", environment: "production")

    static func wanted(_ name: String, _ version: String, line: Int = 9) -> ExplainFacts.Wanted {
        .init(version: version, blueprint: "robot-nav", file: "deployments/\(name).yaml", line: line, commit: "c0ffee1234567890")
    }

    static func applied(_ key: ResourceKey, _ version: String, sync: SyncStatus = .synced, health: HealthStatus = .healthy,
                        message: String? = nil) -> AppliedResource {
        AppliedResource(key: key, specHash: "h-\(version)", spec: .null, commit: "abc1234def", version: version, sync: sync, health: health,
                        message: message, createdAt: time, updatedAt: time)
    }

    /// Staging and production of one blueprint; production promotes from staging and wants 1.3.0.
    static func pipeline(stagingVersion: String = "1.3.0", stagingHealth: HealthStatus = .degraded) -> ExplainFacts {
        var facts = ExplainFacts()
        facts.wanted = [staging: wanted("nav-staging", stagingVersion), production: wanted("nav-production", "1.3.0", line: 11)]
        facts.applied = [staging: applied(staging, stagingVersion, health: stagingHealth, message: "smoke test 'API Health Check' failed: 503"),
                         production: applied(production, "1.2.0")]
        facts.gates = GateContext(environments: ["staging": EnvironmentPolicy(), "production": EnvironmentPolicy(promotesFrom: "staging")])
        facts.plan = Plan(commit: "c0ffee", blocked: [BlockedItem(key: production, reason: "robot-nav@1.3.0 is not proven in staging; 1.2.0 keeps running",
                                                                  gate: .promotion)])
        facts.incidents = [staging: .init(seq: 812, type: "gateFailed", message: "1.3.0: smoke test 'API Health Check' failed: 503", commit: "c0ffee")]
        return facts
    }

    @Test func aPromotionGateIsChainedThroughTheUpstreamEnvironment() {
        let explanation = Explainer.explain(Self.production, Self.pipeline())
        #expect(!explanation.converged)
        #expect(explanation.chain.map(\.text) == [
            "wants 1.3.0",
            "blocked: robot-nav@1.3.0 is not proven in staging; 1.2.0 keeps running",
            "nav-staging: wants 1.3.0",
            "nav-staging: runs 1.3.0: Synced, Degraded: smoke test 'API Health Check' failed: 503",
            "nav-staging: gateFailed: 1.3.0: smoke test 'API Health Check' failed: 503",
        ])
        #expect(explanation.chain[0].evidence == .init(commit: "c0ffee1234567890", file: "deployments/nav-production.yaml", line: 11))
        #expect(explanation.chain[1].evidence.gate == "promotion")
        #expect(explanation.chain[4].evidence.seq == 812)
        #expect(explanation.chain[4].evidence.resource == "Deployment/nav-staging" && explanation.chain[4].evidence.environment == "staging")
        #expect(explanation.unblock == "commit a change to nav-staging (a fixed version, or back to a proven one) in deployments/nav-staging.yaml")
        #expect(explanation.summary.hasPrefix("wants 1.3.0 (deployments/nav-production.yaml:11, commit c0ffee1) → blocked: "))
        #expect(explanation.summary.contains("(commit c0ffee, seq 812)"))
    }

    @Test func anUpstreamThatWantsAnotherVersionSaysWhatToCommit() {
        let explanation = Explainer.explain(Self.production, Self.pipeline(stagingVersion: "1.2.0", stagingHealth: .healthy))
        #expect(explanation.unblock == "commit spec.version 1.3.0 to nav-staging (deployments/nav-staging.yaml) so staging proves it first")
    }

    @Test func anUpstreamThatIsStillDeployingIsWaitedFor() {
        var facts = Self.pipeline(stagingHealth: .healthy)
        facts.incidents = [:]
        facts.plan.actions = [PlannedAction(kind: .deploy, key: Self.staging, change: .update, document: .null, specHash: "h", version: "1.3.0",
                                            commit: "c0ffee", trigger: "c0ffee", reason: "changed in Git: spec.version")]
        let explanation = Explainer.explain(Self.production, facts)
        #expect(explanation.chain.last?.text == "nav-staging: the next pass runs deploy 1.3.0: changed in Git: spec.version")
        #expect(explanation.unblock == "wait: nav-staging proves 1.3.0 when it passes staging's gates")
    }

    static func blocked(_ gate: BlockedItem.Gate, _ reason: String, facts: (inout ExplainFacts) -> Void = { _ in }) -> Explanation {
        var value = ExplainFacts()
        value.wanted = [production: wanted("nav-production", "1.3.0")]
        value.applied = [production: applied(production, "1.2.0", sync: .blocked, message: reason)]
        value.plan = Plan(commit: "c0ffee", blocked: [BlockedItem(key: production, reason: reason, gate: gate)])
        facts(&value)
        return Explainer.explain(production, value)
    }

    @Test func eachGateSaysWhatUnblocksIt() {
        #expect(Self.blocked(.approval, "awaiting approval of 1.3.0 (steward approve nav-production --version 1.3.0)").unblock
                == "approve it: steward approve nav-production --version 1.3.0")
        #expect(Self.blocked(.syncWindow, "outside the sync windows until 2027-01-04T08:00:00Z").unblock
                == "wait for the sync window (outside the sync windows until 2027-01-04T08:00:00Z)")
        #expect(Self.blocked(.suspended, "suspended (spec.suspend: true)").unblock
                == "set spec.suspend: false in deployments/nav-production.yaml and commit")
        #expect(Self.blocked(.drift, "drifted (spec.replicas changed on the target); selfHeal is off").unblock?
            .contains("turn reconcile.selfHeal on") == true)
        #expect(Self.blocked(.driver, "driver: the http driver has no url").unblock?.hasPrefix("fix the driver of environment production") == true)
        let check = Self.blocked(.preDeploy, "pre-deploy check 'schema' failed: migration 0042 would drop a column (exited with code 3)") {
            $0.incidents = [Self.production: .init(seq: 40, type: "preDeployCheckFailed", message: "pre-deploy check 'schema' failed", commit: "c0ffee")]
        }
        #expect(check.chain.last?.evidence.seq == 40)
        #expect(check.unblock?.hasPrefix("fix what the check found, then commit or POST /api/reconcile") == true)
    }

    @Test func aHoldNamesTheFailedVersionAndItsEvent() {
        let explanation = Self.blocked(.hold, "held after failed 1.3.0 (seq 815): smoke test failed") {
            $0.gates.holds = [GateContext.holdKey(deployment: "nav-production", environment: "production"):
                Hold(deployment: "nav-production", environment: "production", version: "1.3.0", specHash: "h", reason: "smoke test failed",
                     seq: 815, time: Self.time)]
            $0.incidents = [Self.production: .init(seq: 813, type: "rollback", message: "rolled back to 1.2.0", commit: "c0ffee")]
        }
        #expect(explanation.chain[1].evidence.seq == 815 && explanation.chain[1].evidence.gate == "hold")
        #expect(explanation.chain.last?.text == "rollback: rolled back to 1.2.0")
        #expect(explanation.unblock == "commit a change to nav-production (a fixed version, or back to a proven one) in deployments/nav-production.yaml")
    }

    @Test func aFailingProbeIsTheTargetsWord() {
        var facts = ExplainFacts()
        facts.wanted = [Self.production: Self.wanted("nav-production", "1.2.0")]
        facts.applied = [Self.production: Self.applied(Self.production, "1.2.0", health: .unknown, message: "probe failed: connection refused")]
        let explanation = Explainer.explain(Self.production, facts)
        #expect(explanation.chain.map(\.text) == ["wants 1.2.0", "runs 1.2.0: Synced, Unknown: probe failed: connection refused"])
        #expect(explanation.unblock == "fix what the target reports (probe failed: connection refused); Steward probes it every pass")
    }

    @Test func aTipThatDoesNotValidateNamesFileLineAndTheCommitThatStays() {
        var facts = ExplainFacts()
        facts.applied = [Self.production: Self.applied(Self.production, "1.2.0")]
        facts.tip = .init(commit: "badbadbad", errors: [ValidationError(file: "deployments/nav-production.yaml", position: .init(line: 7, column: 3),
                                                                         field: "spec.version", message: "spec.version: expected a string")])
        facts.lastApplied = "goodgoodgood"
        let explanation = Explainer.explain(Self.production, facts)
        #expect(explanation.chain.first?.text == "commit badbadb at the tip is not applied: spec.version: expected a string")
        #expect(explanation.chain.first?.evidence.file == "deployments/nav-production.yaml" && explanation.chain.first?.evidence.line == 7)
        #expect(explanation.unblock == "fix deployments/nav-production.yaml:7 and commit; the fleet stays at commit goodgoo")
    }

    @Test func convergedPendingAndUnprunedResources() {
        var facts = ExplainFacts()
        facts.wanted = [Self.production: Self.wanted("nav-production", "1.2.0")]
        facts.applied = [Self.production: Self.applied(Self.production, "1.2.0")]
        let converged = Explainer.explain(Self.production, facts)
        #expect(converged.converged && converged.unblock == nil)
        #expect(converged.text == """
            Deployment/nav-production in production: converged
              1. wants 1.2.0 (deployments/nav-production.yaml:9, commit c0ffee1)
              2. runs 1.2.0: Synced, Healthy (commit abc1234)
            """)

        // Converged after an auto-rollback: the rollback is the last link, with its event.
        facts.incidents = [Self.production: .init(seq: 813, type: "rollback", message: "rolled back from 1.3.0 to 1.2.0: smoke tests failed", commit: "c0ffee")]
        let rolledBack = Explainer.explain(Self.production, facts)
        #expect(rolledBack.converged && rolledBack.unblock == nil)
        #expect(rolledBack.chain.last?.text == "earlier: rollback: rolled back from 1.3.0 to 1.2.0: smoke tests failed")
        #expect(rolledBack.chain.last?.evidence.seq == 813)
        // An older failure of another kind is not news once it runs healthy.
        facts.incidents = [Self.production: .init(seq: 700, type: "actionFailed", message: "deploy failed: 500", commit: "c0ffee")]
        #expect(Explainer.explain(Self.production, facts).chain.count == 2)
        facts.incidents = [:]

        facts.wanted = [:]
        facts.prune = false
        let kept = Explainer.explain(Self.production, facts)
        #expect(kept.chain.map(\.text) == ["no longer in Git", "kept on the target: reconcile.prune is off"])
        #expect(!kept.converged)

        // A blueprint version no Deployment asks for any more stays registered: nothing to converge.
        let blueprint = ResourceKey(kind: .agentBlueprint, name: "robot-nav@1.2.0", environment: "production")
        facts.applied = [blueprint: Self.applied(blueprint, "1.2.0")]
        let registered = Explainer.explain(blueprint, facts)
        #expect(registered.converged && registered.chain.last?.text == "kept: a registered blueprint version is never unregistered")

        // A record without a file (an Environment Git wants) shows no empty place.
        let environment = ResourceKey(kind: .environment, name: "production")
        facts.wanted = [environment: .init(version: nil, blueprint: nil, file: "", line: nil, commit: "c0ffee1234")]
        facts.applied = [environment: AppliedResource(key: environment, specHash: "e", spec: .null, commit: "c0ffee1234", health: .healthy,
                                                      createdAt: Self.time, updatedAt: Self.time)]
        #expect(Explainer.explain(environment, facts).chain.first?.line == "wants its spec (commit c0ffee1)")
    }
}
