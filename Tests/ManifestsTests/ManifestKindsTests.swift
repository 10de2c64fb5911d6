import Manifests
import Testing

@Suite("Manifest kinds decode")
struct ManifestKindsTests {
    @Test func validFleetDecodesEveryKind() throws {
        let report = FleetFixtures.validate(FleetFixtures.valid)
        #expect(report.errors == [])
        let fleet = report.fleet
        #expect(fleet.resources.count == 7)
        let robot = try #require(fleet.targets["robot-001"])
        #expect(robot.spec.environment == "staging" && robot.spec.driver?.root == "./var/fleet/staging/robot-001")
        #expect(fleet.targetsByEnvironment["staging"]?.map(\.metadata.name) == ["robot-001"])
        let adapter = try #require(fleet.adapters["robotics-main"])
        #expect(adapter.spec.runtimeType == .robotics)
        #expect(adapter.spec.providedCapabilities.isSuperset(of: ["real-time", "perception", "camera", "lidar"]))
        let blueprint = try #require(fleet.blueprints[BlueprintRef(name: "robot-navigation-agent", version: "1.2.0")])
        #expect(blueprint.spec.toolAdapters?.first?.adapterId == "ros2-perception")
        #expect(blueprint.spec.config?["temperature"] == .double(0.7))
        #expect(blueprint.spec.policies?.first?.rules?.first?.parameters?["maxVelocity"] == .double(2.0))
        let production = try #require(fleet.environments["production"])
        #expect(production.spec.promotesFrom == "staging")
        #expect(production.spec.strategy?.steps == [10, 50, 100])
        #expect(production.spec.gates?.smokeTests?.count == 2)
        #expect(production.spec.gates?.health?.maxErrorRate == 0.01)
        #expect(production.spec.autoRollback == AutoRollback(enabled: true, revertCommit: true))
        #expect(production.spec.syncWindows?.first?.timeZone == "Europe/Berlin")
        let deployment = try #require(fleet.deployments["robot-nav-staging"])
        #expect(deployment.version == "1.2.0")
        #expect(deployment.runtimeAdapter == "robotics-main")
        let backup = try #require(fleet.backups["events-hourly"])
        #expect(backup.spec.target == .eventLog)
        #expect(backup.spec.retention?.keepLast == 24)
    }

    @Test func capabilitiesAsListAndKebabCaseMatching() {
        let adapter = FleetFixtures.adapter.replacingOccurrences(of: """
              capabilities:
                realTime: true
                perception: true
                actuation: true
            """, with: "  capabilities: [real_time, Perception, actuation]")
        let report = FleetFixtures.validate(replacing: "adapters/robotics.yaml", with: adapter)
        #expect(report.errors == [])
    }

    @Test func versionDefaultsToHighestReleasedVersion() {
        var files = FleetFixtures.valid
        files["blueprints/nav-1.3.0.yaml"] = FleetFixtures.blueprint.replacingOccurrences(of: "version: 1.2.0", with: "version: 1.3.0")
        files["blueprints/nav-2.0.0-rc.1.yaml"] = FleetFixtures.blueprint.replacingOccurrences(of: "version: 1.2.0", with: "version: 2.0.0-rc.1")
        let report = FleetFixtures.validate(files)
        #expect(report.errors == [])
        #expect(report.fleet.deployments["robot-nav-staging"]?.version == "1.3.0")
    }

    @Test func multiDocumentFilesAndMergeKeys() {
        let text = """
            x-defaults: &defaults
              apiVersion: steward/v1
            ---
            <<: {apiVersion: steward/v1}
            kind: BackupSchedule
            metadata: {name: a}
            spec: {schedule: "*/5 * * * *", target: stateStore, destination: /tmp/b}
            """
        let report = FleetFixtures.validate(replacing: "more.yaml", with: text)
        // the first document is not a manifest (no kind); the second uses a merge key
        #expect(report.errors.map(\.description) == ["more.yaml:1:1: kind: required field 'kind' is missing"])
        #expect(report.fleet.backups["a"] != nil)
    }

    @Test func specHashIsStableAndContentSensitive() throws {
        let a = FleetFixtures.validate(FleetFixtures.valid).fleet.resources.first { $0.kind == .agentBlueprint }
        let reordered = FleetFixtures.blueprint.replacingOccurrences(
            of: "  version: 1.2.0\n  displayName: Robot Navigation Agent\n", with: "  displayName: Robot Navigation Agent\n  version: 1.2.0\n")
        #expect(reordered != FleetFixtures.blueprint)
        let b = FleetFixtures.validate(replacing: "blueprints/nav-1.2.0.yaml", with: reordered).fleet.resources.first { $0.kind == .agentBlueprint }
        let changed = FleetFixtures.blueprint.replacingOccurrences(of: "temperature: 0.7", with: "temperature: 0.8")
        let c = FleetFixtures.validate(replacing: "blueprints/nav-1.2.0.yaml", with: changed).fleet.resources.first { $0.kind == .agentBlueprint }
        let hashA = try #require(a?.specHash)
        #expect(hashA.count == 64)
        #expect(hashA == b?.specHash)
        #expect(hashA != c?.specHash)
    }

    /// The spec hash is taken from the canonical document's `spec`: it is the hash of the spec
    /// encoded alone, for every kind; the document is the manifest's, and a moved resource keeps both.
    @Test func specHashFromTheDocumentIsTheSpecsOwn() throws {
        let resources = FleetFixtures.validate(FleetFixtures.valid).fleet.resources
        #expect(Set(resources.map(\.kind)) == Set(ResourceKind.allCases))
        for resource in resources {
            let document = try #require(resource.canonicalDocument)
            switch resource.body {
            case .runtimeAdapter(let m): #expect(document == CanonicalDocument(m))
            case .agentBlueprint(let m): #expect(document == CanonicalDocument(m))
            case .environment(let m): #expect(document == CanonicalDocument(m))
            case .deployment(let m): #expect(document == CanonicalDocument(m))
            case .backupSchedule(let m): #expect(document == CanonicalDocument(m))
            case .target(let m): #expect(document == CanonicalDocument(m))
            }
            #expect(resource.specHash == ContentHash.sha256Hex(resource.canonicalSpec.canonicalBytes), "\(resource.id)")
            let moved = resource.moved(to: "elsewhere.yaml")
            #expect(moved.file == "elsewhere.yaml" && moved.canonicalDocument == document && moved.specHash == resource.specHash)
        }
    }
}
