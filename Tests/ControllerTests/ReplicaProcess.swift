import Foundation
import StewardTesting
import Testing

/// One `steward run` process (not `--once`) of a workspace, with its HTTP server on a port it reports.
final class ReplicaProcess {
    private let fleet: FleetWorkspace
    private(set) var process: Subprocess?
    let log: String
    private(set) var port = 0

    init(_ fleet: FleetWorkspace, name: String) throws {
        self.fleet = fleet
        log = fleet.path + "/\(name).log"
        FileManager.default.createFile(atPath: log, contents: nil)
    }

    var pid: Int32 { process?.pid ?? 0 }
    var isRunning: Bool { process?.isRunning ?? false }
    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    /// Waits (off the concurrency pool) until the process ends; its exit status.
    func exitStatus() async -> Int32 { await process?.wait() ?? -1 }

    /// Starts the process and waits until it reports the port it serves HTTP on.
    func start() async throws {
        let process = try Subprocess(try StewardProcess.executable.path, ["run", "--log-format", "json"], in: fleet.path,
                                     stdout: log, stderr: log)
        self.process = process
        for _ in 0..<600 where port == 0 {
            try await Task.sleep(for: .milliseconds(100))
            if let range = output.range(of: #""port":"[0-9]+""#, options: .regularExpression) {
                port = Int(output[range].dropFirst(8).dropLast()) ?? 0
            }
            if !process.isRunning { break }
        }
        guard port != 0 else { throw ProcessFailure(message: "steward run did not report its port: \(output)") }
    }

    /// `GET /readyz` as JSON, nil when the server does not answer.
    func readiness() async -> [String: String]? {
        guard let (_, body) = await loopbackGET(port: port, path: "/readyz") else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: String]
    }

    /// Polls `/readyz` until it says `role`, up to `seconds`; returns how long that took.
    @discardableResult
    func waitForRole(_ role: String, seconds: Double) async throws -> Double {
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            if await readiness()?["role"] == role { return Date().timeIntervalSince(start) }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ProcessFailure(message: "replica pid \(pid) did not become \(role) within \(seconds) s; /readyz: \(await readiness() ?? [:]); log: \(output.suffix(1_500))")
    }

    /// Polls the log until it contains `text`, up to `seconds`; whether it did.
    func waitForOutput(_ text: String, seconds: Double) async throws -> Bool {
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            if output.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return output.contains(text)
    }

    func signal(_ number: Int32) { process?.signal(number) }
}

extension FleetWorkspace {
    /// Adds an HTTP server on a free port and a short lease to `controller.yaml`.
    func enableReplicas(leaseSeconds: Int) async throws {
        let file = path + "/controller.yaml"
        let text = try String(contentsOfFile: file, encoding: .utf8)
        try (text + "server: {listen: \"127.0.0.1:0\"}\nleaderElection: {leaseSeconds: \(leaseSeconds)}\n")
            .write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// Waits until `status` says the last applied commit is `sha`.
    func waitForApplied(_ sha: String, seconds: Double) async throws {
        let start = Date()
        while Date().timeIntervalSince(start) < seconds {
            if let status = try? await statusJSON(), status["commit"] as? String == sha { return }
            try await Task.sleep(for: .milliseconds(250))
        }
        throw ProcessFailure(message: "commit \(sha.prefix(12)) was not applied within \(seconds) s: \((try? await steward("status").stdout) ?? "")")
    }
}
