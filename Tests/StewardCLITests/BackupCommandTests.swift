import Foundation
import StewardTesting
import Testing

/// A controller folder whose repository holds only BackupSchedules, driven through the real binary.
private final class BackupWorkspace {
    let directory: TemporaryDirectory
    let repo: TemporaryGitRepository
    var path: String { directory.path }

    init() throws {
        directory = try TemporaryDirectory(prefix: "steward-backup-cli")
        repo = try TemporaryGitRepository()
        try repo.write("backups/events.yaml", """
            apiVersion: steward/v1
            kind: BackupSchedule
            metadata:
              name: events
            spec:
              schedule: "0 * * * *"
              target: eventLog
              destination: ./var/backups/events
              retention: {keepLast: 24, maxAgeDays: 30}
              verify: true
            """)
        try repo.write("backups/state.yaml", """
            apiVersion: steward/v1
            kind: BackupSchedule
            metadata:
              name: state
            spec:
              schedule: "30 2 * * *"
              target: stateStore
              destination: ./var/backups/state
              verify: true
            """)
        try repo.write("backups/offsite.yaml", """
            apiVersion: steward/v1
            kind: BackupSchedule
            metadata:
              name: offsite
            spec:
              schedule: "15 4 * * 0"
              target: command
              command: [ops/offsite.sh]
              destination: ./var/backups/offsite
            """)
        try repo.write("ops/offsite.sh", "#!/bin/sh\necho 'connecting to bucket' >&2\necho 'upload failed: 403 Forbidden' >&2\nexit 2\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: repo.path + "/ops/offsite.sh")
        try repo.commit("backup schedules")
        try """
            source: {repository: \(repo.path), branch: main, path: ., interval: 1s}
            store: {url: "sqlite://.steward/state.db"}
            eventLog: {directory: .steward/events}
            server: {listen: "127.0.0.1:0"}

            """.write(toFile: path + "/controller.yaml", atomically: true, encoding: .utf8)
    }

    @discardableResult
    func steward(_ arguments: String...) async throws -> StewardProcess.Result {
        try await StewardProcess.run(arguments, in: path)
    }

    func json(_ arguments: String...) async throws -> [String: Any] {
        let result = try await StewardProcess.run(arguments, in: path)
        guard result.exitCode == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw ProcessFailure(message: "\(arguments) failed (\(result.exitCode)): \(result.stderr)")
        }
        return object
    }

    func exists(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: path + "/" + relative) }

    func files(_ relative: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path + "/" + relative)) ?? []).sorted()
    }
}

