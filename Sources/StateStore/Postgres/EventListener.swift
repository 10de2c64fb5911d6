import Logging
import PostgresNIO

/// Follows `NOTIFY steward_events` (sent by every commit with its last seq) on a connection of
/// its own, so a replica's readers waiting for records are woken by commits other replicas make.
/// Started by the first wait; a lost connection is reconnected after a second, and until then
/// waiting readers fall back to polling (`EventPolling.interval`).
final class EventListener: Sendable {
    static let channel = "steward_events"

    private struct State {
        var task: Task<Void, Never>?
        var connection: PostgresConnection?
        var stopped = false
    }

    private let url: PostgresURL
    private let logger: Logger
    private let feed: EventFeed
    private let state = LockedBox(State())

    init(url: PostgresURL, logger: Logger, feed: EventFeed) {
        self.url = url
        self.logger = logger
        self.feed = feed
    }

    /// Starts listening unless it already does (or was stopped).
    func start() {
        state.withLock { state in
            guard state.task == nil, !state.stopped else { return }
            state.task = Task { [self] in await self.run() }
        }
    }

    /// Stops listening and closes its connection.
    func stop() async {
        let (task, connection) = state.withLock { state -> (Task<Void, Never>?, PostgresConnection?) in
            state.stopped = true
            return (state.task, state.connection)
        }
        task?.cancel()
        try? await connection?.close()
        await task?.value
    }

    private func run() async {
        while !Task.isCancelled, !state.withLock({ $0.stopped }) {
            do {
                let connection = try await PostgresConnector.connect(url, logger: logger)
                let keep = state.withLock { state in
                    state.connection = connection
                    return !state.stopped
                }
                if keep {
                    try await connection.listen(on: Self.channel) { notifications in
                        for try await notification in notifications {
                            if let seq = Int64(notification.payload) { feed.published(head: seq) }
                        }
                    }
                }
                state.withLock { $0.connection = nil }
                try? await connection.close()
            } catch {
                state.withLock { $0.connection = nil }
                logger.debug("event listener: \(error)")
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }
}
