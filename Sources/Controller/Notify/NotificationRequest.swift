import EventLog
import Foundation
import Manifests

/// One HTTP request a receiver is sent for one event record (DESIGN §12): pure, so what each
/// receiver type is told is tested without a network.
public struct NotificationRequest: Sendable, Hashable {
    public var url: String
    public var headers: [String: String]
    public var body: [UInt8]

    /// The requests `receiver` is sent for `record`, with its secrets resolved: none when its
    /// filter does not take the record (or a commit status has no environment to report).
    public static func requests(for record: EventRecord, receiver: NotificationReceiver, secrets: NotificationReceiver.Secrets) -> [NotificationRequest] {
        guard receiver.takes(record) else { return [] }
        switch receiver.type {
        case .webhook: return [webhook(record, url: secrets.url ?? "", secret: secrets.secret ?? "", receiver: receiver.name)]
        case .slack: return [slack(record, url: secrets.url ?? "")]
        case .github, .gitlab:
            return commitStatuses(record).map { status in
                receiver.type == .github
                    ? github(status, record: record, api: receiver.apiURL, repository: receiver.target, token: secrets.token ?? "")
                    : gitlab(status, record: record, api: receiver.apiURL, project: receiver.target, token: secrets.token ?? "")
            }
        }
    }

    /// The body is the record as the log holds it (`logs -o json`'s line); the signature is the
    /// HMAC-SHA256 of exactly those bytes.
    static func webhook(_ record: EventRecord, url: String, secret: String, receiver: String) -> NotificationRequest {
        let body = Array(record.line.utf8)
        return NotificationRequest(url: url, headers: [
            "Content-Type": "application/json", "X-Steward-Signature": "sha256=" + ContentHash.hmacSHA256Hex(body, key: Array(secret.utf8)),
            "X-Steward-Event": record.type, "X-Steward-Delivery": "\(receiver)-\(record.seq)",
        ], body: body)
    }

    /// Slack's incoming webhook: `text` (the fallback shown in notifications) and `blocks`.
    static func slack(_ record: EventRecord, url: String) -> NotificationRequest {
        let subject = [record.resource, record.environment.map { "in \($0)" }].compactMap { $0 }.joined(separator: " ")
        let text = "\(record.type)\(subject.isEmpty ? "" : " " + subject): \(record.message)"
        var context = ["seq \(record.seq)", record.time]
        if let commit = record.commit { context.insert("commit \(commit.prefix(12))", at: 0) }
        let blocks: JSONValue = .array([
            .object(["type": .string("section"), "text": .object([
                "type": .string("mrkdwn"),
                // Slack refuses a section's text over 3,000 characters.
                "text": .string(String("*\(slackEscape(record.type))*\(subject.isEmpty ? "" : " " + slackEscape(subject))\n\(slackEscape(record.message))".prefix(3_000))),
            ])]),
            .object(["type": .string("context"), "elements": .array([
                .object(["type": .string("mrkdwn"), "text": .string(slackEscape(context.joined(separator: " · ")))]),
            ])]),
        ])
        let body: JSONValue = .object(["text": .string(String(slackEscape(text).prefix(3_000))), "blocks": blocks])
        return NotificationRequest(url: url, headers: ["Content-Type": "application/json"], body: Array(body.canonicalJSON.utf8))
    }

    /// A commit status: the environment it is for, its state, what it says.
    struct CommitStatus: Hashable {
        var environment: String
        var success: Bool?
        var description: String
    }

    /// `pending` per environment a pass starts to apply, then `success` / `failure` per environment it acted on.
    static func commitStatuses(_ record: EventRecord) -> [CommitStatus] {
        guard record.commit != nil, case .object(let data)? = record.data else { return [] }
        switch record.type {
        case EventType.reconcileStarted.rawValue:
            guard case .array(let environments)? = data["environments"] else { return [] }
            return environments.compactMap {
                guard case .string(let name) = $0 else { return nil }
                return CommitStatus(environment: name, success: nil, description: "Steward is applying this commit to \(name)")
            }
        case EventType.reconcileFinished.rawValue:
            guard case .object(let results)? = data["environments"] else { return [] }
            return results.keys.sorted().compactMap { name in
                guard case .string(let result)? = results[name] else { return nil }
                let success = result == "success"
                return CommitStatus(environment: name, success: success,
                                    description: success ? "applied to \(name)" : "failed in \(name): \(record.message)")
            }
        default: return []
        }
    }

    /// `POST {api}/repos/{owner}/{repo}/statuses/{sha}` (GitHub REST API, commit statuses).
    static func github(_ status: CommitStatus, record: EventRecord, api: String, repository: String, token: String) -> NotificationRequest {
        let state = status.success.map { $0 ? "success" : "failure" } ?? "pending"
        let body: JSONValue = .object(["state": .string(state), "context": .string("steward/\(status.environment)"),
                                       "description": .string(String(status.description.prefix(140)))])
        return NotificationRequest(url: "\(trimmed(api))/repos/\(repository)/statuses/\(record.commit ?? "")", headers: [
            "Authorization": "Bearer \(token)", "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "steward", "Content-Type": "application/json",
        ], body: Array(body.canonicalJSON.utf8))
    }

    /// `POST {api}/projects/:id/statuses/:sha` (GitLab REST API, commit statuses); the project's
    /// path is URL-encoded (`group%2Fproject`).
    static func gitlab(_ status: CommitStatus, record: EventRecord, api: String, project: String, token: String) -> NotificationRequest {
        let state = status.success.map { $0 ? "success" : "failed" } ?? "pending"
        let body: JSONValue = .object(["state": .string(state), "name": .string("steward/\(status.environment)"),
                                       "description": .string(String(status.description.prefix(255)))])
        let id = project.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? project
        return NotificationRequest(url: "\(trimmed(api))/projects/\(id)/statuses/\(record.commit ?? "")", headers: [
            "PRIVATE-TOKEN": token, "User-Agent": "steward", "Content-Type": "application/json",
        ], body: Array(body.canonicalJSON.utf8))
    }

    /// Slack's three control characters in message text.
    public static func slackEscape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    static func trimmed(_ url: String) -> String { url.hasSuffix("/") ? String(url.dropLast()) : url }
}
