import Actions
import Foundation
import Logging
import Manifests
import Reconcile
import StateStore

/// Runs one backup of a schedule, holding its lock: write the archive (to a temporary name,
/// renamed into place), verify it and write `ARCHIVE.sha256`, apply retention, and record the
/// run (`running`, then its outcome) with its event. Ordered sub-steps; the outcome is always recorded.
public struct BackupRunner: Sendable {
    public let store: any StateStore
    public let context: BackupContext
    public let clock: any BackupClock
    public let logger: Logger

    public init(store: any StateStore, context: BackupContext, clock: any BackupClock = SystemBackupClock(), logger: Logger) {
        self.store = store
        self.context = context
        self.clock = clock
        self.logger = logger
    }

    /// The default for `timeoutSeconds`.
    public static let defaultTimeoutSeconds = 3600

    /// What a target produced, for the event.
    struct Product {
        var archive: String
        var size: Int64
        var note: String
        var data: [String: JSONValue] = [:]
    }

    /// Runs `schedule` (named `name`) for `scheduledFor` — a cron fire time, or `BackupPlanner.manualTime`.
    /// The caller holds `lock`; it is released by the caller after this returns.
    public func run(name: String, schedule: BackupSchedule, scheduledFor: Date, holding lock: BackupLock) async -> BackupRun {
        _ = lock
        let recorder = BackupRecorder(store: store, logger: logger)
        var run = BackupRun(schedule: name, scheduledFor: scheduledFor, startedAt: clock.now(), outcome: "running")
        await recorder.started(run)
        var data: [String: JSONValue] = [:]
        do {
            let product = try await produce(name: name, spec: schedule.spec, startedAt: run.startedAt)
            data = product.data
            run.archive = product.archive
            run.sizeBytes = product.size
            var message = "backup \(name) succeeded: \(product.archive) (\(product.size) bytes)"
            if let checksum = product.data["sha256"]?.string { message += ", verified, sha256 \(checksum)" }
            if case .array(let pruned)? = product.data["pruned"], !pruned.isEmpty {
                message += ", pruned \(pruned.count) old archive\(pruned.count == 1 ? "" : "s")"
            }
            run.outcome = "succeeded"
            run.message = message
        } catch {
            run.outcome = "failed"
            let reason: String
            switch error {
            case is CancellationError: reason = "cancelled: Steward is shutting down"
            case let failure as BackupTargets.CommandFailure:
                reason = failure.message
                data["stdout"] = .string(failure.outcome.stdoutTail)
                data["stderr"] = .string(failure.outcome.stderrTail)
            case let failure as VerificationFailure:
                reason = failure.message
                run.archive = failure.archive
                run.sizeBytes = failure.size
            default: reason = "\(error)"
            }
            run.message = "backup \(name) failed: \(Redactor(secrets: context.secrets).redact(reason))"
        }
        run.finishedAt = clock.now()
        await recorder.finished(run, data: data)
        return run
    }

    /// A verification that failed after the archive was written (the archive stays, without checksum).
    struct VerificationFailure: Error, CustomStringConvertible {
        var message: String
        var archive: String
        var size: Int64
        var description: String { message }
    }

