import Controller
import Crypto
import EventLog
import Foundation
import Manifests
import Testing

/// What each receiver type is sent for one record (DESIGN §12), and which records a filter takes;
/// `controller.yaml`'s `notifications:` refused with the field and line when it cannot work.
@Suite("Notifications: requests per receiver type, filters, configuration")
struct NotificationRequestTests {
    static let sha = "0123456789abcdef0123456789abcdef01234567"

    static func record(_ type: String, reason: String, resource: String? = "Deployment/robot-nav-production",
                       environment: String? = "production", message: String = "smoke tests failed: 503", data: JSONValue? = nil) -> EventRecord {
        EventRecord(seq: 42, time: "2026-12-06T10:00:00.000Z", commit: sha, resource: resource, environment: environment, type: type,
                    reason: reason, message: message, data: data, prev: String(repeating: "0", count: 64), hash: String(repeating: "1", count: 64))
    }

    static func json(_ bytes: [UInt8]) throws -> JSONValue { try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) }

    static func receiver(_ yaml: String) throws -> NotificationReceiver {
        let config = try ControllerConfig.parse(bytes: Array("source: {repository: .}\nnotifications:\n\(yaml)".utf8), file: "controller.yaml")
        let named = try #require(config.namedNotifications.first)
        return NotificationReceiver(name: named.name, config: named.config, baseDirectory: "/")
    }

    @Test func aWebhookGetsTheRecordSignedWithHMACSHA256() throws {
        let receiver = try Self.receiver("  - {type: webhook, url: 'http://127.0.0.1:1/hooks/a', secret: {env: HOOK_SECRET}, events: [rollback]}")
        let record = Self.record("rollback", reason: "AutoRollback")
        let requests = NotificationRequest.requests(for: record, receiver: receiver, secrets: .init(url: "http://127.0.0.1:1/hooks/a", secret: "k3y"))
        let request = try #require(requests.first)
        #expect(requests.count == 1 && request.url == "http://127.0.0.1:1/hooks/a")
        #expect(request.body == Array(record.line.utf8), "the body is the record as the log holds it")
        let expected = HMAC<SHA256>.authenticationCode(for: request.body, using: SymmetricKey(data: Array("k3y".utf8)))
        #expect(request.headers["X-Steward-Signature"] == "sha256=" + expected.map { String(format: "%02x", $0) }.joined())
        #expect(request.headers["X-Steward-Event"] == "rollback")
        #expect(NotificationRequest.requests(for: Self.record("actionSucceeded", reason: "Succeeded"), receiver: receiver, secrets: .init()).isEmpty)
    }

    @Test func filtersTakeTypesOrReasons() throws {
        let receiver = try Self.receiver("  - {type: slack, url: {env: SLACK_WEBHOOK_URL}, events: [reconcileFailed, held, versionProven]}")
        #expect(receiver.takes(Self.record("reconcileFinished", reason: "ReconcileFailed")))
        #expect(!receiver.takes(Self.record("reconcileFinished", reason: "ReconcileSucceeded")))
        #expect(receiver.takes(Self.record("hold", reason: "Held")))
        #expect(receiver.takes(Self.record("versionProven", reason: "Proven")))
        #expect(!receiver.takes(Self.record("stateChanged", reason: "StateChanged")))
        // A reason is no type: the rollback action's own records are not the rollback.
        let rollbacks = try Self.receiver("  - {type: slack, url: {env: S}, events: [rollback]}")
        #expect(rollbacks.takes(Self.record("rollback", reason: "AutoRollback")))
        #expect(!rollbacks.takes(Self.record("actionStarted", reason: "rollback")))
    }

    @Test func slackGetsTextAndBlocksWithItsControlCharactersEscaped() throws {
        let receiver = try Self.receiver("  - {type: slack, url: {env: SLACK_WEBHOOK_URL}, events: [rollback]}")
        let record = Self.record("rollback", reason: "AutoRollback", message: "rolled back <1.3.0> & held")
        let request = try #require(NotificationRequest.requests(for: record, receiver: receiver, secrets: .init(url: "https://hooks.example/T/B/x")).first)
        #expect(request.url == "https://hooks.example/T/B/x")
        guard case .object(let body) = try Self.json(request.body) else { Issue.record("not an object"); return }
        #expect(body["text"]?.string == "rollback Deployment/robot-nav-production in production: rolled back &lt;1.3.0&gt; &amp; held")
        guard case .array(let blocks)? = body["blocks"] else { Issue.record("no blocks"); return }
        #expect(blocks.count == 2 && blocks[0]["type"]?.string == "section" && blocks[1]["type"]?.string == "context")
        #expect(blocks[1]["elements"].map { "\($0)" }?.contains("commit 0123456789ab") == true)
    }

    @Test func commitStatusesFollowPassesPerEnvironment() throws {
        let github = try Self.receiver("  - {type: github, repository: acme/fleet, token: {env: GITHUB_TOKEN}}")
        let gitlab = try Self.receiver("  - {type: gitlab, apiURL: 'https://git.acme.example/api/v4/', project: acme/fleet, token: {env: GITLAB_TOKEN}}")
        let started = Self.record("reconcileStarted", reason: "ReconcileStarted", resource: nil, environment: nil,
                                  data: .object(["environments": .array([.string("production"), .string("staging")])]))
        let finished = Self.record("reconcileFinished", reason: "ReconcileFailed", resource: nil, environment: nil, message: "1 failed",
                                   data: .object(["environments": .object(["staging": .string("success"), "production": .string("failure")])]))
        let pending = NotificationRequest.requests(for: started, receiver: github, secrets: .init(token: "ghp"))
        #expect(pending.map(\.url) == Array(repeating: "https://api.github.com/repos/acme/fleet/statuses/\(Self.sha)", count: 2))
        #expect(pending.allSatisfy { $0.headers["Authorization"] == "Bearer ghp" && $0.headers["Accept"] == "application/vnd.github+json" })
        let states = try pending.map { try Self.json($0.body) }
        #expect(states.map { $0["state"]?.string } == ["pending", "pending"])
        #expect(states.map { $0["context"]?.string } == ["steward/production", "steward/staging"])

        let results = NotificationRequest.requests(for: finished, receiver: gitlab, secrets: .init(token: "glpat"))
        #expect(results.map(\.url) == Array(repeating: "https://git.acme.example/api/v4/projects/acme%2Ffleet/statuses/\(Self.sha)", count: 2))
        #expect(results.allSatisfy { $0.headers["PRIVATE-TOKEN"] == "glpat" })
        let bodies = try results.map { try Self.json($0.body) }
        #expect(bodies.map { $0["name"]?.string } == ["steward/production", "steward/staging"])
        #expect(bodies.map { $0["state"]?.string } == ["failed", "success"], "GitLab's word for a failure is failed")
        #expect(NotificationRequest.requests(for: Self.record("rollback", reason: "AutoRollback"), receiver: github, secrets: .init(token: "t")).isEmpty)
    }

    @Test func backoffDoublesUpToItsMaximum() throws {
        let receiver = try Self.receiver("  - {type: slack, url: {env: S}, events: [rollback], retry: {initialSeconds: 0.5, maxSeconds: 3}}")
        #expect((1...5).map(receiver.backoff(afterAttempts:)) == [0.5, 1, 2, 3, 3])
    }

    @Test(arguments: [
        ("  - {type: webhook, url: 'http://x/h', events: [rollback]}", "notifications[0].secret", "needs secret"),
        ("  - {type: webhook, url: 'ftp://x/h', secret: {env: S}, events: [rollback]}", "notifications[0].url", "not an http(s) URL"),
        ("  - {type: slack, url: {env: S}}", "notifications[0].events", "needs events"),
        ("  - {type: slack, url: {env: S}, events: [rollback], token: {env: T}}", "notifications[0].token", "does not take token"),
        ("  - {type: github, repository: fleet, token: {env: T}}", "notifications[0].repository", "is not owner/name"),
        ("  - {type: github, repository: a/b}", "notifications[0].token", "needs token"),
        ("  - {type: gitlab, token: {env: T}}", "notifications[0].project", "needs project"),
        ("  - {type: gitlab, project: '7', token: {env: T}, events: [rollback]}", "notifications[0].events", "reconcileStarted and reconcileFinished only"),
        ("  - {type: slack, url: {env: S}, events: [rollback]}\n  - {type: webhook, name: slack, url: 'http://x', secret: {env: K}, events: [hold]}",
         "notifications[1].name", "used twice"),
        ("  - {type: pager, url: 'http://x'}", "notifications[0].type", "webhook, slack, github, gitlab"),
        ("  - {type: slack, url: {env: A}, events: [rollback]}\n  - {type: slack, url: {env: B}, events: [held]}",
         "notifications[1].name", "several slack receivers: give each a name"),
        ("  - {type: slack, url: 'https://hooks.slack.com/services/T0/B0/sekrit', events: [rollback]}", "notifications[0].url",
         "a slack url is a secret: reference it"),
        ("  - {type: slack, url: {env: S}, events: [rollback], channel: ops}", "notifications[0].channel", "unknown field"),
    ])
    func aReceiverThatCannotWorkIsRefusedWithItsField(yaml: String, field: String, message: String) throws {
        do {
            _ = try ControllerConfig.parse(bytes: Array("source: {repository: .}\nnotifications:\n\(yaml)\n".utf8), file: "controller.yaml")
            Issue.record("accepted: \(yaml)")
        } catch let error as ControllerConfig.LoadError {
            let text = error.description
            #expect(text.contains(field) && text.contains(message), "\(text)")
            #expect(text.hasPrefix("controller.yaml:") && !text.hasPrefix("controller.yaml:1:1"), "names the line: \(text)")
            #expect(!text.contains("sekrit"), "a secret written inline is not echoed")
        }
    }

    @Test func theDesignsReceiversParseAndAreNamedByType() throws {
        let yaml = """
            source: {repository: .}
            server: {ui: readOnly}
            notifications:
              - {type: webhook, url: 'https://hooks.acme.example/steward', secret: {env: HOOK_SECRET}, events: [actionFailed, rollback, promotionBlocked, versionProven, reconcileFailed, held]}
              - {type: slack, name: team-slack, url: {env: SLACK_WEBHOOK_URL}, events: [rollback, held]}
              - {type: slack, name: ops-slack, url: {env: OPS_SLACK_WEBHOOK_URL}, events: [versionProven]}
              - {type: github, apiURL: 'https://github.acme.example/api/v3', repository: acme/fleet, token: {env: GITHUB_TOKEN}}
              - {type: gitlab, project: acme/fleet, token: {file: secrets/gitlab-token}}
            """
        let config = try ControllerConfig.parse(bytes: Array(yaml.utf8), file: "controller.yaml")
        #expect(config.namedNotifications.map(\.name) == ["webhook", "team-slack", "ops-slack", "github", "gitlab"])
        #expect(config.server?.ui == .readOnly)
        for value in ["true", "false"] {
            let parsed = try ControllerConfig.parse(bytes: Array("source: {repository: .}\nserver: {ui: \(value)}\n".utf8), file: "c.yaml")
            #expect(parsed.server?.ui == (value == "true" ? .on : .off))
        }
        #expect(throws: ControllerConfig.LoadError.self) {
            try ControllerConfig.parse(bytes: Array("source: {repository: .}\nserver: {ui: sometimes}\n".utf8), file: "c.yaml")
        }
    }
}
