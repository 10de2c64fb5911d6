import Foundation
import StewardTesting
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A console that accepts connections and never answers (DESIGN §7, §9): `run --once` stops at
/// `--timeout` with exit 1, waiting costs no CPU, and nothing is recorded as done.
@Suite("A console that never answers")
struct SilentConsoleTests {
    /// A loopback socket that listens but never accepts: the kernel completes the handshakes, no
    /// byte ever comes back.
    final class SilentListener {
        let fd: Int32
        let port: Int
        init() throws { (fd, port) = try listeningSocket() }
        deinit { close(fd) }
    }

    @Test func runOnceStopsAtItsTimeoutWithoutSpinning() async throws {
        let listener = try SilentListener()
        let directory = try TemporaryDirectory(prefix: "steward-silent")
        let repo = try TemporaryGitRepository()
        try repo.copyQuickstart()
        try repo.writeQuickstartEnvironments(driver: "{type: http, url: \"http://127.0.0.1:\(listener.port)\"}")
        try repo.commit("a console that never answers")
        try "source: {repository: \(repo.path), branch: main}\nstore: {url: \"sqlite://state.db\"}\neventLog: {directory: events}\n"
            .write(toFile: directory.path + "/controller.yaml", atomically: true, encoding: .utf8)

        let result = try await StewardProcess.run(["run", "--once", "--timeout", "3s"], in: directory.path)
        let elapsed = result.wallSeconds   // the process's own time: a busy pool in this test process is not counted
        let cpu = result.cpuSeconds
        print("silent console: run --once --timeout 3s ended after \(String(format: "%.2f", elapsed)) s using \(String(format: "%.2f", cpu)) s of CPU")

        #expect(result.exitCode == 1)
        #expect(result.stderr.contains("error: timed out after 3s without converging"), "\(result.stderr)")
        #expect(elapsed < 30, "the timeout bounds the pass in flight")
        // Waiting on sockets is event-driven: the whole run, start-up included, stays far below the wall time.
        #expect(cpu < elapsed * 0.3, "\(cpu) s of CPU in \(elapsed) s")
        let logs = try await StewardProcess.run(["logs", "-o", "json"], in: directory.path)
        #expect(!logs.stdout.contains("\"type\":\"actionSucceeded\""), "nothing was done")
        #expect(try await StewardProcess.run(["verify-log"], in: directory.path).exitCode == 0)
    }
}
