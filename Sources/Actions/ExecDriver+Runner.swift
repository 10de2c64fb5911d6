import Foundation

/// Everything needed to run a command once: no shell, exactly this environment and stdin.
struct ExecInvocation: Sendable {
    var executable: String
    var arguments: [String]
    var environment: [String: String]
    var workingDirectory: String
    var stdin: [UInt8]
    var timeoutSeconds: Double
    /// How many bytes of each stream's tail to keep.
    var tailBytes: Int
    /// Stdout up to this size is kept whole, for parsing the JSON reply.
    var captureBytes: Int = 1 << 20
}

/// How one run ended and what it wrote.
struct ExecRunResult: Sendable {
    enum Termination: Sendable, Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    var termination: Termination
    /// The whole stdout when it fit in `captureBytes`, else nil.
    var stdout: [UInt8]?
    var stdoutTail: [UInt8]
    var stdoutTruncated: Bool
    var stderrTail: [UInt8]
    var stderrTruncated: Bool
    var timedOut: Bool
    var cancelled: Bool
    var processIdentifier: Int32
}

/// Set from a task cancellation handler, read by the thread that watches the process.
final class ExecCancelFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false

    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

/// The last `limit` bytes of a stream, plus the whole stream while it stays under `captureLimit`.
struct OutputBuffer {
    let tailLimit: Int
    let captureLimit: Int
    private(set) var captured: [UInt8] = []
    private var tailStorage: [UInt8] = []
    private(set) var total = 0

    init(tailLimit: Int, captureLimit: Int) {
        self.tailLimit = tailLimit
        self.captureLimit = captureLimit
    }

    mutating func append(_ chunk: ArraySlice<UInt8>) {
        total += chunk.count
        if total <= captureLimit { captured.append(contentsOf: chunk) } else if !captured.isEmpty { captured = [] }
        tailStorage.append(contentsOf: chunk)
        if tailStorage.count > 2 * tailLimit + 65_536 { tailStorage.removeFirst(tailStorage.count - tailLimit) }
    }

    var tail: [UInt8] { Array(tailStorage.suffix(tailLimit)) }
    var isTruncated: Bool { total > tailLimit }
    var whole: [UInt8]? { total <= captureLimit ? captured : nil }
}