    /// The ordered steps: destination → archive → verify → checksum → retention.
    func produce(name: String, spec: BackupScheduleSpec, startedAt: Date) async throws -> Product {
        let timeout = Double(spec.timeoutSeconds ?? Self.defaultTimeoutSeconds)
        let tools = BackupTools(context: context, timeoutSeconds: timeout)
        let destination = context.resolve(spec.destination)
        do {
            try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        } catch {
            throw BackupError("cannot create the destination \(destination): \(error.localizedDescription)")
        }
        let ext = archiveExtension(spec.target)
        var stamp = startedAt
        var archive = (destination as NSString).appendingPathComponent(BackupArchiveName.make(schedule: name, date: stamp, extension: ext))
        while FileManager.default.fileExists(atPath: archive) {  // two runs within one second
            stamp = stamp.addingTimeInterval(1)
            archive = (destination as NSString).appendingPathComponent(BackupArchiveName.make(schedule: name, date: stamp, extension: ext))
        }
        let fileName = (archive as NSString).lastPathComponent
        let partial = (destination as NSString).appendingPathComponent(".\(fileName).partial")
        try? FileManager.default.removeItem(atPath: partial)
        defer { try? FileManager.default.removeItem(atPath: partial) }

        var data: [String: JSONValue] = [:]
        let note: String
        switch spec.target {
        case .eventLog:
            let scratch = (context.backupsDirectory as NSString).appendingPathComponent("tmp/\(fileName)")
            note = try await BackupTargets.eventLog(context: context, tools: tools, into: partial, scratch: scratch)
        case .stateStore:
            switch context.database {
            case .sqlite(let path): note = try await BackupTargets.sqlite(path: path, into: partial, logger: logger)
            case .postgres(let target): note = try await BackupTargets.postgres(target, tools: tools, into: partial)
            }
        case .command:
            let outcome = try await BackupTargets.command(spec.command ?? [], schedule: name, context: context,
                                                          timeoutSeconds: timeout, into: partial)
            data["stdout"] = .string(outcome.stdoutTail)
            data["stderr"] = .string(outcome.stderrTail)
            note = "command exited 0"
        }
        guard let size = Self.size(partial) else {
            throw BackupError("\(spec.target == .command ? "the command exited 0 but wrote nothing to $STEWARD_BACKUP_DESTINATION" : "no archive was written")")
        }
        do { try FileManager.default.moveItem(atPath: partial, toPath: archive) } catch {
            throw BackupError("cannot move the archive into place at \(archive): \(error.localizedDescription)")
        }
        data["target"] = .string(spec.target.rawValue)
        data["note"] = .string(note)

        if spec.verify == true {
            let expected: BackupVerifier.Format? = switch spec.target {
            case .eventLog: .gzip
            case .stateStore: if case .sqlite = context.database { .sqlite } else { .postgresCustom }
            case .command: nil
            }
            do {
                let checked = try await BackupVerifier(context: context, timeoutSeconds: timeout, logger: logger).verify(archive, expected: expected)
                let checksum = try await BlockingIO.run { [archive] in try FileDigest.sha256(path: archive) }
                try FileDigest.writeChecksumFile(for: archive, hex: checksum)
                data["verification"] = .string(checked)
                data["sha256"] = .string(checksum)
            } catch let error as BackupError {
                throw VerificationFailure(message: error.message, archive: archive, size: size)
            }
        }
        let pruned = BackupRetention.apply(destination: destination, schedule: name, retention: spec.retention, now: clock.now())
        data["pruned"] = .array(pruned.deleted.map(JSONValue.string))
        for problem in pruned.problems { logger.warning("backup retention", metadata: ["schedule": "\(name)", "problem": "\(problem)"]) }
        if !pruned.problems.isEmpty { data["retentionProblems"] = .array(pruned.problems.map(JSONValue.string)) }
        return Product(archive: archive, size: size, note: note, data: data)
    }

    /// `tar.gz`, `sqlite`, `dump` or `backup`.
    func archiveExtension(_ target: BackupScheduleSpec.Target) -> String {
        switch target {
        case .eventLog: "tar.gz"
        case .stateStore: if case .sqlite = context.database { "sqlite" } else { "dump" }
        case .command: "backup"
        }
    }

    /// The size of a non-empty file, else nil.
    static func size(_ path: String) -> Int64? {
        guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber, size.int64Value > 0 else { return nil }
        return size.int64Value
    }
}

extension BackupRunner {
    /// Marks `running` rows of `schedule` as failed: the caller holds the schedule's lock, so no one runs them.
    public func recoverInterrupted(schedule: String, runs: [BackupRun]) async {
        let recorder = BackupRecorder(store: store, logger: logger)
        for var run in runs where run.schedule == schedule && run.outcome == "running" {
            run.outcome = "failed"
            // When it really ended is unknown; its start keeps later fire times from counting as overlapped.
            run.finishedAt = run.startedAt
            run.message = "backup \(schedule) failed: interrupted (Steward stopped while it ran)"
            await recorder.finished(run, data: ["interrupted": .bool(true)], at: clock.now())
        }
    }
}
