import Foundation
import StewardTesting
import Testing

/// DESIGN §1, §7: one plan drives `diff`, `run` and the API — `diff` of the tip shows the actions
/// `run` then executes, under the same idempotency keys — and read commands write nothing.
@Suite("One plan: diff shows what run executes; read commands write nothing", .serialized)
struct OnePlanTests {
    /// `diff -o json`'s changes as (change, resource, key).
    private func planned(_ fleet: FleetWorkspace) async throws -> [Change] {
        let diff = try await fleet.steward("diff", "-o", "json")
        #expect(diff.exitCode == 0, "\(diff.stderr)")
        let document = try #require(try await JSONSerialization.jsonObject(with: Data(diff.stdout.utf8)) as? [String: Any])
        let changes = try #require(document["changes"] as? [[String: Any]])
        return changes.map { Change(change: $0["change"] as? String ?? "", resource: "\($0["kind"] ?? "")/\($0["name"] ?? "")",
                                    key: $0["key"] as? String ?? "") }
    }

    /// The keys of the actions the first pass after `seq` started (smoke tests run by the gates left out).
    private func startedInFirstPass(_ fleet: FleetWorkspace, after seq: Int) async throws -> [Change] {
        let logs = try await fleet.steward("logs", "-o", "json")
        let events = logs.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { ($0["seq"] as? Int ?? 0) > seq }
        var started: [Change] = []
        for event in events {
            if event["type"] as? String == "reconcileFinished" { break }
            guard event["type"] as? String == "actionStarted", event["reason"] as? String != "smokeTest",
                  let data = event["data"] as? [String: Any] else { continue }
            started.append(Change(change: data["change"] as? String ?? "", resource: event["resource"] as? String ?? "",
                                  key: data["key"] as? String ?? ""))
        }
        return started
    }

    private func lastSeq(_ fleet: FleetWorkspace) async throws -> Int {
        let logs = try await fleet.steward("logs", "-o", "json")
        let last = logs.stdout.split(separator: "\n").last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        return last?["seq"] as? Int ?? 0
    }

    @Test func diffShowsTheActionsAndKeysRunExecutes() async throws {
        let fleet = try FleetWorkspace()
        let plan = try await planned(fleet)
        #expect(plan.count >= 8, "\(plan)")
        #expect(!FileManager.default.fileExists(atPath: fleet.path + "/.steward"), "diff made no store, log or checkout")

        let run = try await fleet.steward("run", "--once")
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(Set(try await startedInFirstPass(fleet, after: 0)) == Set(plan), "the first pass ran exactly what diff showed")

        // Drift made by hand: diff names the heal with the key the next pass runs it under.
        let file = fleet.path + "/var/fleet/staging/deployments/robot-nav-staging.json"
        try #require(FileManager.default.fileExists(atPath: file))
        try "{\"edited\": true}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let seq = try await lastSeq(fleet)
        let drift = try await planned(fleet)
        #expect(drift.map(\.change) == ["drift"] && drift.first?.resource == "Deployment/robot-nav-staging", "\(drift)")
        #expect(try await lastSeq(fleet) == seq, "diff recorded no drift event")
        let heal = try await fleet.steward("run", "--once")
        #expect(heal.exitCode == 0, "\(heal.stderr)")
        #expect(try await startedInFirstPass(fleet, after: seq) == drift, "the heal ran under the key diff predicted")
    }

    @Test func readCommandsRefuseAnOlderStoreAndChangeNothing() async throws {
        let fleet = try FleetWorkspace()
        #expect(try await fleet.steward("run", "--once").exitCode == 0)
        let database = fleet.path + "/.steward/state.db"
        // The store as an older steward left it: its newest migration not applied.
        let older = try await Subprocess.run("/usr/bin/env", ["python3", "-c", """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1]); db.execute("DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)"); db.commit()
            """, database])
        try #require(older.status == 0, "\(older.stderr)")
        let before = try await snapshot(fleet.path + "/.steward")
        for command in [["diff"], ["status"], ["logs"], ["history", "robot-nav-staging"], ["verify-log"]] {
            let result = try await StewardProcess.run(command, in: fleet.path)
            #expect(result.exitCode == 1, "\(command): \(result.stdout)")
            #expect(result.stderr.contains("older than this steward") && result.stderr.contains("steward run"), "\(command): \(result.stderr)")
        }
        #expect(try await snapshot(fleet.path + "/.steward") == before, "nothing under .steward changed")
    }

    @Test func diffAndStatusWorkWithASelectOnlyPostgresRole() async throws {
        let url = try await TestPostgres.freshDatabaseURL()
        let fleet = try FleetWorkspace(storeURL: url)
        let run = try await fleet.steward("run", "--once")
        try #require(run.exitCode == 0, "\(run.stderr)")
        // A role that may only read, as the README tells CI to use.
        let password = "reader\(UInt32.random(in: 0...UInt32.max))", role = "steward_reader_\(UInt32.random(in: 0...UInt32.max))"
        let database = String(url[url.index(after: url.lastIndex(of: "/")!)...])
        let grant = try await Subprocess.run("/usr/bin/psql", [url, "-q", "-v", "ON_ERROR_STOP=1", "-c", """
            CREATE ROLE \(role) LOGIN PASSWORD '\(password)';
            GRANT CONNECT ON DATABASE \(database) TO \(role);
            GRANT USAGE ON SCHEMA public TO \(role);
            GRANT SELECT ON ALL TABLES IN SCHEMA public TO \(role);
            """])
        try #require(grant.status == 0, "\(grant.stderr)")
        let hostAndRest = url[url.index(url.firstIndex(of: "@")!, offsetBy: 1)...]
        let reader = "postgres://\(role):\(password)@\(hostAndRest)"
        let environment = ["STEWARD_STORE_URL": reader]
        let events = try await Subprocess.run("/usr/bin/psql", [url, "-tAc", "SELECT count(*) FROM event_log"]).stdout

        let diff = try await StewardProcess.run(["diff", "--detailed-exitcode"], in: fleet.path, environment: environment)
        #expect(diff.exitCode == 0, "\(diff.stdout) \(diff.stderr)")
        let status = try await StewardProcess.run(["status", "-o", "json"], in: fleet.path, environment: environment)
        #expect(status.exitCode == 0, "\(status.stderr)")
        #expect(status.stdout.contains("robot-nav-staging"))
        #expect(try await Subprocess.run("/usr/bin/psql", [url, "-tAc", "SELECT count(*) FROM event_log"]).stdout == events)
        // The role really cannot write: run refuses with the database's own word for it.
        let write = try await StewardProcess.run(["run", "--once"], in: fleet.path, environment: environment)
        #expect(write.exitCode != 0 && write.stderr.contains("permission denied"), "\(write.stderr)")
    }

    /// Every file under `folder` with its size and modification time.
    private func snapshot(_ folder: String) async throws -> [String: String] {
        var files: [String: String] = [:]
        let walker = try #require(FileManager.default.enumerator(atPath: folder))
        while let relative = walker.nextObject() as? String {
            let attributes = try FileManager.default.attributesOfItem(atPath: folder + "/" + relative)
            files[relative] = "\(attributes[.size] ?? 0) \((attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)"
        }
        return files
    }
}

struct Change: Hashable, CustomStringConvertible {
    var change: String
    var resource: String
    var key: String
    var description: String { "\(change) \(resource) \(key.prefix(12))" }
}
