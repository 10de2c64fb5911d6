@testable import Actions
import EventLog
import Foundation
import Manifests
import Reconcile
import StateStore
import StewardTesting
import Testing

/// A driver whose target answers `hasEffect` from a table: present, absent, or it cannot tell.
final class EffectTargetDriver: Driver, @unchecked Sendable {
    enum Answer { case present, absent, cannotTell }

    private let lock = NSLock()
    private var _executed: [String] = []
    private var _asked: [String] = []
    var answers: [String: Answer] = [:]

    var executed: [String] { lock.withLock { _executed } }
    var asked: [String] { lock.withLock { _asked } }

    func execute(_ request: ActionRequest) async throws -> ActionOutcome {
        lock.withLock { _executed.append(request.action.key.name) }
        return ActionOutcome(message: "done")
    }

    func hasEffect(_ request: ActionRequest) async throws -> Bool {
        let name = request.action.key.name
        lock.withLock { _asked.append(name) }
        switch answers[name] ?? .absent {
        case .present: return true
        case .absent: return false
        case .cannotTell: throw DriverError("the console answered 503", transient: true)
        }
    }

    func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] { [:] }
}

/// DESIGN §5: a key started but never completed makes every later action with the same effect — under
/// any trigger — ask the target first; a probe that fails is not a "no".
@Suite("Executor: effects interrupted under another trigger", .serialized)
struct ExecutorEffectTests {
    private let options = Executor.Options(concurrency: 2, actionTimeout: 5, retryInitial: 0.01, retryMax: 0.05, attempts: 1)

    private func action(_ name: String, trigger: String, version: String = "1.0.0") -> PlannedAction {
        PlannedAction(kind: .deploy, key: ResourceKey(kind: .deployment, name: name, environment: "staging"), change: .update,
                      document: .object(["metadata": .object(["name": .string(name)])]), specHash: ContentHash.sha256Hex(name),
                      version: version, commit: trigger, trigger: trigger, reason: "changed in Git")
    }

    /// Marks `actions` started as a controller does right before running them, then "crashes".
    private func interrupted(_ actions: [PlannedAction], in store: any StateStore) async throws {
        var batch = StoreBatch()
        for action in actions {
            batch.actionKeys.append(ActionKeyRecord(key: action.idempotencyKey, state: .started, action: action.kind.rawValue,
                                                    resource: action.key.resource, environment: "staging", startedAt: Date(),
                                                    effect: action.effectKey))
        }
        _ = try await store.commit(batch)
    }

    @Test func theEffectKeyLeavesTheTriggerOut() {
        let first = action("nav", trigger: "commit-1"), second = action("nav", trigger: "commit-2")
        #expect(first.idempotencyKey != second.idempotencyKey)
        #expect(first.effectKey == second.effectKey)
        #expect(first.effectKey != action("nav", trigger: "commit-1", version: "1.1.0").effectKey)
    }

    @Test func aNewTriggerForAnInterruptedEffectAsksTheTargetFirst() async throws {
        let dir = try TemporaryDirectory()
        let store = try await dir.executorStore()
        let before = ["done", "not-done", "fresh"].map { action($0, trigger: "commit-1") }
        try await interrupted(Array(before.prefix(2)), in: store)
        let driver = EffectTargetDriver()
        driver.answers = ["done": .present, "not-done": .absent]
        // A new commit lands after the crash: the same effects under new keys.
        let after = Plan(commit: "commit-2", actions: ["done", "not-done", "fresh"].map { action($0, trigger: "commit-2") })
        let report = try await Executor(store: store, drivers: ["staging": driver], options: options).run(after)

        #expect(driver.asked.sorted() == ["done", "not-done"], "only effects interrupted before are probed")
        #expect(driver.executed.sorted() == ["fresh", "not-done"], "the effect found on the target is not run again")
        #expect(report.skipped.map(\.key.name) == ["done"])
        let keys = try await store.actionKeys((before + after.actions).map(\.idempotencyKey))
        #expect(keys.values.allSatisfy { $0.state == .completed }, "the interrupted keys are completed with the effect")
        #expect(keys.count == 5)
        try await store.close()
    }

