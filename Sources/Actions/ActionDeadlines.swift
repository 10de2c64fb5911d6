import Foundation

/// Cuts off actions that outrun `Executor.Options.actionTimeout`, with one timer for all the
/// actions of a run.
///
/// A timer per action (a task group racing the action against a sleeping task) cost each action
/// a dispatch timer, armed and left to fire 10 minutes later, and two more tasks: ~4 % of the CPU
/// of a 10,000-manifest apply went to arming and serving those timers.
final class ActionDeadlines: @unchecked Sendable {
    private struct Running {
        var deadline: ContinuousClock.Instant
        var cancel: @Sendable () -> Void
    }

    let seconds: Double
    /// Where the bodies run (an unstructured task does not inherit its caller's preference).
    private let executor: (any TaskExecutor)?
    private let lock = NSLock()
    private var running: [Int: Running] = [:]
    /// Bodies cancelled at their deadline, until their `run` returns.
    private var expired: Set<Int> = []
    private var nextID = 0
    /// Sleeps until the earliest deadline; ends when nothing runs (the next `run` starts another).
    private var timer: Task<Void, Never>?

    init(seconds: Double, executor: (any TaskExecutor)? = nil) {
        self.seconds = seconds
        self.executor = executor
    }

    /// Runs `body` in a task of its own (on `executor`), cancelled when `seconds` have passed or the
    /// caller is cancelled. A body that throws after its deadline throws "timed out after N s"
    /// (transient); one that returns anyway returns its value: its effect is there.
    func run<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let task = Task(executorPreference: executor) { try await body() }
        let id = register { task.cancel() }
        let result = await withTaskCancellationHandler { await task.result } onCancel: { task.cancel() }
        let timedOut = lock.withLock {
            running[id] = nil
            return expired.remove(id) != nil
        }
        switch result {
        case .success(let value):
            return value
        case .failure(let error):
            if timedOut { throw DriverError("timed out after \(Int(seconds)) s", transient: true) }
            throw error
        }
    }

    /// Ends the timer (a run that returned leaves no task sleeping until its last deadline).
    func stop() {
        lock.withLock {
            timer?.cancel()
            timer = nil
        }
    }

    private func register(cancel: @escaping @Sendable () -> Void) -> Int {
        let deadline = ContinuousClock.now.advanced(by: .seconds(seconds))
        return lock.withLock {
            let id = nextID
            nextID += 1
            running[id] = Running(deadline: deadline, cancel: cancel)
            if timer == nil {
                timer = Task { [weak self] in
                    var wake = deadline
                    while !Task.isCancelled {
                        try? await Task.sleep(until: wake, clock: .continuous)
                        guard !Task.isCancelled, let next = self?.expire() else { return }
                        wake = next
                    }
                }
            }
            return id
        }
    }

    /// Cancels the bodies past their deadline; returns the next deadline, or nil (the timer ends)
    /// when nothing runs.
    private func expire() -> ContinuousClock.Instant? {
        let now = ContinuousClock.now
        let (due, next): ([Running], ContinuousClock.Instant?) = lock.withLock {
            var due: [Running] = []
            for (id, entry) in running where entry.deadline <= now {
                due.append(entry)
                expired.insert(id)
                running[id] = nil
            }
            let next = running.values.map(\.deadline).min()
            if next == nil { timer = nil }
            return (due, next)
        }
        for entry in due { entry.cancel() }
        return next
    }
}
