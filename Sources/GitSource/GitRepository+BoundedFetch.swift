import Foundation

extension GitRepository {
    /// The mirror of `url` brought up to date (cloned when absent, else fetched), on a thread of its
    /// own so that a remote that accepts and never answers holds no thread the caller needs.
    ///
    /// Ends with `GitError(.timedOut)` when the remote stays silent past `limits`, `stop` is set or
    /// the task is cancelled: the caller is answered at once, the transfer is told to stop and the
    /// sockets it opened to the remote are shut down, so libgit2 returns from a blocked read and the
    /// thread ends. Until it has, another fetch of the same mirror waits for it a little
    /// (`releaseGrace`), then is refused with a clear line rather than started beside it.
    public static func mirror(url: String, cacheDirectory: String, credentials: GitCredentials? = nil,
                              limits: FetchLimits, stop: FetchStop? = nil) async throws -> GitRepository {
        let source = normalisedSource(url)
        if stop?.isStopped == true { throw GitError(.timedOut, "fetch of '\(source)' stopped: shutting down") }
        let target = (cacheDirectory as NSString).appendingPathComponent(mirrorDirectoryName(for: source))
        try await FetchesInFlight.shared.begin(target, source: source, grace: releaseGrace, stop: stop)
        let watch = FetchWatch()
        let outcome = ResumeOnce<Void>()
        let limit = Self.limitPoll
        // Giving up also unblocks the thread: the sockets it opened to the remote are shut down.
        let before = RemoteSockets.openInodes(), endpoint = RemoteSockets.endpoint(of: source)
        let fetcherEnded = FetchStop()   // set when the fetching thread has returned
        // The caller's answer comes first: a transfer that ends because its socket was shut down
        // must not answer "unexpected EOF" in its place.
        let giveUp: @Sendable (String) -> Void = { reason in
            outcome.resume(.failure(GitError(.timedOut, reason)))
            watch.cancel()
            if let endpoint { RemoteSockets.shutDown(openedSince: before, to: endpoint) }
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                outcome.set(continuation)
                let fetcher = Thread {
                    let result = Result<Void, any Error> {
                        _ = try mirror(url: source, cacheDirectory: cacheDirectory, credentials: credentials, watch: watch)
                    }
                    FetchesInFlight.shared.end(target)
                    fetcherEnded.stop()
                    outcome.resume(result)
                }
                fetcher.name = "steward-git-fetch"
                fetcher.start()
                // Until the fetching thread has returned: after giving up, its sockets are shut down
                // again and again, since on a loaded machine libgit2 may open one (or still be
                // resolving the name) only after the first shutdown.
                let watchdog = Thread {
                    var pause = limit
                    while !fetcherEnded.isStopped {
                        Thread.sleep(forTimeInterval: pause)
                        if !outcome.isDone {
                            if let problem = watch.overrun(limits) {
                                giveUp("cannot fetch '\(source)': \(problem)")
                            } else if stop?.isStopped == true {
                                giveUp("fetch of '\(source)' stopped: shutting down")
                            }
                        } else if watch.isCancelled, let endpoint, !fetcherEnded.isStopped {
                            // libgit2 may open a new connection after the last was shut down:
                            // look again soon, then every half second.
                            RemoteSockets.shutDown(openedSince: before, to: endpoint)
                            pause = min(pause * 2, 0.5)
                        }
                    }
                }
                watchdog.name = "steward-git-fetch-watchdog"
                watchdog.start()
            }
        } onCancel: {
            giveUp("fetch of '\(source)' cancelled")
        }
        return GitRepository(handle: try RepositoryHandle.open(target), isMirror: true, credentials: credentials)
    }

    /// How often the watchdog looks at a fetch.
    static let limitPoll: TimeInterval = 0.1
    /// How long a fetch waits for the abandoned fetch of the same mirror to be released.
    static let releaseGrace: Duration = .seconds(3)
}

/// Mirrors being fetched by a thread that has not returned yet (it may be blocked on a silent remote).
final class FetchesInFlight: @unchecked Sendable {
    static let shared = FetchesInFlight()
    private let lock = NSLock()
    private var started: [String: Date] = [:]

    /// Claims `path` for a fetch. While an earlier fetch's thread still holds it (its sockets are
    /// being shut down), waits up to `grace` without holding a thread, then refuses.
    func begin(_ path: String, source: String, grace: Duration, stop: FetchStop?) async throws {
        let deadline = ContinuousClock.now + grace
        while true {
            let since: Date? = lock.withLock {
                if let since = started[path] { return since }
                started[path] = Date()
                return nil
            }
            guard let since else { return }
            if ContinuousClock.now >= deadline || stop?.isStopped == true || Task.isCancelled {
                let seconds = Int(Date().timeIntervalSince(since))
                throw GitError(.timedOut, "cannot fetch '\(source)': the fetch started \(seconds) s ago is still waiting for the remote")
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    func end(_ path: String) {
        lock.withLock { _ = started.removeValue(forKey: path) }
    }
}
