import Foundation

/// Runs the built `steward` executable as a user would, capturing its output and exit code.
public enum StewardProcess {
    /// What one run printed and how it exited.
    public struct Result: Sendable {
        public var exitCode: Int32
        public var stdout: String
        public var stderr: String
        /// User plus system CPU time the run used.
        public var cpuSeconds: Double = 0
        /// How long the process ran (see `Subprocess.Output.wallSeconds`).
        public var wallSeconds: Double = 0
    }

    /// The `steward` binary next to the test bundle (`swift build --build-tests` builds it).
    public static var executable: URL {
        get throws {
            var candidates: [URL] = []
            if let argument = CommandLine.arguments.first {
                var directory = URL(fileURLWithPath: argument).deletingLastPathComponent()
                for _ in 0..<4 {
                    candidates.append(directory.appendingPathComponent("steward"))
                    directory = directory.deletingLastPathComponent()
                }
            }
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            candidates.append(root.appendingPathComponent(".build/debug/steward"))
            if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) { return found }
            throw ProcessFailure(message: "steward binary not found (looked in \(candidates.map(\.path))); run swift build --build-tests")
        }
    }

    /// Runs `steward ARGS` in `directory` with extra environment variables, no shell. Blocks the
    /// calling thread but never depends on the concurrency pool (see `Subprocess`).
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
                           stdin: String? = nil) throws -> Result {
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        let output = try Subprocess.run(try executable.path, arguments, in: directory, environment: env, stdin: stdin)
        return Result(exitCode: output.status, stdout: output.stdout, stderr: output.stderr, cpuSeconds: output.cpuSeconds,
                      wallSeconds: output.wallSeconds)
    }

    /// `run` on a thread of its own: for a child that talks to a server in this test process, whose
    /// handlers need the concurrency pool that blocking waits would hold.
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
                           stdin: String? = nil) async throws -> Result {
        let result: Swift.Result<Result, any Error> = await Subprocess.offPool {
            Swift.Result { try run(arguments, in: directory, environment: environment, stdin: stdin) }
        }
        return try result.get()
    }

    /// The package root (for examples and fixtures).
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// A helper process failed.
public struct ProcessFailure: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
