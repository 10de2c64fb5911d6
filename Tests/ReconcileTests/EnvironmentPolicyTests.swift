import Foundation
import Manifests
import Reconcile
import Testing

/// `EnvironmentPolicy(environment, now:)`: what the planner reads from an Environment manifest.
@Suite("Environment policy from a manifest")
struct EnvironmentPolicyTests {
    private func environment(_ spec: String) throws -> Environment {
        let json = #"{"apiVersion": "steward/v1", "kind": "Environment", "metadata": {"name": "production"}, "spec": \#(spec)}"#
        return try JSONDecoder().decode(Environment.self, from: Data(json.utf8))
    }

    @Test func everyGateAndTheSyncWindowStateAtNow() throws {
        let production = try environment("""
            {"promotesFrom": "staging", "driver": {"type": "local"},
             "gates": {"requireApproval": true, "smokeTests": [{"name": "API Health Check", "endpoint": "/health", "expectedStatus": 200}],
                       "health": {"maxErrorRate": 0.01, "maxP95LatencyMs": 500, "windowSeconds": 120}},
             "autoRollback": {"enabled": true, "revertCommit": true},
             "syncWindows": [{"kind": "deny", "schedule": "0 0 * * 6", "durationMinutes": 2880, "timeZone": "Europe/Berlin"}]}
            """)
        let saturday = EnvironmentPolicy(production, now: try GateFixture.date("2026-11-28T12:00:00Z"))
        #expect(saturday.promotesFrom == "staging")
        #expect(saturday.requireApproval)
        #expect(saturday.smokeTests == production.spec.gates?.smokeTests)
        #expect(saturday.smokeTests.map(\.name) == ["API Health Check"])
        #expect(saturday.health == production.spec.gates?.health)
        #expect(saturday.healthWindowSeconds == 120)
        #expect(saturday.autoRollback && saturday.revertCommit)
        #expect(saturday.syncWindow == .closed(until: try GateFixture.date("2026-11-29T23:00:00Z")))
        let monday = EnvironmentPolicy(production, now: try GateFixture.date("2026-11-30T08:00:00Z"))
        #expect(monday.syncWindow == .open)
    }

    @Test func aBareEnvironmentAsksNothing() throws {
        let policy = EnvironmentPolicy(try environment(#"{"driver": {"type": "local"}}"#), now: GateFixture.t0)
        #expect(policy == EnvironmentPolicy())
        #expect(policy.healthWindowSeconds == nil)
    }

    @Test func aHealthGateWithoutWindowWatchesFiveMinutes() throws {
        let policy = EnvironmentPolicy(try environment(#"{"driver": {"type": "local"}, "gates": {"health": {"maxErrorRate": 0.05}}}"#),
                                       now: GateFixture.t0)
        #expect(policy.healthWindowSeconds == 300)
        #expect(!policy.requireApproval && policy.smokeTests.isEmpty && !policy.autoRollback && !policy.revertCommit)
    }
}
