import EventLog
import Foundation
import Manifests
import Controller
import StewardTesting
import Testing

/// Notifications end to end (DESIGN §12): the real `steward run`, real git, the console double
/// failing production's smoke test (an auto-rollback), and real local HTTP receivers speaking
/// GitHub's, GitLab's, Slack's and a signed webhook's request shapes. The receivers are down
/// while the rollback happens and the controller is killed with notifications undelivered: after
/// a restart and the receivers' return, each gets every notification it takes, once, in order.
@Suite("Notifications: an auto-rollback told to webhook, Slack, GitHub and GitLab, through an outage and a crash", .serialized)
struct NotificationDeliveryTests {
    static let secrets = ["HOOK_SECRET": "webhook-secret", "SLACK_URL": "", "GH_TOKEN": "github-token", "GL_TOKEN": "gitlab-token"]

    @Test func anAutoRollbackIsToldToEveryReceiverInOrderAfterAnOutageAndACrash() async throws {
        let receivers = NotificationReceivers()
        let base = try await receivers.start().absoluteString
        let slack = try #require(receivers.slackWebhookURL).absoluteString
        let fleet = try await PromotionFleet(git: """
            server: {listen: "127.0.0.1:0"}
            notifications:
              - {type: webhook, url: '\(base)/hooks/ops', secret: {env: HOOK_SECRET}, events: [actionFailed, rollback, held, versionProven], retry: {initialSeconds: 0.2, maxSeconds: 0.5}}
              - {type: slack, url: {env: SLACK_URL}, events: [rollback], retry: {initialSeconds: 0.2, maxSeconds: 0.5}}
              - {type: github, apiURL: '\(base)', repository: acme/fleet, token: {env: GH_TOKEN}, retry: {initialSeconds: 0.2, maxSeconds: 0.5}}
              - {type: gitlab, apiURL: '\(base)/api/v4', project: acme/fleet, token: {env: GL_TOKEN}, retry: {initialSeconds: 0.2, maxSeconds: 0.5}}
            """)
        var environment = ProcessInfo.processInfo.environment.merging(Self.secrets) { $1 }
        environment["SLACK_URL"] = slack
        let webhook = { receivers.deliveries().filter { $0.kind == .webhook } }
        func proven(_ deployment: String, _ version: String) -> Bool {
            webhook().contains { $0["type"]?.string == "versionProven" && $0["resource"]?.string == "Deployment/\(deployment)"
                && $0["message"]?.string?.contains("@\(version) ") == true }
        }

        var controller = try Self.start(fleet, environment: environment, log: "run-1.log")
        #expect(try await Self.eventually { proven("robot-nav-production", "1.2.0") }, "production proves 1.2.0")
        try fleet.setVersion("robot-nav-staging", "1.3.0")
        _ = try fleet.repo.commit("staging to 1.3.0")
        #expect(try await Self.eventually { proven("robot-nav-staging", "1.3.0") }, "staging proves 1.3.0")

        // The receivers go down; production's smoke test of 1.3.0 fails and is rolled back.
        receivers.setDown(true)
        fleet.console.setSmokeTests(version: "1.3.0", passed: false)
        try fleet.setVersion("robot-nav-production", "1.3.0")
        let bad = try fleet.repo.commit("production to 1.3.0")
        #expect(try await Self.eventually(60) { try await Self.log(fleet).contains { $0.type == "rollback" } }, "auto-rollback")
        #expect(try await Self.eventually { receivers.rejected().count >= 4 }, "the notifier kept trying while they were down")
        let before = webhook().count
        // Killed with the rollback's notifications undelivered.
        controller.signal(SIGKILL)
        _ = await controller.wait()
        controller = try Self.start(fleet, environment: environment, log: "run-2.log")
        try await Task.sleep(for: .seconds(1))
        receivers.setDown(false)
        let log = try await Self.log(fleet)
        let rollback = try #require(log.first { $0.type == "rollback" })
        #expect(try await Self.eventually(60) { webhook().contains { $0["seq"]?.number == Double(rollback.seq) } }, "the rollback reaches the webhook")
        #expect(try await Self.eventually { receivers.deliveries().contains { $0.kind == .slack } }, "and Slack")
        #expect(try await Self.eventually {
            receivers.deliveries().contains { $0.kind == .gitlab && $0.parameters["sha"] == bad && $0["state"]?.string == "failed" }
        }, "and GitLab's commit status of the bad commit")
        // The passes after the rollback may still log records the webhook takes: stop once it has them all.
        #expect(try await Self.eventually {
            let taken = Set(webhook().compactMap { $0["seq"]?.number.map { Int64($0) } })
            guard let first = taken.min() else { return false }
            return try await Self.log(fleet).filter { $0.seq >= first && Self.webhookTypes.contains($0.type) }.allSatisfy { taken.contains($0.seq) }
        }, "the webhook has every record it takes")
        controller.signal(SIGTERM)
        _ = await controller.wait()

        // The webhook: every record it takes, from its first, each once, in seq order, as the log holds it.
        let delivered = webhook()
        #expect(delivered.count > before)
        let seqs = delivered.compactMap { $0["seq"]?.number.map { Int64($0) } }
        let first = try #require(seqs.first)
        let expected = try await Self.log(fleet).filter {
            $0.seq >= first && Self.webhookTypes.contains($0.type)
        }
        #expect(seqs == expected.map(\.seq), "in order, none missing, none twice")
        for (delivery, record) in zip(delivered, expected) {
            #expect(delivery.rawBody == Data(record.line.utf8), "the body is the record as logged")
            #expect(delivery.header("X-Steward-Signature") == NotificationReceivers.signature(of: delivery.rawBody, secret: "webhook-secret"))
        }
        #expect(Set(expected.map(\.type)).isSuperset(of: ["actionFailed", "rollback", "versionProven"]), "\(expected.map(\.type))")

        // Slack: one message per rollback record (the rollback, then its revert commit), with text and blocks.
        let slackMessages = receivers.deliveries().filter { $0.kind == .slack }
        let rollbacks = expected.filter { $0.type == "rollback" }
        #expect(slackMessages.count == rollbacks.count, "\(slackMessages.map { $0["text"]?.string ?? "" })")
        #expect(slackMessages.first?["text"]?.string?.hasPrefix("rollback Deployment/robot-nav-production in production: rolled back from 1.3.0 to 1.2.0") == true)
        #expect(zip(slackMessages, rollbacks).allSatisfy { $0["text"]?.string?.hasSuffix(NotificationRequest.slackEscape($1.message)) == true })
        if case .array(let blocks)? = slackMessages.first?["blocks"] { #expect(!blocks.isEmpty) } else { Issue.record("no blocks") }

        // Commit statuses of the bad commit: pending while the pass applied it, then the failure, per environment.
        let github = receivers.deliveries().filter { $0.kind == .github && $0.parameters["sha"] == bad }
        #expect(github.map { "\($0["context"]?.string ?? "") \($0["state"]?.string ?? "")" } == ["steward/production pending", "steward/production failure"])
        #expect(github.allSatisfy { $0.parameters["owner"] == "acme" && $0.parameters["repo"] == "fleet" })
        let gitlab = receivers.deliveries().filter { $0.kind == .gitlab && $0.parameters["sha"] == bad }
        #expect(gitlab.map { "\($0["name"]?.string ?? "") \($0["state"]?.string ?? "")" } == ["steward/production pending", "steward/production failed"])
        #expect(gitlab.allSatisfy { $0.parameters["project"] == "acme/fleet" })
        // No receiver was sent a secret it does not own, and nothing was refused for its shape.
        #expect(receivers.rejected().allSatisfy { $0.status == 503 }, "\(receivers.rejected().map(\.reason))")

        await receivers.stop()
        await fleet.stop()
    }

    static func start(_ fleet: PromotionFleet, environment: [String: String], log name: String) throws -> Subprocess {
        let log = fleet.path + "/" + name
        FileManager.default.createFile(atPath: log, contents: nil)
        return try Subprocess(try StewardProcess.executable.path, ["run", "--log-format", "json"], in: fleet.path,
                              environment: environment, stdout: log, stderr: log)
    }

    /// The record types the test's webhook takes.
    static let webhookTypes: Set<String> = ["actionFailed", "rollback", "hold", "versionProven"]

    static func log(_ fleet: PromotionFleet) async throws -> [EventRecord] {
        let result = try await StewardProcess.run(["logs", "-o", "json"], in: fleet.path)
        return result.stdout.split(separator: "\n").compactMap { try? JSONDecoder().decode(EventRecord.self, from: Data($0.utf8)) }
    }

    static func eventually(_ seconds: Double = 45, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return try await condition()
    }
}
