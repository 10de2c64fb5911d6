import Foundation
@testable import Manifests
import Testing

/// `gates.preDeploy` and `gates.backupBefore` (DESIGN §11): parsed on both paths, and every bad
/// input refused with file:line:col, the resource and the field.
@Suite("Release safety fields: preDeploy checks and backupBefore")
struct ReleaseSafetyFieldTests {
    static func environments(driver: String = "{type: local, root: ./var/fleet/production}", gates: String) -> String {
        """
        apiVersion: steward/v1
        kind: Environment
        metadata:
          name: staging
        spec:
          driver: {type: local, root: ./var/fleet/staging}
          adapters: [robotics-main]
        ---
        apiVersion: steward/v1
        kind: Environment
        metadata:
          name: production
        spec:
          promotesFrom: staging
          driver: \(driver)
          adapters: [robotics-main]
          gates:
        \(gates)
        """
    }

    private func errors(driver: String = "{type: local, root: ./var/fleet/production}", _ gates: String) -> [String] {
        let text = Self.environments(driver: driver, gates: gates)
        BothPaths.parse(text, file: "environments.yaml")
        return FleetFixtures.validate(replacing: "environments.yaml", with: text).errors.map(\.description)
    }

    @Test func goodChecksAndBackupsValidate() throws {
        #expect(errors("""
                preDeploy:
                  - {name: migrations dry-run, command: [./ops/check.sh, --dry-run], timeoutSeconds: 30}
                backupBefore: [events-hourly]

            """) == [])
        #expect(errors(driver: "{type: http, url: \"https://console.example.com\"}", """
                preDeploy:
                  - {name: console up, endpoint: /health, expectedStatus: 200}

            """) == [])
        let outcome = BothPaths.parse(Self.environments(gates: "    preDeploy: [{name: a, command: [./a.sh]}]\n    backupBefore: [b]\n"))
        let production = outcome.result.resources.compactMap { resource -> Environment? in
            if case .environment(let environment) = resource.body, resource.name == "production" { return environment }
            return nil
        }.first
        #expect(production?.spec.gates?.preDeploy == [PreDeployCheck(name: "a", command: ["./a.sh"])])
        #expect(production?.spec.gates?.backupBefore == ["b"])
    }

    @Test(arguments: [
        ("    preDeploy:\n      - {name: a}\n",
         "environments.yaml:19:9: Environment/production: spec.gates.preDeploy[0]: a pre-deploy check needs exactly one of 'command' or 'endpoint'"),
        ("    preDeploy:\n      - {name: a, command: [./a.sh], endpoint: /health}\n",
         "environments.yaml:19:9: Environment/production: spec.gates.preDeploy[0]: a pre-deploy check needs exactly one of 'command' or 'endpoint'"),
        ("    preDeploy:\n      - {name: a, command: []}\n",
         "environments.yaml:19:28: Environment/production: spec.gates.preDeploy[0].command: command is a list: program and arguments, e.g. [./ops/check.sh]"),
        ("    preDeploy:\n      - {name: a, endpoint: /health}\n",
         "environments.yaml:19:29: Environment/production: spec.gates.preDeploy[0].endpoint: endpoint checks go through the http driver; the local driver has no endpoints (use a command check)"),
        ("    preDeploy:\n      - {name: a, command: [./a.sh], expectedStatus: 200}\n",
         "environments.yaml:19:54: Environment/production: spec.gates.preDeploy[0].expectedStatus: expectedStatus goes with an endpoint check"),
        ("    preDeploy:\n      - {name: a, command: [./a.sh], timeoutSeconds: 0}\n",
         "environments.yaml:19:54: Environment/production: spec.gates.preDeploy[0].timeoutSeconds: must be greater than 0, got 0"),
        ("    preDeploy:\n      - {name: a, command: [./a.sh]}\n      - {name: a, command: [./b.sh]}\n",
         "environments.yaml:20:16: Environment/production: spec.gates.preDeploy[1].name: duplicate pre-deploy check 'a'"),
        ("    preDeploy:\n      - {name: a, command: [./a.sh], shell: true}\n",
         "environments.yaml:19:38: Environment/production: spec.gates.preDeploy[0].shell: unknown field 'shell'"),
        ("    backupBefore: [nightly]\n",
         "environments.yaml:18:20: Environment/production: spec.gates.backupBefore[0]: BackupSchedule 'nightly' not found"),
        ("    backupBefore: [events-hourly, events-hourly]\n",
         "environments.yaml:18:35: Environment/production: spec.gates.backupBefore[1]: BackupSchedule 'events-hourly' is listed twice"),
    ])
    func badInputIsRefusedWithItsPlace(gates: String, expected: String) {
        let found = errors(gates)
        #expect(found.contains { $0.hasPrefix(expected) }, "\(found)")
    }

    @Test func backupBeforeTakesOnlyVerifiedSchedules() {
        var files = FleetFixtures.valid
        files["backups/events.yaml"] = FleetFixtures.backup.replacingOccurrences(of: "verify: true", with: "verify: false")
        files["environments.yaml"] = Self.environments(gates: "    backupBefore: [events-hourly]\n")
        let found = FleetFixtures.validate(files).errors.map(\.description)
        #expect(found.contains { $0.hasPrefix("environments.yaml:18:20: Environment/production: spec.gates.backupBefore[0]: BackupSchedule 'events-hourly' is not verified") },
                "\(found)")
    }
}
