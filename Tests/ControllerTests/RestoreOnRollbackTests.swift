@testable import Controller
import Foundation
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

/// `autoRollback.restoreBackup` (DESIGN §11) with real parts: production takes a real backup before
/// each change (gates.backupBefore), 1.3.0 fails its smoke test on the real console, Steward rolls
/// back and runs the schedule's real restore script with the archive taken before 1.3.0 — once.
@Suite("Restore on auto-rollback (real git, real backup and restore scripts, real console)", .serialized)
struct RestoreOnRollbackTests {
    /// BackupBeforeTests' schedule, with a restore command.
    static let schedule = BackupBeforeTests.schedule
        .replacingOccurrences(of: "  command: [./ops/backup.sh]\n", with: "  command: [./ops/backup.sh]\n  restore: [./ops/restore.sh]\n")

    static func scripts(out: String) -> (backup: String, restore: String) {
        ("""
        #!/bin/bash
        n=$(( $(cat "\(out)/taken" 2>/dev/null || echo 0) + 1 )); echo $n > "\(out)/taken"
        printf 'database snapshot %s\\n' "$n" | gzip > "$STEWARD_BACKUP_DESTINATION"

        """, """
        #!/bin/bash
        echo "$STEWARD_BACKUP_ARCHIVE" >> "\(out)/restored"
        if [ "$(cat "\(out)/restore-mode" 2>/dev/null)" = fail ]; then echo "pg_restore: connection refused" >&2; exit 3; fi
        zcat "$STEWARD_BACKUP_ARCHIVE" > "\(out)/database"

        """)
    }

    /// Converges 1.2.0, then promotes 1.3.0 into production, whose smoke test fails.
    static func failedPromotion(restoreMode: String) async throws -> (PromotionFleet, TemporaryDirectory, Reconciler, Reconciler.PassResult) {
        let out = try TemporaryDirectory(prefix: "steward-restore-on-rollback")
        try restoreMode.write(toFile: out.path + "/restore-mode", atomically: true, encoding: .utf8)
        let fleet = try await PromotionFleet(production: .init(restoreBackup: true, backupBefore: "[db-before]"))
        let (backup, restore) = scripts(out: out.path)
        try fleet.repo.write("backups/db-before.yaml", schedule)
        try fleet.repo.write("ops/backup.sh", backup)
        try fleet.repo.write("ops/restore.sh", restore)
        for script in ["ops/backup.sh", "ops/restore.sh"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fleet.repo.path + "/" + script)
        }
        _ = try fleet.repo.commit("backups before production changes, restored on rollback")
        let reconciler = try await fleet.reconciler()
        let failed = try await fleet.failProductionOn130(reconciler).pass
        return (fleet, out, reconciler, failed)
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    @Test func theArchiveTakenBeforeTheFailedVersionIsRestoredOnce() async throws {
        let (fleet, out, reconciler, failed) = try await Self.failedPromotion(restoreMode: "pass")
        #expect(failed.failed && failed.gateFailures.first?.contains("smoke tests failed") == true, "\(failed.gateFailures)")
        let history = try await reconciler.store.history(deployment: "robot-nav-production")
        let before = try #require(history.last { $0.action == "backupBefore" && $0.version == "1.3.0" }, "\(history.map(\.action))")
        let archive = try #require(before.archive)
        // The restore script got exactly that archive, and read it.
        #expect(Self.lines(out.path + "/restored") == [archive])
        let snapshot = try await Subprocess.run("/bin/sh", ["-c", "zcat '\(archive)'"]).stdout
        #expect(try String(contentsOfFile: out.path + "/database", encoding: .utf8) == snapshot)
        #expect(snapshot.hasPrefix("database snapshot "))
        // Recorded: a `restore` history entry with the archive and its sha256, and an event.
        let restored = try #require(history.last { $0.action == "restore" })
        #expect(restored.outcome == "succeeded" && restored.archive == archive && restored.archiveSha256 == before.archiveSha256)
        let events = try await reconciler.store.events(since: 0, limit: nil).filter { $0.type == "restore" }
        #expect(events.count == 1 && events[0].reason == "BackupRestored" && events[0].message.contains(archive), "\(events.map(\.message))")
        #expect(try await fleet.applied(reconciler, "robot-nav-production")?.version == "1.2.0")

        // Later passes (the revert commit, steady state) never restore again.
        _ = try await reconciler.pass()
        _ = try await reconciler.pass()
        #expect(Self.lines(out.path + "/restored") == [archive])
        try await reconciler.store.close()
        await fleet.stop()
    }

    @Test func aFailedRestoreLeavesTheDeploymentDegradedWithTheReason() async throws {
        let (fleet, out, reconciler, _) = try await Self.failedPromotion(restoreMode: "fail")
        #expect(Self.lines(out.path + "/restored").count == 1)
        let record = try #require(try await fleet.applied(reconciler, "robot-nav-production"))
        #expect(record.version == "1.2.0" && record.health == .degraded, "\(record)")
        #expect(record.message?.contains("rolled back from 1.3.0, but the restore failed: restore of ") == true
                && record.message?.contains("pg_restore: connection refused") == true, "\(record.message ?? "")")
        let warnings = try await reconciler.store.events(since: 0, limit: nil).filter { $0.reason == "RestoreFailed" }
        #expect(warnings.count == 1)
        #expect(try await reconciler.store.holds().map(\.version) == ["1.3.0"], "the failed version stays held")
        #expect(try await reconciler.store.history(deployment: "robot-nav-production").contains { $0.action == "restore" && $0.outcome == "failed" })
        _ = try await reconciler.pass()
        #expect(Self.lines(out.path + "/restored").count == 1, "not retried by itself")
        try await reconciler.store.close()
        await fleet.stop()
    }

    @Test func restoreBackupNeedsBackupBeforeAndARestoreCommand() throws {
        let environment = """
            apiVersion: steward/v1
            kind: Environment
            metadata: {name: production}
            spec:
              driver: {type: local, root: ./var/fleet/production}
              autoRollback: {enabled: true, restoreBackup: true}

            """
        let loaded = LoadedSource(files: [FleetValidator.SourceFile(path: "env.yaml", bytes: Array(environment.utf8))])
        let report = loaded.validate(options: FleetValidator.Options(allowEmpty: true))
        #expect(report.errors.map(\.description).contains {
            $0.hasPrefix("env.yaml:") && $0.contains("spec.autoRollback.restoreBackup: restoreBackup restores what gates.backupBefore took")
        }, "\(report.errors)")

        let withSchedule = environment.replacingOccurrences(of: "  autoRollback:", with: "  gates: {backupBefore: [db]}\n  autoRollback:")
            + "---\napiVersion: steward/v1\nkind: BackupSchedule\nmetadata: {name: db}\nspec: {schedule: \"0 3 * * *\", target: command, command: [./b.sh], destination: ./var/b, verify: true}\n"
        let second = LoadedSource(files: [FleetValidator.SourceFile(path: "env.yaml", bytes: Array(withSchedule.utf8))])
            .validate(options: FleetValidator.Options(allowEmpty: true))
        #expect(second.errors.map(\.description).contains { $0.contains("BackupSchedule 'db' has no spec.restore, which autoRollback.restoreBackup runs") },
                "\(second.errors)")
    }
}
