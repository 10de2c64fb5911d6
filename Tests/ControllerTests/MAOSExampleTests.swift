import Foundation
import StewardTesting
import Testing

/// examples/maos run as its README says, through the real binary, on PostgreSQL: staging →
/// production behind health gates (the exec driver's smokeTest and status), drift, a release and
/// its `git revert`, and the checkpoint and database backups (`steward backup run`, `backup list`).
@Suite("MAOS example walkthrough (PostgreSQL store, exec driver, command backups)", .serialized)
struct MAOSExampleTests {
    static let staging = "maos-coordinator-staging", production = "maos-coordinator-production"

    /// The example with its timing knobs short: health windows of 1 s, no pause between nodes.
    static func workspace() async throws -> ExampleWorkspace {
        let example = try ExampleWorkspace("maos", replacements: [
            ("windowSeconds: 30", "windowSeconds: 1"), ("windowSeconds: 60", "windowSeconds: 1"),
            (#"MAOS_UPDATE_DELAY: "2""#, #"MAOS_UPDATE_DELAY: "0""#),
        ])
        example.environment["STEWARD_DATABASE_URL"] = try await TestPostgres.freshDatabaseURL()
        for environment in ["staging", "production"] {
            try example.provisionSecret(environment, "MAOS_DATABASE_PRIMARY_URL", try await TestPostgres.freshDatabaseURL())
        }
        return example
    }

    @Test func walkthrough() async throws {
        let example = try await Self.workspace()
        let first = try example.head()

        // 1. The first run: staging deploys 2.0.0 and its gates prove it; production follows.
        try await example.converge()
        for (deployment, environment) in [(Self.staging, "staging"), (Self.production, "production")] {
            let row = try await example.row("Deployment", deployment, in: environment)
            #expect(row["version"] as? String == "2.0.0" && row["sync"] as? String == "Synced" && row["health"] as? String == "Healthy", "\(row)")
            #expect(row["commit"] as? String == first)
        }
        #expect(try await example.status()["commit"] as? String == first)
        // The store is the PostgreSQL database of STEWARD_DATABASE_URL, its event log a table.
        let storeURL = try #require(example.environment["STEWARD_DATABASE_URL"])
        let logged = try await Subprocess.run("/usr/bin/psql", [storeURL, "-tAc", "SELECT count(*) FROM event_log"])
        #expect(logged.status == 0 && (Int(logged.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 10, "\(logged.stdout) \(logged.stderr)")
        #expect(!FileManager.default.fileExists(atPath: example.path + "/.steward/events"))
        // Three production nodes were updated one at a time to 2.0.0, a checkpoint was written.
        for node in 1...3 {
            #expect(try await example.targetJSON("production/nodes/maos-\(node)/\(Self.production).json")["version"] as? String == "2.0.0")
        }
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: example.targets.path + "/production/checkpoints/\(Self.production)")
        #expect(checkpoints.contains { $0.hasPrefix("2.0.0-") && $0.hasSuffix(".json") }, "\(checkpoints)")
        // The deploy script ran the pre-deployment checklist, then updated the nodes one at a time.
        let output = try #require(try await example.actionOutputs("promote", Self.production, in: "production", version: "2.0.0").first)
        #expect(output.contains("pre-deployment checklist for maos-coordinator 2.0.0:") && output.contains("ok: PostgreSQL 15 answers")
                && output.contains("maos-1 runs maos-coordinator-production 2.0.0\nmaos-2 runs"), "\(output)")
        // Health gated the promotion: production started only after staging passed its smoke tests and health window.
        try await expectPromotedAfterProof(example, version: "2.0.0")

