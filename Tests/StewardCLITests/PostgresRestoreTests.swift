import Foundation
import StewardTesting
import Testing

/// `steward backup restore` of a PostgreSQL store: real pg_dump / pg_restore, a live lease, the DR drill.
@Suite("steward backup restore with PostgreSQL", .serialized)
struct PostgresRestoreTests {
    /// A fresh database on the test server (scripts/test exports STEWARD_TEST_POSTGRES_URL).
    private func freshDatabase() async throws -> (url: String, admin: String) {
        guard let admin = ProcessInfo.processInfo.environment["STEWARD_TEST_POSTGRES_URL"] else {
            throw ProcessFailure(message: "STEWARD_TEST_POSTGRES_URL is not set: run the tests through scripts/test, which starts PostgreSQL")
        }
        let name = "steward_restore_\(UInt32.random(in: 0...UInt32.max))"
        let created = try await Subprocess.run("/usr/bin/psql", [admin, "-q", "-c", "CREATE DATABASE \(name)"])
        guard created.status == 0, let slash = admin.lastIndex(of: "/") else { throw ProcessFailure(message: "CREATE DATABASE failed: \(created.stderr)") }
        return (String(admin[..<slash]) + "/" + name, admin)
    }

    @Test func pgRestoreReplacesALaterStateAndTheLogVerifies() async throws {
        let database = try await freshDatabase()
        let workspace = try RestoreWorkspace(storeURL: database.url)
        try await workspace.ok("run", "--once")
        try await workspace.ok("backup", "run", "state")
        let backedUp = try await workspace.stableStatus()
        // A later commit is applied after the backup: the restore takes the store back to before it.
        try workspace.repo.write("backups/later.yaml", "apiVersion: steward/v1\nkind: BackupSchedule\nmetadata: {name: later}\nspec: {schedule: \"0 1 * * *\", target: stateStore, destination: ./var/later}\n")
        try workspace.repo.commit("a later schedule")
        try await workspace.ok("run", "--once")
        #expect(try await workspace.stableStatus()["commit"] as? String != backedUp["commit"] as? String)

        let result = try await workspace.steward("backup", "restore", "state")
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("pg_restore --list passed"))
        #expect(result.stdout.contains("\nrestored \(database.url.split(separator: "/").last!) on 127.0.0.1:"), "\(result.stdout)")
        #expect(result.stdout.contains("\nevent log verified: "))
        let password = try #require(database.admin.split(separator: ":").dropFirst(2).first?.split(separator: "@").first)
        #expect(!result.stdout.contains(password) && !result.stderr.contains(password))
        #expect(try await workspace.stableStatus()["commit"] as? String == backedUp["commit"] as? String)
        #expect(try await workspace.steward("verify-log").exitCode == 0)
    }

    @Test func aLiveLeaseRefusesTheRestoreNamingTheHolder() async throws {
        let database = try await freshDatabase()
        let workspace = try RestoreWorkspace(storeURL: database.url)
        try await workspace.ok("run", "--once")
        try await workspace.ok("backup", "run", "state")
        let lease = try await Subprocess.run("/usr/bin/psql", [database.url, "-q", "-c", """
            UPDATE leader_lease SET epoch = epoch + 1, holder = 'pid 7 on db-host (steward-0000beef)', application_name = 'steward-0000beef',
              expires_at = (extract(epoch from clock_timestamp()) * 1000)::bigint + 600000 WHERE id = 1
            """])
        #expect(lease.status == 0, "\(lease.stderr)")
        let before = try await Subprocess.run("/usr/bin/pg_dump", ["--data-only", "--exclude-table=leader_lease", database.url])
        for dry in [false, true] {
            let result = try await StewardProcess.run(["backup", "restore", "state"] + (dry ? ["--dry-run"] : []), in: workspace.path)
            #expect(result.exitCode == 1)
            #expect(result.stderr == "error: a controller holds the leadership of the store (pid 7 on db-host (steward-0000beef)): stop it before restoring Steward's own store; nothing was restored\n", "\(result.stderr)")
        }
        let after = try await Subprocess.run("/usr/bin/pg_dump", ["--data-only", "--exclude-table=leader_lease", database.url])
        // pg_dump writes a random \restrict key per run; the data is what must not change.
        func data(_ text: String) -> [Substring] { text.split(separator: "\n").filter { !$0.hasPrefix("\\restrict") && !$0.hasPrefix("\\unrestrict") } }
        #expect(before.status == 0 && data(after.stdout) == data(before.stdout) && data(before.stdout).count > 20)
    }

    /// scripts/dr-drill end to end: its own PostgreSQL, the quickstart, drop, restore, resume; then SQLite with the file log.
    @Test(.timeLimit(.minutes(2))) func disasterRecoveryDrillPasses() async throws {
        let root = StewardProcess.packageRoot.path
        var environment = ProcessInfo.processInfo.environment
        environment["STEWARD"] = try StewardProcess.executable.path
        let drill = try await Subprocess.run(root + "/scripts/dr-drill", [], in: root, environment: environment)
        #expect(drill.status == 0, "\(drill.stdout)\n\(drill.stderr)")
        for step in ["destroyed the database", "restored (steward backup restore state-store)", "created the missing database steward_drill, then restored steward_drill",
                     "dry run: would create the missing database steward_drill, then restore", "restarted the controller",
                     "checked: same applied state, no action re-ran, the event log verifies",
                     "SQLite: restored both", "SQLite: checked: same applied state", "dr-drill passed in "] {
            #expect(drill.stdout.contains(step), "\(step)")
        }
        #expect(drill.wallSeconds < 60, "the drill took \(drill.wallSeconds) s")
    }
}
