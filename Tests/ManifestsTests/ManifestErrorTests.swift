import Manifests
import Testing

@Suite("Manifest errors name file:line:col, resource and field")
struct ManifestErrorTests {
    private func errors(_ text: String, file: String = "deployments/nav.yaml") -> [String] {
        FleetFixtures.validate(replacing: file, with: text).errors.map(\.description)
    }

    @Test func yamlSyntaxError() {
        let text = "apiVersion: steward/v1\nkind: Deployment\nmetadata:\n  name: x\n   bad: indentation\n"
        let found = errors(text)
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("deployments/nav.yaml:5:") == true)
        #expect(found.first?.contains("invalid YAML") == true)
    }

    @Test func unknownFieldWithSuggestion() {
        let text = FleetFixtures.deployment.replacingOccurrences(of: "  blueprint:", with: "  blueprnt:")
        #expect(errors(text).contains("deployments/nav.yaml:6:3: Deployment/robot-nav-staging: spec.blueprint: required field 'blueprint' is missing"))
        let extra = FleetFixtures.deployment + "  replicas: 3\n"
        #expect(errors(extra) == ["deployments/nav.yaml:8:3: Deployment/robot-nav-staging: spec.replicas: unknown field 'replicas'"])
        let typo = FleetFixtures.deployment + "  suspnd: true\n"
        #expect(errors(typo) == ["deployments/nav.yaml:8:3: Deployment/robot-nav-staging: spec.suspnd: unknown field 'suspnd', did you mean 'suspend'?"])
    }

    @Test func unknownKind() {
        let text = FleetFixtures.deployment.replacingOccurrences(of: "kind: Deployment", with: "kind: Deploymnt")
        #expect(errors(text) == ["deployments/nav.yaml:2:7: Deploymnt/robot-nav-staging: kind: unknown kind 'Deploymnt', expected one of: RuntimeAdapter, AgentBlueprint, Environment, Deployment, BackupSchedule, Target"])
    }

    @Test func wrongTypes() {
        let yes = FleetFixtures.deployment + "  suspend: yes\n"
        #expect(errors(yes) == ["deployments/nav.yaml:8:12: Deployment/robot-nav-staging: spec.suspend: expected a boolean (true or false), got 'yes'"])
        let list = FleetFixtures.deployment.replacingOccurrences(of: "environment: staging", with: "environment: [staging]")
        #expect(errors(list).first == "deployments/nav.yaml:7:16: Deployment/robot-nav-staging: spec.environment: expected a string, got a list")
        let enumValue = FleetFixtures.adapter.replacingOccurrences(of: "runtimeType: robotics", with: "runtimeType: drone")
        #expect(errors(enumValue, file: "adapters/robotics.yaml").first == "adapters/robotics.yaml:6:16: RuntimeAdapter/robotics-main: spec.runtimeType: unknown value 'drone', expected one of: robotics, mobile, desktop, smart-glasses, cloud")
        let quotedNumber = FleetFixtures.backup.replacingOccurrences(of: "keepLast: 24", with: "keepLast: \"24\"")
        #expect(errors(quotedNumber, file: "backups/events.yaml") == ["backups/events.yaml:9:25: BackupSchedule/events-hourly: spec.retention.keepLast: expected an integer, got the string '24'"])
    }

    @Test func missingField() {
        let text = FleetFixtures.deployment.replacingOccurrences(of: "  environment: staging\n", with: "")
        #expect(errors(text) == ["deployments/nav.yaml:6:3: Deployment/robot-nav-staging: spec.environment: required field 'environment' is missing"])
    }

    @Test func badNameAndApiVersion() {
        let text = FleetFixtures.deployment.replacingOccurrences(of: "name: robot-nav-staging", with: "name: Robot_Nav")
        #expect(errors(text) == ["deployments/nav.yaml:4:9: Deployment/Robot_Nav: metadata.name: invalid name 'Robot_Nav': use lowercase letters, digits and '-', starting and ending with a letter or digit"])
        let traversal = FleetFixtures.deployment.replacingOccurrences(of: "name: robot-nav-staging", with: "name: ../etc")
        #expect(errors(traversal).first?.contains("metadata.name: invalid name '../etc'") == true)
        let api = FleetFixtures.deployment.replacingOccurrences(of: "steward/v1", with: "steward/v2")
        #expect(errors(api) == ["deployments/nav.yaml:1:13: Deployment/robot-nav-staging: apiVersion: unsupported apiVersion 'steward/v2', expected 'steward/v1'"])
    }

    @Test func semverAndCron() {
        let version = FleetFixtures.deployment + "  version: \"1.2\"\n"
        #expect(errors(version).first == "deployments/nav.yaml:8:12: Deployment/robot-nav-staging: spec.version: '1.2' is not a semantic version, expected MAJOR.MINOR.PATCH like 1.2.0")
        let cron = FleetFixtures.backup.replacingOccurrences(of: "\"0 * * * *\"", with: "\"61 * * * *\"")
        let found = errors(cron, file: "backups/events.yaml")
        #expect(found.count == 1)
        #expect(found.first?.hasPrefix("backups/events.yaml:6:13: BackupSchedule/events-hourly: spec.schedule: invalid cron expression '61 * * * *':") == true)
    }

    @Test func everyErrorIsReportedNotJustTheFirst() {
        var files = FleetFixtures.valid
        files["deployments/nav.yaml"] = FleetFixtures.deployment + "  replicas: 3\n"
        files["backups/events.yaml"] = FleetFixtures.backup.replacingOccurrences(of: "verify: true", with: "verify: on")
        files["bad.yaml"] = "kind: [\n"
        let report = FleetFixtures.validate(files)
        #expect(Set(report.errors.map(\.file)) == ["deployments/nav.yaml", "backups/events.yaml", "bad.yaml"])
        #expect(report.errors.count == 3)
    }

    @Test func robotsConfigIsChecked() {
        let text = FleetFixtures.adapter
            .replacingOccurrences(of: "velocity: [0.5, 2.0]", with: "velocity: [2.0, -1]")
            .replacingOccurrences(of: "position: [-10, 10, -10, 10, 0, 2]", with: "position: [-10, 10, -10, 10, 0]")
            .replacingOccurrences(of: "torque: 20", with: "torque: 0")
        let found = errors(text, file: "adapters/robotics.yaml")
        #expect(found == [
            "adapters/robotics.yaml:17:19: RuntimeAdapter/robotics-main: spec.config.safetyEnvelope.limits.position: expected 6 numbers (min, max for x, y, z), got a list of 5 items",
            "adapters/robotics.yaml:18:19: RuntimeAdapter/robotics-main: spec.config.safetyEnvelope.limits.velocity: expected 2 positive numbers, got [2, -1]",
            "adapters/robotics.yaml:21:17: RuntimeAdapter/robotics-main: spec.config.safetyEnvelope.limits.torque: must be a positive number, got 0",
        ])
        let reversed = FleetFixtures.adapter.replacingOccurrences(of: "position: [-10, 10, -10, 10, 0, 2]", with: "position: [10, -10, -10, 10, 0, 2]")
        #expect(errors(reversed, file: "adapters/robotics.yaml") == [
            "adapters/robotics.yaml:17:19: RuntimeAdapter/robotics-main: spec.config.safetyEnvelope.limits.position: pair 1 must be min < max, got [10, -10]",
        ])
    }

    @Test func environmentDriverAndGateRules() {
        let text = FleetFixtures.environments
            .replacingOccurrences(of: "{type: local, root: ./var/fleet/staging}", with: "{type: http, root: /x}")
            .replacingOccurrences(of: "steps: [10, 50, 100]", with: "steps: [50, 10]")
            .replacingOccurrences(of: "maxErrorRate: 0.01", with: "maxErrorRate: 5")
            .replacingOccurrences(of: "timeZone: Europe/Berlin", with: "timeZone: Mars/Olympus")
        let found = errors(text, file: "environments.yaml")
        #expect(found.contains("environments.yaml:6:11: Environment/staging: spec.driver.url: the http driver needs 'url' (the console's base URL)"))
        #expect(found.contains("environments.yaml:6:30: Environment/staging: spec.driver.root: 'root' is not used by the http driver"))
        #expect(found.contains("environments.yaml:18:35: Environment/production: spec.strategy.steps: steps must increase and end at 100, got [50, 10]"))
        #expect(found.contains("environments.yaml:24:28: Environment/production: spec.gates.health.maxErrorRate: must be a fraction from 0 to 1, got 5.0"))
        #expect(found.contains("environments.yaml:27:76: Environment/production: spec.syncWindows[0].timeZone: unknown time zone 'Mars/Olympus', expected an IANA name like Europe/Berlin"))
    }

    @Test func statusBatchIsAnExecFieldOfOneToAThousand() {
        let local = FleetFixtures.environments.replacingOccurrences(of: "{type: local, root: ./var/fleet/staging}",
                                                                    with: "{type: local, root: ./var/fleet/staging, statusBatch: 50}")
        #expect(errors(local, file: "environments.yaml").contains { $0.hasSuffix("spec.driver.statusBatch: 'statusBatch' is not used by the local driver") },
                "\(errors(local, file: "environments.yaml"))")
        let zero = FleetFixtures.environments.replacingOccurrences(of: "{type: local, root: ./var/fleet/staging}",
                                                                   with: "{type: exec, command: [deploy.sh], statusBatch: 0}")
        #expect(errors(zero, file: "environments.yaml").contains { $0.contains("spec.driver.statusBatch: statusBatch is 1 to 1000 resources per status run, got 0") },
                "\(errors(zero, file: "environments.yaml"))")
        let good = FleetFixtures.environments.replacingOccurrences(of: "{type: local, root: ./var/fleet/staging}",
                                                                   with: "{type: exec, command: [deploy.sh], statusBatch: 200}")
        #expect(!errors(good, file: "environments.yaml").contains { $0.contains("statusBatch") })
    }
}
