import AsyncHTTPClient
import Foundation
import Manifests
import NIOCore
import StewardTesting
import Testing

/// Each receiver accepts its service's documented request shape, refuses bad ones as the service
/// does, records everything, and fails on demand.
@Suite struct NotificationReceiversTests {
    static let sha = "0123456789abcdef0123456789abcdef01234567"

    @Test func githubAcceptsACommitStatus() async throws {
        try await withReceivers(.init(githubToken: "ghp_test", githubPathPrefix: "/api/v3")) { receivers, base in
            let url = "\(base)/api/v3/repos/acme/app/statuses/\(Self.sha)"
            let created = try await post(url, ["Authorization": "Bearer ghp_test"],
                                         #"{"state":"success","target_url":"https://ci/1","description":"synced","context":"steward/prod"}"#)
            #expect(created.status == 201)
            #expect(created.json?["state"] == .string("success") && created.json?["context"] == .string("steward/prod"))
            #expect(created.json?["id"]?.number != nil && created.json?["created_at"]?.string != nil)
            let plain = try await post(url, ["Authorization": "token ghp_test"], #"{"state":"pending"}"#)
            #expect(plain.json?["context"] == .string("default") && plain.json?["description"] == .null)

            let delivered = receivers.deliveries()
            #expect(delivered.map(\.kind) == [.github, .github])
            #expect(delivered.first?.parameters == ["owner": "acme", "repo": "app", "sha": Self.sha])
            #expect(delivered.first?["description"] == .string("synced"))
            #expect(delivered.first?.header("Authorization") == "Bearer ghp_test")
            #expect(receivers.githubAPI?.absoluteString == "\(base)/api/v3")
        }
    }

    @Test func githubRefusesBadTokensStatesAndShas() async throws {
        try await withReceivers(.init(githubToken: "ghp_test", githubPathPrefix: "/api/v3")) { receivers, base in
            let url = "\(base)/api/v3/repos/acme/app/statuses/\(Self.sha)"
            let missing = try await post(url, [:], #"{"state":"success"}"#)
            #expect(missing.status == 401 && missing.json?["message"] == .string("Bad credentials"))
            #expect(try await post(url, ["Authorization": "Bearer nope"], #"{"state":"success"}"#).status == 401)
            let badState = try await post(url, ["Authorization": "Bearer ghp_test"], #"{"state":"done"}"#)
            #expect(badState.status == 422 && badState.json?["message"] == .string("Validation Failed"))
            #expect(try await post(url, ["Authorization": "Bearer ghp_test"], #"{"description":"no state"}"#).status == 422)
            let badSha = try await post("\(base)/api/v3/repos/acme/app/statuses/main", ["Authorization": "Bearer ghp_test"],
                                        #"{"state":"success"}"#)
            #expect(badSha.status == 422 && badSha.json?["message"] == .string("No commit found for SHA: main"))
            #expect(try await post(url, ["Authorization": "Bearer ghp_test"], "state=success").status == 400)
            let unprefixed = try await post("\(base)/repos/acme/app/statuses/\(Self.sha)", ["Authorization": "Bearer ghp_test"],
                                            #"{"state":"success"}"#)
            #expect(unprefixed.status == 404)
            #expect(receivers.deliveries().isEmpty)
            #expect(receivers.rejected().map(\.status) == [401, 401, 422, 422, 422, 400, 404])
            #expect(receivers.rejected().first?.reason == "Bad credentials")
        }
    }

    @Test func gitlabAcceptsJSONFormAndQueryParameters() async throws {
        try await withReceivers(.init(gitlabToken: "glpat-test")) { receivers, base in
            let json = try await post("\(base)/api/v4/projects/group%2Fproject/statuses/\(Self.sha)", ["PRIVATE-TOKEN": "glpat-test"],
                                      #"{"state":"running","name":"steward/prod","ref":"main","target_url":"https://ci/1"}"#)
            #expect(json.status == 201)
            #expect(json.json?["status"] == .string("running") && json.json?["name"] == .string("steward/prod"))
            #expect(json.json?["sha"] == .string(Self.sha) && json.json?["ref"] == .string("main"))
            let form = try await post("\(base)/api/v4/projects/42/statuses/\(Self.sha)", ["PRIVATE-TOKEN": "glpat-test"],
                                      "state=failed&description=drift+found", contentType: "application/x-www-form-urlencoded")
            #expect(form.status == 201 && form.json?["description"] == .string("drift found") && form.json?["name"] == .string("default"))
            let query = try await post("\(base)/api/v4/projects/42/statuses/\(Self.sha)?state=success&name=deploy",
                                       ["PRIVATE-TOKEN": "glpat-test"], "")
            #expect(query.status == 201 && query.json?["name"] == .string("deploy"))

            let delivered = receivers.deliveries()
            #expect(delivered.map(\.kind) == [.gitlab, .gitlab, .gitlab])
            #expect(delivered[0].path == "/api/v4/projects/group%2Fproject/statuses/\(Self.sha)", "the raw path keeps %2F")
            #expect(delivered[0].parameters == ["project": "group/project", "sha": Self.sha])
            #expect(delivered[1].body == .object(["state": .string("failed"), "description": .string("drift found")]))
            #expect(delivered[2].query == ["state": "success", "name": "deploy"])
        }
    }

    @Test func gitlabRefusesBadTokensAndStates() async throws {
        try await withReceivers(.init(gitlabToken: "glpat-test")) { receivers, base in
            let url = "\(base)/api/v4/projects/42/statuses/\(Self.sha)"
            let wrong = try await post(url, ["PRIVATE-TOKEN": "nope"], #"{"state":"success"}"#)
            #expect(wrong.status == 401 && wrong.json?["message"] == .string("401 Unauthorized"))
            let bad = try await post(url, ["PRIVATE-TOKEN": "glpat-test"], #"{"state":"error"}"#)
            #expect(bad.status == 400 && bad.json?["error"] == .string("state does not have a valid value"))
            #expect(try await post(url, ["PRIVATE-TOKEN": "glpat-test"], #"{"name":"x"}"#).status == 400)
            #expect(try await post("\(base)/api/v4/projects/group/project/statuses/\(Self.sha)", ["PRIVATE-TOKEN": "glpat-test"],
                                   #"{"state":"success"}"#).status == 404, "an unencoded / is another path")
            #expect(receivers.rejected().map(\.status) == [401, 400, 400, 404])
        }
    }

    @Test func slackTakesTextOrBlocks() async throws {
        try await withReceivers(.init(slackPath: "/services/T1/B2/secret")) { receivers, base in
            let url = "\(base)/services/T1/B2/secret"
            let text = try await post(url, [:], #"{"text":"Synced acme to 1.2.0"}"#)
            #expect(text.status == 200 && text.body == "ok" && text.contentType.hasPrefix("text/plain"))
            #expect(try await post(url, [:], #"{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*ok*"}}]}"#).body == "ok")
            #expect(try await post(url, [:], "{not json").body == "invalid_payload")
            #expect(try await post(url, [:], #"{"text":"hi"}"#, contentType: "text/plain").body == "invalid_payload")
            let noText = try await post(url, [:], #"{"username":"steward"}"#)
            #expect(noText.status == 400 && noText.body == "no_text")
            #expect(try await post(url, [:], #"{"blocks":[{"text":"untyped"}]}"#).status == 400)
            let unknown = try await post("\(base)/services/T1/B2/other", [:], #"{"text":"hi"}"#)
            #expect(unknown.status == 404 && unknown.body == "no_service")
            #expect(receivers.deliveries().map(\.kind) == [.slack, .slack])
            #expect(receivers.deliveries().first?["text"] == .string("Synced acme to 1.2.0"))
            #expect(receivers.rejected().map(\.reason) == ["invalid_payload", "invalid_payload", "no_text", "invalid_blocks", "no_service"])
            #expect(receivers.slackWebhookURL?.absoluteString == url)
        }
    }

    @Test func webhookChecksTheSignature() async throws {
        try await withReceivers(.init(webhookSecret: "hush")) { receivers, base in
            let url = "\(base)/hooks/deploys"
            let body = #"{"event":"synced","revision":"abc"}"#
            let signature = NotificationReceivers.signature(of: Data(body.utf8), secret: "hush")
            #expect(signature.hasPrefix("sha256=") && signature.count == 7 + 64 && signature == signature.lowercased())
            #expect(try await post(url, ["X-Steward-Signature": signature], body).status == 200)
            #expect(try await post(url, [:], body).status == 401)
            #expect(try await post(url, ["X-Steward-Signature": signature.uppercased()], body).status == 401)
            #expect(try await post(url, ["X-Steward-Signature": signature], body + " ").status == 401, "a changed body")
            let array = "[1]", arraySignature = NotificationReceivers.signature(of: Data(array.utf8), secret: "hush")
            #expect(try await post(url, ["X-Steward-Signature": arraySignature], array).status == 400)
            let delivered = try #require(receivers.deliveries().first)
            #expect(delivered.kind == .webhook && delivered.parameters == ["name": "deploys"])
            #expect(delivered.rawBody == Data(body.utf8) && delivered["event"] == .string("synced"))
            #expect(receivers.rejected().map(\.status) == [401, 401, 401, 400])
            #expect(receivers.rejected().map(\.kind) == [.webhook, .webhook, .webhook, .webhook])
        }
    }

    @Test func downAndInjectedFailuresAreRecordedAsRejected() async throws {
        try await withReceivers(.init()) { receivers, base in
            let hook = "\(base)/hooks/x"
            let body = "{}"
            let signed = ["X-Steward-Signature": NotificationReceivers.signature(of: Data(body.utf8), secret: "webhook-secret")]
            receivers.setDown(true)
            let down = try await post(hook, signed, body)
            #expect(down.status == 503)
            let slack = try await post("\(base)/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX", [:], #"{"text":"hi"}"#)
            #expect(slack.status == 503)
            receivers.setDown(false)
            receivers.failNext(2, status: 502)
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await post(hook, signed, body).status) }
            #expect(statuses == [502, 502, 200])
            #expect(receivers.rejected().map(\.status) == [503, 503, 502, 502])
            #expect(receivers.rejected().map(\.reason) == ["down", "down", "injected failure", "injected failure"])
            #expect(receivers.deliveries().count == 1)
            receivers.clear()
            #expect(receivers.deliveries().isEmpty && receivers.rejected().isEmpty)
        }
    }

    // MARK: Helpers

    private func withReceivers(_ configuration: NotificationReceivers.Configuration,
                               _ body: (NotificationReceivers, String) async throws -> Void) async throws {
        let receivers = NotificationReceivers(configuration)
        let base = try await receivers.start().absoluteString
        do { try await body(receivers, base) } catch { await receivers.stop(); throw error }
        await receivers.stop()
    }

    /// What a receiver answered.
    struct Answer {
        var status: Int
        var contentType: String
        var body: String
        var json: JSONValue? { try? JSONDecoder().decode(JSONValue.self, from: Data(body.utf8)) }
    }

    private func post(_ url: String, _ headers: [String: String], _ body: String,
                      contentType: String = "application/json") async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: contentType)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return Answer(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type") ?? "",
                      body: String(buffer: bytes))
    }
}
