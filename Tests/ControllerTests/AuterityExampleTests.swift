import Foundation
import StewardTesting
import Testing

/// examples/auterity run as its README says, through the real binary: blue-green deploys by the
/// exec script (idle slot, health check, switch, old slot kept), the database backup before a
/// production deploy, drift, a release whose health check fails in production (auto-rollback,
/// Steward's revert commit with its trailers, the hold), and a rollback by `git revert`.
@Suite("Auterity example walkthrough (blue-green exec driver, auto-rollback with revert commit)", .serialized)
struct AuterityExampleTests {
    static let staging = "workflow-engine-staging", production = "workflow-engine-production"

    /// The example with short health windows and no wait between health-check attempts; each
    /// environment's secret store provisioned as the README does (its own database each).
    static func workspace() async throws -> ExampleWorkspace {
        let example = try ExampleWorkspace("auterity", replacements: [
            ("windowSeconds: 30", "windowSeconds: 1"), ("windowSeconds: 60", "windowSeconds: 1"),
            (#"HEALTH_CHECK_INTERVAL: "3""#, #"HEALTH_CHECK_INTERVAL: "0""#),
        ])
        for environment in ["staging", "production"] {
            try example.provisionSecret(environment, "DATABASE_URL", try await TestPostgres.freshDatabaseURL())
            try example.provisionSecret(environment, "REDIS_URL", "redis://127.0.0.1:6379/0")
            try example.provisionSecret(environment, "JWT_SECRET_KEY", UUID().uuidString)
        }
        // Only staging has the AI service key that 2.1.0 needs.
        try example.provisionSecret("staging", "AI_SERVICE_API_KEY", UUID().uuidString)
        return example
    }

    /// The slot the production listener sends traffic to, and the release each slot holds.
    private func slots(_ example: ExampleWorkspace) async throws -> (live: String, versions: [String: String]) {
        let live = try #require(example.target("production/listeners/\(Self.production)")).trimmingCharacters(in: .whitespacesAndNewlines)
        var versions: [String: String] = [:]
        for slot in ["blue", "green"] {
            versions[slot] = example.targetJSONIfPresent("production/slots/\(slot)/\(Self.production).json")?["version"] as? String
        }
        return (live, versions)
    }

    @Test func walkthrough() async throws {
        let example = try await Self.workspace()

        // 1. First run: 2.0.0 goes blue-green to the idle slot (blue) in staging, then production.
        try await example.converge()
        for (deployment, environment) in [(Self.staging, "staging"), (Self.production, "production")] {
            let row = try await example.row("Deployment", deployment, in: environment)
            #expect(row["version"] as? String == "2.0.0" && row["sync"] as? String == "Synced" && row["health"] as? String == "Healthy", "\(row)")
        }
        var production = try await slots(example)
        #expect(production.live == "blue" && production.versions == ["blue": "2.0.0"], "\(production)")
        // The guide's procedure, in the deploy's output: checklist, migration, idle slot, health check, switch.
        let output = try #require(try await example.actionOutputs("promote", Self.production, in: "production", version: "2.0.0").first)
        for step in ["pre-deployment checklist passed", "database migrated and validated", "deploying \(Self.production) 2.0.0 to the idle blue slot",
                     "health check of the blue slot passed", "traffic switched to the blue slot"] {
            #expect(output.contains(step), "\(step): \(output)")
        }
        // The database backup before the production deploy (gates.backupBefore), recorded with it.
        #expect(try await example.history(Self.production).contains {
            $0["action"] as? String == "backupBefore" && $0["version"] as? String == "2.0.0"
                && ($0["archive"] as? String ?? "").contains("/backups/auterity/database/auterity-database-production-")
        })
        // The script got the environment's strategy on stdin and kept it with the release.
        let release = try example.targetJSON("production/slots/blue/\(Self.production).json")
        #expect((release["strategy"] as? [String: Any])?["type"] as? String == "blue-green", "\(release)")

        // 2. The database backup before a production deploy: a verified archive, listed.
        let backup = try await example.steward("backup", "run", "auterity-database-production")
        #expect(backup.exitCode == 0, "\(backup.stderr)")
        let listed = try await example.backupSchedule("auterity-database-production")
        #expect(listed["outcome"] as? String == "succeeded", "\(listed)")
        let archive = try #require(listed["archive"] as? String)
        let archivePath = archive.hasPrefix("/") ? archive : example.path + "/" + archive
        #expect(archivePath.hasPrefix(example.path + "/backups/auterity/database/auterity-database-production-"), "\(archivePath)")
        #expect(FileManager.default.fileExists(atPath: archivePath + ".sha256"))
        let sql = try await Subprocess.run("/bin/gzip", ["-dc", archivePath]).stdout
        #expect(sql.contains("CREATE TABLE public.workflow_executions") && sql.contains("DROP TABLE IF EXISTS public.users"), "the guide's --clean --if-exists dump")

        // 3. Drift by hand on the live slot: diff names it; the next run deploys it again blue-green.
        let live = "production/slots/blue/\(Self.production).json"
        var edited = try example.targetJSON(live)
        edited["document"] = ["spec": ["blueprint": "workflow-engine", "version": "1.9.9"]]
        try example.writeTarget(live, String(decoding: try JSONSerialization.data(withJSONObject: edited), as: UTF8.self))
        let drift = try await example.diff()
        let changes = try #require(drift.document["changes"] as? [[String: Any]])
        #expect(drift.exitCode == 2 && changes.map { "\($0["change"] ?? "") \($0["name"] ?? "")" } == ["drift \(Self.production)"], "\(changes)")
        try await example.runOnce()
        #expect(try await example.diff().exitCode == 0)
        production = try await slots(example)
        #expect(production.live == "green" && production.versions["green"] == "2.0.0", "the heal went to the idle slot: \(production)")

