import Foundation

/// Wakes the readers waiting for new event records (`/api/events?wait=`) when this process's
/// store commits some: a reader learns of a record as it is written instead of at its next poll.
/// Records written by another process (a CLI command, another replica) are seen by the caller's
/// own poll, at most `EventPolling.interval` late.
final class EventFeed: Sendable {
    private struct Waiter {
        var after: Int64
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        var head: Int64 = 0
        var waiters: [UInt64: Waiter] = [:]
        var nextID: UInt64 = 0
    }

    private let state = LockedBox(State())

    /// Called after a commit made records up to `head` durable.
    func published(head: Int64) {
        let ready: [CheckedContinuation<Void, Never>] = state.withLock { state in
            state.head = max(state.head, head)
            let due = state.waiters.filter { $0.value.after < head }
            for id in due.keys { state.waiters[id] = nil }
            return due.values.map(\.continuation)
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once a record after `seq` was published, or after `timeout`, or when cancelled.
    func wait(after seq: Int64, timeout: Duration) async {
        let id: UInt64 = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: timeout)
            self?.wake(id)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now: Bool = state.withLock { state in
                    if state.head > seq || Task.isCancelled { return true }
                    state.waiters[id] = Waiter(after: seq, continuation: continuation)
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            wake(id)
        }
        timer.cancel()
    }

    /// Resumes one waiter if it is still waiting.
    private func wake(_ id: UInt64) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.continuation.resume()
    }
}
