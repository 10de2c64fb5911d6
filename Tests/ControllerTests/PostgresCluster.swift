import Foundation
@testable import StateStore
import StewardTesting

/// A PostgreSQL cluster of one test's own (scripts/postgres.sh), so the test can stop and start
/// its server without disturbing the server every other test shares.
final class PostgresCluster: Sendable {
    let directory: String
    let port: String
    let url: String

    private static var scripts: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("scripts/postgres.sh").path
    }

    /// Starts a cluster, waiting off the concurrency pool (pg_ctl waits for the server).
    static func start() async throws -> PostgresCluster {
        let result: Result<PostgresCluster, any Error> = await Subprocess.offPool { Result { try PostgresCluster() } }
        return try result.get()
    }

    private init() throws {
        let lines = try Self.shell("postgres_start; echo \"$POSTGRES_DIR\"; echo \"$POSTGRES_PORT\"; echo \"$POSTGRES_URL\"")
            .split(separator: "\n").map(String.init)
        guard lines.count >= 3 else { throw ProcessFailure(message: "postgres_start printed \(lines)") }
        (directory, port, url) = (lines[lines.count - 3], lines[lines.count - 2], lines[lines.count - 1])
    }

    /// Stops the server and removes its folder, waiting off the concurrency pool.
    func stop() async {
        stopped.withLock { $0 = true }
        _ = try? await Self.shellOffPool("POSTGRES_DIR='\(directory)' postgres_stop")
    }

    private let stopped = LockedBox(false)

    deinit {
        // A test that ended early (a failed expectation threw) still stops its server: synchronously,
        // so that the process cannot end first and leave the server running.
        if !stopped.withLock({ $0 }) { _ = try? Self.shell("POSTGRES_DIR='\(directory)' postgres_stop") }
    }

    /// Stops the server as if it crashed (`pg_ctl stop -m immediate`).
    func crash() async throws { try await Self.shellOffPool("postgres_server_stop '\(directory)' immediate") }
    func start() async throws { try await Self.shellOffPool("postgres_server_start '\(directory)' '\(port)'") }

    private static func shellOffPool(_ command: String) async throws {
        let result: Result<String, any Error> = await Subprocess.offPool { Result { try shell(command) } }
        _ = try result.get()
    }

    @discardableResult
    private static func shell(_ command: String) throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["STEWARD_TEST_POSTGRES_PORT"] = nil
        let result = try Subprocess.run("/bin/bash", ["-c", "set -e; source '\(scripts)'; \(command)"], environment: environment)
        guard result.status == 0 else { throw ProcessFailure(message: "\(command): \(result.stderr)") }
        return result.stdout
    }
}