        // 4. 2.1.0 in one commit: staging proves it; in production the switch passes /api/health but
        //    /api/health/detailed answers 503 (no AI_SERVICE_API_KEY there). Steward switches back,
        //    holds 2.1.0 and commits the version back.
        try example.setVersion(Self.staging, "2.1.0")
        try example.setVersion(Self.production, "2.1.0")
        let bad = try example.repo.commit("Workflow engine 2.1.0 with AI steps")
        let failed = try await example.converge(expecting: 1)
        #expect(failed.stderr.contains("gate failed") && failed.stderr.contains("ai_service secret AI_SERVICE_API_KEY is not provisioned"), "\(failed.stderr)")
        #expect(try await example.row("Deployment", Self.staging, in: "staging")["version"] as? String == "2.1.0")
        production = try await slots(example)
        #expect(production.live == "green" && production.versions == ["blue": "2.1.0", "green": "2.0.0"],
                "traffic is back on the old slot, the failed release kept on the other: \(production)")
        // The database is restored from the backup taken right before 2.1.0 (autoRollback.restoreBackup).
        let entries = try await example.history(Self.production)
        let taken = try #require(entries.last { $0["action"] as? String == "backupBefore" && $0["version"] as? String == "2.1.0" }, "\(entries)")
        #expect(entries.contains {
            $0["action"] as? String == "restore" && $0["outcome"] as? String == "succeeded" && $0["archive"] as? String == taken["archive"] as? String
        }, "\(entries)")
        #expect(try await example.events().contains { $0["type"] as? String == "restore" && $0["reason"] as? String == "BackupRestored" })
        // Steward's revert commit: on the tip, after the bad commit, with the trailers of DESIGN §6.
        let revert = try example.head()
        #expect(try await example.repo.git("rev-parse", "HEAD^") == bad)
        let message = try example.repo.git("log", "-1", "--format=%an <%ae>%n%B")
        let rollback = try #require(try await example.events().last { $0["type"] as? String == "rollback" && $0["reason"] as? String == "AutoRollback" })
        let seq = try #require(rollback["seq"] as? Int)
        #expect(message.hasPrefix("steward <steward@localhost>\nRoll back \(Self.production) to 2.0.0 (2.1.0 failed in production)"), "\(message)")
        #expect(message.contains("Steward-Action: auto-rollback\nSteward-Event: \(seq)\nSteward-Reverts: \(bad)"), "\(message)")
        #expect(example.repo.read("deployments/\(Self.production).yaml")?.contains("  version: 2.0.0\n") == true)
        #expect(example.repo.read("deployments/\(Self.staging).yaml")?.contains("  version: 2.1.0\n") == true)
        // The next run applies Steward's commit: nothing to do. The hold on 2.1.0 is in the history
        // (Steward's status does not show a hold once its revert commit is applied).
        let after = try await example.runOnce()
        #expect(after.stderr.contains("commit \(revert.prefix(12)): 0 actions"), "\(after.stderr)")
        let held = try await example.row("Deployment", Self.production, in: "production")
        #expect(held["version"] as? String == "2.0.0" && held["sync"] as? String == "Synced", "\(held)")
        #expect(try await example.history(Self.production).contains {
            $0["action"] as? String == "auto-rollback" && $0["outcome"] as? String == "held" && $0["version"] as? String == "2.1.0" && $0["seq"] as? Int == seq
        })

        // 5. The fix: provision the key in production, then undo Steward's revert (a commit of the
        //    operator's, which lifts the hold): 2.1.0 goes to the idle slot and passes.
        try example.provisionSecret("production", "AI_SERVICE_API_KEY", UUID().uuidString)
        try example.repo.git("revert", "--no-edit", "HEAD")
        let lifting = try example.head()
        try await example.runOnce()
        #expect(try await example.events().contains {
            $0["type"] as? String == "hold" && $0["reason"] as? String == "HoldReleased"
                && ($0["message"] as? String ?? "").hasPrefix("hold on 2.1.0 lifted by commit \(lifting.prefix(7))")
        })
        let fixed = try await example.row("Deployment", Self.production, in: "production")
        #expect(fixed["version"] as? String == "2.1.0" && fixed["health"] as? String == "Healthy", "\(fixed)")
        production = try await slots(example)
        #expect(production.live == "blue" && production.versions == ["blue": "2.1.0", "green": "2.0.0"], "\(production)")
        let deployedAt = try #require(try await example.targetJSON("production/slots/green/\(Self.production).json")["deployedAt"] as? String)

        // 6. Rolling back by git revert: the old slot still runs 2.0.0, so the rollback only switches back.
        try example.repo.git("revert", "--no-edit", "HEAD")
        let undo = try example.head()
        try await example.runOnce()
        production = try await slots(example)
        #expect(production.live == "green" && production.versions == ["blue": "2.1.0", "green": "2.0.0"], "\(production)")
        #expect(try await example.targetJSON("production/slots/green/\(Self.production).json")["deployedAt"] as? String == deployedAt,
                "the kept slot was switched to, not deployed again")
        #expect(try await example.history(Self.production).contains {
            $0["action"] as? String == "rollback" && $0["version"] as? String == "2.0.0" && $0["commit"] as? String == undo
        })
        #expect(try await example.steward("verify-log").exitCode == 0)
    }
}
