import Actions
import EventLog
import Foundation
import Logging
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

/// A driver double that records what it was asked and fails on demand (the store stays real).
final class RecordingDriver: Driver, @unchecked Sendable {
    private let lock = NSLock()
    private var _calls: [String] = []
    private var failures: [String: [DriverError]] = [:]
    var delay: Double = 0
    var effects: Set<String> = []

    var calls: [String] { lock.withLock { _calls } }

    func fail(_ name: String, with errors: [DriverError]) { lock.withLock { failures[name] = errors } }

    func execute(_ request: ActionRequest) async throws -> ActionOutcome {
        let name = request.action.key.name
        lock.withLock { _calls.append("\(request.action.kind.rawValue) \(name)") }
        if delay > 0 { try await Task.sleep(for: .seconds(delay)) }
        if let error = lock.withLock({ failures[name]?.isEmpty == false ? failures[name]!.removeFirst() : nil }) { throw error }
        return ActionOutcome(message: "done \(name)")
    }

    func hasEffect(_ request: ActionRequest) async throws -> Bool { effects.contains(request.action.key.name) }

    func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] { [:] }
}

@Suite("Executor: idempotency, retries, timeouts, concurrency", .serialized)
struct ExecutorTests {
    private func store(_ dir: TemporaryDirectory) async throws -> any StateStore { try await dir.executorStore() }

    private func plan(_ names: [String], kind: ResourceKind = .deployment, trigger: String = "c1") -> Plan {
        Plan(commit: trigger, actions: names.map { name in
            PlannedAction(kind: kind == .deployment ? .deploy : .configureAdapter, key: ResourceKey(kind: kind, name: name, environment: "staging"),
                          change: .create, document: .object(["metadata": .object(["name": .string(name)])]),
                          specHash: ContentHash.sha256Hex(name), version: "1.0.0", commit: trigger, trigger: trigger, reason: "new in Git")
        })
    }

    private let fast = Executor.Options(concurrency: 2, actionTimeout: 5, retryInitial: 0.01, retryMax: 0.05, attempts: 3)

    @Test func completedKeysAreNeverRunAgain() async throws {
        let dir = try TemporaryDirectory()
        let store = try await store(dir)
        let driver = RecordingDriver()
        let executor = Executor(store: store, drivers: ["staging": driver], options: fast)
        let first = try await executor.run(plan(["a", "b"]))
        #expect(first.succeeded.count == 2)
        let second = try await executor.run(plan(["a", "b"]))
        #expect(second.skipped.count == 2)
        #expect(driver.calls.sorted() == ["deploy a", "deploy b"])
        let applied = try await store.resources()
        #expect(Set(applied.map(\.key.name)) == ["a", "b"])
        #expect(applied.allSatisfy { $0.sync == .synced })
        let events = try await store.events(since: 0, limit: nil).map(\.type).filter { $0 != "stateChanged" }
        #expect(events == ["actionStarted", "actionStarted", "actionSucceeded", "actionSucceeded"])
        #expect(try await store.history(deployment: "a").map(\.outcome) == ["succeeded"])
        try await store.close()
    }

    @Test func startedButNotCompletedIsProbedBeforeRerunning() async throws {
        let dir = try TemporaryDirectory()
        let store = try await store(dir)
        let actions = plan(["done-on-target", "not-done"])
        var batch = StoreBatch()
        for action in actions.actions {
            batch.actionKeys.append(ActionKeyRecord(key: action.idempotencyKey, state: .started, action: "deploy",
                                                    resource: action.key.resource, environment: "staging", startedAt: Date()))
        }
        _ = try await store.commit(batch)
        let driver = RecordingDriver()
        driver.effects = ["done-on-target"]
        let report = try await Executor(store: store, drivers: ["staging": driver], options: fast).run(actions)
        #expect(driver.calls == ["deploy not-done"])
        #expect(report.skipped.map(\.key.name) == ["done-on-target"])
        #expect(report.succeeded.map(\.key.name) == ["not-done"])
        let keys = try await store.actionKeys(actions.actions.map(\.idempotencyKey))
        #expect(keys.values.allSatisfy { $0.state == .completed })
        try await store.close()
    }

