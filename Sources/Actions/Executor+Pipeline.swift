import Foundation
import Reconcile

extension Executor {
    /// Records outcomes while later actions run: writing to targets mostly waits (on disks, on
    /// consoles), recording mostly computes, so the two overlap. Outcomes are recorded in the
    /// order they came in, in groups of `chunkSize`, one transaction at a time. After a failed
    /// transaction nothing more is recorded and no further action is started; `finish` throws it.
    final class OutcomeRecorder: @unchecked Sendable {
        private let executor: Executor
        private let existing: [ResourceKey: AppliedResource]
        private let chunkSize: Int
        private let lock = NSLock()
        private var pending: [Outcome] = []
        private var tail: Task<Void, any Error>?
        private var failure: (any Error)?
        private var written: [Write] = []

        init(_ executor: Executor, existing: [ResourceKey: AppliedResource]) {
            self.executor = executor
            self.existing = existing
            // Small enough to overlap with the actions still running, within one transaction's limit.
            chunkSize = min(executor.options.batchSize, 250)
        }

        /// Whether a transaction failed (stop starting actions).
        var failed: Bool { lock.withLock { failure != nil } }

        func add(_ outcome: Outcome) {
            lock.withLock {
                pending.append(outcome)
                if pending.count >= chunkSize { flushLocked() }
            }
        }

        /// Records what is left, waits for every transaction; throws the first that failed. Returns
        /// the applied resources written, in order (nil: deleted).
        func finish() async throws -> [Write] {
            let last = lock.withLock {
                flushLocked()
                return tail
            }
            try await last?.value
            return try lock.withLock {
                if let failure { throw failure }
                return written
            }
        }

        private func flushLocked() {
            guard !pending.isEmpty else { return }
            let chunk = pending, previous = tail, executor = executor, existing = existing
            pending = []
            tail = Task {
                try await previous?.value
                do {
                    let chunkWritten = try await executor.record(existing: existing, chunk)
                    self.lock.withLock { self.written += chunkWritten }
                } catch {
                    self.lock.withLock { self.failure = self.failure ?? error }
                    throw error
                }
            }
        }
    }
}

extension Executor {
    /// Marks keys started (DESIGN §5: recorded before the action starts) in groups of `chunkSize`,
    /// in the order the actions run, one transaction at a time: an action waits only for its own
    /// group, and the next group is written while this one's actions run.
    final class StartMarker: @unchecked Sendable {
        private let executor: Executor
        private let chunkSize: Int
        private let chunks: [ArraySlice<PlannedAction>]
        private let lock = NSLock()
        private var tasks: [Task<Void, any Error>] = []
        private var failure: (any Error)?

        init(_ executor: Executor, _ actions: [PlannedAction]) {
            self.executor = executor
            chunkSize = min(executor.options.batchSize, 250)
            chunks = actions.chunked(chunkSize)
        }

        /// Whether a transaction failed (start nothing more).
        var failed: Bool { lock.withLock { failure != nil } }

        /// Whether the key of the `index`th action is marked started (waits for it; false when that failed).
        func ready(_ index: Int) async -> Bool {
            let chunk = index / chunkSize
            guard chunk < chunks.count else { return false }
            let task = lock.withLock {
                while tasks.count <= min(chunk + 1, chunks.count - 1) { launchLocked() }
                return tasks[chunk]
            }
            do {
                try await task.value
                return true
            } catch {
                lock.withLock { failure = failure ?? error }
                return false
            }
        }

        /// Waits for every transaction begun (none is left writing); throws the first that failed.
        func finish() async throws {
            for task in lock.withLock({ tasks }) {
                do { try await task.value } catch { lock.withLock { failure = failure ?? error } }
            }
            if let failure = lock.withLock({ failure }) { throw failure }
        }

        private func launchLocked() {
            let group = Array(chunks[tasks.count]), previous = tasks.last, executor = executor
            tasks.append(Task {
                try await previous?.value
                try await executor.markStarted(group)
            })
        }
    }
}
