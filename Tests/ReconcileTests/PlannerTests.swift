import Foundation
import Manifests
import Reconcile
import Testing

@Suite("Differ and Planner (pure, no I/O)")
struct PlannerTests {
    private let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    private func key(_ kind: ResourceKind, _ name: String, _ env: String? = "staging") -> ResourceKey {
        ResourceKey(kind: kind, name: name, environment: env)
    }

    private func desired(_ key: ResourceKey, _ spec: JSONValue, version: String? = nil) -> DesiredResource {
        let document: JSONValue = .object(["kind": .string(key.kind.rawValue), "spec": spec])
        return DesiredResource(key: key, document: document, specHash: ContentHash.sha256Hex(document.canonicalBytes), version: version, commit: "c2")
    }

    private func applied(_ want: DesiredResource) -> AppliedResource {
        AppliedResource(key: want.key, specHash: want.specHash, spec: want.document, commit: "c1", version: want.version,
                        createdAt: t0, updatedAt: t0)
    }

    @Test func createUpdateDriftPruneAndUnchanged() {
        let adapter = desired(key(.runtimeAdapter, "robotics-main"), .object(["enabled": .bool(true)]))
        let version = desired(key(.agentBlueprint, "nav@1.2.0"), .object(["version": .string("1.2.0")]), version: "1.2.0")
        let deployment = desired(key(.deployment, "nav"), .object(["version": .string("1.3.0")]), version: "1.3.0")
        let oldDeployment = desired(key(.deployment, "nav"), .object(["version": .string("1.2.0")]), version: "1.2.0")
        let gone = desired(key(.deployment, "old"), .object([:]))
        let drifted = desired(key(.runtimeAdapter, "desktop-main"), .object([:]))
        let changes = Differ.diff(
            desired: [adapter.key: adapter, version.key: version, deployment.key: deployment, drifted.key: drifted],
            applied: [version.key: applied(version), deployment.key: applied(oldDeployment), gone.key: applied(gone), drifted.key: applied(drifted)],
            probes: [drifted.key: ObservedProbe(drifted: true, missing: false, message: "spec.enabled changed")])
        #expect(changes.map { "\($0.change.rawValue) \($0.key)" } == [
            "drift RuntimeAdapter/desktop-main in staging",
            "create RuntimeAdapter/robotics-main in staging",
            "update Deployment/nav in staging",
            "prune Deployment/old in staging",
        ])
        let update = changes.first { $0.change == .update }
        #expect(update?.fields == [FieldChange(path: "spec.version", from: .string("1.2.0"), to: .string("1.3.0"))])
    }

    /// More keys than are diffed on one thread: each key gets its own change, sorted, and a
    /// fleet whose every applied key is still wanted prunes nothing.
    @Test func manyKeysAreDiffedEachOnItsOwn() {
        let wants = (0..<(ConcurrentMap.threshold * 2)).map { desired(key(.deployment, String(format: "agent-%04d", $0)), .object(["n": .int($0)])) }
        var applied: [ResourceKey: AppliedResource] = [:]
        for (index, want) in wants.enumerated() where index % 10 != 3 {
            applied[want.key] = index % 10 == 5 ? self.applied(desired(want.key, .object(["n": .int(-1)]))) : self.applied(want)
        }
        let drifted = wants[8].key
        let changes = Differ.diff(desired: Dictionary(uniqueKeysWithValues: wants.map { ($0.key, $0) }), applied: applied,
                                  probes: [drifted: ObservedProbe(drifted: true, missing: false, message: "edited by hand")])
        let expected = wants.enumerated().compactMap { index, want -> String? in
            switch index % 10 {
            case 3: return "create \(want.key.name)"
            case 5: return "update \(want.key.name)"
            default: return want.key == drifted ? "drift \(want.key.name)" : nil
            }
        }
        #expect(changes.map { "\($0.change.rawValue) \($0.key.name)" } == expected)
        #expect(changes.first { $0.change == .update }?.fields == [FieldChange(path: "spec.n", from: .int(-1), to: .int(5))])
    }

    @Test func planOrdersAdaptersVersionsDeploymentsThenPrunesInReverse() {
        let adapter = desired(key(.runtimeAdapter, "a"), .object([:]))
        let version = desired(key(.agentBlueprint, "nav@1.0.0"), .object([:]), version: "1.0.0")
        let deployment = desired(key(.deployment, "nav"), .object([:]), version: "1.0.0")
        let oldAdapter = desired(key(.runtimeAdapter, "z"), .object([:]))
        let oldDeployment = desired(key(.deployment, "zz"), .object([:]))
        let changes = Differ.diff(desired: [deployment.key: deployment, version.key: version, adapter.key: adapter],
                                  applied: [oldAdapter.key: applied(oldAdapter), oldDeployment.key: applied(oldDeployment)], probes: [:])
        let plan = Planner.plan(changes: changes, commit: "c2")
        #expect(plan.actions.map { "\($0.kind.rawValue) \($0.key.name)" } == [
            "configureAdapter a", "registerVersion nav@1.0.0", "deploy nav", "undeploy zz", "removeAdapter z",
        ])
        #expect(plan.actions.allSatisfy { $0.trigger == "c2" })
        #expect(Planner.plan(changes: changes, commit: "c2", options: .init(prune: false, selfHeal: true)).actions.count == 3)
    }

    @Test func driftNeedsSelfHealAndUsesTheDriftEventAsTrigger() {
        let adapter = desired(key(.runtimeAdapter, "a"), .object([:]))
        let changes = Differ.diff(desired: [adapter.key: adapter], applied: [adapter.key: applied(adapter)],
                                  probes: [adapter.key: ObservedProbe(drifted: false, missing: true)])
        let healed = Planner.plan(changes: changes, commit: "c2", driftTriggers: [adapter.key: "42"])
        #expect(healed.actions.map(\.trigger) == ["drift:42"])
        #expect(healed.actions.first?.change == .drift)
        let reportOnly = Planner.plan(changes: changes, commit: "c2", options: .init(prune: true, selfHeal: false))
        #expect(reportOnly.actions.isEmpty)
        #expect(reportOnly.blocked.map(\.reason) == ["drifted (missing on the target); selfHeal is off"])
    }

    @Test func suspendedDeploymentsAreBlocked() {
        let deployment = desired(key(.deployment, "nav"), .object([:]))
        let plan = Planner.plan(changes: Differ.diff(desired: [deployment.key: deployment], applied: [:], probes: [:]),
                                commit: "c2", suspended: ["nav"])
        #expect(plan.actions.isEmpty)
        #expect(plan.blocked == [BlockedItem(key: deployment.key, reason: "suspended (spec.suspend: true)", gate: .suspended)])
    }

    @Test func idempotencyKeysDependOnEveryPart() {
        let deployment = desired(key(.deployment, "nav"), .object([:]), version: "1.0.0")
        let base = Planner.plan(changes: Differ.diff(desired: [deployment.key: deployment], applied: [:], probes: [:]), commit: "c2").actions[0]
        var other = base
        other.trigger = "c3"
        var otherEnvironment = base
        otherEnvironment.key.environment = "production"
        #expect(base.idempotencyKey.count == 64)
        #expect(Set([base.idempotencyKey, other.idempotencyKey, otherEnvironment.idempotencyKey]).count == 3)
        #expect(base.idempotencyKey == Planner.plan(changes: Differ.diff(desired: [deployment.key: deployment], applied: [:], probes: [:]), commit: "c2").actions[0].idempotencyKey)
    }

    @Test func planIsCodable() throws {
        let deployment = desired(key(.deployment, "nav"), .object(["version": .string("1.0.0")]), version: "1.0.0")
        let plan = Planner.plan(changes: Differ.diff(desired: [deployment.key: deployment], applied: [:], probes: [:]), commit: "c2")
        #expect(try JSONDecoder().decode(Plan.self, from: JSONEncoder().encode(plan)) == plan)
    }

    @Test func desiredStateFromAFleetCarriesCommitsOfUnchangedResources() throws {
        let fleet = try #require(Self.fleet())
        let first = DesiredState.build(fleet, commit: "c1")
        #expect(first.keys.map(\.description).sorted() == [
            "AgentBlueprint/nav@1.0.0 in staging", "Deployment/nav-staging in staging", "RuntimeAdapter/robotics in staging",
        ])
        let applied = first.mapValues { AppliedResource(key: $0.key, specHash: $0.specHash, spec: $0.document, commit: $0.commit, createdAt: t0, updatedAt: t0) }
        let second = DesiredState.build(fleet, commit: "c2", applied: applied)
        #expect(second.values.allSatisfy { $0.commit == "c1" })
        let deployment = try #require(second[key(.deployment, "nav-staging")])
        #expect(deployment.document["spec"]?["version"] == .string("1.0.0"))
        #expect(deployment.document["spec"]?["runtimeAdapter"] == .string("robotics"))
    }

    static func fleet() -> Fleet? {
        let yaml = """
            apiVersion: steward/v1
            kind: RuntimeAdapter
            metadata: {name: robotics}
            spec: {runtimeType: robotics, capabilities: [perception]}
            ---
            apiVersion: steward/v1
            kind: AgentBlueprint
            metadata: {name: nav}
            spec: {version: 1.0.0, deploymentTarget: robotics, requiredCapabilities: [perception]}
            ---
            apiVersion: steward/v1
            kind: Environment
            metadata: {name: staging}
            spec: {driver: {type: local, root: ./var/staging}, adapters: [robotics]}
            ---
            apiVersion: steward/v1
            kind: Deployment
            metadata: {name: nav-staging}
            spec: {blueprint: nav, environment: staging}
            """
        let report = FleetValidator.validate(files: [.init(path: "fleet.yaml", bytes: Array(yaml.utf8))])
        return report.isValid ? report.fleet : nil
    }

    /// A number written 1.0 in YAML (a double) and read back as 1 from the stored canonical JSON is
    /// the same value: only fields whose canonical JSON differs are named (the Aureus guide's
    /// robotics adapter writes `acceleration: [1.0, 0.5]`).
    @Test func fieldsEqualInCanonicalJSONAreNotNamedAsChanged() {
        let stored = JSONValue.object(["spec": .object(["acceleration": .array([.int(1), .double(0.5)]), "velocity": .array([.int(2), .int(1)])])])
        let wanted = JSONValue.object(["spec": .object(["acceleration": .array([.double(1.0), .double(0.5)]),
                                                        "velocity": .array([.double(1.5), .double(1.0)])])])
        #expect(Differ.fieldChanges(from: stored, to: wanted) == [
            FieldChange(path: "spec.velocity", from: .array([.int(2), .int(1)]), to: .array([.double(1.5), .double(1.0)])),
        ])
        #expect(Differ.fieldChanges(from: stored, to: stored).isEmpty)
    }
}
