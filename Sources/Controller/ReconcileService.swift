import Foundation
import Logging
import ServiceLifecycle
import StateStore

/// The reconcile loop as a `Service`: a pass every `source.interval` (or when triggered), until
/// graceful shutdown; a running pass finishes its actions before the service returns.
public final class ReconcileService: Service, @unchecked Sendable {
    private let reconciler: Reconciler
    private let interval: Double
    private let logger: Logger
    /// With PostgreSQL: passes run only while this replica leads.
    public let leadership: LeaderElection?
    private let lock = NSLock()
    private var requested = false
    private var retryChecks = false
    private var _lastResult: Reconciler.PassResult?
    private var _lastError: String?
    private var _lastPassAt: Date?
    private var _nextPassAt: Date?
    /// `GET /api/plan` requests waiting for the loop to make the plan between passes.
    private var previews: [UUID: CheckedContinuation<Reconciler.Preview, any Error>] = [:]
    /// Set when the loop has ended: plan requests are refused at once.
    private var stopped = false

    /// The last pass's result (its plan drives `GET /api/plan`), nil before the first pass finished.
    public var lastResult: Reconciler.PassResult? { lock.withLock { _lastResult } }
    /// Why the last pass failed, if it did (`Degraded` in status and readiness).
    public var lastError: String? { lock.withLock { _lastError } }
    /// When the last pass ended, and when the next is due (nil while one runs): the status page's footer.
    public var passTimes: (last: Date?, next: Date?) { lock.withLock { (_lastPassAt, _nextPassAt) } }

    public init(reconciler: Reconciler, interval: Double, logger: Logger, leadership: LeaderElection? = nil) {
        self.reconciler = reconciler
        self.interval = interval
        self.logger = logger
        self.leadership = leadership
        ReconcileMetrics.recordLeader(leadership?.isLeader ?? true)
    }

    /// The BackupSchedules of the last commit a pass validated (the backup scheduler reads them).
    public var validatedSchedules: ValidatedSchedules { reconciler.validatedSchedules }

    /// Whether this replica runs passes: it leads, or there is no election (SQLite's lock file).
    public var isLeader: Bool { leadership?.isLeader ?? true }

    /// Asks for a pass now (webhooks, `POST /api/reconcile`); `retryingChecks`: pre-deploy checks that
    /// failed for the current commit run again in it (DESIGN §11).
    public func requestReconcile(retryingChecks: Bool = false) {
        lock.withLock {
            requested = true
            if retryingChecks { retryChecks = true }
        }
    }

    /// The plan for the branch tip as `steward diff` shows it (`GET /api/plan`): made by the loop
    /// between passes with the reconciler's own `preview`, so it is the plan the next pass would make.
    public func plan() async throws -> Reconciler.Preview {
        let id = UUID()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let refused = lock.withLock {
                    if !stopped, !Task.isCancelled { previews[id] = continuation }
                    return stopped || Task.isCancelled
                }
                if refused { continuation.resume(throwing: ControllerError("the controller is shutting down")) }
            }
        } onCancel: {
            // A caller that stops waiting (a timeout, a closed connection) is answered at once.
            lock.withLock { previews.removeValue(forKey: id) }?.resume(throwing: CancellationError())
        }
    }

    /// Answers the plan requests waiting, with one preview.
    private func answerPlanRequests() async {
        let waiting = lock.withLock {
            defer { previews = [:] }
            return Array(previews.values)
        }
        guard !waiting.isEmpty else { return }
        let result: Result<Reconciler.Preview, any Error>
        do { result = .success(try await reconciler.preview(revision: nil)) } catch { result = .failure(error) }
        for continuation in waiting { continuation.resume(with: result) }
    }

    private func takeRequest() -> Bool {
        lock.withLock {
            defer { requested = false }
            return requested
        }
    }

    public func run() async throws {
        var backoff = 1.0
        var epoch: Int64?
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            var wait = interval
            if let leadership {
                // A standby waits; a new term starts from what the store says, not from memory.
                guard leadership.isLeader, let current = leadership.epoch else {
                    lock.withLock { _lastError = leadership.lastError.map { "the store does not answer: \($0)" } }
                    await answerPlanRequests()
                    try? await Task.sleep(for: .milliseconds(200))
                    continue
                }
                if current != epoch {
                    reconciler.forgetCaches()
                    epoch = current
                }
            }
            await answerPlanRequests()
            if lock.withLock({ defer { retryChecks = false }; return retryChecks }) { reconciler.retryPreDeployChecks = true }
            do {
                // Graceful shutdown lets the pass finish its actions, but stops a fetch waiting on a silent remote.
                let stop = reconciler.fetchStop
                let result = try await withGracefulShutdownHandler { try await reconciler.pass() } onGracefulShutdown: { stop.stop() }
                lock.withLock {
                    _lastResult = result
                    _lastError = nil
                }
                backoff = 1
                if let report = result.report {
                    logger.info("reconciled", metadata: ["commit": "\(result.appliedCommit?.prefix(12) ?? "-")",
                                                         "succeeded": "\(report.succeeded.count)", "failed": "\(report.failed.count)"])
                }
                if result.plan.actions.count > 0, !(result.report?.hasFailures ?? false) { wait = 0 }
                // A proof may let a promotion or the next rollout step go on; a health window or a
                // rollout pause that ends before the interval is looked at when it ends.
                if result.proved > 0 || result.targetsPassed > 0 { wait = 0 }
                if let check = result.nextGateCheck { wait = min(wait, max(check.timeIntervalSinceNow, 0.2)) }
            } catch {
                logger.error("reconcile failed", metadata: ["error": "\(error)"])
                lock.withLock { _lastError = "\(error)" }
                wait = min(backoff, interval)
                backoff = min(backoff * 2, 300)
            }
            lock.withLock {
                _lastPassAt = Date()
                _nextPassAt = Date().addingTimeInterval(wait)
            }
            guard wait > 0 else { continue }
            await sleepOrTrigger(seconds: wait)
            lock.withLock { _nextPassAt = nil }
        }
        let waiting = lock.withLock {
            defer { previews = [:]; stopped = true }
            return Array(previews.values)
        }
        for continuation in waiting { continuation.resume(throwing: ControllerError("the controller is shutting down")) }
    }

    /// Sleeps until the interval ends, a reconcile is requested, or shutdown begins.
    private func sleepOrTrigger(seconds: Double) async {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline, !Task.isShuttingDownGracefully, !Task.isCancelled {
            if takeRequest() { return }
            await answerPlanRequests()
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}
