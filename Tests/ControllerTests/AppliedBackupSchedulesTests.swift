@testable import Controller
import Foundation
import Logging
import Manifests
import StewardTesting
import Testing

/// The backup scheduler of `steward run` takes the schedules of the applied commit from the reconcile
/// loop of the same process (which parsed that commit) instead of parsing every manifest again, and
/// gets the same schedules as a reader that parses the commit itself (`steward backup list`, a restore).
@Suite("Applied backup schedules: from the loop's parse, the same as a parse of their own")
struct AppliedBackupSchedulesTests {
    @Test func theLoopsSchedulesAreTheAppliedCommitsAndMatchAParseOfTheirOwn() async throws {
        let fleet = try FleetWorkspace()
        let reconciler = try await Reconciler.quiet(in: fleet.path)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let fromLoop = AppliedBackupSchedules(settings: reconciler.settings, store: reconciler.store, logger: logger,
                                              validated: reconciler.validatedSchedules)
        #expect(try await fromLoop.load(fallbackToBranch: false) == nil, "nothing applied yet: nothing to schedule")

        let first = try await reconciler.pass()
        let applied = try #require(first.appliedCommit)
        let loaded = try #require(try await fromLoop.load(fallbackToBranch: false))
        #expect(loaded.commit == applied)
        #expect(loaded.schedules["event-log-hourly"]?.spec.retention?.keepLast == 24)

        // A new commit is not the applied one until a pass applies it.
        let text = try #require(fleet.repo.read("backups/event-log-hourly.yaml"))
        try fleet.repo.write("backups/event-log-hourly.yaml", text.replacingOccurrences(of: "keepLast: 24", with: "keepLast: 6"))
        let second = try fleet.repo.commit("keep six archives")
        #expect(try await fromLoop.load(fallbackToBranch: false)?.schedules["event-log-hourly"]?.spec.retention?.keepLast == 24)
        #expect(try await reconciler.pass().appliedCommit == second)
        let reloaded = try #require(try await fromLoop.load(fallbackToBranch: false))
        #expect(reloaded.commit == second)
        #expect(reloaded.schedules["event-log-hourly"]?.spec.retention?.keepLast == 6)

        // A reader of its own parses the applied commit and finds the same schedules.
        let parsed = try #require(try await AppliedBackupSchedules(settings: reconciler.settings, store: reconciler.store, logger: logger)
            .load(fallbackToBranch: false))
        #expect(parsed.commit == second)
        #expect(try CanonicalJSON.value(of: parsed.schedules) == CanonicalJSON.value(of: reloaded.schedules))

        // With the repository's objects out of reach, a reader of its own cannot parse the commit;
        // one fed by the loop still has its schedules — it never parsed them.
        let objects = fleet.repo.path + "/.git/objects", aside = fleet.repo.path + "/.git/objects-aside"
        try FileManager.default.moveItem(atPath: objects, toPath: aside)
        defer { try? FileManager.default.moveItem(atPath: aside, toPath: objects) }
        await #expect(throws: (any Error).self) {
            try await AppliedBackupSchedules(settings: reconciler.settings, store: reconciler.store, logger: logger).load(fallbackToBranch: false)
        }
        let fed = try await AppliedBackupSchedules(settings: reconciler.settings, store: reconciler.store, logger: logger,
                                                   validated: reconciler.validatedSchedules).load(fallbackToBranch: false)
        #expect(fed?.schedules["event-log-hourly"]?.spec.retention?.keepLast == 6)
        try await reconciler.store.close()
    }
}