/// Runs a command with Foundation `Process` on a dedicated thread: writes stdin, reads stdout and
/// stderr concurrently (one `poll` loop, so no pipe can fill up and block the child), and
/// enforces the timeout and task cancellation with SIGTERM, a 2 s grace, then SIGKILL — sent to
/// the child's process group so the script's own children go too.
enum ExecRunner {
    static let killGrace: Duration = .seconds(2)
    /// util-linux's `setpriv --pdeathsig KILL --`, through which commands start so that they die with
    /// the controller (DESIGN §5): the kernel kills the command when the thread that started it ends,
    /// and that thread (this runner's own) lives exactly as long as the command — so a killed
    /// controller leaves no script running beside its successor. Without setpriv, commands start directly.
    static let deathSignalWrapper: String? = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }
    /// How long to keep reading after the command exited while something it started holds the pipes.
    static let drainGrace: Duration = .seconds(2)

    /// Runs the command; a start that failed with ETXTBSY is tried again, at most four times.
    /// A script written just before (a checkout) can be "busy" for a moment: another thread's fork
    /// holds its write descriptor until that child execs. The command never started, so nothing ran twice.
    static func run(_ invocation: ExecInvocation) async throws -> ExecRunResult {
        var attempt = 0
        while true {
            let result = try await runOnce(invocation)
            guard attempt < 4, neverStarted(result) else { return result }
            attempt += 1
            try await Task.sleep(for: .milliseconds(20 << attempt))
        }
    }

    /// setpriv could not execute the command because its file was open for writing (ETXTBSY).
    static func neverStarted(_ result: ExecRunResult) -> Bool {
        guard result.termination == .exited(126), result.stdoutTail.isEmpty, !result.timedOut else { return false }
        let stderr = String(decoding: result.stderrTail, as: UTF8.self)
        return stderr.hasPrefix("setpriv: failed to execute") && stderr.contains("Text file busy")
    }

    private static func runOnce(_ invocation: ExecInvocation) async throws -> ExecRunResult {
        try Task.checkCancellation()
        let flag = ExecCancelFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<ExecRunResult, any Error>) in
                let thread = Thread {
                    continuation.resume(with: Result { try runBlocking(invocation, cancel: flag) })
                }
                thread.name = "steward-exec"
                thread.start()
            }
        } onCancel: {
            flag.set()
        }
    }

    /// The blocking part, on its own thread.
    static func runBlocking(_ invocation: ExecInvocation, cancel: ExecCancelFlag) throws -> ExecRunResult {
        let process = Process()
        if let wrapper = deathSignalWrapper {
            guard access(invocation.executable, X_OK) == 0 else {
                throw DriverError("cannot run \(invocation.executable): \(String(cString: strerror(errno)))", transient: false)
            }
            process.executableURL = URL(fileURLWithPath: wrapper)
            process.arguments = ["--pdeathsig", "KILL", "--", invocation.executable] + invocation.arguments
        } else {
            process.executableURL = URL(fileURLWithPath: invocation.executable)
            process.arguments = invocation.arguments
        }
        process.environment = invocation.environment
        process.currentDirectoryURL = URL(fileURLWithPath: invocation.workingDirectory, isDirectory: true)
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        let exited = ExecCancelFlag()
        process.terminationHandler = { _ in exited.set() }
        if cancel.isSet { throw CancellationError() }
        // `Process` hands the spawning thread's signal mask to the child, and this thread inherits
        // the mask of a concurrency worker (nearly every signal blocked, SIGTERM included): clear
        // it for the spawn so the command can be stopped gently. Then, writing to a command that
        // stopped reading must fail with EPIPE, not kill the controller: block SIGPIPE on this
        // thread only, and take back a SIGPIPE the writes raised before returning. Left pending
        // on a thread that lives on (`ProcessRunner.capture` runs on its caller's), it would be
        // delivered when the next spawn there clears the mask, and end the process.
        discardPendingSIGPIPE()
        let spawnMask = unblockSignalsForSpawn()
        do {
            try process.run()
        } catch {
            restoreSignals(spawnMask)
            throw DriverError("cannot run \(invocation.executable): \(error.localizedDescription)", transient: false)
        }
        restoreSignals(spawnMask)
        defer { discardPendingSIGPIPE() }

        let pid = process.processIdentifier
        let inFD = input.fileHandleForWriting.fileDescriptor
        let outFD = output.fileHandleForReading.fileDescriptor
        let errFD = errors.fileHandleForReading.fileDescriptor
        for fd in [inFD, outFD, errFD] { setNonBlocking(fd) }

        var stdinOpen = true, stdoutOpen = true, stderrOpen = true
        func closeStdin() {
            if stdinOpen { try? input.fileHandleForWriting.close() }
            stdinOpen = false
        }
        defer {
            closeStdin()
            try? output.fileHandleForReading.close()
            try? errors.fileHandleForReading.close()
        }
        if invocation.stdin.isEmpty { closeStdin() }

        var stdout = OutputBuffer(tailLimit: invocation.tailBytes, captureLimit: invocation.captureBytes)
        var stderr = OutputBuffer(tailLimit: invocation.tailBytes, captureLimit: 0)
        var stdinOffset = 0
        var scratch = [UInt8](repeating: 0, count: 65_536)
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(max(0, invocation.timeoutSeconds))
        var terminatedAt: ContinuousClock.Instant?
        var killed = false, timedOut = false, cancelled = false
        var exitedAt: ContinuousClock.Instant?

        while true {
            var fds: [pollfd] = []
            if stdoutOpen { fds.append(pollfd(fd: outFD, events: Int16(POLLIN), revents: 0)) }
            if stderrOpen { fds.append(pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)) }
            if stdinOpen { fds.append(pollfd(fd: inFD, events: Int16(POLLOUT), revents: 0)) }
            if fds.isEmpty {
                usleep(5_000)
            } else {
                _ = poll(&fds, nfds_t(fds.count), 50)
            }
            for entry in fds where entry.revents != 0 {
                if entry.fd == outFD {
                    stdoutOpen = drain(outFD, into: &stdout, scratch: &scratch)
                } else if entry.fd == errFD {
                    stderrOpen = drain(errFD, into: &stderr, scratch: &scratch)
                } else if entry.fd == inFD {
                    if writeSome(inFD, invocation.stdin, offset: &stdinOffset) == false { closeStdin() }
                }
            }

            let now = clock.now
            if exitedAt == nil && exited.isSet { exitedAt = now }
            if let exitedAt {
                closeStdin()
                if !stdoutOpen && !stderrOpen { break }
                if now - exitedAt > drainGrace { break }
                continue
            }
            if let terminatedAt {
                if !killed && now - terminatedAt >= killGrace {
                    signalGroup(pid, SIGKILL)
                    killed = true
                }
            } else if cancel.isSet || now >= deadline {
                cancelled = cancel.isSet
                timedOut = !cancelled
                signalGroup(pid, SIGTERM)
                terminatedAt = now
            }
        }
        process.waitUntilExit()
        if timedOut || cancelled, !killed { _ = kill(-pid, SIGKILL) }  // leftovers in the group, if any

        let termination: ExecRunResult.Termination = process.terminationReason == .uncaughtSignal
            ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
        return ExecRunResult(termination: termination, stdout: stdout.whole, stdoutTail: stdout.tail,
                             stdoutTruncated: stdout.isTruncated, stderrTail: stderr.tail,
                             stderrTruncated: stderr.isTruncated, timedOut: timedOut, cancelled: cancelled,
                             processIdentifier: pid)
    }

    /// Reads what is available; returns false at end of file or on an error.
    /// Bounded per call so a chatty command cannot starve the timeout check.
    static func drain(_ fd: Int32, into buffer: inout OutputBuffer, scratch: inout [UInt8]) -> Bool {
        for _ in 0..<16 {
            let count = scratch.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
            if count > 0 {
                buffer.append(scratch[0..<count])
                continue
            }
            if count == 0 { return false }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return true
            default: return false
            }
        }
        return true
    }

    /// Writes what the pipe takes; returns false when stdin is done (all written, or the
    /// command closed its end).
    static func writeSome(_ fd: Int32, _ bytes: [UInt8], offset: inout Int) -> Bool {
        while offset < bytes.count {
            let count = bytes.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if count > 0 {
                offset += count
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return true
            default: return false  // EPIPE: the command does not read stdin
            }
        }
        return false
    }

    /// Sends `signal` to the child's process group, or to the child alone when it has none.
    static func signalGroup(_ pid: Int32, _ signal: Int32) {
        guard pid > 0 else { return }
        if kill(-pid, signal) != 0 { _ = kill(pid, signal) }
    }

    static func setNonBlocking(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        if flags >= 0 { _ = fcntl(fd, F_SETFL, flags | O_NONBLOCK) }
    }

    /// Unblocks every signal on this thread except SIGCHLD (which `Process` watches); returns
    /// the previous mask.
    static func unblockSignalsForSpawn() -> sigset_t {
        var previous = sigset_t(), clean = sigset_t()
        sigemptyset(&clean)
        sigaddset(&clean, SIGCHLD)
        pthread_sigmask(SIG_SETMASK, &clean, &previous)
        return previous
    }

    /// Takes a SIGPIPE pending on this thread (or the process), where SIGPIPE is blocked, so that
    /// unblocking it later does not deliver it.
    static func discardPendingSIGPIPE() {
        var pending = sigset_t(), blocked = sigset_t()
        sigpending(&pending)
        pthread_sigmask(SIG_SETMASK, nil, &blocked)
        guard sigismember(&pending, SIGPIPE) == 1, sigismember(&blocked, SIGPIPE) == 1 else { return }
        var only = sigset_t()
        sigemptyset(&only)
        sigaddset(&only, SIGPIPE)
        var now = timespec(tv_sec: 0, tv_nsec: 0)
        _ = sigtimedwait(&only, nil, &now)
    }

    /// Restores the thread's mask and blocks SIGPIPE on it.
    static func restoreSignals(_ previous: sigset_t) {
        var mask = previous
        sigaddset(&mask, SIGPIPE)
        pthread_sigmask(SIG_SETMASK, &mask, nil)
    }
}

