import Manifests
import Testing

@Suite("Cross-resource rules")
struct CrossResourceRulesTests {
    @Test func duplicateNamesPerKind() {
        let report = FleetFixtures.validate(replacing: "adapters/copy.yaml", with: FleetFixtures.adapter)
        #expect(report.errors.map(\.description) == [
            "adapters/robotics.yaml:4:9: RuntimeAdapter/robotics-main: metadata.name: duplicate RuntimeAdapter/robotics-main: already defined at adapters/copy.yaml:4:9",
        ])
        // the same name in another kind is fine; two versions of one blueprint are fine
        var files = FleetFixtures.valid
        files["deployments/other.yaml"] = FleetFixtures.deployment.replacingOccurrences(of: "robot-nav-staging", with: "staging")
        files["blueprints/nav-1.3.0.yaml"] = FleetFixtures.blueprint.replacingOccurrences(of: "1.2.0", with: "1.3.0")
        #expect(FleetFixtures.validate(files).errors == [])
    }

    @Test func referencesResolve() {
        let text = FleetFixtures.deployment
            .replacingOccurrences(of: "blueprint: robot-navigation-agent", with: "blueprint: robot-navigation-agnt")
        #expect(FleetFixtures.validate(replacing: "deployments/nav.yaml", with: text).errors.map(\.description) == [
            "deployments/nav.yaml:6:14: Deployment/robot-nav-staging: spec.blueprint: AgentBlueprint 'robot-navigation-agnt' not found, did you mean 'robot-navigation-agent'?",
        ])
        let env = FleetFixtures.deployment.replacingOccurrences(of: "environment: staging", with: "environment: qa")
        #expect(FleetFixtures.validate(replacing: "deployments/nav.yaml", with: env).errors.map(\.message) == ["Environment 'qa' not found"])
        let version = FleetFixtures.deployment + "  version: 9.9.9\n"
        #expect(FleetFixtures.validate(replacing: "deployments/nav.yaml", with: version).errors.map(\.message) == [
            "AgentBlueprint 'robot-navigation-agent' has no version 9.9.9 (available: 1.2.0)",
        ])
        let adapters = FleetFixtures.environments.replacingOccurrences(of: "adapters: [robotics-main]\n  strategy: {type: rolling}", with: "adapters: [robotics-main, ghost]\n  strategy: {type: rolling}")
        #expect(FleetFixtures.validate(replacing: "environments.yaml", with: adapters).errors.map(\.description) == [
            "environments.yaml:7:29: Environment/staging: spec.adapters[1]: RuntimeAdapter 'ghost' not found",
        ])
    }

    /// More Deployments than resolve on one thread: each resolves on its own, and the errors of
    /// the few that do not come in file order, as a serial check gives them.
    @Test func manyDeploymentsResolveEachOnItsOwn() {
        var files = FleetFixtures.valid
        files["deployments/nav.yaml"] = nil
        let count = ConcurrentMap.threshold + 44
        for index in 0..<count {
            var text = FleetFixtures.deployment.replacingOccurrences(of: "robot-nav-staging", with: "nav-\(index)")
            if index % 50 == 7 { text = text.replacingOccurrences(of: "environment: staging", with: "environment: qa-\(index)") }
            if index % 50 == 21 { text += "  version: 9.9.\(index)\n" }
            files[String(format: "deployments/nav-%04d.yaml", index)] = text
        }
        let report = FleetFixtures.validate(files)
        let bad = (0..<count).filter { $0 % 50 == 7 || $0 % 50 == 21 }
        #expect(report.errors.map(\.message) == bad.map { index in
            index % 50 == 7 ? "Environment 'qa-\(index)' not found" : "AgentBlueprint 'robot-navigation-agent' has no version 9.9.\(index) (available: 1.2.0)"
        })
        #expect(report.errors.map(\.file) == bad.map { String(format: "deployments/nav-%04d.yaml", $0) })
        #expect(report.fleet.deployments.count == count - bad.count)
        #expect(report.fleet.deployments["nav-0"]?.version == "1.2.0" && report.fleet.deployments["nav-0"]?.runtimeAdapter == "robotics-main")
        #expect(report.fleet.deployments["nav-7"] == nil)
    }

    @Test func capabilityAndRuntimeMatching() {
        let missing = FleetFixtures.adapter.replacingOccurrences(of: "provides: [camera, lidar, imu, motors]", with: "provides: [camera, imu]")
        #expect(FleetFixtures.validate(replacing: "adapters/robotics.yaml", with: missing).errors.map(\.message) == [
            "no adapter in Environment 'staging' can run AgentBlueprint 'robot-navigation-agent@1.2.0': RuntimeAdapter 'robotics-main' does not provide lidar required by AgentBlueprint 'robot-navigation-agent@1.2.0'",
        ])
        let explicit = FleetFixtures.deployment + "  runtimeAdapter: robotics-main\n"
        var files = FleetFixtures.valid
        files["deployments/nav.yaml"] = explicit
        files["adapters/robotics.yaml"] = FleetFixtures.adapter.replacingOccurrences(of: "runtimeType: robotics", with: "runtimeType: cloud")
        let report = FleetFixtures.validate(files)
        #expect(report.errors.map(\.description) == [
            "deployments/nav.yaml:8:19: Deployment/robot-nav-staging: spec.runtimeAdapter: AgentBlueprint 'robot-navigation-agent@1.2.0' targets robotics but RuntimeAdapter 'robotics-main' is cloud",
        ])
        let disabled = FleetFixtures.adapter.replacingOccurrences(of: "enabled: true\n  capabilities", with: "enabled: false\n  capabilities")
        #expect(FleetFixtures.validate(replacing: "adapters/robotics.yaml", with: disabled).errors.map(\.message).first?.contains("RuntimeAdapter 'robotics-main' is disabled") == true)
    }

    @Test func disabledToolAdaptersDoNotRequireCapabilities() {
        let adapter = FleetFixtures.adapter.replacingOccurrences(of: "provides: [camera, lidar, imu, motors]", with: "provides: [camera]")
        let blueprint = FleetFixtures.blueprint.replacingOccurrences(of: "adapterType: perception, enabled: true", with: "adapterType: perception, enabled: false")
        var files = FleetFixtures.valid
        files["adapters/robotics.yaml"] = adapter
        files["blueprints/nav-1.2.0.yaml"] = blueprint
        #expect(FleetFixtures.validate(files).errors == [])
    }

    @Test func ambiguousAdapterChoice() {
        var files = FleetFixtures.valid
        files["adapters/second.yaml"] = FleetFixtures.adapter.replacingOccurrences(of: "robotics-main", with: "robotics-spare")
        files["environments.yaml"] = FleetFixtures.environments.replacingOccurrences(of: "adapters: [robotics-main]\n  strategy: {type: rolling}", with: "adapters: [robotics-main, robotics-spare]\n  strategy: {type: rolling}")
        #expect(FleetFixtures.validate(files).errors.map(\.message) == [
            "several adapters in Environment 'staging' can run AgentBlueprint 'robot-navigation-agent@1.2.0' (robotics-main, robotics-spare); set spec.runtimeAdapter",
        ])
    }

    @Test func promotionCycles() {
        let text = FleetFixtures.environments.replacingOccurrences(of: "  driver: {type: local, root: ./var/fleet/staging}", with: "  promotesFrom: production\n  driver: {type: local, root: ./var/fleet/staging}")
        let found = FleetFixtures.validate(replacing: "environments.yaml", with: text).errors.map(\.description)
        #expect(found == [
            "environments.yaml:6:17: Environment/staging: spec.promotesFrom: promotesFrom forms a cycle: staging → production → staging",
            "environments.yaml:16:17: Environment/production: spec.promotesFrom: promotesFrom forms a cycle: production → staging → production",
        ])
        let missing = FleetFixtures.environments.replacingOccurrences(of: "promotesFrom: staging", with: "promotesFrom: stagin")
        #expect(FleetFixtures.validate(replacing: "environments.yaml", with: missing).errors.map(\.message) == ["Environment 'stagin' not found, did you mean 'staging'?"])
    }

    @Test func emptyCommitIsRefusedUnlessAllowed() {
        let empty = FleetFixtures.validate([:])
        #expect(empty.errors.map(\.message).first?.hasPrefix("no resources found") == true)
        #expect(FleetFixtures.validate([:], options: .init(allowEmpty: true)).errors == [])
    }

    @Test func registeredVersionsAreImmutable() throws {
        let report = FleetFixtures.validate(FleetFixtures.valid)
        let blueprint = try #require(report.fleet.resources.first { $0.kind == .agentBlueprint })
        let ref = BlueprintRef(name: "robot-navigation-agent", version: "1.2.0")
        #expect(VersionImmutability.check([blueprint], registered: [ref: blueprint.specHash]) == [])
        let changed = VersionImmutability.check([blueprint], registered: [ref: String(repeating: "0", count: 64)])
        #expect(changed.map(\.description) == [
            "blueprints/nav-1.2.0.yaml:6:3: AgentBlueprint/robot-navigation-agent@1.2.0: spec: AgentBlueprint robot-navigation-agent@1.2.0 is already registered with different content; versions are immutable, bump spec.version instead",
        ])
        let options = FleetValidator.Options(registeredVersions: [ref: String(repeating: "0", count: 64)])
        #expect(FleetFixtures.validate(FleetFixtures.valid, options: options).errors.count == 1)
    }
}
