import Foundation
@testable import GitSource
import Testing

/// A fetch of a mirror whose earlier fetch is still being released waits for it a little, then
/// refuses with a line that says so; it never starts beside it.
@Suite("Fetches in flight")
struct FetchesInFlightTests {
    @Test func aFetchWaitsForTheReleaseOfTheOneBeforeIt() async throws {
        let inFlight = FetchesInFlight()
        try await inFlight.begin("/cache/a", source: "https://example.org/a.git", grace: .seconds(60), stop: nil)
        // Released from a thread of its own, as the fetching thread does (a busy test pool cannot hold it up).
        let start = ContinuousClock.now
        Thread.detachNewThread {
            Thread.sleep(forTimeInterval: 0.3)
            inFlight.end("/cache/a")
        }
        try await inFlight.begin("/cache/a", source: "https://example.org/a.git", grace: .seconds(60), stop: nil)
        #expect(ContinuousClock.now - start >= .milliseconds(250), "began before the earlier fetch was released")
        // Another mirror is never held up by this one.
        try await inFlight.begin("/cache/b", source: "https://example.org/b.git", grace: .zero, stop: nil)
    }

    @Test func aFetchNeverReleasedIsRefusedAfterTheGrace() async throws {
        let inFlight = FetchesInFlight()
        try await inFlight.begin("/cache/a", source: "https://example.org/a.git", grace: .seconds(1), stop: nil)
        await #expect(throws: GitError.self) {
            try await inFlight.begin("/cache/a", source: "https://example.org/a.git", grace: .milliseconds(200), stop: nil)
        }
        do {
            try await inFlight.begin("/cache/a", source: "https://example.org/a.git", grace: .zero, stop: nil)
            Issue.record("a second fetch began beside the first")
        } catch let error as GitError {
            #expect(error.code == .timedOut)
            #expect(error.message.hasPrefix("cannot fetch 'https://example.org/a.git': the fetch started "), "\(error.message)")
            #expect(error.message.hasSuffix(" s ago is still waiting for the remote"), "\(error.message)")
        }
        // A stopping controller does not wait out the grace.
        let stop = FetchStop()
        stop.stop()
        let start = ContinuousClock.now
        await #expect(throws: GitError.self) {
            try await inFlight.begin("/cache/a", source: "https://example.org/a.git", grace: .seconds(30), stop: stop)
        }
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