/// A command for `ProcessRunner`: no shell, exactly this environment, killed after the timeout.
public struct ProcessRequest: Sendable {
    /// An absolute path to the executable.
    public var executable: String
    public var arguments: [String]
    /// The whole environment of the child (nothing is inherited).
    public var environment: [String: String]
    public var workingDirectory: String
    public var stdin: [UInt8]
    public var timeoutSeconds: Double
    /// Values replaced by `[redacted]` in the output tails.
    public var secrets: [String]
    /// How many bytes of each stream's tail to keep.
    public var tailBytes: Int

    public init(executable: String, arguments: [String] = [], environment: [String: String], workingDirectory: String,
                stdin: [UInt8] = [], timeoutSeconds: Double, secrets: [String] = [], tailBytes: Int = 4096) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.stdin = stdin
        self.timeoutSeconds = timeoutSeconds
        self.secrets = secrets
        self.tailBytes = tailBytes
    }
}

/// How a `ProcessRunner` run ended, with redacted output tails.
public struct ProcessOutcome: Sendable, Hashable {
    /// The exit code, nil when the command was killed by a signal.
    public var exitCode: Int32?
    public var signal: Int32?
    public var timedOut: Bool
    /// The redacted last `tailBytes` of stdout and stderr, starting on a character boundary.
    public var stdoutTail: String
    public var stderrTail: String

