import Controller
import Crypto
import Foundation
import HTTPAPI
import Logging
import Manifests
import ServiceLifecycle
import StateStore
import StewardTesting
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A running controller (reconcile loop + HTTP server) over a real git repo and SQLite store.
final class RunningController: @unchecked Sendable {
    let directory: TemporaryDirectory
    let repo: TemporaryGitRepository
    let port: Int
    let task: Task<Void, any Error>
    let store: any StateStore

    static let token = "test-api-token"
    static let secret = "webhook-secret"

    init(webhooks: Bool = true, interval: Double = 300, token: String? = RunningController.token,
         ui: ControllerConfig.UIMode = .on, prepare: (TemporaryGitRepository) throws -> Void = { _ in }) async throws {
        directory = try TemporaryDirectory()
        repo = try TemporaryGitRepository()
        try repo.copyQuickstart()
        try prepare(repo)
        try repo.commit("quickstart")
        try "source: {repository: \(repo.path), branch: main}\nstore: {url: sqlite://state.db}\neventLog: {directory: events}\n"
            .write(toFile: directory.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let settings = try ControllerSettings.load(path: directory.path + "/controller.yaml")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        store = try await settings.openStore()
        let service = ReconcileService(reconciler: Reconciler(settings: settings, store: store, logger: logger), interval: interval, logger: logger)
        let context = APIContext(store: store, reconcile: service, branch: "main", apiToken: token,
                                 webhookSecret: webhooks ? Self.secret : nil, registry: StewardMetrics.registry(), maxBodyBytes: 64 << 10,
                                 ui: ui, settings: settings)
        let ports = AsyncStream<Int>.makeStream()
        let app = HTTPServer.application(context: context, address: .hostname("127.0.0.1", port: 0), logger: logger) { port in
            ports.continuation.yield(port)
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: service), .init(service: app)], logger: logger))
        task = Task { try await group.run() }
        var iterator = ports.stream.makeAsyncIterator()
        port = await iterator.next() ?? 0
    }

    func stop() async {
        task.cancel()
        _ = await task.result
        try? await store.close()
    }

    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: Data? = nil) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 120   // a hang guard: the whole suite shares two cores
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    /// Polls until `condition` holds (bounded), for things the loop does asynchronously.
    /// A hang guard, not a timing: generous, since the whole suite shares this machine's two cores.
    func eventually(_ seconds: Double = 120, _ condition: () async throws -> Bool) async rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try? await Task.sleep(for: .milliseconds(200))
        }
        return try await condition()
    }

    func appliedCommit() async throws -> String? {
        let (_, data) = try await request("GET", "/api/status", headers: ["Authorization": "Bearer \(Self.token)"])
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["commit"] as? String
    }
}

@Suite("HTTP API on a loopback port: probes, metrics, token, webhooks", .serialized)
struct HTTPAPITests {
    @Test func probesAndReadiness() async throws {
        let controller = try await RunningController()
        #expect(try await controller.request("GET", "/healthz").0 == 200)
        #expect(await controller.eventually { (try? await controller.request("GET", "/readyz").0) == 200 })
        await controller.stop()
    }

    @Test func metricsAreValidPrometheusText() async throws {
        let controller = try await RunningController()
        #expect(await controller.eventually { (try? await controller.request("GET", "/readyz").0) == 200 })
        let (status, data) = try await controller.request("GET", "/metrics")
        #expect(status == 200)
        let text = String(decoding: data, as: UTF8.self)
        let sample = #"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? [-+0-9.eEInfNa]+$"#
        for line in text.split(separator: "\n") where !line.isEmpty {
            let ok = line.hasPrefix("# TYPE ") || line.hasPrefix("# HELP ") || line.range(of: sample, options: .regularExpression) != nil
            #expect(ok, "not exposition format: \(line)")
        }
        for name in ["steward_reconcile_duration_seconds_bucket", "steward_reconcile_total{result=\"success\"}", "steward_resources{",
                     "steward_actions_total{", "steward_last_successful_reconcile_timestamp_seconds", "steward_source_commit_info{sha=", "steward_leader"] {
            #expect(text.contains(name), "missing \(name)")
        }
        await controller.stop()
    }

