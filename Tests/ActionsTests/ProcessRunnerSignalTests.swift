@testable import Actions
import Foundation
import Testing

/// `ProcessRunner.capture` runs on the caller's thread (a reconcile thread, a test's), which lives on.
/// A command that exits without reading its input makes the write fail with EPIPE and raises SIGPIPE,
/// blocked on that thread; left pending, it was delivered when the next run on the thread cleared
/// the mask for its spawn, and ended the whole process (a CI run died with signal 13).
@Suite("Process runner: a command that does not read its input leaves no signal behind")
struct ProcessRunnerSignalTests {
    @Test func noSIGPIPEIsLeftPendingForTheNextRunOnTheThread() async throws {
        let (pendingAfterFirst, first, second): (Bool, Int32?, Int32?) = try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result {
                    // 4 MiB: far more than a pipe holds, so the writes go on after `true` has exited.
                    let first = try ProcessRunner.capture("/bin/true", [], stdin: [UInt8](repeating: 0x61, count: 4 << 20), environment: [:])
                    var pending = sigset_t()
                    sigpending(&pending)
                    let pendingAfterFirst = sigismember(&pending, SIGPIPE) == 1
                    guard !pendingAfterFirst else { return (true, first.exitCode, nil) }   // the next spawn would end this process
                    let second = try ProcessRunner.capture("/bin/true", [], environment: [:])
                    return (false, first.exitCode, second.exitCode)
                })
            }
            thread.start()
        }
        #expect(first == 0)
        #expect(!pendingAfterFirst, "a SIGPIPE is left pending on the thread")
        #expect(second == 0)
    }
}
