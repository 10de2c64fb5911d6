import EventLog
import Foundation
import Logging
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

@Suite("status, logs, history, verify-log against a seeded store", .serialized)
struct ObservedStateCommandTests {
    private let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    /// A controller folder whose SQLite store holds a known state.
    private func seeded() async throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try "source: {repository: ./repo}\nstore: {url: sqlite://.steward/state.db}\neventLog: {directory: .steward/events}\n"
            .write(toFile: dir.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let store = try await StoreFactory.open(url: "sqlite://.steward/state.db", eventLogDirectory: dir.path + "/.steward/events",
                                                baseDirectory: dir.path, logger: Logger(label: "test"))
        try await store.migrate()
        var batch = StoreBatch()
        batch.upsertResources = [
            AppliedResource(key: ResourceKey(kind: .runtimeAdapter, name: "robotics-main", environment: "staging"), specHash: "h1", spec: .null,
                            commit: "1111111aaaaaaa", sync: .synced, health: .healthy, createdAt: t0, updatedAt: t0),
            AppliedResource(key: ResourceKey(kind: .deployment, name: "nav", environment: "staging"), specHash: "h2", spec: .null,
                            commit: "2222222bbbbbbb", version: "1.3.0", sync: .outOfSync, health: .degraded, message: "deploy failed: 500",
                            createdAt: t0, updatedAt: t0.addingTimeInterval(60)),
        ]
        batch.cursor = SourceCursor(lastSeenCommit: "2222222bbbbbbb", lastAppliedCommit: "2222222bbbbbbb", updatedAt: t0)
        batch.history = [
            HistoryEntry(deployment: "nav", environment: "staging", version: "1.2.0", action: "deploy", outcome: "succeeded", commit: "1111111aaaaaaa", seq: 2, time: t0),
            HistoryEntry(deployment: "nav", environment: "staging", version: "1.3.0", action: "deploy", outcome: "failed", commit: "2222222bbbbbbb", seq: 3, time: t0.addingTimeInterval(60)),
        ]
        batch.events = [
            NewEvent(time: t0, commit: "1111111aaaaaaa", type: .reconcileStarted, reason: "Reconcile", message: "pass started"),
            NewEvent(time: t0, commit: "1111111aaaaaaa", resource: "Deployment/nav", environment: "staging", type: .actionSucceeded, reason: "deploy", message: "deployed 1.2.0"),
            NewEvent(time: t0.addingTimeInterval(60), commit: "2222222bbbbbbb", resource: "Deployment/nav", environment: "staging", type: .actionFailed, reason: "deploy", message: "deploy failed: 500"),
        ]
        _ = try await store.commit(batch)
        try await store.close()
        return dir
    }

