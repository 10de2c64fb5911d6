import Foundation
import StewardTesting
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The quickstart fleet with staging on the `http` driver (a real console server that wants a bearer
/// token from `{env: CONSOLE_TOKEN}`) and production on the `exec` driver (a script that prints its
/// whole environment, with a `driver.env` secret from `{env: STEWARD_EXEC_TOKEN}`, and stdin), and a
/// controller whose webhook secret and API token are references.
final class SecretFleet {
    let directory: TemporaryDirectory
    let secretsFolder: TemporaryDirectory
    let repo: TemporaryGitRepository
    /// Where the exec script appends its environment and stdin.
    let dump: String
    var path: String { directory.path }
    /// `--config` with an absolute path: with the default `./controller.yaml` exec scripts in the
    /// repository are not found (see DriverConfinementTests.execScriptRunsWithTheDefaultConfigPath).
    var config: [String] { ["--config", path + "/controller.yaml"] }

    /// The controller's process environment: the secrets it may read.
    var environment: [String: String] {
        ["CONSOLE_TOKEN": SecretLeakTests.consoleToken, "STEWARD_WEBHOOK_SECRET": SecretLeakTests.webhookSecret,
         "STEWARD_EXEC_TOKEN": SecretLeakTests.execSecret]
    }

    init(console: ConsoleServer) throws {
        directory = try TemporaryDirectory(prefix: "steward-secrets")
        secretsFolder = try TemporaryDirectory(prefix: "steward-secret-files")
        repo = try TemporaryGitRepository()
        dump = secretsFolder.path + "/exec-dump.txt"
        try repo.copyQuickstart()
        try repo.write("environments/environments.yaml", """
            apiVersion: steward/v1
            kind: Environment
            metadata: {name: staging}
            spec:
              driver: {type: http, url: "\(console.baseURL.absoluteString)", tokenFrom: {env: CONSOLE_TOKEN}}
              adapters: [robotics-main, desktop-main]
              strategy: {type: rolling}
            ---
            apiVersion: steward/v1
            kind: Environment
            metadata: {name: production}
            spec:
              driver: {type: exec, command: [./ops/deploy.sh, --verbose], timeoutSeconds: 30, env: {DUMP: "\(dump)", DEPLOY_TOKEN: {env: STEWARD_EXEC_TOKEN}}}
              adapters: [robotics-main, desktop-main]

            """)
        try repo.write("ops/deploy.sh", """
            #!/bin/bash
            # Prints everything it was given: a secret that reached it would land in the event log.
            input=$(cat)
            { echo "== $STEWARD_ACTION $STEWARD_RESOURCE $*"; env; echo "$input"; } >> "$DUMP"
            env
            echo "$input" >&2

            """)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: repo.path + "/ops/deploy.sh")
        try repo.commit("fleet on http and exec drivers")
        try SecretLeakTests.apiToken.write(toFile: secretsFolder.path + "/api-token", atomically: true, encoding: .utf8)
        try """
            source: {repository: \(repo.path), branch: main, path: ., interval: 1s}
            store: {url: "sqlite://.steward/state.db"}
            eventLog: {directory: .steward/events}
            server: {listen: "127.0.0.1:0", webhookSecret: {env: STEWARD_WEBHOOK_SECRET}, apiToken: {file: \(secretsFolder.path)/api-token}}
            reconcile: {prune: true, selfHeal: true, concurrency: 2, retry: {initialSeconds: 0.1, maxSeconds: 0.5}}
            drivers: {local: {allowedRoots: [.]}}

            """.write(toFile: path + "/controller.yaml", atomically: true, encoding: .utf8)
    }

    /// Every file under the controller's folder (store, WAL, event log, checkouts, lock) as text.
    func filesWritten() -> [String: String] {
        var files: [String: String] = [:]
        guard let walker = FileManager.default.enumerator(atPath: path) else { return files }
        while let relative = walker.nextObject() as? String {
            guard walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular,
                  let data = FileManager.default.contents(atPath: path + "/" + relative) else { continue }
            files[relative] = String(decoding: data, as: UTF8.self)
        }
        return files
    }

    /// Runs `steward run` (not `--once`) with its HTTP server, calls every API route with the right
    /// and a wrong token and sends webhooks with the right and a wrong secret, then stops it with
    /// SIGTERM. Returns every response body and the controller's own log, by what produced it.
    func serve() async throws -> [String: String] {
        let log = secretsFolder.path + "/run.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = try Subprocess(try StewardProcess.executable.path, ["run", "--log-format", "json"] + config, in: path,
                                     environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
                                     stdout: log, stderr: log)
        var port: Int?
        for _ in 0..<300 where port == nil {
            try await Task.sleep(for: .milliseconds(100))
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let range = text.range(of: #""port":"[0-9]+""#, options: .regularExpression) {
                port = Int(text[range].dropFirst(8).dropLast())
            }
        }
        let bound = try #require(port, "the controller did not report its port")
        for _ in 0..<300 {   // ready: the first reconcile finished, so /api/plan has a plan
            // a plain socket on a thread of its own: a URLSession poll was once seen stuck under load
            if let (status, _) = await loopbackGET(port: bound, path: "/readyz"), status == 200 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        var outputs: [String: String] = [:]
        let bearer = ["Authorization": "Bearer \(SecretLeakTests.apiToken)"]
        let wrong = ["Authorization": "Bearer \(SecretLeakTests.apiToken.dropLast())"]
        for route in ["/api/status", "/api/plan", "/api/events?since=0", "/healthz", "/readyz", "/metrics"] {
            for (name, headers) in [("token", bearer), ("wrong", wrong)] {
                let (status, body) = try await Self.request(port: bound, "GET", route, headers: headers)
                outputs["GET \(route) \(name) → \(status)"] = body
                if route.hasPrefix("/api/") { #expect(status == (name == "token" ? 200 : 401), "GET \(route) with the \(name) token: \(status)") }
            }
        }
        let (reconcile, _) = try await Self.request(port: bound, "POST", "/api/reconcile", headers: bearer)
        #expect(reconcile < 300)
        let push = Data(#"{"ref":"refs/heads/main","after":"0000000000000000000000000000000000000000"}"#.utf8)
        for (name, secret) in [("secret", SecretLeakTests.webhookSecret), ("wrong", "not-the-secret")] {
            let (status, body) = try await Self.request(port: bound, "POST", "/webhooks/git",
                                                        headers: ["X-Gitlab-Token": secret, "X-Gitlab-Event": "Push Hook",
                                                                  "Content-Type": "application/json"], body: push)
            outputs["POST /webhooks/git \(name) → \(status)"] = body
            #expect((status == 401) == (name == "wrong"), "webhook \(name): \(status)")
        }
        try await Task.sleep(for: .seconds(1))
        process.signal(SIGTERM)
        _ = await process.wait()
        outputs["run (controller log)"] = try String(contentsOfFile: log, encoding: .utf8)
        return outputs
    }

    static func request(port: Int, _ method: String, _ path: String, headers: [String: String] = [:],
                        body: Data? = nil) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.timeoutInterval = 30
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }
}
