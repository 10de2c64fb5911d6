@testable import Controller
import EventLog
import Foundation
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

/// A crash between the event log's fsync and the SQLite COMMIT (DESIGN §4: the log is appended
/// before the store commit it describes), made deterministic: the database files are put back to
/// how they were before a batch, while the log keeps that batch's records. Found by scripts/crash-trials.
@Suite("Crash between the event log append and the store commit", .serialized)
struct CrashReplayTests {
    @Test func aCompletionThatReachedOnlyTheLogIsKnownAfterRestart() async throws {
        let directory = try TemporaryDirectory(prefix: "steward-replay")
        try "source: {repository: ./repo, branch: main}\nstore: {url: sqlite://state/state.db}\neventLog: {directory: events}\n"
            .write(toFile: directory.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let settings = try ControllerSettings.load(path: directory.path + "/controller.yaml")
        let key = String(repeating: "ab", count: 32)
        let resource = ResourceKey(kind: .runtimeAdapter, name: "desktop-main", environment: "staging")
        func record(_ state: ActionKeyRecord.State, _ type: EventType) -> StoreBatch {
            var batch = StoreBatch()
            batch.actionKeys.append(ActionKeyRecord(key: key, state: state, action: "configureAdapter", resource: resource.resource,
                                                    environment: "staging", startedAt: Date()))
            batch.events.append(NewEvent(commit: String(repeating: "c", count: 40), resource: resource.resource, environment: "staging",
                                         type: type, reason: "configureAdapter", message: "configureAdapter desktop-main",
                                         data: .object(["key": .string(key), "action": .string("configureAdapter")])))
            return batch
        }
        var store = try await settings.openStore()
        try await store.commit(record(.started, .actionStarted))
        try await store.close()
        let state = directory.path + "/state"
        let saved = try TemporaryDirectory(prefix: "steward-replay-saved")
        for name in try FileManager.default.contentsOfDirectory(atPath: state) where name.hasPrefix("state.db") {
            try FileManager.default.copyItem(atPath: state + "/" + name, toPath: saved.path + "/" + name)
        }
        store = try await settings.openStore()
        try await store.commit(record(.completed, .actionSucceeded))
        try await store.close()
        // The crash: the log has the actionSucceeded record, the database never committed it.
        for name in try FileManager.default.contentsOfDirectory(atPath: state) where name.hasPrefix("state.db") {
            try FileManager.default.removeItem(atPath: state + "/" + name)
        }
        for name in try FileManager.default.contentsOfDirectory(atPath: saved.path) {
            try FileManager.default.copyItem(atPath: saved.path + "/" + name, toPath: state + "/" + name)
        }
        store = try await settings.openStore()   // replays the records the store has not seen
        let events = try await store.events(since: 0, limit: nil)
        #expect(events.map(\.type) == ["actionStarted", "actionSucceeded"])
        #expect(try await store.verifyEventLog().isValid)
        // Replay indexes the records; the key stays `started`, and the store can tell from the log that
        // it completed, so the executor restores its state without running or logging it again
        // (ExecutorTests.aCompletionThatReachedOnlyTheLogIsNeitherRunNorLoggedTwice).
        #expect(try await store.actionKeys([key])[key]?.state == .started)
        #expect(try await store.loggedSuccesses([key, String(repeating: "cd", count: 32)]) == [key])
        try await store.close()
    }
}