    @Test func statusJSONAndTable() async throws {
        let dir = try await seeded()
        let json = try await StewardProcess.run(["status", "-o", "json"], in: dir.path)
        #expect(json.exitCode == 0, "\(json.stderr)")
        #expect(json.stdout == """
            {
              "commit" : "2222222bbbbbbb",
              "leader" : null,
              "resources" : [
                {
                  "commit" : "1111111aaaaaaa",
                  "environment" : "staging",
                  "health" : "Healthy",
                  "kind" : "RuntimeAdapter",
                  "message" : null,
                  "name" : "robotics-main",
                  "sync" : "Synced",
                  "updatedAt" : "2023-11-14T22:13:20.000Z",
                  "version" : null
                },
                {
                  "commit" : "2222222bbbbbbb",
                  "environment" : "staging",
                  "health" : "Degraded",
                  "kind" : "Deployment",
                  "message" : "deploy failed: 500",
                  "name" : "nav",
                  "sync" : "OutOfSync",
                  "updatedAt" : "2023-11-14T22:14:20.000Z",
                  "version" : "1.3.0"
                }
              ],
              "source" : {
                "errors" : [

                ],
                "lastAppliedCommit" : "2222222bbbbbbb",
                "lastSeenCommit" : "2222222bbbbbbb"
              }
            }

            """)
        let table = try await StewardProcess.run(["status"], in: dir.path)
        let lines = table.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.range(of: #"^KIND +NAME +ENVIRONMENT +VERSION +SYNC +HEALTH +COMMIT +AGE +MESSAGE$"#, options: .regularExpression) != nil)
        #expect(lines.first?.hasPrefix("KIND            NAME           ENVIRONMENT  VERSION  SYNC       HEALTH    COMMIT   AGE") == true)
        #expect(lines.count == 3)
        #expect(lines[2].range(of: #"^Deployment +nav +staging +1\.3\.0 +OutOfSync +Degraded +2222222 +\d+d +deploy failed: 500$"#, options: .regularExpression) != nil, "\(lines[2])")
    }

    @Test func logsTextJSONAndFilters() async throws {
        let dir = try await seeded()
        let text = try await StewardProcess.run(["logs"], in: dir.path)
        #expect(text.stdout == """
            2023-11-14T22:13:20.000Z  -  Reconcile  pass started
            2023-11-14T22:13:20.000Z  Deployment/nav (staging)  deploy  deployed 1.2.0
            2023-11-14T22:14:20.000Z  Deployment/nav (staging)  deploy  deploy failed: 500

            """)
        let json = try await StewardProcess.run(["logs", "-o", "json", "--resource", "Deployment/nav"], in: dir.path)
        let records = json.stdout.split(separator: "\n").map { try? JSONDecoder().decode(EventRecord.self, from: Data($0.utf8)) }
        #expect(records.count == 2)
        #expect(records.compactMap { $0?.seq } == [2, 3])
        #expect(records.allSatisfy { $0.map { EventChain.hash(of: $0) == $0.hash } == true })
        let withState = try await StewardProcess.run(["logs", "--state"], in: dir.path)
        #expect(withState.stdout.hasSuffix("""
            -  StateChanged  state: resource RuntimeAdapter/robotics-main in staging Synced/Healthy, Deployment/nav in staging 1.3.0 OutOfSync/Degraded; history nav in staging: deploy 1.2.0 succeeded, nav in staging: deploy 1.3.0 failed; source at 2222222

            """), "\(withState.stdout)")
        let recent = try await StewardProcess.run(["logs", "--since", "10m"], in: dir.path)
        #expect(recent.exitCode == 0)
        #expect(recent.stdout.isEmpty)
        let bad = try await StewardProcess.run(["logs", "--since", "yesterday-ish"], in: dir.path)
        #expect(bad.exitCode == 64)
    }

    /// `logs` reads the store a page at a time: a log longer than two pages prints every record
    /// once, in order, and the chain still verifies.
    @Test func aLogOfManyPagesIsPrintedWhole() async throws {
        let dir = try await seeded()
        let store = try await StoreFactory.open(url: "sqlite://.steward/state.db", eventLogDirectory: dir.path + "/.steward/events",
                                                baseDirectory: dir.path, logger: Logger(label: "test"))
        var batch = StoreBatch()
        let count = 2 * eventPageSize + 7
        batch.events = (0..<count).map { index in
            NewEvent(time: t0, commit: "2222222bbbbbbb", resource: "Deployment/agent-\(index % 5)", environment: "staging",
                     type: .actionSucceeded, reason: "deploy", message: "deployed \(index)", data: .object(["index": .int(index)]))
        }
        _ = try await store.commit(batch)
        try await store.close()
        let json = try await StewardProcess.run(["logs", "-o", "json"], in: dir.path)
        #expect(json.exitCode == 0, "\(json.stderr)")
        let seqs = json.stdout.split(separator: "\n").compactMap { EventRecord(line: String($0))?.seq }
        #expect(seqs.count >= count + 3 && seqs == Array(1...Int64(seqs.count)), "\(seqs.count) records")
        let one = try await StewardProcess.run(["logs", "--resource", "Deployment/agent-3"], in: dir.path)
        #expect(one.stdout.split(separator: "\n").count == (0..<count).filter { $0 % 5 == 3 }.count)
        #expect(try await StewardProcess.run(["verify-log"], in: dir.path).exitCode == 0)
    }

    /// `logs --follow` into a file (as into `| jq`) hands over each page as it is read, not when
    /// kilobytes have gathered in the block buffer of a non-terminal output.
    @Test func followIntoAFileShowsEachNewRecordWhileItRuns() async throws {
        let dir = try await seeded()
        let out = dir.path + "/follow.out"
        let follow = try Subprocess(try StewardProcess.executable.path, ["logs", "--follow", "-o", "json"], in: dir.path,
                                    stdout: out, stderr: dir.path + "/follow.err")
        defer { follow.signal(SIGKILL) }
        func seqs() -> [Int64] {
            ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").split(separator: "\n").compactMap { EventRecord(line: String($0))?.seq }
        }
        func waitFor(_ seq: Int64) async throws -> Bool {
            for _ in 0..<200 where !seqs().contains(seq) { try await Task.sleep(for: .milliseconds(100)) }
            return seqs().contains(seq)
        }
        #expect(try await waitFor(4), "the seeded records did not reach the file: \(seqs())")
        let store = try await StoreFactory.open(url: "sqlite://.steward/state.db", eventLogDirectory: dir.path + "/.steward/events",
                                                baseDirectory: dir.path, logger: Logger(label: "test"))
        var batch = StoreBatch()
        batch.events = [NewEvent(time: t0, commit: "2222222bbbbbbb", resource: "Deployment/nav", environment: "staging",
                                 type: .actionSucceeded, reason: "deploy", message: "deployed 1.3.1")]
        let written = try await store.commit(batch)
        try await store.close()
        let seq = try #require(written.last?.seq)
        #expect(try await waitFor(seq), "record \(seq) did not reach the file while logs --follow ran: \(seqs())")
        #expect(follow.isRunning)
    }

    @Test func historyTableAndJSON() async throws {
        let dir = try await seeded()
        let table = try await StewardProcess.run(["history", "nav"], in: dir.path)
        #expect(table.stdout == """
            TIME                      ENVIRONMENT  VERSION  ACTION  OUTCOME    COMMIT   SEQ
            2023-11-14T22:13:20.000Z  staging      1.2.0    deploy  succeeded  1111111  2
            2023-11-14T22:14:20.000Z  staging      1.3.0    deploy  failed     2222222  3

            """)
        let json = try await StewardProcess.run(["history", "nav", "-o", "json"], in: dir.path)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(document["deployment"] as? String == "nav")
        let entries = try #require(document["entries"] as? [[String: Any]])
        #expect(entries.map { $0["outcome"] as? String } == ["succeeded", "failed"])
        #expect(Set(entries[0].keys).isSuperset(of: ["time", "version", "action", "outcome", "commit", "seq"]))
    }

    @Test func verifyLogPassesThenNamesTheFirstBadSeq() async throws {
        let dir = try await seeded()
        let ok = try await StewardProcess.run(["verify-log"], in: dir.path)
        #expect(ok.exitCode == 0)
        #expect(ok.stdout.hasPrefix("ok: 4 records, head seq 4 hash "), "three events and the batch's stateChanged record")
        let file = dir.path + "/.steward/events/events-000001.jsonl"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try text.replacingOccurrences(of: "deployed 1.2.0", with: "deployed 9.9.9").write(toFile: file, atomically: true, encoding: .utf8)
        let broken = try await StewardProcess.run(["verify-log"], in: dir.path)
        #expect(broken.exitCode == 1)
        #expect(broken.stderr.hasPrefix("error: event log broken at seq 2:"), "\(broken.stderr)")
    }

    @Test func badStoreURLsAreOneClearLine() throws {
        let dir = try TemporaryDirectory()
        try "source: {repository: ./repo}\nstore: {url: \"mysql://root:hunter2@localhost/x\"}\n".write(toFile: dir.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let result = try StewardProcess.run(["status"], in: dir.path)
        #expect(result.exitCode == 1)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!result.stderr.contains("hunter2"))
        try "source: {repository: ./repo}\nstore: {url: \"postgres://steward:hunter2@127.0.0.1:1/steward\"}\n".write(toFile: dir.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let unreachable = try StewardProcess.run(["status"], in: dir.path)
        #expect(unreachable.exitCode == 1)
        #expect(unreachable.stderr.split(separator: "\n").count == 1, "\(unreachable.stderr)")
        #expect(!unreachable.stderr.contains("hunter2"))
    }
}
