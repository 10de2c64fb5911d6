import Foundation
import GitSource
import StewardTesting
import Testing

/// A fetch of a remote that accepts and never answers ends within its limits, by cancellation or
/// by `FetchStop`, and leaves no thread blocked on the remote behind it.
@Suite("Bounded fetch: silent remotes, cancellation, stop", .serialized)
struct BoundedFetchTests {
    private let short = FetchLimits(connectSeconds: 1, transferSeconds: 1)

    /// A listening loopback socket that never accepts: the kernel completes each handshake, and
    /// nothing ever answers the request.
    private func silentRemote() throws -> (fd: Int32, url: String) {
        let (fd, port) = try listeningSocket()
        return (fd, "http://127.0.0.1:\(port)/fleet.git")
    }

    private func elapsed(_ body: () async throws -> Void) async rethrows -> Double {
        let start = Date()
        try await body()
        return Date().timeIntervalSince(start)
    }

    @Test func aSilentRemoteFailsWithinTheLimitAndTheNextFetchRunsAgain() async throws {
        let (fd, url) = try silentRemote()
        defer { close(fd) }
        let cache = try TemporaryDirectory(prefix: "steward-cache")
        var message = ""
        // On threads of its own, as the controller's passes run: other tests holding the shared pool
        // must not delay the answer this test times.
        let seconds = try await withTaskExecutorPreference(QueueExecutor()) {
            try await elapsed {
                do {
                    _ = try await GitRepository.mirror(url: url, cacheDirectory: cache.path, limits: short)
                    Issue.record("the fetch of a silent remote succeeded")
                } catch let error as GitError {
                    #expect(error.code == .timedOut)
                    message = error.message
                }
            }
        }
        #expect(message == "cannot fetch '\(url)': no answer within 1 s")
        #expect(seconds < 15, "answered after \(seconds) s")   // the remote never answers: without the limit this would not end
        // The thread libgit2 blocked is released: the next fetch is a fetch again, not "still waiting".
        #expect(try await fetchAfterRelease(url, cache: cache.path) == "cannot fetch '\(url)': no answer within 1 s")
    }

    /// Fetches `url` again once the thread of the fetch given up before has ended: until then a fetch
    /// is refused as "still waiting" (by design). Polls for at most 20 s — a thread that is never
    /// released fails the test; a loaded machine only makes it wait. Returns the error message.
    private func fetchAfterRelease(_ url: String, cache: String) async throws -> String? {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            do {
                _ = try await GitRepository.mirror(url: url, cacheDirectory: cache, limits: short)
                return nil
            } catch let error as GitError where error.message.hasSuffix("is still waiting for the remote") && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
            } catch let error as GitError {
                return error.message
            }
        }
    }

    @Test func aRemoteWhoseAcceptQueueIsFullReleasesTheConnectingThread() async throws {
        let (fd, url) = try silentRemote()
        defer { close(fd) }
        let port = Int(url.split(separator: ":").last!.split(separator: "/").first!)!
        // Fill its accept queue (it never accepts): further SYNs go unanswered, so connect() hangs.
        var clients: [Int32] = []
        defer { clients.forEach { close($0) } }
        for _ in 0..<40 { clients.append(Self.connectNonBlocking(port: port)) }
        try await Task.sleep(for: .milliseconds(200))
        let cache = try TemporaryDirectory(prefix: "steward-cache")
        do {
            _ = try await GitRepository.mirror(url: url, cacheDirectory: cache.path, limits: short)
            Issue.record("the fetch of a silent remote succeeded")
        } catch let error as GitError {
            #expect(error.message == "cannot fetch '\(url)': no answer within 1 s", "\(error)")
        }
        // The first attempt's thread is released from connect(): the next is a fetch again, not "still waiting" forever.
        #expect(try await fetchAfterRelease(url, cache: cache.path) == "cannot fetch '\(url)': no answer within 1 s")
    }

    /// A TCP socket connecting (without waiting) to 127.0.0.1:`port`.
    private static func connectNonBlocking(port: Int) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        return fd
    }

    @Test func cancellationEndsTheWaitAtOnce() async throws {
        let (fd, url) = try silentRemote()
        defer { close(fd) }
        let cache = try TemporaryDirectory(prefix: "steward-cache")
        let long = FetchLimits(connectSeconds: 60, transferSeconds: 60)
        let task = Task { _ = try await GitRepository.mirror(url: url, cacheDirectory: cache.path, limits: long) }
        try await Task.sleep(for: .milliseconds(300))
        let seconds = await elapsed {
            task.cancel()
            let result = await task.result
            guard case .failure(let error as GitError) = result else { Issue.record("not a GitError: \(result)"); return }
            #expect(error.message == "fetch of '\(url)' cancelled")
        }
        #expect(seconds < 20, "took \(seconds) s")   // far below the 60 s limits: a hang guard, not a speed test (CI is loaded)
    }

    @Test func aStopEndsTheFetchAndRefusesTheNext() async throws {
        let (fd, url) = try silentRemote()
        defer { close(fd) }
        let cache = try TemporaryDirectory(prefix: "steward-cache")
        let stop = FetchStop()
        let long = FetchLimits(connectSeconds: 60, transferSeconds: 60)
        let task = Task { _ = try await GitRepository.mirror(url: url, cacheDirectory: cache.path, limits: long, stop: stop) }
        try await Task.sleep(for: .milliseconds(300))
        stop.stop()
        guard case .failure(let error as GitError) = await task.result else { Issue.record("the fetch was not stopped"); return }
        #expect(error.message == "fetch of '\(url)' stopped: shutting down")
        await #expect(throws: GitError.self) {
            _ = try await GitRepository.mirror(url: url, cacheDirectory: cache.path, limits: long, stop: stop)
        }
    }

    @Test func aRemoteThatAnswersIsFetchedWithinTheLimits() async throws {
        let origin = try TemporaryGitRepository()
        try origin.write("fleet/app.yaml", "kind: Deployment\n")
        let first = try origin.commit("first")
        let cache = try TemporaryDirectory(prefix: "steward-cache")
        let mirror = try await GitRepository.mirror(url: origin.fileURL, cacheDirectory: cache.path, limits: short)
        #expect(try mirror.resolve("main").sha == first)
        try origin.write("fleet/app.yaml", "kind: Deployment\nreplicas: 2\n")
        let second = try origin.commit("second")
        #expect(try await GitRepository.mirror(url: origin.fileURL, cacheDirectory: cache.path, limits: short).resolve("main").sha == second)
    }
}

/// A task executor on a concurrent dispatch queue of its own (threads apart from the shared pool).
final class QueueExecutor: TaskExecutor {
    private let queue = DispatchQueue(label: "test.bounded-fetch", attributes: .concurrent)

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