/// Whether `text` is an RFC 3339 UTC time with milliseconds.
private func isRFC3339Millis(_ text: String?) -> Bool {
    guard let text else { return false }
    return text.wholeMatch(of: #/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/#) != nil
}

@Suite("steward backup run / list through the binary", .serialized)
struct BackupCommandTests {
    @Test func listBeforeAnyRunHasExplicitNulls() async throws {
        let workspace = try BackupWorkspace()
        let result = try await workspace.steward("backup", "list", "-o", "json")
        #expect(result.exitCode == 0, "\(result.stderr)")
        let document = try #require(try await JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(Array(document.keys) == ["schedules"])
        let schedules = try #require(document["schedules"] as? [[String: Any]])
        #expect(schedules.map { $0["name"] as? String } == ["events", "offsite", "state"])
        for schedule in schedules {
            #expect(Set(schedule.keys) == ["name", "schedule", "lastRun", "outcome", "archive", "nextRun"])
            #expect(schedule["lastRun"] is NSNull && schedule["outcome"] is NSNull && schedule["archive"] is NSNull)
            let next = try #require(schedule["nextRun"] as? String)
            #expect(isRFC3339Millis(next), "\(next)")
        }
        #expect(schedules[0]["schedule"] as? String == "0 * * * *")
        #expect(result.stdout.contains("\"lastRun\" : null"))
    }

    @Test func runThenListShowsTheVerifiedArchive() async throws {
        let workspace = try BackupWorkspace()
        #expect(try await workspace.steward("run", "--once").exitCode == 0)
        let run = try await workspace.steward("backup", "run", "events")
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stdout.hasPrefix("backup events succeeded: \(workspace.path)/var/backups/events/events-"), "\(run.stdout)")
        #expect(run.stdout.contains(".tar.gz (") && run.stdout.contains("bytes), verified, sha256 "))
        let files = workspace.files("var/backups/events")
        #expect(files.count == 2 && files.first?.hasSuffix(".tar.gz") == true && files.last == (files.first ?? "") + ".sha256", "\(files)")
        let archiveName = try #require(files.first)

        let state = try await workspace.steward("backup", "run", "state")
        #expect(state.exitCode == 0, "\(state.stderr)")
        #expect(workspace.files("var/backups/state").first?.hasSuffix(".sqlite") == true)

        let document = try await workspace.json("backup", "list", "-o", "json")
        let schedules = try #require(document["schedules"] as? [[String: Any]])
        let events = try #require(schedules.first { $0["name"] as? String == "events" })
        #expect(events["outcome"] as? String == "succeeded")
        #expect(events["archive"] as? String == "\(workspace.path)/var/backups/events/\(archiveName)")
        #expect(isRFC3339Millis(events["lastRun"] as? String))
        #expect((events["nextRun"] as? String)?.hasSuffix(":00:00.000Z") == true)

        let table = try await workspace.steward("backup", "list")
        #expect(table.exitCode == 0)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("NAME") && lines[0].contains("SCHEDULE") && lines[0].contains("LAST RUN") && lines[0].contains("OUTCOME")
            && lines[0].contains("SIZE") && lines[0].contains("ARCHIVE") && lines[0].hasSuffix("NEXT RUN"), "\(lines[0])")
        let header = lines[0]
        let order = ["NAME", "SCHEDULE", "LAST RUN", "OUTCOME", "SIZE", "ARCHIVE", "NEXT RUN"].compactMap { header.range(of: $0)?.lowerBound }
        #expect(order == order.sorted() && order.count == 7)
        #expect(lines[1].hasPrefix("events") && lines[1].contains("succeeded") && lines[1].contains("var/backups/events/events-"))
        #expect(lines[2].hasPrefix("offsite") && lines[2].contains("  -  "))

        // The schedule's status line carries the last outcome, and the event log still verifies.
        let status = try await workspace.json("status", "-o", "json")
        let resources = try #require(status["resources"] as? [[String: Any]])
        let record = try #require(resources.first { $0["kind"] as? String == "BackupSchedule" && $0["name"] as? String == "events" })
        #expect((record["message"] as? String)?.hasPrefix("last backup succeeded at ") == true, "\(record)")
        let logs = try await workspace.steward("logs", "-o", "json")
        #expect(logs.stdout.contains("\"reason\":\"BackupSucceeded\""))
        #expect(try await workspace.steward("verify-log").exitCode == 0)
    }

    @Test func failuresExitOneWithOneLine() async throws {
        let workspace = try BackupWorkspace()
        let unknown = try await workspace.steward("backup", "run", "nope")
        #expect(unknown.exitCode == 1)
        #expect(unknown.stderr.hasPrefix("error: no BackupSchedule 'nope' in commit "), "\(unknown.stderr)")
        #expect(unknown.stderr.contains("(it has: events, offsite, state)"))
        #expect(unknown.stderr.split(separator: "\n").count == 1)

        let failing = try await workspace.steward("backup", "run", "offsite")
        #expect(failing.exitCode == 1)
        #expect(failing.stderr == "error: backup offsite failed: offsite.sh exited with code 2: upload failed: 403 Forbidden\n", "\(failing.stderr)")
        let document = try await workspace.json("backup", "list", "-o", "json")
        let offsite = try #require((document["schedules"] as? [[String: Any]])?.first { $0["name"] as? String == "offsite" })
        #expect(offsite["outcome"] as? String == "failed")
        #expect(offsite["archive"] is NSNull)
    }

    @Test func aHeldScheduleLockRefusesTheRun() async throws {
        let workspace = try BackupWorkspace()
        let lockPath = workspace.path + "/.steward/backups/events.lock"
        try FileManager.default.createDirectory(atPath: workspace.path + "/.steward/backups", withIntermediateDirectories: true)
        let fd = open(lockPath, O_RDWR | O_CREAT, 0o644)
        #expect(fd >= 0)
        defer { close(fd) }
        _ = "the scheduler, pid 1 on host\n".withCString { write(fd, $0, strlen($0)) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        let result = try await workspace.steward("backup", "run", "events")
        #expect(result.exitCode == 1)
        #expect(result.stderr == "error: backup events is already running (the scheduler, pid 1 on host); try again when it finishes\n")
        #expect(!workspace.exists("var/backups/events"))
    }

    @Test func withAControllerRunningTheRequestIsRunByIt() async throws {
        let workspace = try BackupWorkspace()
        let log = workspace.path + "/controller.log"
        let controller = try Subprocess(try StewardProcess.executable.path, ["run"], in: workspace.path, stdout: log, stderr: log)
        // Wait for the first apply.
        let deadline = Date().addingTimeInterval(60)
        while true {
            if let status = try? await workspace.json("status", "-o", "json"), status["commit"] is String { break }
            guard Date() < deadline, controller.isRunning else {
                Issue.record("the controller did not apply: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        let run = try await workspace.steward("backup", "run", "events")
        #expect(run.exitCode == 0, "\(run.stderr)")
        #expect(run.stderr.contains("a running controller holds the store"), "\(run.stderr)")
        #expect(run.stdout.hasPrefix("backup events succeeded: "))
        #expect(workspace.files("var/backups/events").count == 2)
        controller.signal(SIGTERM)
        _ = await controller.wait()
        let verify = try await workspace.steward("verify-log")
        #expect(verify.exitCode == 0, "\(verify.stderr)")
        let logs = try await workspace.steward("logs", "-o", "json")
        #expect(logs.stdout.contains("\"reason\":\"BackupSucceeded\""))
    }
}
