import Actions
import Foundation

/// The system tools a backup uses (`tar`, `gzip`, `pg_dump`, `pg_restore`), found in the
/// context's `PATH` and run through the exec driver's runner: no shell, timeout, redacted tails.
struct BackupTools: Sendable {
    let environment: [String: String]
    let secrets: [String]
    let timeoutSeconds: Double

    init(context: BackupContext, timeoutSeconds: Double) {
        environment = context.environment
        secrets = context.secrets
        self.timeoutSeconds = timeoutSeconds
    }

    /// The absolute path of `name` in `PATH`, or nil.
    func locate(_ name: String) -> String? {
        for folder in (environment["PATH"] ?? "").split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// The path of `name`, or a one-line error saying what to install.
    func require(_ name: String, install hint: String) throws -> String {
        guard let path = locate(name) else {
            throw BackupError("\(name) not found in PATH (\(environment["PATH"] ?? "")): \(hint)")
        }
        return path
    }

    /// Runs a tool; throws a one-line `BackupError` unless it exits 0 in time.
    @discardableResult
    func run(_ name: String, _ arguments: [String], install hint: String, extraEnvironment: [String: String] = [:],
             workingDirectory: String = "/") async throws -> ProcessOutcome {
        let executable = try require(name, install: hint)
        var env = environment
        env.merge(extraEnvironment) { $1 }
        let outcome: ProcessOutcome
        do {
            outcome = try await ProcessRunner.run(ProcessRequest(
                executable: executable, arguments: arguments, environment: env, workingDirectory: workingDirectory,
                timeoutSeconds: timeoutSeconds, secrets: secrets))
        } catch let error as DriverError {
            throw BackupError(error.message)
        }
        try Self.check(outcome, name: name, timeoutSeconds: timeoutSeconds, explain: true)
        return outcome
    }

    /// The line of a tool's stderr that says what went wrong: the last one that is not a generic
    /// epilogue ("Error is not recoverable", "Exiting with failure status"), without the tool's path prefix.
    static func reason(_ stderr: String) -> String? {
        let lines = stderr.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        let epilogues = ["Error is not recoverable", "Exiting with failure status", "Child returned status"]
        guard let line = lines.last(where: { line in !epilogues.contains { line.contains($0) } }) ?? lines.last else { return nil }
        return line.count > 500 ? String(line.suffix(500)) : line
    }

    /// Throws the one-line error for a run that did not exit 0 in time.
    static func check(_ outcome: ProcessOutcome, name: String, timeoutSeconds: Double, explain: Bool = false) throws {
        if outcome.timedOut { throw BackupError("\(name) timed out after \(seconds(timeoutSeconds)) s and was terminated") }
        let detail = ((explain ? reason(outcome.stderrTail) : nil) ?? outcome.lastLine).map { ": \($0)" } ?? ""
        if let signal = outcome.signal { throw BackupError("\(name) was killed by signal \(signal)\(detail)") }
        if let code = outcome.exitCode, code != 0 { throw BackupError("\(name) exited with code \(code)\(detail)") }
    }

    static func seconds(_ value: Double) -> String {
        value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    static let tarHint = "install tar and gzip"
    static let postgresHint = "install the PostgreSQL client tools (e.g. apt-get install postgresql-client) to back up a PostgreSQL store"
}
