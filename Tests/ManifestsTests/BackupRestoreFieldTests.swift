import Manifests
import Testing

/// `BackupSchedule.spec.restore`: a command for `target: command` only, never empty.
@Suite("BackupSchedule spec.restore")
struct BackupRestoreFieldTests {
    private func errors(_ text: String) -> [String] {
        FleetFixtures.validate(replacing: "backups/events.yaml", with: text).errors.map(\.description)
    }

    private let commandSchedule = FleetFixtures.backup
        .replacingOccurrences(of: "target: eventLog", with: "target: command\n  command: [ops/backup.sh]")

    @Test func commandTargetTakesARestoreCommand() {
        let text = commandSchedule + "  restore: [ops/restore.sh, --force]\n"
        #expect(errors(text).isEmpty)
        let report = FleetFixtures.validate(replacing: "backups/events.yaml", with: text)
        #expect(report.fleet.backups["events-hourly"]?.spec.restore == ["ops/restore.sh", "--force"])
    }

    @Test func restoreOnAStoreTargetIsRefusedWithItsPlace() {
        let text = FleetFixtures.backup + "  restore: [ops/restore.sh]\n"
        #expect(errors(text) == ["backups/events.yaml:11:12: BackupSchedule/events-hourly: spec.restore: restore is only used with target 'command' (steward restores its own event log and state store)"])
    }

    @Test func emptyRestoreIsRefused() {
        let text = commandSchedule + "  restore: []\n"
        #expect(errors(text) == ["backups/events.yaml:12:12: BackupSchedule/events-hourly: spec.restore: restore must not be empty (a list: program and arguments)"])
    }

    @Test func restoreMustBeAList() {
        let text = commandSchedule + "  restore: ops/restore.sh\n"
        #expect(errors(text).first?.hasPrefix("backups/events.yaml:12:12: BackupSchedule/events-hourly: spec.restore: expected a list") == true, "\(errors(text))")
    }
}
