import ArgumentParser
import Controller
import Foundation
import Logging
import Manifests
import Reconcile
import ServiceLifecycle
import StateStore

/// `steward run [--config FILE] [--once] [--timeout 15m]`.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the controller: reconcile every source.interval, or until converged with --once.")

    @OptionGroup var configOption: ConfigOption

    @Flag(help: "Reconcile until a pass plans no action (at most 10 passes), then exit.")
    var once = false

    @Option(help: "With --once: give up after this long (e.g. 15m).")
    var timeout: String = "15m"

    @Option(help: "Log format: json or text (default: json unless stderr is a terminal).")
    var logFormat: String?

    func validate() throws {
        if ControllerConfig.seconds(timeout) == nil { throw ValidationError("--timeout takes a duration like 15m, got '\(timeout)'") }
        if let logFormat, LogFormat(rawValue: logFormat) == nil { throw ValidationError("--log-format takes json or text, got '\(logFormat)'") }
    }

    func run() async throws {
        let settings = try configOption.load()
        // A verify policy that cannot work, or commits of its own that its check would refuse: one line, before anything starts.
        do {
            _ = try CommitVerifier.configured(settings)
            _ = try CommitSigning.signer(settings)
        } catch let error as ControllerError {
            throw CLIError(error.message)
        }
        let format = logFormat.flatMap(LogFormat.init(rawValue:)) ?? .automatic
        format.bootstrap(level: once ? .warning : .info)
        let logger = Logger(label: "steward")
        let lock = try settings.leaderLockPath().map { try LeaderLock(path: $0) }
        defer { _ = lock }
        let store = try await settings.openStore()
        let election = LeaderElection.make(for: store, leaseSeconds: settings.config.leaderElection?.leaseSeconds ?? 10,
                                           logger: logger, onChange: { ReconcileMetrics.recordLeader($0) })
        let reconciler = Reconciler(settings: settings, store: store, logger: logger)
        if once {
            let seconds = ControllerConfig.seconds(timeout) ?? 900
            let campaign = election.map { election in Task { await election.run() } }
            do {
                if let election { try await waitForLeadership(election, seconds: seconds) }
                try await runOnce(reconciler, seconds: seconds)
            } catch {
                campaign?.cancel()
                await campaign?.value
                try? await store.close()
                throw error
            }
            campaign?.cancel()
            await campaign?.value
            try? await store.close()
            return
        }
        let service = ReconcileService(reconciler: reconciler, interval: settings.interval, logger: logger, leadership: election)
        let others = try await sideServices(settings: settings, store: store, reconcile: service, logger: logger)
        // Services stop in reverse order: the election last, so the lease is given up after the last pass.
        let services: [any Service] = (election.map { [ElectionService(election: $0)] } ?? []) + [service] + others
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) },
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        try? await store.close()
    }

    /// `run --once` with PostgreSQL: waits as a standby until this replica leads, within the timeout.
    private func waitForLeadership(_ election: LeaderElection, seconds: Double) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        var said = false
        while !election.isLeader {
            guard Date() < deadline else {
                let holder = (try? await election.lease())??.holder ?? "another replica"
                throw CLIError("timed out after \(timeout) waiting for the leadership held by \(holder)")
            }
            if !said, let lease = try? await election.lease(), lease.isLive {
                Terminal.standardError("standby: \(lease.holder) leads (lease epoch \(lease.epoch)); waiting")
                said = true
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// One pass, cancelled at `deadline` (the actions in flight record their outcome as cancelled).
    private static func pass(_ reconciler: Reconciler, until deadline: Date, timeout: String) async throws -> Reconciler.PassResult {
        // Only the child uses the reconciler while the parent waits for it: no concurrent access.
        nonisolated(unsafe) let reconciler = reconciler
        return try await withThrowingTaskGroup(of: Reconciler.PassResult?.self) { group in
            group.addTask { try await reconciler.pass() }
            group.addTask {
                try await Task.sleep(for: .seconds(max(0, deadline.timeIntervalSinceNow)))
                return nil
            }
            defer { group.cancelAll() }
            guard let result = try await group.next()!, !Task.isCancelled else {
                group.cancelAll()
                _ = try? await group.next()   // the pass ends and records what it was doing
                throw CLIError("timed out after \(timeout) without converging")
            }
            return result
        }
    }

    private func runOnce(_ reconciler: Reconciler, seconds: Double) async throws {
        let deadline = Date().addingTimeInterval(seconds)
        var failed = false
        var last: Reconciler.PassResult?
        var number = 0
        var waitingUntil: Date?
        // Passes that took a rollout a step on: progress, not retries (see below).
        var progress = 0
        while number - progress < 10 {
            guard Date() < deadline else { throw CLIError("timed out after \(timeout) without converging") }
            let result = try await Self.pass(reconciler, until: deadline, timeout: timeout)
            number += 1
            last = result
            let report = result.report
            let applied = result.appliedCommit.map { String($0.prefix(12)) } ?? "none"
            // While a health window runs, a pass that planned nothing is said once, not every few seconds.
            let quietWait = result.plan.actions.isEmpty && result.nextGateCheck != nil && result.nextGateCheck == waitingUntil
            if !quietWait {
                Terminal.standardError("pass \(number): commit \(applied): \(result.plan.actions.count) action\(result.plan.actions.count == 1 ? "" : "s")"
                    + (report.map { " (\($0.succeeded.count) succeeded, \($0.skipped.count) already done, \($0.failed.count) failed)" } ?? ""))
            }
            for step in result.rolloutSteps { Terminal.standardError("  rollout: \(step)") }
            for failure in report?.failed ?? [] {
                Terminal.standardError("  failed: \(failure.action.key.resource)\(failure.action.key.environment.map { " in \($0)" } ?? ""): \(failure.message)")
            }
            if report?.hasFailures == true { failed = true }
            if number == 1, !result.validationErrors.isEmpty, let head = result.commit {
                let count = result.validationErrors.count
                Terminal.standardError("commit \(head.prefix(12)) was not applied: \(count) validation error\(count == 1 ? "" : "s")")
                for error in result.validationErrors { Terminal.standardError("  \(error)") }
            }
            if !result.validationErrors.isEmpty { failed = true }
            for failure in result.gateFailures { Terminal.standardError("  gate failed: \(failure)") }
            if result.proved > 0 { Terminal.standardError("  gates passed: \(result.proved) version\(result.proved == 1 ? "" : "s") proven") }
            if !result.gateFailures.isEmpty { failed = true }
            if report?.hasFailures == true { break }
            if result.plan.actions.isEmpty {
                // A health window that ended proved a version, or passed a rollout step's targets: the
                // next pass may promote it onwards or start the next step.
                if result.targetsPassed > 0 { progress += 1 }
                if result.proved > 0 || result.targetsPassed > 0, number - progress < 10 { continue }
                // Converged, unless a health window still runs: wait for it without counting passes.
                guard let check = result.nextGateCheck else { break }
                let wait = min(max(check.timeIntervalSinceNow, 0.2), 5, max(deadline.timeIntervalSinceNow, 0))
                if check != waitingUntil { Terminal.standardError("  waiting for health gates (until \(CanonicalJSON.timestamp(check)))") }
                waitingUntil = check
                try await Task.sleep(for: .seconds(wait))
                number -= 1
                continue
            }
            // A pass that took a rollout a step on is progress, not a retry: a rollout of many steps
            // does not run out of passes (each such pass passes at least one target's gates).
            if result.targetsPassed > 0 { progress += 1 }
            if number - progress == 10 { throw CLIError("did not converge in 10 passes") }
        }
        // One line per resource and reason: a Deployment waiting on twelve Targets is one line.
        var lines: [(line: String, count: Int)] = []
        for item in last?.plan.blocked ?? [] {
            let line = "blocked: \(item.key.resource)\(item.key.environment.map { " in \($0)" } ?? ""): \(item.reason)"
            if let index = lines.firstIndex(where: { $0.line == line }) { lines[index].count += 1 } else { lines.append((line, 1)) }
        }
        for (line, count) in lines { Terminal.standardError(count > 1 ? "\(line) (\(count) targets)" : line) }
        if failed { throw CLIError.silentFailure }
    }
}
