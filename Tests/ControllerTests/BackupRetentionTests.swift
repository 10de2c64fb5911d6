import Foundation
import Manifests
import StewardTesting
import Testing
@testable import Controller

@Suite("retention: keepLast, maxAgeDays, and never the newest verified archive")
struct BackupRetentionTests {
    /// A destination with archives of `nightly` made `ages` days before `now`; `verified` ones get a checksum file.
    private func destination(_ ages: [Int], verified: Set<Int>, now: Date) throws -> (TemporaryDirectory, [String]) {
        let dir = try TemporaryDirectory()
        var names: [String] = []
        for age in ages {
            let name = BackupArchiveName.make(schedule: "nightly", date: now.addingTimeInterval(-Double(age) * 86_400), extension: "tar.gz")
            try Data("x".utf8).write(to: URL(fileURLWithPath: dir.path + "/" + name))
            if verified.contains(age) { try FileDigest.writeChecksumFile(for: dir.path + "/" + name, hex: "00") }
            names.append(name)
        }
        return (dir, names)
    }

    private func retention(_ json: String) throws -> Retention { try JSONDecoder().decode(Retention.self, from: Data(json.utf8)) }

    private func remaining(_ dir: TemporaryDirectory) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
    }

    @Test func keepLastKeepsTheNewestAndDeletesChecksumsToo() throws {
        let now = T.at(12, day: 40)
        let (dir, names) = try destination([0, 1, 2, 3, 4], verified: [0, 1, 2, 3, 4], now: now)
        let result = BackupRetention.apply(destination: dir.path, schedule: "nightly", retention: try retention(#"{"keepLast": 2}"#), now: now)
        #expect(result.deleted.sorted() == [names[2], names[3], names[4]].sorted())
        #expect(result.problems.isEmpty)
        #expect(remaining(dir) == [names[1], names[1] + ".sha256", names[0], names[0] + ".sha256"].sorted())
    }

    @Test func maxAgeDaysDeletesOlderArchives() throws {
        let now = T.at(12, day: 40)
        let (dir, names) = try destination([0, 3, 6, 8, 20], verified: [0, 3, 6, 8, 20], now: now)
        let result = BackupRetention.apply(destination: dir.path, schedule: "nightly", retention: try retention(#"{"maxAgeDays": 7}"#), now: now)
        #expect(result.deleted.sorted() == [names[3], names[4]].sorted())
        #expect(remaining(dir).filter { !$0.hasSuffix(".sha256") } == [names[0], names[1], names[2]].sorted())
    }

    @Test func bothRulesApplyTogether() throws {
        let now = T.at(12, day: 40)
        let (dir, names) = try destination([0, 1, 2, 10], verified: [0, 1, 2, 10], now: now)
        let result = BackupRetention.apply(destination: dir.path, schedule: "nightly", retention: try retention(#"{"keepLast": 3, "maxAgeDays": 5}"#), now: now)
        #expect(result.deleted == [names[3]])
    }

    @Test func theNewestVerifiedArchiveIsKeptEvenWhenTooOldOrBeyondKeepLast() throws {
        let now = T.at(12, day: 40)
        // Newer archives exist but are unverified (their verification failed); the newest verified one is 10 days old.
        let (dir, names) = try destination([0, 1, 10, 12], verified: [10, 12], now: now)
        let result = BackupRetention.apply(destination: dir.path, schedule: "nightly", retention: try retention(#"{"keepLast": 1, "maxAgeDays": 7}"#), now: now)
        #expect(result.deleted.sorted() == [names[1], names[3]].sorted())
        #expect(remaining(dir) == [names[0], names[2], names[2] + ".sha256"].sorted())
    }

    @Test func withNothingVerifiedTheNewestArchiveIsKept() throws {
        let now = T.at(12, day: 40)
        let (dir, names) = try destination([30, 31], verified: [], now: now)
        let result = BackupRetention.apply(destination: dir.path, schedule: "nightly", retention: try retention(#"{"maxAgeDays": 7}"#), now: now)
        #expect(result.deleted == [names[1]])
    }

    @Test func otherFilesAndOtherSchedulesAreLeftAlone() throws {
        let now = T.at(12, day: 40)
        let (dir, names) = try destination([0, 1, 2], verified: [0], now: now)
        let others = ["nightly-extra-20240101T000000Z.tar.gz", "other-20240101T000000Z.tar.gz", ".nightly-20240101T000000Z.tar.gz.partial",
                      "nightly-notes.txt", "README"]
        for name in others { try Data().write(to: URL(fileURLWithPath: dir.path + "/" + name)) }
        let result = BackupRetention.apply(destination: dir.path, schedule: "nightly", retention: try retention(#"{"keepLast": 1}"#), now: now)
        #expect(result.deleted.sorted() == [names[1], names[2]].sorted())
        #expect(remaining(dir) == (others + [names[0], names[0] + ".sha256"]).sorted())
    }

    @Test func noRetentionDeletesNothing() throws {
        let now = T.at(12, day: 40)
        let (dir, _) = try destination([0, 100, 200], verified: [], now: now)
        #expect(BackupRetention.apply(destination: dir.path, schedule: "nightly", retention: nil, now: now).deleted.isEmpty)
        #expect(remaining(dir).count == 3)
    }

    @Test func aRunAppliesRetentionAfterASuccessfulBackup() async throws {
        let sandbox = try await BackupSandbox.make()
        try sandbox.script("b.sh", #"echo data > "$STEWARD_BACKUP_DESTINATION""#)
        let schedule = try backupSchedule("ops", #"{"schedule": "0 * * * *", "target": "command", "command": ["./b.sh"], "destination": "./var/ops", "verify": true, "retention": {"keepLast": 2}}"#)
        for hour in 1...4 { _ = try await sandbox.runOnce(schedule, clock: TestClock(T.at(hour))) }
        #expect(sandbox.files(in: "var/ops") == ["ops-20240101T030000Z.backup", "ops-20240101T030000Z.backup.sha256",
                                                 "ops-20240101T040000Z.backup", "ops-20240101T040000Z.backup.sha256"])
        let last = try #require(try await sandbox.events(reason: "BackupSucceeded").last)
        #expect(last.message.hasSuffix(", pruned 1 old archive"))
        await sandbox.close()
    }
}
