import Foundation

/// Runs blocking file work (copying log segments, hashing archives) on a thread of its own, so a
/// large backup never holds one of the few cooperative threads the reconcile loop needs.
enum BlockingIO {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.name = "steward-backup-io"
            thread.start()
        }
    }
}
