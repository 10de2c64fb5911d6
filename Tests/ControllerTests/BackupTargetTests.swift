import EventLog
import Foundation
import Manifests
import Reconcile
import SQLiteNIO
import StateStore
import StewardTesting
import Testing
@testable import Controller

@Suite("backup targets for real: event log tar.gz, SQLite VACUUM INTO, pg_dump, a script", .serialized)
struct BackupTargetTests {
    @Test func eventLogArchiveIsAConsistentPrefixWhileAppendsContinue() async throws {
        let sandbox = try await BackupSandbox.make()
        try await sandbox.appendEvents(200)
        let schedule = try backupSchedule("events", #"{"schedule": "0 * * * *", "target": "eventLog", "destination": "./var/backups", "verify": true}"#)
        // Keep appending (in a task of its own) while the archive is written.
        let writer = Task { [store = sandbox.store] in
            var batches = 0
            while !Task.isCancelled, batches < 400 {
                var batch = StoreBatch()
                batch.events = [NewEvent(type: .warning, reason: "Concurrent", message: String(repeating: "y", count: 500))]
                _ = try? await store.commit(batch)
                batches += 1
            }
        }
        let run = try await sandbox.runOnce(schedule)
        writer.cancel()
        _ = await writer.value
        #expect(run.outcome == "succeeded", "\(run.message ?? "")")
        let archive = try #require(run.archive)
        #expect(archive.hasSuffix(".tar.gz") && (archive as NSString).lastPathComponent.hasPrefix("events-"))
        #expect(FileManager.default.fileExists(atPath: archive + ".sha256"))
        let extracted = try TemporaryDirectory()
        let untar = try runTool("/usr/bin/tar", ["-xzf", archive, "-C", extracted.path])
        #expect(untar.code == 0, "\(untar.err)")
        let log = try FileEventLog(directory: extracted.path + "/events")
        let verification = try log.verify()
        #expect(verification.isValid, "\(verification)")
        if case .valid(let count, _) = verification { #expect(count >= 200) }
        #expect(try await String(contentsOfFile: archive + ".sha256", encoding: .utf8) == (try await sha256sumLine(archive)))
        // No snapshot or partial file is left behind.
        #expect(sandbox.files(in: "var/backups").count == 2)
        #expect(sandbox.files(in: ".steward/backups/tmp").isEmpty)
        await sandbox.close()
    }

    @Test func snapshotCutsATornLastLine() async throws {
        let source = try TemporaryDirectory(), target = try TemporaryDirectory()
        try "{\"a\":1}\n{\"b\":2}\n{\"c\":".write(toFile: source.path + "/events-000001.jsonl", atomically: true, encoding: .utf8)
        try "notes without newline".write(toFile: source.path + "/README", atomically: true, encoding: .utf8)
        let copied = try EventLogSnapshot.copy(from: source.path, to: target.path + "/events")
        #expect(copied.files == 2)
        #expect(try await String(contentsOfFile: target.path + "/events/events-000001.jsonl", encoding: .utf8) == "{\"a\":1}\n{\"b\":2}\n")
        #expect(try await String(contentsOfFile: target.path + "/events/README", encoding: .utf8) == "notes without newline")
    }

    @Test func sqliteStoreIsCopiedOnlineWithVacuumInto() async throws {
        let sandbox = try await BackupSandbox.make()
        var batch = StoreBatch()
        batch.backupRuns = (0..<50).map { BackupRun(schedule: "old", scheduledFor: T.at($0), startedAt: T.at($0), outcome: "succeeded") }
        try await sandbox.store.commit(batch)
        let schedule = try backupSchedule("state", #"{"schedule": "0 3 * * *", "target": "stateStore", "destination": "./var/db", "verify": true}"#)
        let run = try await sandbox.runOnce(schedule)
        #expect(run.outcome == "succeeded", "\(run.message ?? "")")
        let archive = try #require(run.archive)
        #expect(archive.hasSuffix(".sqlite"))
        // The checksum file and the run's message carry what the real sha256sum computes (before the copy is opened).
        let line = try sha256sumLine(archive)
        #expect(try await String(contentsOfFile: archive + ".sha256", encoding: .utf8) == line)
        #expect(run.message?.contains(", verified, sha256 \(line.prefix(64))") == true, "\(run.message ?? "")")
        let copy = try await SQLiteConnection.open(storage: .file(path: archive), logger: backupTestLogger)
        let rows = try await copy.query("SELECT count(*) FROM backup_runs WHERE schedule = 'old'", [])
        #expect(rows.first?.columns.first?.data.integer == 50)
        try await copy.close()
        await sandbox.close()
    }

    @Test func postgresStoreIsDumpedWithPgDump() async throws {
        let url = try await TestPostgres.freshDatabaseURL()
        let sandbox = try await BackupSandbox.make(postgresURL: url)
        var batch = StoreBatch()
        batch.backupRuns = [BackupRun(schedule: "marker-schedule", scheduledFor: T.at(1), startedAt: T.at(1), outcome: "succeeded")]
        try await sandbox.store.commit(batch)
        let password = try #require({ if case .postgres(let target) = sandbox.context.database { return target.password } else { return nil } }())
        sandbox.context.secrets = [password]
        let schedule = try backupSchedule("pg", #"{"schedule": "0 3 * * *", "target": "stateStore", "destination": "./var/pg", "verify": true}"#)
        let run = try await sandbox.runOnce(schedule)
        #expect(run.outcome == "succeeded", "\(run.message ?? "")")
        let archive = try #require(run.archive)
        #expect(archive.hasSuffix(".dump"))
        #expect(try await String(contentsOfFile: archive + ".sha256", encoding: .utf8) == (try await sha256sumLine(archive)))
        let list = try runTool("/usr/bin/pg_restore", ["--list", archive])
        #expect(list.code == 0)
        #expect(list.out.contains("TABLE public backup_runs") || list.out.contains("TABLE DATA public backup_runs"), "\(list.out)")
        // The dump holds the data; nothing Steward wrote holds the password.
        let sql = try runTool("/usr/bin/pg_restore", ["--data-only", "--table=backup_runs", "--file=-", archive])
        #expect(sql.out.contains("marker-schedule"))
        let events = try await sandbox.events()
        #expect(!events.isEmpty)
        for event in events { #expect(!event.line.contains(password)) }
        #expect(!(run.message ?? "").contains(password))
        await sandbox.close()
    }

    @Test func pgDumpGetsThePasswordOnlyThroughPGPASSWORD() async throws {
        let sandbox = try await BackupSandbox.make()
        let bin = sandbox.path + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        // A stand-in pg_dump that records its arguments and environment, then writes a dump-like file.
        try sandbox.script("bin/pg_dump", """
            printf '%s\\n' "$@" > "\(sandbox.path)/argv"
            env > "\(sandbox.path)/env"
            for arg in "$@"; do case "$arg" in --file=*) printf 'PGDMP fake' > "${arg#--file=}";; esac; done
            """)
        sandbox.context.database = try BackupDatabase.parse("postgres://steward:Hunter2Secret@db.internal:6543/fleet?sslmode=require", baseDirectory: sandbox.path)
        sandbox.context.environment = ["PATH": bin + ":/usr/bin:/bin"]
        let schedule = try backupSchedule("pg", #"{"schedule": "0 3 * * *", "target": "stateStore", "destination": "./var/pg"}"#)
        let run = try await sandbox.runOnce(schedule)
        #expect(run.outcome == "succeeded", "\(run.message ?? "")")
        let argv = try String(contentsOfFile: sandbox.path + "/argv", encoding: .utf8)
        #expect(!argv.contains("Hunter2Secret"))
        #expect(argv.contains("--format=custom\n") && argv.contains("--host=db.internal\n") && argv.contains("--port=6543\n")
            && argv.contains("--username=steward\n") && argv.contains("--dbname=fleet\n") && argv.contains("--no-password\n"))
        let env = try String(contentsOfFile: sandbox.path + "/env", encoding: .utf8)
        #expect(env.contains("PGPASSWORD=Hunter2Secret\n") && env.contains("PGSSLMODE=require\n"))
        await sandbox.close()
    }

    @Test func aMissingPgDumpIsOneClearLine() async throws {
        let sandbox = try await BackupSandbox.make()
        let empty = try TemporaryDirectory()
        sandbox.context.database = try BackupDatabase.parse("postgres://steward:pw@127.0.0.1:5432/fleet", baseDirectory: sandbox.path)
        sandbox.context.environment = ["PATH": empty.path]
        let schedule = try backupSchedule("pg", #"{"schedule": "0 3 * * *", "target": "stateStore", "destination": "./var/pg"}"#)
        let run = try await sandbox.runOnce(schedule)
        #expect(run.outcome == "failed")
        #expect(run.message == "backup pg failed: pg_dump not found in PATH (\(empty.path)): install the PostgreSQL client tools (e.g. apt-get install postgresql-client) to back up a PostgreSQL store")
        #expect(sandbox.files(in: "var/pg").isEmpty)
        await sandbox.close()
    }

    @Test func commandGetsItsDestinationAndScheduleAndItsTailsAreRedacted() async throws {
        let sandbox = try await BackupSandbox.make()
        sandbox.context.secrets = ["s3cr3t-token"]
        try sandbox.script("ops-backup.sh", """
            echo "schedule=$STEWARD_BACKUP_SCHEDULE pwd=$(pwd)"
            echo "uploading with s3cr3t-token" >&2
            test -z "$SOME_CONTROLLER_SECRET" || exit 9
            printf 'archive for %s' "$STEWARD_BACKUP_SCHEDULE" > "$STEWARD_BACKUP_DESTINATION"
            """)
        // The controller's environment holds a secret; the command must not see it.
        sandbox.context.environment = BackupContext.inheritedEnvironment(
            from: ProcessInfo.processInfo.environment.merging(["SOME_CONTROLLER_SECRET": "leak"]) { $1 })
        let schedule = try backupSchedule("ops", #"{"schedule": "0 3 * * *", "target": "command", "command": ["./ops-backup.sh"], "destination": "./var/ops"}"#)
        let run = try await sandbox.runOnce(schedule)
        #expect(run.outcome == "succeeded", "\(run.message ?? "")")
        let archive = try #require(run.archive)
        #expect(try await String(contentsOfFile: archive, encoding: .utf8) == "archive for ops")
        #expect(run.sizeBytes == 15)
        let event = try #require(try await sandbox.events(reason: "BackupSucceeded").first)
        #expect(event.message == "backup ops succeeded: \(archive) (15 bytes)")
        #expect(event.data?["stdout"]?.string == "schedule=ops pwd=\(sandbox.path)\n")
        #expect(event.data?["stderr"]?.string == "uploading with [redacted]\n")
        await sandbox.close()
    }

    @Test func aFailingCommandFailsTheRunWithItsLastErrorLine() async throws {
        let sandbox = try await BackupSandbox.make()
        try sandbox.script("fail.sh", """
            echo "partial" > "$STEWARD_BACKUP_DESTINATION"
            echo "connecting..." >&2
            echo "disk full" >&2
            exit 4
            """)
        let schedule = try backupSchedule("ops", #"{"schedule": "0 3 * * *", "target": "command", "command": ["./fail.sh"], "destination": "./var/ops"}"#)
        let run = try await sandbox.runOnce(schedule)
        #expect(run.outcome == "failed")
        #expect(run.message == "backup ops failed: fail.sh exited with code 4: disk full")
        #expect(sandbox.files(in: "var/ops").isEmpty)
        let event = try #require(try await sandbox.events(reason: "BackupFailed").first)
        #expect(event.data?["stderr"]?.string == "connecting...\ndisk full\n")
        await sandbox.close()
    }

    @Test func aCommandIsKilledAfterItsTimeout() async throws {
        let sandbox = try await BackupSandbox.make()
        try sandbox.script("hang.sh", "sleep 30")
        let schedule = try backupSchedule("ops", #"{"schedule": "0 3 * * *", "target": "command", "command": ["./hang.sh"], "destination": "./var/ops", "timeoutSeconds": 1}"#)
        let started = Date()
        let run = try await sandbox.runOnce(schedule)
        #expect(Date().timeIntervalSince(started) < 25)  // sleep 30 was killed, not waited for
        #expect(run.outcome == "failed")
        #expect(run.message == "backup ops failed: hang.sh timed out after 1 s and was terminated")
        await sandbox.close()
    }

    @Test func aCommandThatWritesNothingFails() async throws {
        let sandbox = try await BackupSandbox.make()
        try sandbox.script("nothing.sh", "true")
        let schedule = try backupSchedule("ops", #"{"schedule": "0 3 * * *", "target": "command", "command": ["./nothing.sh"], "destination": "./var/ops"}"#)
        let run = try await sandbox.runOnce(schedule)
        #expect(run.message == "backup ops failed: the command exited 0 but wrote nothing to $STEWARD_BACKUP_DESTINATION")
        await sandbox.close()
    }

    @Test func statusMessageOfTheScheduleShowsTheLastOutcome() async throws {
        let sandbox = try await BackupSandbox.make()
        var batch = StoreBatch()
        batch.upsertResources = [AppliedResource(key: ResourceKey(kind: .backupSchedule, name: "ops"), specHash: "h", spec: .null, commit: "abc",
                                                 sync: .synced, health: .healthy, createdAt: T.at(0), updatedAt: T.at(0))]
        try await sandbox.store.commit(batch)
        try sandbox.script("fail.sh", "echo 'no space left' >&2; exit 1")
        let schedule = try backupSchedule("ops", #"{"schedule": "0 3 * * *", "target": "command", "command": ["./fail.sh"], "destination": "./var/ops"}"#)
        _ = try await sandbox.runOnce(schedule, clock: TestClock(T.at(3)))
        let record = try #require(try await sandbox.store.resources().first { $0.key.kind == .backupSchedule })
        #expect(record.message == "last backup failed at 2024-01-01T03:00:00.000Z: fail.sh exited with code 1: no space left")
        #expect(record.health == .healthy && record.specHash == "h")
        await sandbox.close()
    }
}
