import Foundation

/// Store operations that answer even when PostgresNIO does not.
///
/// PostgresNIO 1.33 loses a query written to a connection whose channel has already closed (it
/// writes with no promise, so the query's own promise is never completed), and its
/// `withTransaction` sends ROLLBACK on exactly such a connection after a statement failed because
/// the server went away. The caller would wait for ever. So an operation runs in a task of its own
/// while a watcher asks, every `poll` seconds, whether to give up; when it does, the caller gets
/// that error at once and the operation is cancelled and left to end on its own. A task group
/// cannot do this: it waits for every child, the stuck one included.
enum Deadline {
    /// Runs `operation`; after `seconds` it is cancelled and `timeoutError` thrown instead (a task
    /// group: `operation` must end when cancelled, as a connect does). A value that comes after the
    /// caller was answered goes to `discard` (a connection to close).
    static func run<T: Sendable>(seconds: Double, timeoutError: @autoclosure @escaping @Sendable () -> StoreError,
                                 discard: (@Sendable (T) async -> Void)? = nil,
                                 _ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await operation() }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                // Timed out: a value the operation still returns is not the caller's.
                group.cancelAll()
                while let late = try? await group.next() { if let value = late { await discard?(value) } }
                throw timeoutError()
            }
            return value
        }
    }

    /// Runs `operation` until it ends or `giveUp` (asked every `poll` seconds) returns an error.
    static func watched<T: Sendable>(poll: Double, _ operation: @escaping @Sendable () async throws -> T,
                                     giveUp: @escaping @Sendable () -> (any Error)?) async throws -> T {
        let outcome = FirstOutcome<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
                outcome.start(continuation, work: Task {
                    do { outcome.finish(.success(try await operation())) } catch { outcome.finish(.failure(error)) }
                })
                Task {
                    while !outcome.isDone {
                        try? await Task.sleep(for: .milliseconds(Int(poll * 1000)))
                        if !outcome.isDone, let error = giveUp() { outcome.finish(.failure(error)) }
                    }
                }
            }
        } onCancel: {
            outcome.finish(.failure(CancellationError()))
        }
    }
}

/// The first of an operation's result, a give-up and a cancellation reaches the caller; whatever
/// comes first also cancels the operation's task.
private final class FirstOutcome<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var work: Task<Void, Never>?
    private var early: Result<T, any Error>?
    private var done = false

    var isDone: Bool { lock.withLock { done } }

    func start(_ continuation: CheckedContinuation<T, any Error>, work: Task<Void, Never>) {
        let result: Result<T, any Error>? = lock.withLock {
            self.work = work
            if let early { return early }
            self.continuation = continuation
            return nil
        }
        if let result {
            work.cancel()
            continuation.resume(with: result)
        }
    }

    /// Answers the caller with `result` unless it was answered before.
    func finish(_ result: Result<T, any Error>) {
        let taken: (continuation: CheckedContinuation<T, any Error>?, work: Task<Void, Never>?)? = lock.withLock {
            guard !done else { return nil }
            done = true
            defer { self.continuation = nil }
            if self.continuation == nil { early = result }
            return (self.continuation, self.work)
        }
        guard let taken else { return }
        taken.work?.cancel()
        taken.continuation?.resume(with: result)
    }
}