        // 2. Drift made by hand on a node is named by diff, and the next run puts it back.
        let record = "production/deployments/\(Self.production).json"
        var edited = try example.targetJSON(record)
        var document = try #require(edited["document"] as? [String: Any])
        var spec = try #require(document["spec"] as? [String: Any])
        spec["runtimeAdapter"] = "maos-staging"
        document["spec"] = spec
        edited["document"] = document
        try example.writeTarget(record, String(decoding: try JSONSerialization.data(withJSONObject: edited), as: UTF8.self))
        let drift = try await example.diff()
        #expect(drift.exitCode == 2)
        let changes = try #require(drift.document["changes"] as? [[String: Any]])
        #expect(changes.count == 1 && changes[0]["change"] as? String == "drift" && changes[0]["name"] as? String == Self.production
                && changes[0]["environment"] as? String == "production", "\(changes)")
        try await example.runOnce()
        #expect(try await example.diff().exitCode == 0)
        #expect(try await example.targetJSON(record)["document"].flatMap { ($0 as? [String: Any])?["spec"] as? [String: Any] }?["runtimeAdapter"] as? String
                == "maos-production")

        // 3. Backups: each run writes a verified archive with its checksum, and `backup list` shows it.
        let database = try await example.steward("backup", "run", "maos-database-production")
        #expect(database.exitCode == 0, "\(database.stderr)")
        let dump = try await verifiedArchive(example, schedule: "maos-database-production", folder: "backups/maos/database")
        let sql = try await Subprocess.run("/bin/gzip", ["-dc", dump])
        #expect(sql.stdout.contains("CREATE TABLE public.checkpoints") && sql.stdout.contains("idx_tasks_status_created"))
        #expect(sql.stdout.contains(Self.production), "the checkpoint rows of the production coordinator are in the dump")
        let checkpointRun = try await example.steward("backup", "run", "maos-checkpoints-production")
        #expect(checkpointRun.exitCode == 0, "\(checkpointRun.stderr)")
        let tarball = try await verifiedArchive(example, schedule: "maos-checkpoints-production", folder: "backups/maos/checkpoints")
        let listing = try await Subprocess.run("/bin/tar", ["-tzf", tarball])
        #expect(listing.status == 0 && listing.stdout.contains("checkpoints/\(Self.production)/2.0.0-"), "\(listing.stdout)")

        // 4. A release: staging and production to 2.1.0 in one commit; production waits for staging's proof.
        try example.setVersion(Self.staging, "2.1.0")
        try example.setVersion(Self.production, "2.1.0")
        try example.repo.commit("MAOS coordinator 2.1.0 in staging and production")
        try await example.converge()
        #expect(try await example.row("Deployment", Self.production, in: "production")["version"] as? String == "2.1.0")
        try await expectPromotedAfterProof(example, version: "2.1.0")
        for node in 1...3 {
            #expect(try await example.targetJSON("production/nodes/maos-\(node)/\(Self.production).json")["version"] as? String == "2.1.0")
        }

        // 5. Rolling back is a git revert: Steward runs rollback (not a fresh deploy) to 2.0.0 everywhere.
        try example.repo.git("revert", "--no-edit", "HEAD")
        let revert = try example.head()
        try await example.runOnce()
        for (deployment, environment) in [(Self.staging, "staging"), (Self.production, "production")] {
            let row = try await example.row("Deployment", deployment, in: environment)
            #expect(row["version"] as? String == "2.0.0" && row["health"] as? String == "Healthy", "\(row)")
            let entries = try await example.history(deployment)
            #expect(entries.contains { $0["action"] as? String == "rollback" && $0["version"] as? String == "2.0.0" && $0["commit"] as? String == revert },
                    "\(entries)")
        }
        let node = try example.targetJSON("production/nodes/maos-3/\(Self.production).json")["version"] as? String
        #expect(node == "2.0.0")
        #expect(try await example.steward("verify-log").exitCode == 0)
    }

    /// The production promotion of `version` started after staging proved it (versionProven).
    private func expectPromotedAfterProof(_ example: ExampleWorkspace, version: String) async throws {
        let events = try await example.events()
        func data(_ event: [String: Any]) -> [String: Any] { event["data"] as? [String: Any] ?? [:] }
        let proven = try #require(events.first {
            $0["type"] as? String == "versionProven" && $0["resource"] as? String == "Deployment/\(Self.staging)" && data($0)["version"] as? String == version
        }, "staging never proved \(version)")
        let promoted = try #require(events.first {
            $0["type"] as? String == "actionSucceeded" && $0["reason"] as? String == "promote"
                && $0["resource"] as? String == "Deployment/\(Self.production)" && data($0)["version"] as? String == version
        }, "production was not promoted to \(version)")
        #expect((proven["seq"] as? Int ?? .max) < (promoted["seq"] as? Int ?? 0))
        #expect(events.contains {
            $0["type"] as? String == "actionSucceeded" && $0["reason"] as? String == "smokeTest" && $0["resource"] as? String == "Deployment/\(Self.staging)"
                && ($0["message"] as? String ?? "").contains("maos health --all-components: api healthy, checkpoints healthy, config healthy, database healthy")
        }, "the smoke test ran the health check on staging")
    }

    /// The archive `backup list` names for `schedule`: under `folder`, verified, its checksum beside it.
    private func verifiedArchive(_ example: ExampleWorkspace, schedule: String, folder: String) async throws -> String {
        let listed = try await example.backupSchedule(schedule)
        #expect(listed["outcome"] as? String == "succeeded", "\(listed)")
        let archive = try #require(listed["archive"] as? String)
        let path = archive.hasPrefix("/") ? archive : example.path + "/" + archive
        #expect(path.hasPrefix(example.path + "/" + folder + "/\(schedule)-"), "\(path)")
        #expect(FileManager.default.fileExists(atPath: path))
        let checksum = try #require(try? String(contentsOfFile: path + ".sha256", encoding: .utf8), "no \(path).sha256")
        let actual = try await Subprocess.run("/usr/bin/sha256sum", [path]).stdout
        #expect(checksum.prefix(64) == actual.prefix(64), "\(checksum) vs \(actual)")
        return path
    }
}
