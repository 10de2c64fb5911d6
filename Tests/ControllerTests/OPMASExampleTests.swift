import Foundation
import StewardTesting
import Testing

/// examples/opmas run as its README says, through the real binary: development → staging →
/// production (promotesFrom), production blocked until `steward approve`, verification as smoke
/// tests and a health gate, drift, and rollback of a version and of a configuration by `git revert`.
@Suite("OPMAS example walkthrough (promotion chain, approvals, version and configuration rollback)", .serialized)
struct OPMASExampleTests {
    static let deployments = ["development": "opmas-core-development", "staging": "opmas-core-staging", "production": "opmas-core-production"]

    static func workspace() async throws -> ExampleWorkspace {
        try ExampleWorkspace("opmas", replacements: [("windowSeconds: 30", "windowSeconds: 1"), ("windowSeconds: 60", "windowSeconds: 1")])
    }

    private func version(_ example: ExampleWorkspace, _ environment: String) async throws -> String? {
        try await example.row("Deployment", try #require(Self.deployments[environment]), in: environment)["version"] as? String
    }

    /// Runs until production waits for an approval of `version`, checks that it says so everywhere,
    /// approves it and runs again: production then runs it.
    private func approveAndPromote(_ example: ExampleWorkspace, _ version: String, running before: String?) async throws {
        let waiting = try await example.converge()
        let reason = "awaiting approval of \(version) (steward approve opmas-core-production --version \(version))"
        #expect(waiting.stderr.contains("blocked: Deployment/opmas-core-production in production: \(reason)"), "\(waiting.stderr)")
        let row = try await example.row("Deployment", "opmas-core-production", in: "production")
        #expect(row["sync"] as? String == "Blocked" && row["message"] as? String == reason, "\(row)")
        // Production still runs what it ran before (nothing, the first time).
        let running = example.targetJSONIfPresent("production/deployments/opmas-core-production.json")?["version"] as? String
        #expect(running == before)
        let diff = try await example.diff()
        let blocked = try #require(diff.document["blocked"] as? [[String: Any]])
        #expect(diff.exitCode == 2 && blocked.count == 1 && (blocked[0]["reason"] as? String ?? "").contains(reason), "\(blocked)")

        let wrong = try await example.steward("approve", "opmas-core-production", "--version", "9.9.9")
        #expect(wrong.exitCode == 1, "only the pending version can be approved: \(wrong.stdout)")
        let approve = try await example.steward("approve", "opmas-core-production", "--version", version)
        #expect(approve.exitCode == 0, "\(approve.stderr)")
        // The guide's audit logging: who approved which version is in the event log and the history.
        let logs = try await example.steward("logs", "--resource", "Deployment/opmas-core-production", "-o", "json")
        #expect(logs.stdout.contains("\"type\":\"approved\"") && logs.stdout.contains("\"version\":\"\(version)\""), "\(logs.stdout)")
        let history = try await example.steward("history", "opmas-core-production")
        #expect(history.stdout.contains("approve") && history.stdout.contains("approved"), "\(history.stdout)")
        try await example.runOnce()
        #expect(try await self.version(example, "production") == version)
        #expect(try await example.row("Deployment", "opmas-core-production", in: "production")["sync"] as? String == "Synced")
        let ui = try example.targetJSON("production/services/opmas-core-production/ui.json")["version"] as? String
        #expect(ui == version)
    }

    @Test func walkthrough() async throws {
        let example = try await Self.workspace()

        // 1. 1.0.0 passes development (local driver) and staging (exec); production waits for approval.
        try await approveAndPromote(example, "1.0.0", running: nil)
        #expect(try await version(example, "development") == "1.0.0")
        #expect(try await version(example, "staging") == "1.0.0")
        let local = example.path + "/var/opmas/development/deployments/opmas-core-development.json"
        #expect(FileManager.default.fileExists(atPath: local), "the local driver wrote development's files")
        // The pre-deployment checks ran before the deployment steps, in staging and production.
        for (environment, deployment) in [("staging", "opmas-core-staging"), ("production", "opmas-core-production")] {
            let output = try #require(try await example.actionOutputs("promote", deployment, in: environment, version: "1.0.0").first)
            #expect(output.contains("ok: environment validation") && output.contains("ok: configuration review (no credentials inline)")
                    && output.contains("database migrated to schema 12\ncore runs 1.0.0\nmanagement-api runs 1.0.0\nui runs 1.0.0"), "\(output)")
        }
        // Verification ran as the smoke tests of staging and production.
        let smokes = try await example.events().filter { $0["type"] as? String == "actionSucceeded" && $0["reason"] as? String == "smokeTest" }
        for environment in ["staging", "production"] {
            #expect(smokes.contains {
                $0["environment"] as? String == environment
                    && ($0["message"] as? String ?? "").contains("health checks and integration test passed: configuration, core, database, integration")
            }, "\(environment): \(smokes.map { $0["message"] ?? "" })")
        }

        // 2. 1.1.0 in one commit: development, then staging (promoted from development), then production after approval.
        for deployment in Self.deployments.values { try example.setVersion(deployment, "1.1.0") }
        try example.repo.commit("OPMAS core 1.1.0 everywhere")
        try await approveAndPromote(example, "1.1.0", running: "1.0.0")
        #expect(try await version(example, "development") == "1.1.0")
        #expect(try await version(example, "staging") == "1.1.0")
        #expect(example.target("production/database/schema_version")?.trimmingCharacters(in: .whitespacesAndNewlines) == "13")
        let events = try await example.events()
        func seq(_ type: String, _ reason: String, _ environment: String) -> Int? {
            events.last { $0["type"] as? String == type && $0["reason"] as? String == reason && $0["environment"] as? String == environment
                && ($0["data"] as? [String: Any])?["version"] as? String == "1.1.0" }?["seq"] as? Int
        }
        let order = [seq("versionProven", "GatesPassed", "development"), seq("actionSucceeded", "promote", "staging"),
                     seq("versionProven", "GatesPassed", "staging"), seq("actionSucceeded", "promote", "production")]
        #expect(order.allSatisfy { $0 != nil } && order.compactMap { $0 } == order.compactMap { $0 }.sorted(), "\(order)")

        // 3. Version rollback: git revert of the release commit rolls every environment back, no approval needed.
        try example.repo.git("revert", "--no-edit", "HEAD")
        let versionRevert = try example.head()
        try await example.runOnce()
        for environment in ["development", "staging", "production"] {
            #expect(try await version(example, environment) == "1.0.0", "\(environment)")
        }
        #expect(try await example.history("opmas-core-production").contains {
            $0["action"] as? String == "rollback" && $0["version"] as? String == "1.0.0" && $0["commit"] as? String == versionRevert
        })
        #expect(try await example.targetJSON("production/services/opmas-core-production/core.json")["version"] as? String == "1.0.0")

        // 4. Configuration rollback: a production configuration change, then its git revert.
        let adapter = "adapters/opmas-production.yaml"
        let original = try #require(example.repo.read(adapter))
        try example.repo.write(adapter, original.replacingOccurrences(of: "      LOG_LEVEL: INFO", with: "      LOG_LEVEL: DEBUG"))
        try example.repo.commit("Debug logging in production")
        try await example.runOnce()
        #expect(example.target("production/config/opmas-production.env")?.contains("LOG_LEVEL=DEBUG\n") == true)
        try example.repo.git("revert", "--no-edit", "HEAD")
        let configRevert = try example.head()
        try await example.runOnce()
        #expect(example.target("production/config/opmas-production.env")?.contains("LOG_LEVEL=INFO\n") == true)
        let adapterRow = try await example.row("RuntimeAdapter", "opmas-production", in: "production")
        #expect(adapterRow["commit"] as? String == configRevert && adapterRow["sync"] as? String == "Synced", "\(adapterRow)")
        #expect(example.repo.read(adapter) == original)

        // 5. Drift by hand in production's applied configuration: diff names it, the next run restores it.
        let config = "production/config/opmas-production.json"
        let applied = try #require(example.target(config))
        try example.writeTarget(config, applied.replacingOccurrences(of: "\"INFO\"", with: "\"TRACE\""))
        let drift = try await example.diff()
        let changes = try #require(drift.document["changes"] as? [[String: Any]])
        #expect(drift.exitCode == 2 && changes.map { "\($0["change"] ?? "") \($0["kind"] ?? "")/\($0["name"] ?? "")" } == ["drift RuntimeAdapter/opmas-production"],
                "\(changes)")
        try await example.runOnce()
        #expect(try await example.diff().exitCode == 0)

        // 6. The configuration backup of production: a verified tar of what the cluster has.
        let backup = try await example.steward("backup", "run", "opmas-configuration-production")
        #expect(backup.exitCode == 0, "\(backup.stderr)")
        let listed = try await example.backupSchedule("opmas-configuration-production")
        let archive = try #require(listed["archive"] as? String)
        let path = archive.hasPrefix("/") ? archive : example.path + "/" + archive
        #expect(listed["outcome"] as? String == "succeeded" && FileManager.default.fileExists(atPath: path + ".sha256"), "\(listed)")
        let contents = try await Subprocess.run("/bin/tar", ["-tzf", path]).stdout
        #expect(contents.contains("config/opmas-production.env") && contents.contains("config/opmas-production.json"), "\(contents)")
        #expect(try await example.steward("verify-log").exitCode == 0)
    }
}