    @Test func aProbeThatFailsIsNotANo() async throws {
        let dir = try TemporaryDirectory()
        let store = try await dir.executorStore()
        let old = action("nav", trigger: "commit-1"), own = action("own", trigger: "commit-1")
        try await interrupted([old, own], in: store)
        let driver = EffectTargetDriver()
        driver.answers = ["nav": .cannotTell, "own": .cannotTell]
        let plan = Plan(commit: "commit-2", actions: [action("nav", trigger: "commit-2"), own])
        let report = try await Executor(store: store, drivers: ["staging": driver], options: options).run(plan)

        #expect(driver.executed.isEmpty, "nothing runs while the target cannot tell")
        #expect(report.failed.count == 2 && report.failed.allSatisfy(\.transient))
        #expect(report.failed.allSatisfy { $0.message.contains("cannot tell whether deploy already ran") && $0.message.contains("503") })
        let keys = try await store.actionKeys([old, own, plan.actions[0]].map(\.idempotencyKey))
        #expect(keys[old.idempotencyKey]?.state == .started)
        #expect(keys[own.idempotencyKey]?.state == .started, "the key stays started, to be probed again")
        #expect(keys[plan.actions[0].idempotencyKey] == nil, "the new key is not started: nothing ran")
        let resources = try await store.resources()
        #expect(resources.count == 2)
        #expect(resources.allSatisfy { $0.health == .unknown && $0.message?.contains("the console answered 503") == true })
        #expect(try await store.events(since: 0, limit: nil).allSatisfy { $0.type != EventType.actionStarted.rawValue })

        // The target answers again: the effect is not there, so it runs now, once.
        driver.answers = ["nav": .absent, "own": .present]
        let retried = try await Executor(store: store, drivers: ["staging": driver], options: options).run(plan)
        #expect(driver.executed == ["nav"])
        #expect(retried.succeeded.map(\.key.name) == ["nav"] && retried.skipped.map(\.key.name) == ["own"])
        try await store.close()
    }

    /// A run that failed transiently and had its failure recorded is retried next pass even when the
    /// target cannot tell (the driver said "try again"); no "cannot tell" record, no Unknown. Only a
    /// run whose end was never recorded waits for the target.
    @Test func aRecordedTransientFailureIsRetriedNotHeldAsUnknown() async throws {
        let dir = try TemporaryDirectory()
        let store = try await dir.executorStore()
        let driver = FlakyTargetDriver()
        let plan = Plan(commit: "commit-1", actions: [action("nav", trigger: "commit-1")])
        let first = try await Executor(store: store, drivers: ["staging": driver], options: options).run(plan)
        #expect(first.failed.count == 1 && first.failed[0].transient && first.failed[0].message.contains("exited with code 75"))
        let key = try await store.actionKeys([plan.actions[0].idempotencyKey])[plan.actions[0].idempotencyKey]
        #expect(key?.state == .started && key?.finishedAt != nil, "the transient failure is recorded: \(String(describing: key))")
        #expect(try await store.resources().first?.conditions.contains { $0.type == Executor.startedCondition } != true)

        for pass in 2...4 {
            let again = try await Executor(store: store, drivers: ["staging": driver], options: options).run(plan)
            #expect(again.failed.allSatisfy { !$0.message.contains("cannot tell") }, "pass \(pass): \(again.failed.map(\.message))")
        }
        #expect(driver.executions == 4, "retried every pass (the target could not tell), never held")
        #expect(try await store.resources().allSatisfy { $0.health != .unknown })
        let warnings = try await store.events(since: 0, limit: nil).filter { $0.message.contains("cannot tell") }
        #expect(warnings.isEmpty, "\(warnings.map(\.message))")

        // It succeeds on a later pass, once.
        driver.succeedFrom = 5
        let done = try await Executor(store: store, drivers: ["staging": driver], options: options).run(plan)
        #expect(done.succeeded.count == 1 && driver.executions == 5)
        let settled = try await Executor(store: store, drivers: ["staging": driver], options: options).run(plan)
        #expect(settled.skipped.count == 1 && driver.executions == 5, "completed: never again")
        try await store.close()
    }

    @Test func aVersionRegisteredInTheEnvironmentBeforeIsNotRegisteredAgain() async throws {
        let dir = try TemporaryDirectory()
        let store = try await dir.executorStore()
        let driver = EffectTargetDriver()
        let executor = Executor(store: store, drivers: ["staging": driver], options: options)
        func register(_ trigger: String) -> PlannedAction {
            PlannedAction(kind: .registerVersion, key: ResourceKey(kind: .agentBlueprint, name: "nav@1.0.0", environment: "staging"),
                          change: .create, document: .object(["spec": .object(["version": .string("1.0.0")])]),
                          specHash: ContentHash.sha256Hex("nav"), version: "1.0.0", commit: trigger, trigger: trigger, reason: "new in Git")
        }
        _ = try await executor.run(Plan(commit: "commit-1", actions: [register("commit-1")]))
        // No Deployment in staging used it for a while (its record was dropped); one does again.
        let again = try await executor.run(Plan(commit: "commit-9", actions: [register("commit-9")]))
        #expect(driver.executed == ["nav@1.0.0"], "registered once")
        #expect(again.skipped.count == 1)
        var drifted = register("drift:12")
        drifted.change = .drift
        _ = try await executor.run(Plan(commit: "commit-9", actions: [drifted]))
        #expect(driver.executed == ["nav@1.0.0", "nav@1.0.0"], "a heal of drift on the target does run")
        try await store.close()
    }

