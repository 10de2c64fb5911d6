import Foundation

/// What a short tool run printed, whole (stdout up to 1 MiB, stderr's last 4 KiB).
public struct CapturedRun: Sendable {
    /// The exit code; nil when the tool was killed by a signal or timed out.
    public var exitCode: Int32?
    public var stdout: String
    public var stderr: String

    /// The last non-empty line of stderr (else stdout), for one-line errors.
    public var lastLine: String {
        for text in [stderr, stdout] {
            if let line = text.split(whereSeparator: \.isNewline).last?.trimmingCharacters(in: .whitespaces), !line.isEmpty {
                return String(line.prefix(300))
            }
        }
        return exitCode.map { "exited with code \($0)" } ?? "killed"
    }
}

extension ProcessRunner {
    /// Runs a short tool (`ssh-keygen`, `gpgv`) to its end on the calling thread, through the same
    /// runner as exec commands (no shell, exactly `environment`, killed after `timeoutSeconds`).
    /// For callers already off the concurrency pool (a reconcile pass, a command-line tool).
    public static func capture(_ executable: String, _ arguments: [String], stdin: [UInt8] = [],
                               environment: [String: String], workingDirectory: String = "/",
                               timeoutSeconds: Double = 30) throws -> CapturedRun {
        let invocation = ExecInvocation(executable: executable, arguments: arguments, environment: environment,
                                        workingDirectory: workingDirectory, stdin: stdin, timeoutSeconds: timeoutSeconds,
                                        tailBytes: 4096, captureBytes: 1 << 20)
        let result = try ExecRunner.runBlocking(invocation, cancel: ExecCancelFlag())
        var exitCode: Int32?
        if case .exited(let code) = result.termination, !result.timedOut { exitCode = code }
        return CapturedRun(exitCode: exitCode, stdout: String(decoding: result.stdout ?? result.stdoutTail, as: UTF8.self),
                           stderr: String(decoding: result.stderrTail, as: UTF8.self))
    }
}
