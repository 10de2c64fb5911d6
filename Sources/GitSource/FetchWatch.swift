import Foundation

/// How long a remote may stay silent during one clone or fetch.
public struct FetchLimits: Sendable, Hashable {
    /// From the start until the remote first answers (any progress, a credential request, or the end).
    public var connectSeconds: Double
    /// Between two signs of progress once the remote answered.
    public var transferSeconds: Double

    public init(connectSeconds: Double = 15, transferSeconds: Double = 60) {
        self.connectSeconds = connectSeconds
        self.transferSeconds = transferSeconds
    }
}

/// Stops the fetch in progress (and refuses those after it) from outside the task that waits for it:
/// graceful shutdown must end a fetch stuck on a silent remote without cancelling actions in flight.
public final class FetchStop: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false

    public init() {}

    public func stop() { lock.withLock { stopped = true } }

    public var isStopped: Bool { lock.withLock { stopped } }
}

/// What one clone or fetch has heard from the remote, and whether it must stop: libgit2's callbacks
/// touch it (and stop the transfer once it is cancelled); a watchdog reads it.
final class FetchWatch: @unchecked Sendable {
    private let lock = NSLock()
    private let started = ContinuousClock.now
    private var lastHeard: ContinuousClock.Instant?
    private var stopped = false

    /// A sign of life from the remote; false when the fetch must stop (libgit2 then aborts it).
    func touch() -> Bool {
        lock.withLock {
            lastHeard = .now
            return !stopped
        }
    }

    /// Stops the transfer at the next callback.
    func cancel() { lock.withLock { stopped = true } }

    var isCancelled: Bool { lock.withLock { stopped } }

    /// Why the remote is over its limits now, or nil while it is within them.
    func overrun(_ limits: FetchLimits, now: ContinuousClock.Instant = .now) -> String? {
        lock.withLock {
            if let lastHeard {
                let silent = now - lastHeard
                return silent > .seconds(limits.transferSeconds)
                    ? "the transfer stalled: nothing for \(Self.seconds(limits.transferSeconds)) s" : nil
            }
            return now - started > .seconds(limits.connectSeconds)
                ? "no answer within \(Self.seconds(limits.connectSeconds)) s" : nil
        }
    }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// Resumes a continuation once, whoever comes first: the fetch thread, the watchdog or a cancellation
/// (which may come before the continuation exists).
final class ResumeOnce<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?
    private var done = false

    var isDone: Bool { lock.withLock { done } }

    func set(_ continuation: CheckedContinuation<T, any Error>) {
        let result: Result<T, any Error>? = lock.withLock {
            if let early { return early }
            self.continuation = continuation
            return nil
        }
        if let result { continuation.resume(with: result) }
    }

    func resume(_ result: Result<T, any Error>) {
        let continuation: CheckedContinuation<T, any Error>? = lock.withLock {
            guard !done else { return nil }
            done = true
            guard let continuation = self.continuation else {
                early = result
                return nil
            }
            self.continuation = nil
            return continuation
        }
        continuation?.resume(with: result)
    }
}