    @Test func aRemovalAfterAnInterruptedCreateAsksTheTargetFirst() async throws {
        let dir = try TemporaryDirectory()
        let store = try await dir.executorStore()
        let driver = EffectTargetDriver()
        let executor = Executor(store: store, drivers: ["staging": driver], options: options)
        // A create was marked started, then the controller died before it ran: the target never got it.
        let create = action("nav", trigger: "commit-1")
        try await executor.markStarted([create])
        let record = try #require(try await store.resources().first)
        // Git drops the Deployment: the prune of that record asks first, and the target has nothing to remove.
        driver.answers = ["nav": .present]
        let prune = PlannedAction(kind: .undeploy, key: create.key, change: .prune, document: .null, specHash: record.specHash,
                                  version: record.version, commit: "commit-2", trigger: "commit-2", reason: "no longer in Git")
        let report = try await executor.run(Plan(commit: "commit-2", actions: [prune]))
        #expect(driver.asked == ["nav"] && driver.executed.isEmpty, "nothing was removed twice")
        #expect(report.skipped.map(\.key) == [create.key])
        #expect(try await store.resources().isEmpty)
        try await store.close()
    }

    @Test func aCreateInFlightIsAlreadyInTheStore() async throws {
        let dir = try TemporaryDirectory()
        let store = try await dir.executorStore()
        let driver = BlockingDriver()
        let executor = Executor(store: store, drivers: ["staging": driver], options: options)
        let create = action("nav", trigger: "commit-1")
        let run = Task { try await executor.run(Plan(commit: "commit-1", actions: [create])) }
        await driver.started.wait()
        // What a controller killed now would leave behind: the store knows the target may run it.
        let inFlight = try #require(try await store.resources().first)
        #expect(inFlight.key == create.key && inFlight.specHash.isEmpty && inFlight.health == .progressing && inFlight.sync == .outOfSync)
        #expect(inFlight.message == "deploy started; its outcome is not recorded yet")
        driver.release.signal()
        _ = try await run.value
        let done = try #require(try await store.resources().first)
        #expect(done.specHash == create.specHash && done.sync == .synced && done.health == .healthy)
        try await store.close()
    }
}

/// A driver whose `execute` waits until released, telling when it started.
final class BlockingDriver: Driver, @unchecked Sendable {
    let started = Gate()
    let release = DispatchSemaphore(value: 0)

    func execute(_ request: ActionRequest) async throws -> ActionOutcome {
        started.open()
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread { self.release.wait(); done.resume() }.start()
        }
        return ActionOutcome(message: "done")
    }

    func hasEffect(_ request: ActionRequest) async throws -> Bool { false }
    func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] { [:] }

    /// Opened once; waiters resume when it is.
    final class Gate: @unchecked Sendable {
        private let lock = NSLock()
        private var isOpen = false
        private var waiters: [CheckedContinuation<Void, Never>] = []

        func open() {
            let resumed = lock.withLock { () -> [CheckedContinuation<Void, Never>] in
                isOpen = true
                defer { waiters = [] }
                return waiters
            }
            resumed.forEach { $0.resume() }
        }

        func wait() async {
            await withCheckedContinuation { continuation in
                let now = lock.withLock { () -> Bool in
                    if !isOpen { waiters.append(continuation) }
                    return isOpen
                }
                if now { continuation.resume() }
            }
        }
    }
}

/// A target whose action fails transiently (an exec script exiting 75) until `succeedFrom`, and that
/// can never tell whether an action ran.
final class FlakyTargetDriver: Driver, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var succeedFrom = Int.max

    var executions: Int { lock.withLock { count } }

    func execute(_ request: ActionRequest) async throws -> ActionOutcome {
        let attempt = lock.withLock { count += 1; return count }
        guard attempt >= succeedFrom else { throw DriverError("deploy.sh exited with code 75: console busy", transient: true) }
        return ActionOutcome(message: "done")
    }

    func hasEffect(_ request: ActionRequest) async throws -> Bool {
        throw DriverError("no status command configured", transient: true)
    }

    func probe(environment: String, applied: [AppliedResource]) async throws -> [ResourceKey: ProbeResult] { [:] }
}
