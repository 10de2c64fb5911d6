import Foundation
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing
@testable import Controller

@Suite("verify: true catches broken archives", .serialized)
struct BackupVerificationTests {
    private func truncate(_ path: String, toFraction fraction: Double) async throws {
        let size = try #require((try await FileManager.default.attributesOfItem(atPath: path))[.size] as? NSNumber).int64Value
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.truncate(atOffset: UInt64(Double(size) * fraction))
        try handle.close()
    }

    @Test func aTruncatedTarGzFailsVerification() async throws {
        let sandbox = try await BackupSandbox.make()
        try await sandbox.appendEvents(3000)
        let schedule = try backupSchedule("events", #"{"schedule": "0 * * * *", "target": "eventLog", "destination": "./var/backups", "verify": true}"#)
        let run = try await sandbox.runOnce(schedule)
        #expect(run.outcome == "succeeded", "\(run.message ?? "")")
        let archive = try #require(run.archive)
        let verifier = BackupVerifier(context: sandbox.context, logger: backupTestLogger)
        #expect(try await verifier.verify(archive, expected: .gzip) == "gzip -t and tar -tzf passed")
        try await truncate(archive, toFraction: 0.6)
        let error = try await #require(throws: BackupError.self) { try await verifier.verify(archive, expected: .gzip) }
        #expect(error.message.hasPrefix("verification failed: gzip exited with code 1: "), "\(error.message)")
        await sandbox.close()
    }

    @Test func aCorruptArchiveFromACommandFailsTheRunAndGetsNoChecksum() async throws {
        let sandbox = try await BackupSandbox.make()
        // A gzip stream cut short: the command "succeeds" but the archive is broken.
        try sandbox.script("broken.sh", """
            seq 1 200000 | gzip > "$STEWARD_BACKUP_DESTINATION.full"
            head -c 20000 "$STEWARD_BACKUP_DESTINATION.full" > "$STEWARD_BACKUP_DESTINATION"
            rm "$STEWARD_BACKUP_DESTINATION.full"
            """)
        let schedule = try backupSchedule("ops", #"{"schedule": "0 3 * * *", "target": "command", "command": ["./broken.sh"], "destination": "./var/ops", "verify": true}"#)
        let run = try await sandbox.runOnce(schedule)
        #expect(run.outcome == "failed")
        #expect(run.message?.hasPrefix("backup ops failed: verification failed: gzip exited with code 1") == true, "\(run.message ?? "")")
        let archive = try #require(run.archive)
        #expect(FileManager.default.fileExists(atPath: archive))
        #expect(!FileManager.default.fileExists(atPath: archive + ".sha256"))
        #expect(try await sandbox.events(reason: "BackupFailed").count == 1)
        await sandbox.close()
    }

    @Test func aGzipThatIsNotATarPassesForACommandWithANote() async throws {
        let sandbox = try await BackupSandbox.make()
        try sandbox.script("dump.sh", #"seq 1 1000 | gzip > "$STEWARD_BACKUP_DESTINATION""#)
        let schedule = try backupSchedule("ops", #"{"schedule": "0 3 * * *", "target": "command", "command": ["./dump.sh"], "destination": "./var/ops", "verify": true}"#)
        let run = try await sandbox.runOnce(schedule)
        #expect(run.outcome == "succeeded", "\(run.message ?? "")")
        let event = try #require(try await sandbox.events(reason: "BackupSucceeded").first)
        #expect(event.data?["verification"]?.string == "gzip -t passed (not a tar archive)")
        await sandbox.close()
    }

    @Test func aTruncatedSQLiteCopyFailsIntegrityCheck() async throws {
        let sandbox = try await BackupSandbox.make()
        var batch = StoreBatch()
        batch.backupRuns = (0..<2000).map { BackupRun(schedule: "old", scheduledFor: T.at(0, $0), startedAt: T.at(0), outcome: "succeeded",
                                                       message: String(repeating: "m", count: 200)) }
        try await sandbox.store.commit(batch)
        let schedule = try backupSchedule("state", #"{"schedule": "0 3 * * *", "target": "stateStore", "destination": "./var/db", "verify": true}"#)
        let run = try await sandbox.runOnce(schedule)
        #expect(run.outcome == "succeeded", "\(run.message ?? "")")
        let archive = try #require(run.archive)
        try await truncate(archive, toFraction: 0.5)
        let verifier = BackupVerifier(context: sandbox.context, logger: backupTestLogger)
        let error = try await #require(throws: BackupError.self) { try await verifier.verify(archive, expected: .sqlite) }
        #expect(error.message.hasPrefix("verification failed: PRAGMA integrity_check: "), "\(error.message)")
        await sandbox.close()
    }

    @Test func aTruncatedPgDumpFailsPgRestoreList() async throws {
        let url = try await TestPostgres.freshDatabaseURL()
        let sandbox = try await BackupSandbox.make(postgresURL: url)
        let schedule = try backupSchedule("pg", #"{"schedule": "0 3 * * *", "target": "stateStore", "destination": "./var/pg", "verify": true}"#)
        let run = try await sandbox.runOnce(schedule)
        #expect(run.outcome == "succeeded", "\(run.message ?? "")")
        let archive = try #require(run.archive)
        #expect(try await String(contentsOfFile: archive + ".sha256", encoding: .utf8) == (try await sha256sumLine(archive)))
        try await truncate(archive, toFraction: 0.3)
        let verifier = BackupVerifier(context: sandbox.context, logger: backupTestLogger)
        let error = try await #require(throws: BackupError.self) { try await verifier.verify(archive, expected: .postgresCustom) }
        #expect(error.message.hasPrefix("verification failed: pg_restore exited with code 1: "), "\(error.message)")
        await sandbox.close()
    }
}
