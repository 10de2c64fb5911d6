import Foundation

/// Runs the built `steward` executable as a user would, capturing its output and exit code.
public enum StewardProcess {
    /// What one run printed and how it exited.
    public struct Result: Sendable {
        public var exitCode: Int32
        public var stdout: String
        public var stderr: String
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

    /// Runs `steward ARGS` in `directory` with extra environment variables, no shell.
    public static func run(_ arguments: [String], in directory: String? = nil, environment: [String: String] = [:],
                           stdin: String? = nil) throws -> Result {
        let process = Process()
        process.executableURL = try executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        var env = ProcessInfo.processInfo.environment
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try? input.fileHandleForWriting.close()
        // Read both pipes concurrently so a full pipe never blocks the child.
        let group = DispatchGroup()
        nonisolated(unsafe) var outData = Data(), errData = Data()
        group.enter()
        DispatchQueue.global().async { outData = out.fileHandleForReading.readDataToEndOfFile(); group.leave() }
        errData = err.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return Result(exitCode: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
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
