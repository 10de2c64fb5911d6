import Foundation
import StewardTesting
import Testing

/// examples/aureus walked through as its README does, with the real binary, real git commits and
/// the in-repo console (the DevOps guide's API and nothing more): push, staging proves, production
/// promotes, a bump promotes, a hand rollback on the console is drift, a revert rolls back.
@Suite("examples/aureus: the Aureus guides' fleet, end to end", .serialized)
struct AureusExampleTests {
    static let token = "aureus-walkthrough-token"

    /// The example's fleet in a git repository, pointed at `console` (health windows of 1 s so the walk is quick).
    private func fleet(console: ConsoleServer) throws -> TemporaryGitRepository {
        let repo = try TemporaryGitRepository()
        try repo.copyManifests(from: StewardProcess.packageRoot.appendingPathComponent("examples/aureus/fleet").path)
        let environments = try #require(repo.read("environments/environments.yaml"))
        try repo.write("environments/environments.yaml", environments
            .replacingOccurrences(of: "http://127.0.0.1:3000", with: console.baseURL.absoluteString)
            .replacingOccurrences(of: #"windowSeconds: [0-9]+"#, with: "windowSeconds: 1", options: .regularExpression))
        try repo.commit("Aureus fleet from the guides")
        return repo
    }

    private func controller(_ repo: TemporaryGitRepository) throws -> TemporaryDirectory {
        let folder = try TemporaryDirectory()
        try """
            source: {repository: \(repo.path), branch: main}
            store: {url: sqlite://.steward/state.db}
            eventLog: {directory: .steward/events}
            git: {author: {name: steward, email: steward@localhost}}

            """.write(toFile: folder.path + "/controller.yaml", atomically: true, encoding: .utf8)
        return folder
    }

    private func steward(_ arguments: String..., in folder: TemporaryDirectory) async throws -> StewardProcess.Result {
        try await StewardProcess.run(arguments, in: folder.path, environment: ["AUREUS_CONSOLE_TOKEN": Self.token])
    }

    /// `status -o json` rows of Deployments: name → (version, sync, health).
    private func deployments(in folder: TemporaryDirectory) async throws -> [String: [String]] {
        let status = try await steward("status", "-o", "json", in: folder)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any])
        var rows: [String: [String]] = [:]
        for row in document["resources"] as? [[String: Any]] ?? [] where row["kind"] as? String == "Deployment" {
            rows[row["name"] as? String ?? ""] = [row["version"] as? String ?? "", row["sync"] as? String ?? "", row["health"] as? String ?? ""]
        }
        return rows
    }

    @Test func pushPromoteDriftAndRollBackByRevert() async throws {
        let console = try await ConsoleServer.start(token: Self.token)
        let repo = try fleet(console: console)
        let folder = try controller(repo)

        #expect(try await steward("validate", in: folder).exitCode == 0)
        let first = try await steward("run", "--once", in: folder)
        #expect(first.exitCode == 0, "\(first.stderr)")
        #expect(try await deployments(in: folder) == ["robot-nav-staging": ["1.0.0", "Synced", "Healthy"],
                                                        "robot-nav-production": ["1.0.0", "Synced", "Healthy"]])
        // The console saw what the guide's automated-deployment.sh does, then the promotion it leaves to a person.
        #expect(console.calls("POST", "/api/deployments/versions").count == 1, "1.0.0 registered once, for both environments")
        #expect(console.versions.map(\.version) == ["1.0.0"])
        #expect(console.deployments(environment: "staging").count == 1 && console.deployments(environment: "production").count == 1)
        #expect(console.calls.contains { $0.method == "POST" && $0.path.hasSuffix("/promote") })
        #expect(Set(console.adapters.keys) == ["robotics-main", "mobile-main", "smart-glasses-main"])

        // A release: both Deployments ask for 1.1.0; staging proves it, production is promoted.
        for name in ["robot-nav-staging", "robot-nav-production"] {
            let file = "deployments/\(name).yaml"
            try repo.write(file, try #require(repo.read(file)).replacingOccurrences(of: "version: 1.0.0", with: "version: 1.1.0"))
        }
        let release = try repo.commit("Release robot-navigation-agent 1.1.0")
        let promoted = try await steward("run", "--once", in: folder)
        #expect(promoted.exitCode == 0, "\(promoted.stderr)")
        #expect(try await deployments(in: folder) == ["robot-nav-staging": ["1.1.0", "Synced", "Healthy"],
                                                        "robot-nav-production": ["1.1.0", "Synced", "Healthy"]])

        // Someone rolls production back on the console by hand, as the guide's automated-rollback.sh does.
        let rolled = try await consoleRollback(console, environment: "production")
        #expect(rolled == 201)
        let drift = try await steward("diff", "--detailed-exitcode", in: folder)
        #expect(drift.exitCode == 2, "\(drift.stdout)\(drift.stderr)")
        #expect(drift.stdout.contains("! Deployment/robot-nav-production (production): drift"), "\(drift.stdout)")

        // Roll back by revert: Git goes back to 1.0.0, healthy here before, so Steward runs `rollback`.
        _ = try repo.git("revert", "--no-edit", release)
        let reverted = try await steward("run", "--once", in: folder)
        #expect(reverted.exitCode == 0, "\(reverted.stderr)")
        #expect(try await deployments(in: folder) == ["robot-nav-staging": ["1.0.0", "Synced", "Healthy"],
                                                        "robot-nav-production": ["1.0.0", "Synced", "Healthy"]])
        let history = try await steward("history", "robot-nav-staging", "-o", "json", in: folder)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any])["entries"] as? [[String: Any]]
        #expect(entries?.contains { $0["action"] as? String == "rollback" && $0["version"] as? String == "1.0.0" } == true, "\(history.stdout)")
        #expect(try await steward("diff", "--detailed-exitcode", in: folder).exitCode == 0)

        // The guide's hourly event-log backup, verified, on demand.
        let backup = try await steward("backup", "run", "event-log-hourly", in: folder)
        #expect(backup.exitCode == 0, "\(backup.stderr)")
        let archives = try FileManager.default.contentsOfDirectory(atPath: folder.path + "/var/backups/events")
        #expect(archives.contains { $0.hasSuffix(".tar.gz") } && archives.contains { $0.hasSuffix(".sha256") }, "\(archives)")
        #expect(try await steward("verify-log", in: folder).exitCode == 0)
        await console.stop()
    }

    /// The guide's automated-rollback.sh, its two console calls with curl and jq: the environment's current
    /// deployment (`.[0].id` of the list), then `POST /api/deployments/rollback`; the status code.
    private func consoleRollback(_ console: ConsoleServer, environment: String) async throws -> Int {
        let api = console.baseURL.absoluteString + "/api"
        let script = """
            set -e
            CURRENT_DEPLOYMENT=$(curl -s "\(api)/deployments?environment=\(environment)" -H "Authorization: Bearer $TOKEN" | jq -r '.[0].id')
            curl -s -o /dev/null -w '%{http_code}' -X POST "\(api)/deployments/rollback" -H "Authorization: Bearer $TOKEN" \\
              -H "Content-Type: application/json" \\
              -d "{\\"deploymentId\\": \\"${CURRENT_DEPLOYMENT}\\", \\"reason\\": \\"Automated rollback due to health check failure\\"}"
            """
        let result = try await Subprocess.run("/bin/bash", ["-c", script], environment: ["TOKEN": Self.token, "PATH": "/usr/bin:/bin"])
        return Int(result.stdout) ?? 0
    }
}
