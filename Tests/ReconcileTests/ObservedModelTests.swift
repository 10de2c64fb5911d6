import Foundation
import Manifests
import Reconcile
import Testing

@Suite("Observed-state models")
struct ObservedModelTests {
    @Test func resourceKeysOrderAdaptersBeforeVersionsBeforeDeployments() {
        let keys = [
            ResourceKey(kind: .deployment, name: "nav", environment: "staging"),
            ResourceKey(kind: .agentBlueprint, name: "nav@1.2.0", environment: "staging"),
            ResourceKey(kind: .runtimeAdapter, name: "robotics-main", environment: "staging"),
            ResourceKey(kind: .runtimeAdapter, name: "robotics-main", environment: "production"),
        ]
        #expect(keys.sorted().map(\.description) == [
            "RuntimeAdapter/robotics-main in production",
            "RuntimeAdapter/robotics-main in staging",
            "AgentBlueprint/nav@1.2.0 in staging",
            "Deployment/nav in staging",
        ])
    }

    @Test func appliedResourceRoundTripsThroughJSON() throws {
        let resource = AppliedResource(
            key: ResourceKey(kind: .deployment, name: "nav", environment: "staging"), specHash: String(repeating: "a", count: 64),
            spec: .object(["blueprint": .string("nav"), "suspend": .bool(false)]), commit: "abc", version: "1.2.0",
            sync: .outOfSync, health: .progressing, message: "deploying",
            conditions: [Condition(type: "Ready", status: false, reason: "Deploying", message: "rolling out")],
            createdAt: Date(timeIntervalSince1970: 1_800_000_000), updatedAt: Date(timeIntervalSince1970: 1_800_000_060))
        let decoded = try JSONDecoder().decode(AppliedResource.self, from: JSONEncoder().encode(resource))
        #expect(decoded == resource)
        #expect(SyncStatus.allCases.map(\.rawValue) == ["Synced", "OutOfSync", "Blocked"])
        #expect(HealthStatus.allCases.map(\.rawValue) == ["Healthy", "Progressing", "Degraded", "Missing", "Unknown"])
    }
}