    /// Exited 0 in time.
    public var succeeded: Bool { exitCode == 0 && !timedOut }

    /// The last non-empty line of stderr (else stdout), at most 500 characters, for one-line errors.
    public var lastLine: String? {
        for text in [stderrTail, stdoutTail] {
            if let line = text.split(whereSeparator: \.isNewline).last?.trimmingCharacters(in: .whitespaces), !line.isEmpty {
                return line.count > 500 ? String(line.suffix(500)) : line
            }
        }
        return nil
    }
}

/// The public entry point to the exec driver's runner (used by the backup scheduler): no shell,
/// concurrent pipe draining, timeout and task cancellation with SIGTERM, grace, then SIGKILL to the
/// process group.
public enum ProcessRunner {
    /// Runs `request`; throws `DriverError` when the command cannot be started and
    /// `CancellationError` when the task was cancelled (the command is killed first).
    public static func run(_ request: ProcessRequest) async throws -> ProcessOutcome {
        let redactor = Redactor(secrets: request.secrets)
        let invocation = ExecInvocation(
            executable: request.executable, arguments: request.arguments, environment: request.environment,
            workingDirectory: request.workingDirectory, stdin: request.stdin, timeoutSeconds: request.timeoutSeconds,
            tailBytes: request.tailBytes + redactor.longestSecretBytes, captureBytes: 0)
        let result = try await ExecRunner.run(invocation)
        if result.cancelled { throw CancellationError() }
        func tail(_ bytes: [UInt8], truncated: Bool) -> String {
            var slice = redactor.redact(bytes: bytes, cutAtStart: truncated).suffix(request.tailBytes)
            while let first = slice.first, first & 0xC0 == 0x80 { slice = slice.dropFirst() }
            return String(decoding: slice, as: UTF8.self)
        }
        var outcome = ProcessOutcome(exitCode: nil, signal: nil, timedOut: result.timedOut,
                                     stdoutTail: tail(result.stdoutTail, truncated: result.stdoutTruncated),
                                     stderrTail: tail(result.stderrTail, truncated: result.stderrTruncated))
        switch result.termination {
        case .exited(let code): outcome.exitCode = code
        case .signalled(let signal): outcome.signal = signal
        }
        return outcome
    }
}