    @Test func apiNeedsTheToken() async throws {
        let controller = try await RunningController()
        #expect(await controller.eventually { (try? await controller.request("GET", "/readyz").0) == 200 })
        #expect(try await controller.request("GET", "/api/status").0 == 401)
        #expect(try await controller.request("GET", "/api/status", headers: ["Authorization": "Bearer nope"]).0 == 401)
        #expect(try await controller.request("POST", "/api/reconcile").0 == 401)
        let auth = ["Authorization": "Bearer \(RunningController.token)"]
        let (status, data) = try await controller.request("GET", "/api/status", headers: auth)
        #expect(status == 200)
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(document.keys).isSuperset(of: ["commit", "source", "leader", "resources"]))
        #expect((document["resources"] as? [Any])?.count == 13)
        let (planStatus, plan) = try await controller.request("GET", "/api/plan", headers: auth)
        #expect(planStatus == 200)
        // `steward diff -o json`'s shape (DESIGN §7): nothing left to do once the fleet converged.
        let planDocument = try #require(try JSONSerialization.jsonObject(with: plan) as? [String: Any])
        #expect(Set(planDocument.keys) == ["commit", "changes", "blocked"])
        #expect((planDocument["changes"] as? [Any])?.isEmpty == true)
        // Why a Deployment is converged (DESIGN §14), `steward explain -o json`'s shape; KIND/NAME in each environment.
        let (explainStatus, explain) = try await controller.request("GET", "/api/explain/robot-nav-staging", headers: auth)
        #expect(explainStatus == 200)
        let explanation = try #require(try JSONSerialization.jsonObject(with: explain) as? [String: Any])
        #expect(explanation["converged"] as? Bool == true && explanation["environment"] as? String == "staging")
        #expect((explanation["chain"] as? [[String: Any]])?.first?["text"] as? String == "wants 1.3.0")
        let (adapterStatus, adapter) = try await controller.request("GET", "/api/explain/RuntimeAdapter/desktop-main", headers: auth)
        #expect(adapterStatus == 200)
        #expect((try JSONSerialization.jsonObject(with: adapter) as? [[String: Any]])?.count == 2)
        #expect(try await controller.request("GET", "/api/explain/nope", headers: auth).0 == 404)
        #expect(try await controller.request("GET", "/api/explain/robot-nav-staging").0 == 401)
        let (eventsStatus, events) = try await controller.request("GET", "/api/events?since=3", headers: auth)
        #expect(eventsStatus == 200)
        let records = try #require(try JSONSerialization.jsonObject(with: events) as? [[String: Any]])
        #expect(records.first?["seq"] as? Int == 4)
        // The records as stored (each its canonical line): every key present, in seq order, each
        // record's prev the hash of the one before.
        #expect(records.allSatisfy { Set($0.keys) == ["seq", "time", "commit", "resource", "environment", "type", "reason", "message", "data", "prev", "hash"] })
        #expect(records.map { $0["seq"] as? Int } == Array(4..<(4 + records.count)).map { Optional($0) })
        #expect(zip(records, records.dropFirst()).allSatisfy { $0["hash"] as? String == $1["prev"] as? String })
        #expect(try await controller.request("POST", "/api/reconcile", headers: auth).0 == 202)
        await controller.stop()
    }

    private func signature(_ body: Data, secret: String = RunningController.secret) -> String {
        "sha256=" + HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    @Test func signedPushTriggersAReconcileAtOnce() async throws {
        let controller = try await RunningController(interval: 600)
        #expect(await controller.eventually { (try? await controller.request("GET", "/readyz").0) == 200 })
        let before = try await controller.appliedCommit()
        let adapter = try #require(controller.repo.read("adapters/desktop-main.yaml"))
        try controller.repo.write("adapters/desktop-main.yaml", adapter.replacingOccurrences(of: "memoryMb: 4096", with: "memoryMb: 2048"))
        let after = try controller.repo.commit("less memory")
        let body = Data(#"{"ref": "refs/heads/main", "after": "\#(after)"}"#.utf8)
        let bad = try await controller.request("POST", "/webhooks/git", headers: ["X-Hub-Signature-256": signature(body, secret: "wrong"), "X-GitHub-Event": "push"], body: body)
        #expect(bad.0 == 401)
        let missing = try await controller.request("POST", "/webhooks/git", headers: ["X-GitHub-Event": "push"], body: body)
        #expect(missing.0 == 401)
        #expect(try await controller.appliedCommit() == before)
        let good = try await controller.request("POST", "/webhooks/git", headers: ["X-Hub-Signature-256": signature(body), "X-GitHub-Event": "push"], body: body)
        #expect(good.0 == 202)
        #expect(String(decoding: good.1, as: UTF8.self).contains("\"triggered\":\"true\""))
        #expect(await controller.eventually { (try? await controller.appliedCommit()) == after })
        await controller.stop()
    }

    @Test func otherEventsAndBranchesAreIgnoredAndGitLabWorks() async throws {
        let controller = try await RunningController()
        let body = Data(#"{"ref": "refs/heads/feature"}"#.utf8)
        let ping = try await controller.request("POST", "/webhooks/git", headers: ["X-Hub-Signature-256": signature(body), "X-GitHub-Event": "ping"], body: body)
        #expect(ping.0 == 202)
        #expect(String(decoding: ping.1, as: UTF8.self).contains("\"triggered\":\"false\""))
        let otherBranch = try await controller.request("POST", "/webhooks/git", headers: ["X-Hub-Signature-256": signature(body), "X-GitHub-Event": "push"], body: body)
        #expect(String(decoding: otherBranch.1, as: UTF8.self).contains("refs/heads/feature"))
        let main = Data(#"{"ref": "refs/heads/main"}"#.utf8)
        #expect(try await controller.request("POST", "/webhooks/git", headers: ["X-Gitlab-Token": "nope", "X-Gitlab-Event": "Push Hook"], body: main).0 == 401)
        let gitlab = try await controller.request("POST", "/webhooks/git", headers: ["X-Gitlab-Token": RunningController.secret, "X-Gitlab-Event": "Push Hook"], body: main)
        #expect(gitlab.0 == 202)
        #expect(String(decoding: gitlab.1, as: UTF8.self).contains("\"triggered\":\"true\""))
        let huge = Data(repeating: UInt8(ascii: "a"), count: 200 << 10)
        #expect(try await controller.request("POST", "/webhooks/git", headers: ["X-Gitlab-Token": RunningController.secret], body: huge).0 == 413)
        await controller.stop()
    }

    @Test func webhooksAnswer404WithoutASecret() async throws {
        let controller = try await RunningController(webhooks: false)
        let body = Data(#"{"ref": "refs/heads/main"}"#.utf8)
        #expect(try await controller.request("POST", "/webhooks/git", headers: ["X-Hub-Signature-256": signature(body), "X-GitHub-Event": "push"], body: body).0 == 404)
        await controller.stop()
    }
}
