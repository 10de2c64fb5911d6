import AsyncHTTPClient
import EventLog
import Foundation
import Logging
import Metrics
import ServiceLifecycle
import StateStore

/// Delivers notifications (DESIGN §12) beside the reconcile loop, never inside a pass: each
/// receiver reads the event log after its outbox position, sends what its filter takes in seq
/// order, and moves its position only after a 2xx answer — at least once, in order per receiver,
/// retried with backoff, surviving restarts and a change of leader (the position is in the store).
/// Only the leader delivers.
public final class Notifier: Service, Sendable {
    let receivers: [NotificationReceiver]
    let store: any StateStore
    let isLeader: @Sendable () -> Bool
    let logger: Logger
    /// Records read per look at the log.
    static let pageSize = 200

    public init(receivers: [NotificationReceiver], store: any StateStore, isLeader: @escaping @Sendable () -> Bool, logger: Logger) {
        self.receivers = receivers
        self.store = store
        self.isLeader = isLeader
        self.logger = logger
    }

    /// Gives each receiver without a position one at the log's head: a new receiver is told of
    /// what happens from now on, not of the whole history. Run before the loop's first pass.
    public func prepare() async throws {
        let known = Set(try await store.notificationOutbox().map(\.receiver))
        let head = try await store.eventHead().seq
        for receiver in receivers where !known.contains(receiver.name) {
            try await store.saveNotificationOutbox(OutboxPosition(receiver: receiver.name, deliveredSeq: head))
        }
    }

    public func run() async throws {
        guard !receivers.isEmpty else { return }
        await withDiscardingTaskGroup { group in
            for receiver in receivers { group.addTask { await self.serve(receiver) } }
        }
    }

    /// One receiver's queue, until shutdown.
    func serve(_ receiver: NotificationReceiver) async {
        var position: OutboxPosition?
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            guard isLeader() else {
                position = nil   // another replica may deliver meanwhile: read the position again when leading
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            do {
                if position == nil {
                    let stored = try await store.notificationOutbox().first { $0.receiver == receiver.name }
                    let head = stored == nil ? try await store.eventHead().seq : 0
                    position = stored ?? OutboxPosition(receiver: receiver.name, deliveredSeq: head)
                }
                guard var current = position else { continue }
                if let due = current.nextAttemptAt, due > Date() {
                    try? await Task.sleep(for: .seconds(min(due.timeIntervalSinceNow, 1)))
                    continue
                }
                let records = try await store.events(since: current.deliveredSeq, limit: Self.pageSize)
                if records.isEmpty {
                    await store.waitForEvents(after: current.deliveredSeq, timeout: .seconds(1))
                    continue
                }
                try await deliver(records, to: receiver, position: &current)
                position = current
            } catch {
                logger.warning("notifications to \(receiver.name): the store does not answer: \(error)", metadata: ["receiver": "\(receiver.name)"])
                position = nil
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    /// Sends the records the receiver takes, in order, stopping at the first that fails.
    func deliver(_ records: [EventRecord], to receiver: NotificationReceiver, position: inout OutboxPosition) async throws {
        var skipped = false
        for record in records {
            // A replica that stopped leading stops at once: the new leader carries on from the stored position.
            guard !Task.isShuttingDownGracefully, !Task.isCancelled, isLeader() else { break }
            guard receiver.takes(record) else {
                position.deliveredSeq = record.seq
                skipped = true
                continue
            }
            let outcome = await send(record, to: receiver)
            Counter(label: "steward_notifications_total", dimensions: [("receiver", receiver.name), ("result", outcome.result)]).increment()
            switch outcome {
            case .delivered, .rejected:
                if case .rejected(let reason) = outcome {
                    logger.warning("notification \(record.seq) (\(record.type)) to \(receiver.name) refused, not retried: \(reason)",
                                   metadata: ["receiver": "\(receiver.name)", "seq": "\(record.seq)"])
                }
                position = OutboxPosition(receiver: receiver.name, deliveredSeq: record.seq, lastError: outcome.reason)
                try await store.saveNotificationOutbox(position)
                skipped = false
            case .failed(let reason):
                position.attempts += 1
                position.lastError = reason
                position.nextAttemptAt = Date().addingTimeInterval(receiver.backoff(afterAttempts: position.attempts))
                position.updatedAt = Date()
                try await store.saveNotificationOutbox(position)
                logger.warning("notification \(record.seq) (\(record.type)) to \(receiver.name) failed (attempt \(position.attempts)), retrying: \(reason)",
                               metadata: ["receiver": "\(receiver.name)", "seq": "\(record.seq)"])
                return
            }
        }
        if skipped {
            position.updatedAt = Date()
            try await store.saveNotificationOutbox(position)
        }
    }

    /// How one delivery went.
    enum Outcome {
        case delivered
        /// The receiver refused the request itself (400, 422…): sending it again cannot help.
        case rejected(String)
        /// The receiver was down, slow, overloaded or not authorised (yet): tried again later.
        case failed(String)

        var result: String {
            switch self {
            case .delivered: return "delivered"
            case .rejected: return "rejected"
            case .failed: return "failed"
            }
        }

        var reason: String? {
            switch self {
            case .delivered: return nil
            case .rejected(let reason), .failed(let reason): return reason
            }
        }
    }

    /// Every request of one record (a commit status per environment); the record is done when each
    /// was delivered or refused for its content, and is tried again when one failed otherwise.
    func send(_ record: EventRecord, to receiver: NotificationReceiver) async -> Outcome {
        let secrets: NotificationReceiver.Secrets
        do { secrets = try receiver.secrets() } catch { return .failed("\(error)") }
        var refused: [String] = []
        for request in NotificationRequest.requests(for: record, receiver: receiver, secrets: secrets) {
            switch await send(request) {
            case .delivered: continue
            case .rejected(let reason): refused.append(reason)
            case .failed(let reason): return .failed(reason)
            }
        }
        return refused.isEmpty ? .delivered : .rejected(refused.joined(separator: "; "))
    }

    /// One request: 2xx delivered; 401/403/404/408/429, 5xx and transport errors failed (retried); other 4xx rejected.
    func send(_ request: NotificationRequest) async -> Outcome {
        do {
            var outgoing = HTTPClientRequest(url: request.url)
            outgoing.method = .POST
            for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
            outgoing.body = .bytes(request.body)
            let response = try await HTTPClient.shared.execute(outgoing, timeout: .seconds(10))
            let answer = try? await response.body.collect(upTo: 4096)
            let code = Int(response.status.code)
            if (200..<300).contains(code) { return .delivered }
            let text = answer.map { String(buffer: $0) }.map { String($0.prefix(200)) } ?? ""
            let reason = "HTTP \(code)\(text.isEmpty ? "" : ": \(text)")"
            if [401, 403, 404, 408, 429].contains(code) || code >= 500 { return .failed(reason) }
            return .rejected(reason)
        } catch {
            // The URL may be the secret (a Slack webhook): the reason names the failure only.
            return .failed("\(type(of: error)): \(String(describing: error).prefix(200))")
        }
    }
}
