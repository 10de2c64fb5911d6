@testable import Actions
import Foundation
import Testing

/// One timer for every action of a run: each body is still cut off at its own deadline.
@Suite("Action deadlines")
struct ActionDeadlinesTests {
    /// Counts the bodies that saw their cancellation.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func add() { lock.withLock { value += 1 } }
        var count: Int { lock.withLock { value } }
    }

    /// Holds the thread: a body deaf to cancellation.
    static func block(seconds: Double) { Thread.sleep(forTimeInterval: seconds) }

    @Test func bodiesWithinTheirDeadlineReturnTheirValues() async throws {
        let deadlines = ActionDeadlines(seconds: 30)
        defer { deadlines.stop() }
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<200 { group.addTask { try await deadlines.run { n * 2 } } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(values.sorted() == (0..<200).map { $0 * 2 })
    }

    @Test func aSlowBodyIsCutOffAtItsDeadlineWhileOthersFinish() async throws {
        let deadlines = ActionDeadlines(seconds: 0.3)
        defer { deadlines.stop() }
        let cancelled = Counter()
        let started = ContinuousClock.now
        async let slow: String = deadlines.run {
            do {
                try await Task.sleep(for: .seconds(120))
            } catch {
                cancelled.add()
                throw error
            }
            return "slow"
        }
        // Quick bodies run and end while the slow one waits: they are not cut off.
        for n in 0..<20 { #expect(try await deadlines.run { "quick \(n)" } == "quick \(n)") }
        do {
            _ = try await slow
            Issue.record("a 120 s body returned")
        } catch let error as DriverError {
            #expect(error.message == "timed out after 0 s")
            #expect(error.isTransient)
        }
        #expect(cancelled.count == 1)
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test func aBodyThatEndsAfterItsDeadlineAnywayKeepsItsResult() async throws {
        let deadlines = ActionDeadlines(seconds: 0.1)
        defer { deadlines.stop() }
        // Ignores cancellation and returns: its effect is there, so it is not reported as timed out.
        let value = try await deadlines.run {
            Self.block(seconds: 0.4)
            return "done"
        }
        #expect(value == "done")
    }

    @Test func aTimerEndsWhenNothingRunsAndTheNextRunStartsAnother() async throws {
        let deadlines = ActionDeadlines(seconds: 0.2)
        defer { deadlines.stop() }
        await #expect(throws: DriverError.self) { try await deadlines.run { try await Task.sleep(for: .seconds(60)) } }
        // The first timer ended with nothing left running; a later body is still cut off.
        try await Task.sleep(for: .milliseconds(300))
        await #expect(throws: DriverError.self) { try await deadlines.run { try await Task.sleep(for: .seconds(60)) } }
        #expect(try await deadlines.run { 7 } == 7)
    }

    @Test func aCancelledCallerCancelsItsBody() async throws {
        let deadlines = ActionDeadlines(seconds: 60)
        defer { deadlines.stop() }
        let cancelled = Counter()
        let caller = Task {
            try await deadlines.run {
                do { try await Task.sleep(for: .seconds(60)) } catch {
                    cancelled.add()
                    throw error
                }
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        #expect(cancelled.count == 1)
    }

    /// Runs jobs on a queue of its own, marked so that a job can tell it runs there.
    final class MarkedExecutor: TaskExecutor, @unchecked Sendable {
        static let key = DispatchSpecificKey<Bool>()
        private let queue = DispatchQueue(label: "test.action-deadlines", attributes: .concurrent)
        init() { queue.setSpecific(key: Self.key, value: true) }

        func enqueue(_ job: consuming ExecutorJob) {
            let job = UnownedJob(job)
            queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
        }

        static var onIt: Bool { DispatchQueue.getSpecific(key: key) == true }
    }

    /// The reconciler's drivers block (files, processes): their bodies run on the executor they are
    /// given (the reconciler's own threads), though each runs in a task of its own.
    @Test func bodiesRunOnTheExecutorGiven() async throws {
        let marked = MarkedExecutor()
        let deadlines = ActionDeadlines(seconds: 30, executor: marked)
        defer { deadlines.stop() }
        #expect(try await deadlines.run { MarkedExecutor.onIt })
        let shared = ActionDeadlines(seconds: 30)
        defer { shared.stop() }
        #expect(try await shared.run { MarkedExecutor.onIt } == false)
    }
}
