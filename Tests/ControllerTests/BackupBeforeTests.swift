@testable import Controller
import Foundation
import EventLog
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

/// `gates.backupBefore` (DESIGN §11) with real parts: a real command BackupSchedule writing a real
/// archive before production's promotion, verified, its path and sha256 in the Deployment's history
/// and in an event naming the promotion; a failing backup blocks the promotion with the reason.
@Suite("Backups before promotions (real git, real backup script, real console)", .serialized)
struct BackupBeforeTests {
    static let schedule = """
        apiVersion: steward/v1
        kind: BackupSchedule
        metadata: {name: db-before}
        spec:
          schedule: "0 3 1 1 *"
          target: command
          command: [./ops/backup.sh]
          destination: ./var/backups
          retention: {keepLast: 5}
          verify: true

        """

    /// Writes a gzip archive, or fails when `OUT/mode` says so; counts its runs in `OUT/runs`.
    static func script(out: String) -> String {
        """
        #!/bin/bash
        echo "$STEWARD_BACKUP_SCHEDULE" >> "\(out)/runs"
        if [ "$(cat "\(out)/mode")" = fail ]; then echo "pg_dump: connection refused" >&2; exit 2; fi
        printf 'users table before 1.2.0\\n' | gzip > "$STEWARD_BACKUP_DESTINATION"

        """
    }

    static func setUp(mode: String) async throws -> (PromotionFleet, TemporaryDirectory, Reconciler) {
        let out = try TemporaryDirectory(prefix: "steward-backup-before")
        try mode.write(toFile: out.path + "/mode", atomically: true, encoding: .utf8)
        let fleet = try await PromotionFleet(production: .init(backupBefore: "[db-before]"))
        try fleet.repo.write("backups/db-before.yaml", schedule)
        try fleet.repo.write("ops/backup.sh", script(out: out.path))
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fleet.repo.path + "/ops/backup.sh")
        _ = try fleet.repo.commit("a backup before production changes")
        return (fleet, out, try await fleet.reconciler())
    }

    static func runs(_ out: TemporaryDirectory) -> Int {
        ((try? String(contentsOfFile: out.path + "/runs", encoding: .utf8)) ?? "").split(separator: "\n").count
    }

    @Test func theBackupRunsBeforeThePromotionAndIsRecordedWithIt() async throws {
        let (fleet, out, reconciler) = try await Self.setUp(mode: "pass")
        let first = try await reconciler.pass()
        #expect(Self.runs(out) == 0, "staging has no backupBefore; production is not promoting yet")
        #expect(first.plan.blocked.map(\.gate) == [.promotion])
        let diff = try await reconciler.preview(revision: nil)
        let planned = try #require(diff.plan.actions.first { $0.key.name == "robot-nav-production" })
        #expect(planned.reason.hasSuffix("; backup 'db-before' will run before it"), "\(planned.reason)")
        #expect(Self.runs(out) == 0, "diff runs no backup")

        let promoted = try await reconciler.pass()
        #expect(promoted.plan.actions.map(\.kind) == [.promote])
        #expect(Self.runs(out) == 1)
        let history = try await reconciler.store.history(deployment: "robot-nav-production")
        let backup = try #require(history.first { $0.action == "backupBefore" })
        let archive = try #require(backup.archive)
        #expect(archive.hasPrefix(fleet.path + "/var/backups/db-before-") && FileManager.default.fileExists(atPath: archive))
        #expect(backup.archiveSha256 == (try FileDigest.sha256(path: archive)))
        #expect(backup.version == "1.2.0" && backup.outcome == "succeeded" && backup.seq != nil)
        // taken before the promotion: its history entry comes first
        let order = history.map(\.action)
        #expect(try #require(order.firstIndex(of: "backupBefore")) < (order.firstIndex(of: "promote") ?? Int.max), "\(order)")
        let event = try #require(try await reconciler.store.events(since: 0, limit: nil).first { $0.seq == backup.seq })
        #expect(event.reason == "BackupBeforeDeploy" && event.resource == "Deployment/robot-nav-production")
        #expect(event.data?["archive"] == .string(archive) && event.data?["sha256"] == .string(backup.archiveSha256 ?? ""))
        #expect(event.data?["action"] == .string("promote") && event.data?["version"] == .string("1.2.0"))
        // the backup run itself is in the schedule's runs, as any run
        #expect(try await reconciler.store.backupRuns(schedule: "db-before").map(\.outcome) == ["succeeded"])
        try await reconciler.store.close()
        await fleet.stop()
    }

    @Test func aFailedBackupBlocksThePromotionUntilTheNextCommit() async throws {
        let (fleet, out, reconciler) = try await Self.setUp(mode: "fail")
        _ = try await reconciler.pass()
        let blocked = try await reconciler.pass()
        let reason = try #require(blocked.plan.blocked.first?.reason)
        #expect(blocked.plan.blocked.map(\.gate) == [.preDeploy])
        #expect(reason.hasPrefix("backup db-before failed: ") && reason.contains("pg_dump: connection refused"), "\(reason)")
        #expect(!fleet.console.calls.contains { $0.path.hasSuffix("/promote") }, "nothing applied")
        #expect(try await fleet.applied(reconciler, "robot-nav-production")?.message == reason)
        _ = try await reconciler.pass()
        #expect(Self.runs(out) == 1, "not retried every pass")
        #expect(try await reconciler.store.history(deployment: "robot-nav-production").contains { $0.action == "backupBefore" } == false)

        try "pass".write(toFile: out.path + "/mode", atomically: true, encoding: .utf8)
        try fleet.repo.write("NOTES.md", "database is back\n")
        _ = try fleet.repo.commit("retry")
        let promoted = try await reconciler.pass()
        #expect(promoted.plan.actions.map(\.kind) == [.promote])
        #expect(Self.runs(out) == 2)
        try await reconciler.store.close()
        await fleet.stop()
    }
}