    /// A crash after the event log's fsync and before the store's COMMIT: the log says the actions
    /// succeeded, the store says they started. Nothing runs again and no second record is logged.
    @Test func aCompletionThatReachedOnlyTheLogIsNeitherRunNorLoggedTwice() async throws {
        let dir = try TemporaryDirectory()
        let actions = plan(["smoke", "plain"])
        var store = try await store(dir)
        let driver = RecordingDriver()
        // The database as it was after the actions were marked started.
        var started = StoreBatch()
        for action in actions.actions {
            started.actionKeys.append(ActionKeyRecord(key: action.idempotencyKey, state: .started, action: "deploy",
                                                      resource: action.key.resource, environment: "staging", startedAt: Date()))
        }
        _ = try await store.commit(started)
        try await store.close()
        let saved = try TemporaryDirectory(prefix: "steward-saved-db")
        let databases = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("state.db") }
        for name in databases { try FileManager.default.copyItem(atPath: dir.path + "/" + name, toPath: saved.path + "/" + name) }
        // The actions complete (log and store), then the database is put back: the COMMIT never happened.
        store = try await self.store(dir)
        #expect(try await Executor(store: store, drivers: ["staging": driver], options: fast).run(actions).skipped.isEmpty)
        try await store.close()
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) where name.hasPrefix("state.db") {
            try FileManager.default.removeItem(atPath: dir.path + "/" + name)
        }
        for name in databases { try FileManager.default.copyItem(atPath: saved.path + "/" + name, toPath: dir.path + "/" + name) }

        store = try await self.store(dir)
        #expect(try await store.resources().isEmpty, "the store lost the completion")
        let report = try await Executor(store: store, drivers: ["staging": driver], options: fast).run(actions)
        #expect(report.skipped.count == 2)
        #expect(driver.calls.sorted() == ["deploy plain", "deploy smoke"], "each ran once")
        let events = try await store.events(since: 0, limit: nil).map(\.type)
        #expect(events.filter { $0 == "actionSucceeded" }.count == 2, "\(events)")
        let keys = try await store.actionKeys(actions.actions.map(\.idempotencyKey))
        #expect(keys.values.allSatisfy { $0.state == .completed })
        #expect(Set(try await store.resources().map(\.key.name)) == ["smoke", "plain"])
        #expect(try await store.verifyEventLog().isValid)
        try await store.close()
    }

    @Test func transientErrorsAreRetriedTerminalOnesAreNot() async throws {
        let dir = try TemporaryDirectory()
        let store = try await store(dir)
        let driver = RecordingDriver()
        driver.fail("flaky", with: [DriverError("503", transient: true), DriverError("503", transient: true)])
        driver.fail("broken", with: [DriverError("bad request", transient: false)])
        let executor = Executor(store: store, drivers: ["staging": driver], options: fast)
        let report = try await executor.run(plan(["flaky", "broken"]))
        #expect(report.succeeded.map(\.key.name) == ["flaky"])
        #expect(report.failed.map(\.action.key.name) == ["broken"])
        #expect(report.failed.first?.transient == false)
        #expect(driver.calls.filter { $0 == "deploy flaky" }.count == 3)
        #expect(driver.calls.filter { $0 == "deploy broken" }.count == 1)
        // a terminal failure is not retried on the next pass with the same input
        let again = try await executor.run(plan(["broken"]))
        #expect(again.failed.first?.message == "bad request")
        #expect(driver.calls.filter { $0 == "deploy broken" }.count == 1)
        let failed = try await store.resources().first { $0.key.name == "broken" }
        #expect(failed?.sync == .outOfSync)
        #expect(failed?.health == .degraded)
        #expect(failed?.message?.contains("bad request") == true)
        // new input (another commit) tries again, and this time the target accepts it
        _ = try await executor.run(plan(["broken"], trigger: "c2"))
        #expect(driver.calls.filter { $0 == "deploy broken" }.count == 2)
        #expect(try await store.resources().first { $0.key.name == "broken" }?.sync == .synced)
        try await store.close()
    }

    @Test func timeoutsAreTransientAndBounded() async throws {
        let dir = try TemporaryDirectory()
        let store = try await store(dir)
        let driver = RecordingDriver()
        driver.delay = 120
        let options = Executor.Options(concurrency: 1, actionTimeout: 0.2, retryInitial: 0.01, retryMax: 0.01, attempts: 2)
        let started = Date()
        let report = try await Executor(store: store, drivers: ["staging": driver], options: options).run(plan(["slow"]))
        // Two attempts of a 120 s action: ending long before proves the timeout cut them off.
        #expect(Date().timeIntervalSince(started) < 60)
        #expect(report.failed.first?.transient == true)
        #expect(report.failed.first?.message == "timed out after 0 s" || report.failed.first?.message.hasPrefix("timed out") == true)
        #expect(driver.calls.count == 2)
        try await store.close()
    }

    @Test func adaptersRunBeforeDeployments() async throws {
        let dir = try TemporaryDirectory()
        let store = try await store(dir)
        let driver = RecordingDriver()
        var combined = plan(["d1", "d2"])
        combined.actions += plan(["a1"], kind: .runtimeAdapter).actions
        _ = try await Executor(store: store, drivers: ["staging": driver], options: fast).run(combined)
        #expect(driver.calls.first == "configureAdapter a1")
        #expect(Set(driver.calls.dropFirst()) == ["deploy d1", "deploy d2"])
        try await store.close()
    }
}
