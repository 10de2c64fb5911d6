import Foundation
import Reconcile

extension Executor {
    /// How many keys or outcomes go into one transaction while actions run: small enough to
    /// overlap with the actions, within one transaction's limit.
    var pipelineGroupSize: Int { min(options.batchSize, 250) }

    /// Store transactions run one at a time, in the order they were added, each on a task of its
    /// own so that the caller goes on while it runs. After one fails, those after it do not run.
    final class TransactionChain: @unchecked Sendable {
        private let lock = NSLock()
        private var tail: Task<Void, any Error>?
        private var failure: (any Error)?

        /// Whether a transaction failed.
        var failed: Bool { lock.withLock { failure != nil } }

        /// Adds `transaction` after those already added; returns its task.
        @discardableResult
        func append(_ transaction: @escaping @Sendable () async throws -> Void) -> Task<Void, any Error> {
            lock.withLock {
                let previous = tail
                let task = Task {
                    try await previous?.value
                    do {
                        try await transaction()
                    } catch {
                        self.lock.withLock { self.failure = self.failure ?? error }
                        throw error
                    }
                }
                tail = task
                return task
            }
        }

        /// Waits for every transaction added (none is left writing); throws the first that failed.
        func finish() async throws {
            _ = try? await lock.withLock({ tail })?.value
            if let failure = lock.withLock({ failure }) { throw failure }
        }
    }

    /// Records outcomes while later actions run: writing to targets mostly waits (on disks, on
    /// consoles), recording mostly computes, so the two overlap. Outcomes are recorded in the
    /// order they came in, a group per transaction, each once its group's effects are durable
    /// (`settle`): a group settles while the one before it is recorded (the one waits on the
    /// targets, the other on the store). After a failed transaction nothing more is recorded and
    /// no further action is started; `finish` throws it.
    final class OutcomeRecorder: @unchecked Sendable {
        private let executor: Executor
        private let existing: [ResourceKey: AppliedResource]
        private let interrupted: [String: [ActionKeyRecord]]
        private let chain = TransactionChain()
        private let lock = NSLock()
        private var pending: [Outcome] = []
        private var written: [Write] = []
        /// The groups' settles begun (`finish` waits for each, so none is left writing).
        private var settles: [Task<Void, any Error>] = []

        init(_ executor: Executor, existing: [ResourceKey: AppliedResource], interrupted: [String: [ActionKeyRecord]] = [:]) {
            self.executor = executor
            self.existing = existing
            self.interrupted = interrupted
        }

        /// Whether a transaction failed (stop starting actions).
        var failed: Bool { chain.failed }

        func add(_ outcome: Outcome) {
            lock.withLock {
                pending.append(outcome)
                if pending.count >= executor.pipelineGroupSize { flushLocked() }
            }
        }

        /// Records what is left, waits for every transaction; throws the first that failed. Returns
        /// the applied resources written, in order (nil: deleted).
        func finish() async throws -> [Write] {
            lock.withLock { flushLocked() }
            do {
                try await chain.finish()
            } catch {
                for settle in lock.withLock({ settles }) { _ = try? await settle.value }
                throw error
            }
            return lock.withLock { written }
        }

        private func flushLocked() {
            guard !pending.isEmpty else { return }
            let group = pending, executor = executor, existing = existing, interrupted = interrupted
            pending = []
            let settle = Task { try await executor.settle(group) }
            settles.append(settle)
            chain.append {
                try await settle.value
                let recorded = try await executor.record(existing: existing, group, interrupted: interrupted)
                self.lock.withLock { self.written += recorded }
            }
        }
    }

    /// Has the drivers of the group's successful actions make their effects durable (`Driver.settle`)
    /// before the outcomes go on record.
    func settle(_ outcomes: [Outcome]) async throws {
        var placements = Set<String>()
        for outcome in outcomes {
            if case .success = outcome.result { placements.insert(outcome.action.key.placement) }
        }
        for placement in placements.sorted() { try await drivers[placement]?.settle() }
    }

    /// Marks keys started (DESIGN §5: recorded before the action starts) a group per transaction,
    /// in the order the actions run: an action waits only for its own group, and the next group is
    /// written while this one's actions run.
    final class StartMarker: @unchecked Sendable {
        private let executor: Executor
        private let groups: [ArraySlice<PlannedAction>]
        private let existing: [ResourceKey: AppliedResource]
        private let chain = TransactionChain()
        private let lock = NSLock()
        private var tasks: [Task<Void, any Error>] = []

        init(_ executor: Executor, _ actions: [PlannedAction], existing: [ResourceKey: AppliedResource]) {
            self.executor = executor
            self.existing = existing
            groups = actions.chunked(executor.pipelineGroupSize)
        }

        /// Whether a transaction failed (start nothing more).
        var failed: Bool { chain.failed }

        /// Whether the key of the `index`th action is marked started (waits for it; false when that failed).
        func ready(_ index: Int) async -> Bool {
            let group = index / executor.pipelineGroupSize
            guard group < groups.count else { return false }
            let task = lock.withLock {
                while tasks.count <= min(group + 1, groups.count - 1) {
                    let actions = Array(groups[tasks.count]), executor = executor, existing = existing
                    tasks.append(chain.append { try await executor.markStarted(actions, existing: existing) })
                }
                return tasks[group]
            }
            return (try? await task.value) != nil
        }

        /// Waits for every transaction begun (none is left writing); throws the first that failed.
        func finish() async throws { try await chain.finish() }
    }
}
