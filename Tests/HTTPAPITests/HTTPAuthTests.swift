import Crypto
import Foundation
@testable import HTTPAPI
import StewardTesting
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// How `/api/*` and `/webhooks/git` check credentials, on a loopback port: the bearer scheme in any
/// case (RFC 7235), tokens and signatures of any length refused without a byte compare that ends
/// early, and references that cannot be resolved said once by `steward run`.
@Suite("HTTP API credentials: bearer scheme, token and signature lengths, unresolved references", .serialized)
struct HTTPAuthTests {
    @Test func theBearerSchemeIsCaseInsensitiveAndOnlyTheExactTokenPasses() async throws {
        let controller = try await RunningController()
        let token = RunningController.token
        for header in ["Bearer \(token)", "bearer \(token)", "BEARER \(token)", "bEaReR \(token)", "Bearer   \(token)"] {
            #expect(try await controller.request("GET", "/api/status", headers: ["Authorization": header]).0 == 200, "\(header)")
        }
        for header in ["Bearer \(token.dropLast())", "Bearer \(token)x", "Bearer \(token)\(token)", "Bearer t", "Bearer ",
                       "Bearer", "Basic \(token)", token, "Bearer\(token)", "Bearer \(token.uppercased())", "Token \(token)"] {
            #expect(try await controller.request("GET", "/api/status", headers: ["Authorization": header]).0 == 401, "\(header)")
        }
        #expect(try await controller.request("POST", "/api/reconcile", headers: ["Authorization": "bearer \(token)"]).0 == 202)
        await controller.stop()
    }

    @Test func secretMatchAndBearerParsing() throws {
        #expect(SecretMatch("") == nil, "an empty secret matches nothing: no token is configured")
        let match = try #require(SecretMatch("s3cret-tok"))
        #expect(match.matches("s3cret-tok"))
        for wrong in ["", "s3cret-to", "s3cret-tok ", "S3CRET-TOK", "s3cret-tok\0", "x"] { #expect(!match.matches(wrong), "\(wrong)") }
        #expect(BearerTokenMiddleware.bearerToken("bearer  abc") == "abc")
        #expect(BearerTokenMiddleware.bearerToken("BEARER abc def") == "abc def")
        #expect(BearerTokenMiddleware.bearerToken("Bearer") == nil)
        #expect(BearerTokenMiddleware.bearerToken("Bearer   ") == nil)
        #expect(BearerTokenMiddleware.bearerToken("Bearerabc") == nil)
        #expect(BearerTokenMiddleware.bearerToken("Basic abc") == nil)
        #expect(BearerTokenMiddleware.bearerToken(nil) == nil)
    }

    private func signature(_ body: Data, secret: String = RunningController.secret) -> String {
        HMAC<SHA256>.authenticationCode(for: body, using: SymmetricKey(data: Array(secret.utf8))).map { String(format: "%02x", $0) }.joined()
    }

    @Test func webhookSignaturesAndTokensOfAnyOtherLengthAreRefused() async throws {
        let controller = try await RunningController()
        let body = Data(#"{"ref": "refs/heads/main"}"#.utf8)
        let good = signature(body)
        func github(_ value: String) async throws -> Int {
            try await controller.request("POST", "/webhooks/git", headers: ["X-Hub-Signature-256": value, "X-GitHub-Event": "push"], body: body).0
        }
        #expect(try await github("sha256=" + good) == 202)
        #expect(try await github("sha256=" + good.uppercased()) == 202, "hex digits in either case")
        for wrong in [String(good.dropLast(2)), good + "00", String(good.prefix(2)), "", good + good,
                      String(repeating: "0", count: 64), String(good.dropLast()) + (good.hasSuffix("0") ? "1" : "0")] {
            #expect(try await github("sha256=" + wrong) == 401, "signature \(wrong)")
        }
        #expect(try await github("sha1=" + good) == 401)
        #expect(try await github("sha256=zz" + good.dropFirst(2)) == 401)
        func gitlab(_ token: String) async throws -> Int {
            try await controller.request("POST", "/webhooks/git", headers: ["X-Gitlab-Token": token, "X-Gitlab-Event": "Push Hook"], body: body).0
        }
        let secret = RunningController.secret
        #expect(try await gitlab(secret) == 202)
        for wrong in [String(secret.dropLast()), secret + "x", String(secret.prefix(1)), secret.uppercased(), secret + secret] {
            #expect(try await gitlab(wrong) == 401, "token \(wrong)")
        }
        await controller.stop()
    }

    /// `server.apiToken` and `server.webhookSecret` whose references cannot be resolved: `steward run`
    /// says so once each, with what follows; the API refuses everyone, even an empty token, and
    /// webhooks answer 404.
    @Test func unresolvableServerSecretsAreLoggedOnceAndGuardEverything() async throws {
        let directory = try TemporaryDirectory(prefix: "steward-auth")
        let repo = try TemporaryGitRepository()
        try repo.copyQuickstart()
        try repo.commit("quickstart")
        try """
            source: {repository: \(repo.path), branch: main, interval: 1s}
            store: {url: "sqlite://.steward/state.db"}
            eventLog: {directory: .steward/events}
            server: {listen: "127.0.0.1:0", apiToken: {env: STEWARD_TEST_UNSET_API_TOKEN}, webhookSecret: {file: secrets/webhook}}

            """.write(toFile: directory.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let log = directory.path + "/run.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = try Subprocess(try StewardProcess.executable.path, ["run", "--log-format", "json", "--config", directory.path + "/controller.yaml"],
                                     in: directory.path, environment: ProcessInfo.processInfo.environment, stdout: log, stderr: log)
        do {
            try await check(log: log, directory: directory.path)
        } catch {
            process.signal(SIGTERM)
            _ = await process.wait()
            throw error
        }
        process.signal(SIGTERM)
        _ = await process.wait()
        let lines = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n")
        let token = lines.filter { $0.contains("server.apiToken {env: STEWARD_TEST_UNSET_API_TOKEN} cannot be resolved: environment variable STEWARD_TEST_UNSET_API_TOKEN is not set; every /api/* request is refused with 401") }
        let webhook = lines.filter { $0.contains("server.webhookSecret {file: secrets/webhook} cannot be resolved: secret file \(directory.path)/secrets/webhook does not exist; /webhooks/git answers 404") }
        #expect(token.count == 1 && webhook.count == 1, "\(lines.joined(separator: "\n"))")
    }

    /// What the running controller answers once it serves.
    private func check(log: String, directory: String) async throws {
        var port: Int?
        for _ in 0..<300 where port == nil {
            try await Task.sleep(for: .milliseconds(100))
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #""port":"[0-9]+""#, options: .regularExpression) { port = Int(text[range].dropFirst(8).dropLast()) }
        }
        let bound = try #require(port, "the controller did not report its port")
        for _ in 0..<150 {
            if let (status, _) = await loopbackGET(port: bound, path: "/readyz"), status == 200 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        for header in ["Bearer ", "Bearer", "bearer x", ""] {
            #expect(try await Self.status(bound, "GET", "/api/status", headers: ["Authorization": header]) == 401, "\(header)")
        }
        let body = Data(#"{"ref": "refs/heads/main"}"#.utf8)
        #expect(try await Self.status(bound, "POST", "/webhooks/git", headers: ["X-Gitlab-Token": "", "X-Gitlab-Event": "Push Hook"], body: body) == 404)
        try await Task.sleep(for: .seconds(2))   // more passes: nothing more is said about the references
    }

    static func status(_ port: Int, _ method: String, _ path: String, headers: [String: String], body: Data? = nil) async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 120   // a hang guard: the whole suite shares two cores
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}
