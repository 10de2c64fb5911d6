import Foundation
import StewardTesting
import Testing

/// `steward backup restore` through the binary, with real SQLite files, a real file event log, real scripts.
@Suite("steward backup restore: each target, every refusal", .serialized)
struct BackupRestoreCommandTests {
    /// A workspace that converged once and holds one verified archive of `schedules`.
    private func backedUp(_ schedules: String...) async throws -> RestoreWorkspace {
        let workspace = try RestoreWorkspace()
        try await workspace.ok("run", "--once")
        for schedule in schedules { try await workspace.ok("backup", "run", schedule) }
        return workspace
    }

    @Test func eventLogIsReplacedAndVerified() async throws {
        let workspace = try await backedUp("events", "events")
        let archived = workspace.fingerprint(".steward/events")
        // The log moves on (the backup's own events), then is lost: its chain (empty) holds, and
        // verify-log says the store indexed records the log does not have.
        try FileManager.default.removeItem(atPath: workspace.path + "/.steward/events")
        let lost = try await workspace.steward("verify-log")
        #expect(lost.exitCode == 0 && lost.stdout.hasPrefix("ok: 0 records"), "\(lost.stdout)\(lost.stderr)")
        #expect(lost.stderr.contains("warning: the store indexed the event log up to seq ") && lost.stderr.contains(" ends at seq 0: records 1-"),
                "\(lost.stderr)")
        let result = try await workspace.steward("backup", "restore", "events")
        #expect(result.exitCode == 0, "\(result.stderr)")
        let archive = try workspace.archive("events")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4, "\(result.stdout)")
        #expect(lines.first?.hasPrefix("archive \(archive): sha256 ") == true && lines.first?.hasSuffix("matches its checksum file; gzip -t and tar -tzf passed") == true)
        #expect(lines.dropFirst().first == "replaced the event log \(workspace.path)/.steward/events with the archive")
        #expect(lines.dropFirst(2).first?.hasPrefix("event log verified: ") == true && lines.dropFirst(2).first?.contains(" 0 records") == false)
        #expect(lines.last == "backup events restored")
        // The archive held the log as it was when the backup began: a prefix of the log before the loss.
        let restored = workspace.fingerprint(".steward/events")
        #expect(!restored.isEmpty)
        for (name, bytes) in restored { #expect(archived[name]?.starts(with: bytes) == true, "\(name)") }
        #expect(restored.values.reduce(0) { $0 + $1.count } > 0)
        // The restored prefix verifies; the backup's own records are still missing from it, which
        // verify-log says until the controller's next start drops the store's index past the log.
        let verify = try await workspace.steward("verify-log")
        #expect(verify.exitCode == 0)
        #expect(verify.stderr.contains("warning: the store indexed the event log up to seq ") && verify.stderr.contains("the next steward run drops"),
                "\(verify.stderr)")
        try await workspace.ok("run", "--once")
        let again = try await workspace.steward("verify-log")
        #expect(again.exitCode == 0 && !again.stderr.contains("warning"), "\(again.stderr)")
    }

    @Test func aLogThatExistsIsKeptAsideAndJSONSaysWhatHappened() async throws {
        // The second archive holds the first backup's events: the newest is restored.
        let workspace = try await backedUp("events", "events")
        let before = workspace.fingerprint(".steward/events")
        let result = try await workspace.steward("backup", "restore", "events", "-o", "json")
        #expect(result.exitCode == 0, "\(result.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Set(document.keys) == ["schedule", "target", "archive", "sha256", "verification", "dryRun", "actions", "eventLog"])
        #expect(document["target"] as? String == "eventLog" && document["dryRun"] as? Bool == false)
        #expect((document["sha256"] as? String)?.count == 64)
        let log = try #require(document["eventLog"] as? [String: Any])
        #expect((log["records"] as? Int ?? 0) > 0 && (log["headHash"] as? String)?.count == 64)
        let aside = try #require(workspace.files(".steward").first { $0.hasPrefix("events.before-restore-") })
        #expect(workspace.fingerprint(".steward/\(aside)") == before)
        #expect((document["actions"] as? [String])?.first?.hasSuffix("; the previous log is kept as \(workspace.path)/.steward/\(aside)") == true)
    }

    @Test func sqliteStoreIsReplacedAndTheControllerContinues() async throws {
        let workspace = try await backedUp("state")
        try await workspace.ok("backup", "run", "events")
        // The store is lost; the restore takes the newest verified archive.
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: workspace.path + "/.steward/state.db" + suffix) }
        let result = try await workspace.steward("backup", "restore", "state")
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("PRAGMA integrity_check passed"))
        #expect(result.stdout.contains("replaced the SQLite store \(workspace.path)/.steward/state.db with the archive\n"), "\(result.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: workspace.path + "/.steward/state.db")) == Data(contentsOf: URL(fileURLWithPath: try workspace.archive("state"))))
        let status = try await workspace.stableStatus()
        #expect(status["commit"] is String)
        let rerun = try await workspace.steward("run", "--once")
        #expect(rerun.exitCode == 0, "\(rerun.stderr)")
        #expect(try await workspace.steward("verify-log").exitCode == 0)
    }

    @Test func commandBackupIsRestoredByItsRestoreScript() async throws {
        let workspace = try await backedUp("files")
        try "version 2, broken\n".write(toFile: workspace.dataFile, atomically: true, encoding: .utf8)
        let result = try await workspace.steward("backup", "restore", "files")
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.contains("format not recognised: checksum only"))
        #expect(result.stdout.contains("ran the restore command restore.sh \(workspace.dataFile) with STEWARD_BACKUP_ARCHIVE=\(try workspace.archive("files"))"))
        #expect(try String(contentsOfFile: workspace.dataFile, encoding: .utf8) == "version 1\n")
    }

    @Test func aFailingOrDisallowedRestoreCommandExitsOneWithOneLine() async throws {
        let workspace = try await backedUp("broken", "outside")
        try "version 2\n".write(toFile: workspace.dataFile, atomically: true, encoding: .utf8)
        let failing = try await workspace.steward("backup", "restore", "broken")
        #expect(failing.exitCode == 1)
        #expect(failing.stderr == "error: restore command fail-restore.sh exited with code 3: restore failed: disk full\n", "\(failing.stderr)")
        let outside = try await workspace.steward("backup", "restore", "outside")
        #expect(outside.exitCode == 1)
        #expect(outside.stderr == "error: spec.restore: backup command /bin/cp is not listed in drivers.exec.allowedCommands; nothing was restored\n", "\(outside.stderr)")
        #expect(try String(contentsOfFile: workspace.dataFile, encoding: .utf8) == "version 2\n")
    }

    @Test func dryRunChecksEverythingAndTouchesNothing() async throws {
        let workspace = try await backedUp("events", "state", "files")
        try "version 2\n".write(toFile: workspace.dataFile, atomically: true, encoding: .utf8)
        let before = [workspace.fingerprint(".steward"), workspace.fingerprint("data"), workspace.fingerprint("var")]
        for schedule in ["events", "state", "files"] {
            let result = try await workspace.steward("backup", "restore", schedule, "--dry-run")
            #expect(result.exitCode == 0, "\(result.stderr)")
            #expect(result.stdout.contains("\ndry run: would "), "\(result.stdout)")
            #expect(result.stdout.hasSuffix("dry run: nothing was changed\n"))
        }
        #expect([workspace.fingerprint(".steward"), workspace.fingerprint("data"), workspace.fingerprint("var")] == before)
    }

    @Test func tamperedOrTruncatedArchivesAreRefusedAndNothingIsTouched() async throws {
        let workspace = try await backedUp("events", "state")
        let archive = try workspace.archive("events")
        let original = try Data(contentsOf: URL(fileURLWithPath: archive))
        let before = workspace.fingerprint(".steward")

        var tampered = original
        tampered[tampered.count / 2] ^= 0x01
        try tampered.write(to: URL(fileURLWithPath: archive))
        let changed = try await workspace.steward("backup", "restore", "events")
        #expect(changed.exitCode == 1)
        #expect(changed.stderr.hasPrefix("error: archive \(archive) does not match its recorded sha256 ("), "\(changed.stderr)")
        #expect(changed.stderr.hasSuffix("it was changed or truncated; refused, nothing was restored\n"))
        #expect(changed.stderr.split(separator: "\n").count == 1)

        // Truncated, with a checksum file rewritten to match: the integrity check refuses it.
        let truncated = original.prefix(original.count / 2)
        try truncated.write(to: URL(fileURLWithPath: archive))
        let sum = try await Subprocess.run("/usr/bin/sha256sum", [archive])
        try sum.stdout.write(toFile: archive + ".sha256", atomically: true, encoding: .utf8)
        let cut = try await workspace.steward("backup", "restore", "events")
        #expect(cut.exitCode == 1)
        #expect(cut.stderr.hasPrefix("error: archive \(archive) is not intact (verification failed: gzip exited with code 1"), "\(cut.stderr)")
        #expect(cut.stderr.split(separator: "\n").count == 1)

        // A SQLite archive cut short, checksum matching: PRAGMA integrity_check or the format check refuses it.
        let state = try workspace.archive("state")
        let stateBytes = try Data(contentsOf: URL(fileURLWithPath: state))
        try stateBytes.prefix(stateBytes.count - 4096).write(to: URL(fileURLWithPath: state))
        let stateSum = try await Subprocess.run("/usr/bin/sha256sum", [state])
        try stateSum.stdout.write(toFile: state + ".sha256", atomically: true, encoding: .utf8)
        let shortDB = try await workspace.steward("backup", "restore", "state")
        #expect(shortDB.exitCode == 1)
        #expect(shortDB.stderr.hasPrefix("error: archive \(state) is not intact ("), "\(shortDB.stderr)")
        #expect(workspace.fingerprint(".steward") == before)
    }

    @Test func refusalsNameWhatIsWrong() async throws {
        let workspace = try await backedUp("events", "bare")
        let before = [workspace.fingerprint(".steward"), workspace.fingerprint("data")]

        let unknown = try await workspace.steward("backup", "restore", "nope")
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr.hasPrefix("error: no BackupSchedule 'nope' in commit "), "\(unknown.stderr)")
        #expect(unknown.stderr.hasSuffix("(it has: bare, broken, events, files, outside, state)\n"))

        let bare = try await workspace.steward("backup", "restore", "bare")
        #expect(bare.exitCode == 1)
        #expect(bare.stderr == "error: backup bare has no restore command (spec.restore): a command backup is restored only by its own command; nothing was restored\n")

        let missing = try await workspace.steward("backup", "restore", "events", "--archive", "var/nowhere.tar.gz")
        #expect(missing.exitCode == 1)
        #expect(missing.stderr == "error: archive \(workspace.path)/var/nowhere.tar.gz does not exist\n", "\(missing.stderr)")

        let none = try await workspace.steward("backup", "restore", "state")
        #expect(none.exitCode == 1)
        #expect(none.stderr == "error: no verified archive of backup state in \(workspace.path)/var/backups/state: run steward backup run state (with verify: true) or pass --archive FILE\n")

        // An archive without its checksum file is not restored.
        let archive = try workspace.archive("events")
        let copy = workspace.path + "/var/copy.tar.gz"
        try FileManager.default.copyItem(atPath: archive, toPath: copy)
        let unverified = try await workspace.steward("backup", "restore", "events", "--archive", copy)
        #expect(unverified.exitCode == 1)
        #expect(unverified.stderr == "error: archive \(copy) has no checksum file copy.tar.gz.sha256: only verified archives are restored\n")

        #expect([workspace.fingerprint(".steward"), workspace.fingerprint("data")] == before)
    }

    @Test func aControllerHoldingTheLeadershipRefusesTheRestore() async throws {
        let workspace = try await backedUp("events", "state")
        let lockPath = workspace.path + "/.steward/state.db.lock"
        let fd = open(lockPath, O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        _ = ftruncate(fd, 0)
        _ = "pid 4242 on controller-host\n".withCString { write(fd, $0, strlen($0)) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let before = workspace.fingerprint(".steward")
        for schedule in ["events", "state"] {
            for dry in [false, true] {
                let result = try await StewardProcess.run(["backup", "restore", schedule] + (dry ? ["--dry-run"] : []), in: workspace.path)
                #expect(result.exitCode == 1)
                #expect(result.stderr == "error: a controller holds the leadership of the store (pid 4242 on controller-host): stop it before restoring Steward's own store; nothing was restored\n", "\(result.stderr)")
            }
        }
        #expect(workspace.fingerprint(".steward") == before)
    }
}
