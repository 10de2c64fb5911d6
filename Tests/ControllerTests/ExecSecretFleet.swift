import Foundation
import StewardTesting
import Testing

/// The quickstart fleet with both environments on the `exec` driver, whose `driver.env` holds a
/// plain value and two secret references: `{env: STEWARD_CONSOLE_TOKEN}` and `{file: secrets/deploy-key}`
/// (relative to controller.yaml). The script proves it got the values (their SHA-256, outside the
/// controller's folder), then prints them whole, JSON-escaped and split across lines on stdout and
/// stderr, in its JSON reply too; deploying desktop-assistant-staging fails with the token in the error.
final class ExecSecretFleet {
    /// Distinctive values, so a hit can only be a leak; `/` and `"` make the JSON form differ.
    static let token = #"tok/en"5f2a-9c7e1b3d8046"#
    static let deployKey = "dkey-c84e20b9a7f1d365e0"
    static var secrets: [String] { [token, deployKey] }

    let directory: TemporaryDirectory
    /// Where the script writes what it may write (proofs, markers): outside the controller's folder.
    let outside: TemporaryDirectory
    let repo: TemporaryGitRepository
    var path: String { directory.path }
    var config: [String] { ["--config", path + "/controller.yaml"] }
    /// What the script writes for each run: `ACTION RESOURCE sha256(token) sha256(key)`.
    var proof: String { outside.path + "/proof" }
    /// The controller's environment, where `{env:}` references are read.
    var environment: [String: String] { ["STEWARD_CONSOLE_TOKEN": Self.token] }

    /// - Parameters: the references (YAML flow text) of `CONSOLE_TOKEN` and `DEPLOY_KEY`.
    init(token: String = "{env: STEWARD_CONSOLE_TOKEN}", key: String = "{file: secrets/deploy-key}") throws {
        directory = try TemporaryDirectory(prefix: "steward-exec-secrets")
        outside = try TemporaryDirectory(prefix: "steward-exec-out")
        repo = try TemporaryGitRepository()
        try repo.copyQuickstart()
        let env = "{CONSOLE_TOKEN: \(token), DEPLOY_KEY: \(key), OUT: \"\(outside.path)\", REGION: eu}"
        try repo.writeQuickstartEnvironments(driver: "{type: exec, command: [./ops/deploy.sh], timeoutSeconds: 30, env: \(env)}")
        try repo.write("ops/deploy.sh", Self.script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: repo.path + "/ops/deploy.sh")
        try repo.commit("fleet on the exec driver with secret references")
        try FileManager.default.createDirectory(atPath: path + "/secrets", withIntermediateDirectories: true)
        try (Self.deployKey + "\n").write(toFile: path + "/secrets/deploy-key", atomically: true, encoding: .utf8)
        try """
            source: {repository: \(repo.path), branch: main, path: ., interval: 1s}
            store: {url: "sqlite://.steward/state.db"}
            eventLog: {directory: .steward/events}
            server: {listen: "127.0.0.1:0"}
            reconcile: {prune: true, selfHeal: true, concurrency: 2, retry: {initialSeconds: 0.1, maxSeconds: 0.5}}

            """.write(toFile: path + "/controller.yaml", atomically: true, encoding: .utf8)
    }

    static let script = #"""
        #!/bin/bash
        input=$(cat)
        digest() { printf '%s' "$1" | sha256sum | cut -c1-64; }
        echo "$STEWARD_ACTION $STEWARD_RESOURCE $(digest "$CONSOLE_TOKEN") $(digest "$DEPLOY_KEY")" >> "$OUT/proof"
        for s in "$CONSOLE_TOKEN" "$DEPLOY_KEY"; do
          esc=${s//\\/\\\\}; esc=${esc//\"/\\\"}; esc=${esc//\//\\/}
          echo "whole: $s"
          echo "{\"json\": \"$esc\"}"
          echo "split: ${s:0:9}"
          echo "${s:9} (end)"
          echo "stderr whole: $s" >&2
          printf 'stderr split: %s\r\n%s\n' "${s:0:12}" "${s:12}" >&2
        done
        [ "$STEWARD_ACTION" = status ] && exit 0
        if [ "$STEWARD_ACTION" = deploy ] && [ "$STEWARD_RESOURCE" = Deployment/desktop-assistant-staging ]; then
          echo "deploy refused for token $CONSOLE_TOKEN" >&2
          exit 3
        fi
        esc=${CONSOLE_TOKEN//\\/\\\\}; esc=${esc//\"/\\\"}
        echo "{\"status\":\"deployed\",\"deploymentId\":\"dep-$esc\",\"message\":\"rolled out with ${DEPLOY_KEY:0:6}\\n${DEPLOY_KEY:6}\"}"

        """#

    /// The secrets, their JSON forms and every 8-character piece of them: none may appear anywhere.
    static var needles: [String] {
        var needles: [String] = []
        for secret in secrets {
            let quoted = secret.replacingOccurrences(of: "\"", with: "\\\"")
            for form in [secret, quoted, quoted.replacingOccurrences(of: "/", with: "\\/")] {
                let characters = Array(form)
                needles += (0...(characters.count - 8)).map { String(characters[$0..<($0 + 8)]) }
            }
        }
        return needles
    }

    /// Every file under the controller's folder (store, WAL, event log, checkouts) but the secret file it was given.
    func filesWritten() -> [String: [UInt8]] {
        var files: [String: [UInt8]] = [:]
        guard let walker = FileManager.default.enumerator(atPath: path) else { return files }
        while let relative = walker.nextObject() as? String {
            guard relative != "secrets/deploy-key", walker.fileAttributes?[.type] as? FileAttributeType == .typeRegular,
                  let data = FileManager.default.contents(atPath: path + "/" + relative) else { continue }
            files[relative] = Array(data)
        }
        return files
    }

    /// `steward ARGS --config …` with the fleet's environment.
    func steward(_ arguments: [String], environment extra: [String: String]? = nil) async throws -> StewardProcess.Result {
        try await StewardProcess.run(arguments + config, in: path, environment: extra ?? environment)
    }

    /// Runs `steward run` (the loop, JSON logs) while `body` runs, then stops it with SIGTERM;
    /// returns what it logged.
    func whileRunning(environment extra: [String: String] = [:], _ body: () async throws -> Void) async throws -> String {
        let log = outside.path + "/run.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        let process = try Subprocess(try StewardProcess.executable.path, ["run", "--log-format", "json"] + config, in: path,
                                     environment: ProcessInfo.processInfo.environment.merging(extra) { $1 }, stdout: log, stderr: log)
        do { try await body() } catch {
            process.signal(SIGTERM)
            _ = await process.wait()
            throw error
        }
        process.signal(SIGTERM)
        _ = await process.wait()
        return try String(contentsOfFile: log, encoding: .utf8)
    }

    /// The top-level document `steward status -o json` prints.
    func status(environment extra: [String: String]? = nil) async throws -> [String: Any] {
        let result = try await steward(["status", "-o", "json"], environment: extra)
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]) ?? [:]
    }

    /// The JSON records `steward logs -o json` prints.
    func events() async throws -> [[String: Any]] {
        let result = try await steward(["logs", "-o", "json"])
        return result.stdout.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
