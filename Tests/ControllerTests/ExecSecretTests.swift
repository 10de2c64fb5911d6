import Foundation
import Manifests
import StewardTesting
import Testing

/// Exec `driver.env` secret references through the real `steward` binary, a real git repository
/// and a real script (DESIGN §13): the script gets the values; no output, event, status, history,
/// plan, store, event log or checkout holds one; malformed references are refused at validation;
/// one that cannot be resolved fails its actions, runs nothing, and is logged once.
@Suite("Exec driver secrets end to end", .serialized)
struct ExecSecretTests {
    static func leaks(_ text: String) -> [String] {
        ExecSecretFleet.needles.filter { text.contains($0) }
    }

    static func leaks(_ bytes: [UInt8]) -> [String] {
        ExecSecretFleet.needles.filter { needle in
            let pattern = Array(needle.utf8)
            guard bytes.count >= pattern.count else { return false }
            return (0...(bytes.count - pattern.count)).contains { bytes[$0] == pattern[0] && bytes[$0..<($0 + pattern.count)].elementsEqual(pattern) }
        }
    }

    @Test func theScriptGetsTheValuesAndNoOutputEventStatusPlanOrFileHoldsOne() async throws {
        let fleet = try ExecSecretFleet()
        var outputs: [String: String] = [:]
        for pass in 1...2 {   // the second run probes what the first applied: status actions print the secrets too
            let run = try await fleet.steward(["run", "--once"])
            outputs["run --once #\(pass)"] = run.stdout + "\n" + run.stderr
        }
        let digests = ExecSecretFleet.secrets.map { ContentHash.sha256Hex(Array($0.utf8)) }
        let proof = try String(contentsOfFile: fleet.proof, encoding: .utf8)
        #expect(proof.contains("deploy Deployment/robot-nav-staging \(digests[0]) \(digests[1])"), "the script got both values:\n\(proof)")
        #expect(proof.contains("status Deployment/robot-nav-staging \(digests[0]) \(digests[1])"), "and so did its status checks:\n\(proof)")

        for arguments in [["status", "-o", "json"], ["status"], ["logs", "-o", "json"], ["logs"],
                          ["history", "robot-nav-staging", "-o", "json"], ["history", "desktop-assistant-staging", "-o", "json"],
                          ["history", "desktop-assistant-staging"], ["diff", "-o", "json"], ["diff"], ["validate"], ["verify-log"]] {
            let result = try await fleet.steward(arguments)
            outputs[arguments.joined(separator: " ")] = result.stdout + "\n" + result.stderr
        }
        for (what, text) in outputs.sorted(by: { $0.key < $1.key }) {
            #expect(Self.leaks(text).isEmpty, "`steward \(what)` printed \(Self.leaks(text))")
        }
        let files = fleet.filesWritten()
        #expect(files.keys.contains(".steward/state.db"))
        #expect(files.keys.contains { $0.hasPrefix(".steward/events/") })
        #expect(files.keys.contains { $0.hasPrefix(".steward/checkouts/") && $0.hasSuffix("ops/deploy.sh") })
        for (file, bytes) in files.sorted(by: { $0.key < $1.key }) {
            #expect(Self.leaks(bytes).isEmpty, "\(file) holds \(Self.leaks(bytes))")
        }

        // What was printed is there, redacted: the whole value, its JSON form, both splits, the reply, the error.
        let events = try await fleet.events()
        let deployed = try #require(events.first { $0["type"] as? String == "actionSucceeded" && $0["resource"] as? String == "Deployment/robot-nav-staging" })
        let output = try #require((deployed["data"] as? [String: Any])?["output"] as? String)
        for line in ["whole: [redacted]", #"{"json": "[redacted]"}"#, "split: [redacted] (end)", "stderr whole: [redacted]", "stderr split: [redacted]\n"] {
            #expect(output.contains(line), "\(line) in \(output)")
        }
        #expect(deployed["message"] as? String == "rolled out with [redacted]")
        let failed = try #require(events.first { $0["type"] as? String == "actionFailed" && $0["resource"] as? String == "Deployment/desktop-assistant-staging" })
        #expect(failed["message"] as? String == "deploy Deployment/desktop-assistant-staging: deploy.sh exited with code 3: deploy refused for token [redacted]")
        #expect(outputs["history desktop-assistant-staging -o json"]?.contains("failed") == true)
    }

