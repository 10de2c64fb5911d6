import EventLog
import Foundation
import StewardTesting
import Testing

/// `status --at`, `history --at` and `verify-log --replay` (DESIGN §14) through the binary, on a
/// real promotion chain whose production smoke test fails and is auto-rolled back.
@Suite("time travel: status --at, history --at, verify-log --replay (the binary, real git, real console)", .serialized)
struct TimeTravelTests {
    @Test func statusAtShowsTheFleetBeforeAndAfterAnAutoRollback() async throws {
        let fleet = try await PromotionFleet()
        let reconciler = try await fleet.reconciler()
        let (bad, _) = try await fleet.failProductionOn130(reconciler)
        let events = try await reconciler.store.events(since: 0, limit: nil)
        try await reconciler.store.close()

        // The record of the failed smoke test: just before it, production was deploying 1.3.0.
        let failed = try #require(events.first { $0.environment == "production" && $0.type == "actionFailed" && $0.reason == "smokeTest" })
        let deploying = try #require(events.last { $0.seq < failed.seq && $0.type == "stateChanged" })
        let before = try await StewardProcess.run(["status", "--at", "\(deploying.seq)"], in: fleet.path)
        #expect(before.exitCode == 0, "\(before.stderr)")
        #expect(before.stdout.hasPrefix("state at seq \(deploying.seq) (\(deploying.time), commit \(bad.prefix(7))), replayed from the event log\n"), "\(before.stdout)")
        let productionBefore = try #require(before.stdout.split(separator: "\n").first { $0.contains("robot-nav-production") })
        #expect(productionBefore.contains(" 1.3.0 "), "\(before.stdout)")

        // After the pass, by commit: production runs 1.2.0 again, and says why. An abbreviated sha of
        // digits only reads as a seq (DESIGN §14): such a one says `commit:`, as a user would.
        let short = String(bad.prefix(7))
        let point = short.allSatisfy(\.isNumber) ? "commit:\(short)" : short
        let after = try await StewardProcess.run(["status", "--at", point, "-o", "json"], in: fleet.path)
        #expect(after.exitCode == 0, "\(after.stderr)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [String: Any])
        let at = try #require(document["at"] as? [String: Any])
        #expect(at["commit"] as? String == bad)
        let resources = try #require(document["resources"] as? [[String: Any]])
        let production = try #require(resources.first { $0["name"] as? String == "robot-nav-production" })
        #expect(production["version"] as? String == "1.2.0", "\(production)")
        // The live status agrees with the replay at the head.
        let live = try await StewardProcess.run(["status", "-o", "json"], in: fleet.path)
        let liveProduction = try #require((try JSONSerialization.jsonObject(with: Data(live.stdout.utf8)) as? [String: Any])
            .flatMap { $0["resources"] as? [[String: Any]] }?.first { $0["name"] as? String == "robot-nav-production" })
        #expect(NSDictionary(dictionary: liveProduction).isEqual(to: production))

        // history --at: the record of production's history up to before the failure.
        let history = try await StewardProcess.run(["history", "robot-nav-production", "--at", "\(deploying.seq)", "-o", "json"], in: fleet.path)
        let entries = try #require((try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any])?["entries"] as? [[String: Any]])
        #expect(!entries.contains { $0["outcome"] as? String == "failed" || $0["action"] as? String == "auto-rollback" }, "\(entries)")
        let full = try await StewardProcess.run(["history", "robot-nav-production", "-o", "json"], in: fleet.path)
        #expect(full.stdout.count > history.stdout.count)

        // Just after the failure, before the rollback: production degraded, with the smoke test's message.
        let degraded = try #require(events.first { $0.seq > failed.seq && $0.type == "stateChanged" })
        let during = try await StewardProcess.run(["status", "--at", "\(degraded.seq)"], in: fleet.path)
        let productionDuring = try #require(during.stdout.split(separator: "\n").first { $0.contains("Deployment") && $0.contains("robot-nav-production") })
        #expect(productionDuring.contains(" 1.3.0 ") && productionDuring.contains("Degraded") && productionDuring.contains("smoke test"), "\(during.stdout)")

        print("steward status --at \(degraded.seq):\n\(during.stdout)")
        print("steward status --at \(point):\n\(try await StewardProcess.run(["status", "--at", point], in: fleet.path).stdout)")

        // Bad points are refused with the reason, exit 64 for a malformed one.
        let malformed = try await StewardProcess.run(["status", "--at", "last tuesday"], in: fleet.path)
        #expect(malformed.exitCode == 64)
        #expect(malformed.stderr.contains("is not a seq (42), a time (2026-12-06T03:12:00Z) or a commit (abc1234)"), "\(malformed.stderr)")
        let unknown = try await StewardProcess.run(["status", "--at", "deadbeef"], in: fleet.path)
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr == "error: no event log record carries commit deadbeef\n", "\(unknown.stderr)")
        await fleet.stop()
    }

    @Test func verifyLogReplayPassesThenCatchesARowEditedByHand() async throws {
        let fleet = try await PromotionFleet()
        let reconciler = try await fleet.reconciler()
        try await fleet.failProductionOn130(reconciler)
        try await reconciler.store.close()

        let ok = try await StewardProcess.run(["verify-log", "--replay"], in: fleet.path)
        #expect(ok.exitCode == 0, "\(ok.stderr)")
        let lines = ok.stdout.split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("ok: ") && lines[1].hasPrefix("replay ok: the log up to seq "), "\(ok.stdout)")

        // Someone "fixes" production's health in the database by hand.
        let database = fleet.path + "/.steward/state.db"
        let edit = try await Subprocess.run("/usr/bin/python3", ["-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1])
            db.execute("UPDATE resources SET health = 'Healthy', message = NULL WHERE name = 'robot-nav-production' AND health <> 'Healthy'")
            db.execute("UPDATE resources SET version = '9.9.9' WHERE name = 'robot-nav-staging'")
            db.commit()
            """, database])
        #expect(edit.status == 0, "\(edit.stderr)")
        let caught = try await StewardProcess.run(["verify-log", "--replay"], in: fleet.path)
        #expect(caught.exitCode == 1)
        #expect(caught.stdout.hasPrefix("ok: "), "the chain itself is intact")
        #expect(caught.stderr.contains("error: the store differs from its event log replayed to seq "), "\(caught.stderr)")
        #expect(caught.stderr.contains("Deployment/robot-nav-staging in staging: version: the store has 9.9.9, the log 1.3.0 (last written at seq "),
                "\(caught.stderr)")
        print("steward verify-log --replay:\n\(caught.stdout)\(caught.stderr)")
        // verify-log without --replay checks only the chain.
        #expect(try await StewardProcess.run(["verify-log"], in: fleet.path).exitCode == 0)
        await fleet.stop()
    }
}
