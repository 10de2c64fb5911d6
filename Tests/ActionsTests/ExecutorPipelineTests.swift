import Actions
import Foundation
import Logging
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

/// A driver that looks, from inside each action, at what the store says of its key; and can close
/// the store after a number of actions (a store that goes away in the middle of a run).
final class StoreWatchingDriver: Driver, @unchecked Sendable {
    let store: any StateStore
    private let lock = NSLock()
    private var _states: [String: ActionKeyRecord.State?] = [:]
    var closeAfter: Int?

    init(store: any StateStore) { self.store = store }

    var states: [String: ActionKeyRecord.State?] { lock.withLock { _states } }

    func execute(_ request: ActionRequest) async throws -> ActionOutcome {
        let state = try? await store.actionKeys([request.idempotencyKey])[request.idempotencyKey]?.state
        let count = lock.withLock {
            _states[request.action.key.name] = state
            return _states.count
        }
        if count == closeAfter { try await store.close() }
        return ActionOutcome(message: "done")
    }

    func hasEffect(_ request: ActionRequest) async throws -> Bool { false }

    func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] { [:] }
}

/// Keys are marked started and outcomes recorded in groups while the actions run (several groups
/// here): every action still finds its key marked started before it runs, every outcome is
/// recorded after its start, and a store that fails stops the run from starting more.
@Suite("Executor: marking and recording alongside the actions", .serialized)
struct ExecutorPipelineTests {
    private func store(_ dir: TemporaryDirectory) async throws -> any StateStore { try await dir.executorStore() }

    private func plan(_ count: Int) -> Plan {
        Plan(commit: "c1", actions: (0..<count).map { index in
            let name = "d\(index)"
            let kind: ResourceKind = index % 7 == 0 ? .runtimeAdapter : .deployment
            return PlannedAction(kind: kind == .deployment ? .deploy : .configureAdapter, key: ResourceKey(kind: kind, name: name, environment: "staging"),
                                 change: .create, document: .object(["metadata": .object(["name": .string(name)])]),
                                 specHash: ContentHash.sha256Hex(name), version: "1.0.0", commit: "c1", trigger: "c1", reason: "new in Git")
        })
    }

    @Test func everyKeyIsMarkedBeforeItsActionAndEveryOutcomeRecordedAfterItsStart() async throws {
        let dir = try TemporaryDirectory()
        let store = try await store(dir)
        let driver = StoreWatchingDriver(store: store)
        let actions = plan(1_100)
        let report = try await Executor(store: store, drivers: ["staging": driver], options: Executor.Options(concurrency: 8)).run(actions)
        #expect(report.succeeded.count == 1_100 && report.failed.isEmpty)
        let states = driver.states
        #expect(states.count == 1_100)
        #expect(states.values.allSatisfy { $0 == .started }, "an action ran before its key was marked started")
        let keys = try await store.actionKeys(actions.actions.map(\.idempotencyKey))
        #expect(keys.count == 1_100 && keys.values.allSatisfy { $0.state == .completed })
        let stored = Dictionary(uniqueKeysWithValues: try await store.resources().map { ($0.key, $0) })
        #expect(stored.count == 1_100)
        // The run's writes are what the store holds (timestamps aside: the store keeps milliseconds).
        let written = report.applying(to: [:])
        #expect(written.count == stored.count)
        #expect(written.allSatisfy { key, resource in
            stored[key].map { $0.specHash == resource.specHash && $0.sync == resource.sync && $0.commit == resource.commit
                && $0.version == resource.version && $0.spec == resource.spec } ?? false
        }, "the run's writes differ from what the store holds")
        // In the log: each action's start before its success, each once.
        let events = try await store.events(since: 0, limit: nil)
        var started: [String: Int64] = [:], succeeded: [String: Int64] = [:]
        for event in events {
            let resource = event.resource ?? ""
            if event.type == "actionStarted" { #expect(started.updateValue(event.seq, forKey: resource) == nil) }
            if event.type == "actionSucceeded" { #expect(succeeded.updateValue(event.seq, forKey: resource) == nil) }
        }
        #expect(started.count == 1_100 && succeeded.count == 1_100)
        #expect(succeeded.allSatisfy { resource, seq in (started[resource] ?? .max) < seq })
        // Adapters (every 7th) all ran before any Deployment: the phases still hold.
        let firstDeployment = try #require(events.filter { $0.type == "actionSucceeded" }.firstIndex { $0.resource?.hasPrefix("Deployment/") == true })
        #expect(events.filter { $0.type == "actionSucceeded" }[..<firstDeployment].count == 158)
        #expect(try await store.verifyEventLog().isValid)
        try await store.close()
    }

    @Test func aStoreThatGoesAwayStopsTheRunFromStartingMore() async throws {
        let dir = try TemporaryDirectory()
        let store = try await store(dir)
        let driver = StoreWatchingDriver(store: store)
        driver.closeAfter = 100
        await #expect(throws: (any Error).self) {
            _ = try await Executor(store: store, drivers: ["staging": driver], options: Executor.Options(concurrency: 4)).run(plan(2_000))
        }
        // Started: at most the groups marked before the store went away (250 each, one ahead), not the 2,000.
        #expect(driver.states.count < 1_000, "\(driver.states.count) actions ran after the store went away")
    }
}
