import Foundation
import StewardTesting
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Secrets referenced with `{env:}` / `{file:}` never appear in what Steward prints, logs, stores or
/// serves (DESIGN §3): a real fleet (http driver against a real console server with a bearer token,
/// exec driver), the real `steward` binary for every read command and for a running controller
/// with webhooks and the API, then every byte of output and every file Steward wrote is searched.
@Suite("Planted secrets never leak", .serialized)
struct SecretLeakTests {
    /// Distinctive values, so a hit can only be a leak.
    static let consoleToken = "console-tok-6c1f0e9b7d2a4f13"
    static let webhookSecret = "webhook-sec-93a7d1c4e8b2f605"
    static let apiToken = "api-tok-2b8e5f0a7c3d9146"
    /// Given to the exec command through `driver.env: {DEPLOY_TOKEN: {env: STEWARD_EXEC_TOKEN}}` (DESIGN §13).
    static let execSecret = "exec-tok-8d3b6e1f04a29c75"
    static let controllerSecrets = [consoleToken, webhookSecret, apiToken]
    static let secrets = controllerSecrets + [execSecret]

    @Test func plantedSecretsNeverAppearInOutputEventsStatusPlansOrFiles() async throws {
        let console = try await ConsoleServer.start(token: Self.consoleToken)
        let fleet = try SecretFleet(console: console)
        var outputs: [String: String] = [:]
        func run(_ arguments: String...) async throws -> StewardProcess.Result {
            let result = try await StewardProcess.run(arguments + fleet.config, in: fleet.path, environment: fleet.environment)
            outputs[arguments.joined(separator: " ")] = result.stdout + "\n" + result.stderr
            return result
        }
        let first = try await run("run", "--once")
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(!console.deployments(environment: "staging").isEmpty, "the http driver reached the console")
        // A change that the console refuses puts error paths (messages, retries) into the log too.
        console.failNext(20, status: 500)
        try fleet.repo.write("adapters/desktop-main.yaml",
                             try #require(fleet.repo.read("adapters/desktop-main.yaml")).replacingOccurrences(of: "memoryMb: 4096", with: "memoryMb: 6144"))
        try fleet.repo.commit("more memory")
        _ = try await run("run", "--once")
        for arguments in [["status", "-o", "json"], ["status"], ["logs", "-o", "json"], ["logs"], ["diff", "-o", "json"], ["diff", "-o", "markdown"],
                          ["diff", "-o", "junit"], ["diff"], ["validate", "-o", "json"], ["validate"], ["verify-log"],
                          ["history", "robot-nav-staging", "-o", "json"], ["backup", "list", "-o", "json"]] {
            let result = try await StewardProcess.run(arguments + fleet.config, in: fleet.path, environment: fleet.environment)
            outputs[arguments.joined(separator: " ")] = result.stdout + "\n" + result.stderr
        }
        #expect(outputs["logs -o json"]?.contains("\"type\":\"actionSucceeded\"") == true)
        outputs.merge(try await fleet.serve()) { $1 }

        for (what, text) in outputs {
            for secret in Self.secrets {
                #expect(!text.contains(secret), "\(secret) printed by `steward \(what)`")
            }
        }
        for (file, bytes) in fleet.filesWritten() {
            for secret in Self.secrets {
                #expect(!bytes.contains(secret), "\(secret) found in \(file)")
            }
        }
        // The exec command received its own secret reference's value and never the controller's
        // secrets (it printed its environment, which the event log holds redacted).
        let dump = try String(contentsOfFile: fleet.dump, encoding: .utf8)
        #expect(dump.contains("STEWARD_ACTION=deploy"))
        #expect(dump.contains("DEPLOY_TOKEN=\(Self.execSecret)\n"))
        #expect(outputs["logs -o json"]?.contains("DEPLOY_TOKEN=[redacted]") == true)
        for secret in Self.controllerSecrets { #expect(!dump.contains(secret), "\(secret) reached the exec command") }
        #expect(!dump.contains("CONSOLE_TOKEN") && !dump.contains("STEWARD_WEBHOOK_SECRET"))
        await console.stop()
    }

    /// A password in `store.url` (inline or through `{env:}`) is never printed, also when the URL
    /// is malformed or the server cannot be reached.
    @Test(arguments: ["postgres://steward:Pw-0f9e8d7c@127.0.0.1:1/steward",
                      "postgres://steward:Pw-0f9e8d7c@127.0.0.1:99999/steward",
                      "postgres://steward:Pw-0f9e8d7c@[::1/steward"])
    func storePasswordIsNeverPrinted(_ url: String) throws {
        let directory = try TemporaryDirectory()
        try "source: {repository: ./repo, branch: main}\nstore: {url: {env: STEWARD_DATABASE_URL}}\n"
            .write(toFile: directory.path + "/controller.yaml", atomically: true, encoding: .utf8)
        for arguments in [["status"], ["run", "--once", "--timeout", "20s"], ["logs"], ["diff"]] {
            let result = try StewardProcess.run(arguments, in: directory.path, environment: ["STEWARD_DATABASE_URL": url])
            #expect(result.exitCode != 0)
            #expect(!(result.stdout + result.stderr).contains("Pw-0f9e8d7c"), "steward \(arguments.joined(separator: " ")): \(result.stderr)")
            #expect(result.stderr.contains("***") || result.stderr.contains("store.url"), "\(result.stderr)")
        }
    }

    /// Passwords are often generated with `/`, `?` or `#` in them and pasted into a URL unencoded.
    /// StoreURL.redact once cut the authority at the first `/` or `?` and printed such a password in
    /// "store.url … has no user name"; it now redacts up to the last `@`.
    @Test(arguments: ["postgres://steward:Pw/0f9e8d7c@127.0.0.1:1/steward", "postgres://steward:Pw?0f9e8d7c@127.0.0.1:1/steward"])
    func storePasswordWithSlashOrQuestionMarkIsNeverPrinted(_ url: String) throws {
        let directory = try TemporaryDirectory()
        try "source: {repository: ./repo, branch: main}\nstore: {url: {env: STEWARD_DATABASE_URL}}\n"
            .write(toFile: directory.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let result = try StewardProcess.run(["status"], in: directory.path, environment: ["STEWARD_DATABASE_URL": url])
        #expect(result.exitCode != 0)
        #expect(!result.stderr.contains("0f9e8d7c"), "\(result.stderr)")
    }
}
