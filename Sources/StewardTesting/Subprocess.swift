import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A child process started with `posix_spawn`, its output sent to files and its end collected
/// with `waitpid`. Nothing here goes through a dispatch queue or a run loop, so waiting for a child
/// never depends on the Swift concurrency pool. (Foundation's `Process` learns of an exit on a
/// dispatch queue; with every pool thread blocked in parallel tests' waits, nobody learns it.)
public final class Subprocess: @unchecked Sendable {
    /// How one finished run ended and what it printed.
    public struct Output: Sendable {
        /// The exit code, or 128 + the signal number when a signal ended it.
        public var status: Int32
        public var stdout: String
        public var stderr: String
        /// User plus system CPU time the child used.
        public var cpuSeconds: Double = 0
        /// From the spawn to the child's end, measured on the waiting thread (so a busy concurrency
        /// pool in the test process, which delays resuming the caller, is not counted).
        public var wallSeconds: Double = 0
    }

    public let pid: pid_t
    private let lock = NSLock()
    private var reaped: Int32?
    /// User plus system CPU time of the child, once it has ended.
    public private(set) var cpuSeconds: Double = 0

    /// Starts `executable ARGS` in `directory` with exactly `environment`; stdin reads `stdin`
    /// (or nothing), stdout and stderr are appended to the given files.
    public init(_ executable: String, _ arguments: [String], in directory: String? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                stdin: String? = nil, stdout: String, stderr: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var input = "/dev/null"
        if let stdin {
            input = NSTemporaryDirectory() + "steward-stdin-\(UUID().uuidString)"
            try Data(stdin.utf8).write(to: URL(fileURLWithPath: input))
        }
        defer { if stdin != nil { try? FileManager.default.removeItem(atPath: input) } }
        posix_spawn_file_actions_addopen(&actions, 0, input, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        // Only 0, 1 and 2 reach the child: a descriptor another test thread has open at this moment
        // (say, a script it is writing) must not stay open in a child, where exec'ing that script
        // elsewhere would fail with "Text file busy".
        if let closeFrom = Self.addCloseFrom { _ = closeFrom(&actions, 3) }
        if let directory {
            guard let chdir = Self.addChdir else { throw ProcessFailure(message: "posix_spawn cannot change directory here") }
            _ = directory.withCString { chdir(&actions, $0) }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with no signal blocked and default handlers (the test process may block some).
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child = pid_t()
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw ProcessFailure(message: "cannot start \(executable): \(String(cString: strerror(result)))") }
        pid = child
    }

    deinit {
        if isRunning {
            kill(pid, SIGCONT)
            kill(pid, SIGKILL)
            _ = waitBlocking()
        }
    }

    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29), which the Glibc module does not declare.
    private static let addChdir: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addchdir_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, UnsafePointer<CChar>) -> Int32).self)
    }()

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34), which the Glibc module does not declare.
    private static let addCloseFrom: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
    }()

    public func signal(_ number: Int32) { kill(pid, number) }

    /// Whether the child still runs (collects its status when it has ended).
    public var isRunning: Bool { collect(options: WNOHANG) == nil }

    /// Blocks the calling thread until the child ends; its status (see `Output.status`).
    public func waitBlocking() -> Int32 {
        while true {
            if let status = collect(options: WNOHANG) { return status }
            usleep(5_000)
        }
    }

    /// Waits on a thread of its own, leaving the concurrency pool free.
    public func wait() async -> Int32 {
        await Self.offPool { self.waitBlocking() }
    }

    private func collect(options: Int32) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        if let reaped { return reaped }
        var raw: Int32 = 0
        var usage = rusage()
        let result = wait4(pid, &raw, options, &usage)
        if result == 0 || (result == -1 && errno == EINTR) { return nil }
        guard result == pid else { reaped = -1; return reaped }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
        cpuSeconds = seconds(usage.ru_utime) + seconds(usage.ru_stime)
        // WIFEXITED / WEXITSTATUS / WTERMSIG are macros Swift does not import.
        let signal = raw & 0x7f
        reaped = signal == 0 ? (raw >> 8) & 0xff : 128 + signal
        return reaped
    }

    /// Runs `body` on a new thread and resumes when it returns.
    public static func offPool<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: body()) }
        }
    }

    /// Runs `executable ARGS` to its end and returns what it printed, blocking the calling thread.
    public static func run(_ executable: String, _ arguments: [String], in directory: String? = nil,
                           environment: [String: String] = ProcessInfo.processInfo.environment,
                           stdin: String? = nil) throws -> Output {
        let base = NSTemporaryDirectory() + "steward-subprocess-\(UUID().uuidString)"
        defer { for suffix in [".out", ".err"] { try? FileManager.default.removeItem(atPath: base + suffix) } }
        let started = ContinuousClock.now
        let child = try Subprocess(executable, arguments, in: directory, environment: environment, stdin: stdin,
                                   stdout: base + ".out", stderr: base + ".err")
        let status = child.waitBlocking()
        let wall = ContinuousClock.now - started
        func read(_ suffix: String) -> String {
            String(decoding: FileManager.default.contents(atPath: base + suffix) ?? Data(), as: UTF8.self)
        }
        return Output(status: status, stdout: read(".out"), stderr: read(".err"), cpuSeconds: child.cpuSeconds,
                      wallSeconds: Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18)
    }

    /// `run` on a thread of its own, leaving the concurrency pool free.
    public static func run(_ executable: String, _ arguments: [String], in directory: String? = nil,
                           environment: [String: String] = ProcessInfo.processInfo.environment,
                           stdin: String? = nil) async throws -> Output {
        let result: Result<Output, any Error> = await offPool {
            Result { try run(executable, arguments, in: directory, environment: environment, stdin: stdin) }
        }
        return try result.get()
    }
}