    /// A malformed reference is refused by `validate` with file:line:col and field, and `run` applies nothing.
    @Test(arguments: [
        (#"{env: ""}"#, "spec.driver.env.CONSOLE_TOKEN.env: {env: NAME} needs the name of an environment variable", #""""#),
        ("{env: STEWARD_CONSOLE_TOKEN, file: ./t}", "spec.driver.env.CONSOLE_TOKEN: a secret reference names one source, {env: NAME} or {file: PATH}, not both", "{env: STEWARD"),
        ("{vault: console/token}", "spec.driver.env.CONSOLE_TOKEN.vault: unknown field 'vault'", "vault"),
    ])
    func malformedReferencesAreRefusedAndNothingIsApplied(reference: String, message: String, at marker: String) async throws {
        let fleet = try ExecSecretFleet(token: reference)
        let text = try #require(fleet.repo.read("environments/environments.yaml"))
        let line = try #require(text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("CONSOLE_TOKEN") })
        let column = try #require(String(text.split(separator: "\n", omittingEmptySubsequences: false)[line]).range(of: marker)).lowerBound
        let lineText = String(text.split(separator: "\n", omittingEmptySubsequences: false)[line])
        let position = "\(line + 1):\(lineText.distance(from: lineText.startIndex, to: column) + 1)"
        let validate = try await fleet.steward(["validate"])
        #expect(validate.exitCode != 0)
        #expect((validate.stdout + validate.stderr).contains("environments/environments.yaml:\(position): Environment/staging: \(message)"),
                "\(validate.stdout)\(validate.stderr)")
        let run = try await fleet.steward(["run", "--once"])
        #expect(run.exitCode != 0)
        #expect(!FileManager.default.fileExists(atPath: fleet.proof), "the script never ran")
        let events = try await fleet.events()
        #expect(!events.contains { $0["type"] as? String == "actionSucceeded" || $0["type"] as? String == "actionStarted" }, "\(events)")
    }

    /// A reference that cannot be resolved blocks its environment with one line naming it (status,
    /// diff), runs nothing, and is logged once however many passes see it; once it resolves, the
    /// environment is applied.
    @Test func anUnresolvableReferenceBlocksItsEnvironmentRunsNothingAndIsLoggedOnce() async throws {
        let fleet = try ExecSecretFleet(key: "{file: secrets/missing-key}")
        let unset: [String: String] = [:]   // STEWARD_CONSOLE_TOKEN is not in the controller's environment
        let reason = "driver: driver.env.CONSOLE_TOKEN: environment variable STEWARD_CONSOLE_TOKEN is not set; "
            + "driver.env.DEPLOY_KEY: secret file \(fleet.path)/secrets/missing-key does not exist"
        /// The resources of both environments (not the Environments and the BackupSchedule themselves).
        func targets() async throws -> [[String: Any]] {
            let resources = try await fleet.status(environment: unset)["resources"] as? [[String: Any]] ?? []
            return resources.filter { !["Environment", "BackupSchedule"].contains($0["kind"] as? String ?? "") }
        }
        func waitForCommit(_ sha: String) async throws {
            for _ in 0..<150 where (try await fleet.status(environment: unset))["commit"] as? String != sha {
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(try await fleet.status(environment: unset)["commit"] as? String == sha, "a pass saw \(sha)")
        }
        let log = try await fleet.whileRunning(environment: unset) {
            for _ in 0..<150 where try await targets().count < 10 { try await Task.sleep(for: .milliseconds(200)) }
            // Two more commits: at least three passes see the same references fail.
            for note in ["one", "two"] {
                try fleet.repo.write("notes.txt", note)
                try await waitForCommit(try fleet.repo.commit("note \(note)"))
            }
        }
        let resources = try await targets()
        #expect(resources.count == 10, "adapters, versions and deployments of both environments: \(resources)")
        for resource in resources {
            #expect(resource["sync"] as? String == "Blocked" && resource["message"] as? String == reason, "\(resource)")
        }
        let diff = try await fleet.steward(["diff", "-o", "json"], environment: unset)
        #expect(diff.stdout.contains(reason))
        #expect(!FileManager.default.fileExists(atPath: fleet.proof), "the script never ran, not even a status check")
        let events = try await fleet.events()
        #expect(!events.contains { ($0["type"] as? String)?.hasPrefix("action") == true }, "\(events)")

        let lines = log.split(separator: "\n").filter { $0.contains("secret reference cannot be resolved") }
        #expect(lines.count == 4, "once per environment and reference:\n\(lines.joined(separator: "\n"))")
        for environment in ["staging", "production"] {
            #expect(lines.filter { $0.contains("\(environment) driver.env.CONSOLE_TOKEN: environment variable STEWARD_CONSOLE_TOKEN is not set") }.count == 1)
            #expect(lines.filter { $0.contains("\(environment) driver.env.DEPLOY_KEY: secret file ") }.count == 1)
        }

        // Resolvable again: the next run applies the environment, and the script gets the values.
        try ExecSecretFleet.deployKey.write(toFile: fleet.path + "/secrets/missing-key", atomically: true, encoding: .utf8)
        _ = try await fleet.steward(["run", "--once"])
        let digests = ExecSecretFleet.secrets.map { ContentHash.sha256Hex(Array($0.utf8)) }
        let proof = (try? String(contentsOfFile: fleet.proof, encoding: .utf8)) ?? ""
        #expect(proof.contains("deploy Deployment/robot-nav-staging \(digests[0]) \(digests[1])"), "\(proof)")
    }
}
