import Foundation
import StewardTesting
import Testing

@Suite("steward validate, run as a user would")
struct ValidateCommandTests {
    private var examples: String { StewardProcess.packageRoot.appendingPathComponent("examples").path }

    @Test func quickstartFolderIsValid() throws {
        let result = try StewardProcess.run(["validate", examples + "/quickstart"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("valid: 11 resources (2 RuntimeAdapter, 3 AgentBlueprint, 2 Environment, 3 Deployment, 1 BackupSchedule)"))
    }

    @Test(arguments: ["yaml-syntax", "unknown-field", "unknown-kind", "wrong-type", "missing-field", "bad-name", "duplicate-name",
                      "bad-reference", "capability-mismatch", "runtime-mismatch", "promotes-cycle", "bad-cron", "bad-semver",
                      "robotics-config", "alias-bomb", "deep-nesting"])
    func everyInvalidExampleIsRefused(_ name: String) throws {
        let result = try StewardProcess.run(["validate", "examples/invalid/\(name)"], in: StewardProcess.packageRoot.path)
        #expect(result.exitCode == 1)
        let lines = result.stderr.split(separator: "\n").filter { $0.hasPrefix("examples/invalid/\(name)/") }
        #expect(!lines.isEmpty, "\(result.stderr)")
        for line in lines {
            #expect(line.range(of: #"^examples/invalid/[a-z-]+/[^:]+\.yaml:\d+:\d+: "#, options: .regularExpression) != nil, "\(line)")
        }
        #expect(result.stdout.isEmpty)
    }

    @Test func jsonOutputShape() throws {
        let result = try StewardProcess.run(["validate", "examples/invalid/wrong-type", "-o", "json"], in: StewardProcess.packageRoot.path)
        #expect(result.exitCode == 1)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["valid"] as? Bool == false)
        let errors = try #require(json["errors"] as? [[String: Any]])
        #expect(errors.count == 1)
        #expect(Set(errors[0].keys) == ["file", "line", "column", "resource", "field", "message"])
        #expect(errors[0]["field"] as? String == "spec.enabled")
        #expect(errors[0]["line"] as? Int != nil)
        let valid = try StewardProcess.run(["validate", "examples/quickstart", "--output", "json"], in: StewardProcess.packageRoot.path)
        #expect(valid.exitCode == 0)
        let ok = try #require(try JSONSerialization.jsonObject(with: Data(valid.stdout.utf8)) as? [String: Any])
        #expect(ok["valid"] as? Bool == true)
        #expect((ok["errors"] as? [Any])?.isEmpty == true)
    }

    @Test func gitRepositoryAtRevisions() throws {
        let repo = try TemporaryGitRepository()
        try repo.copyQuickstart()
        let good = try repo.commit("quickstart")
        try repo.write("deployments/robot-nav-staging.yaml", """
            apiVersion: steward/v1
            kind: Deployment
            metadata: {name: robot-nav-staging}
            spec: {blueprint: robot-navigation-agent, environment: staging, suspend: yes}

            """)
        try repo.commit("break it")
        let head = try StewardProcess.run(["validate", "--repo", repo.path])
        #expect(head.exitCode == 1)
        #expect(head.stderr.contains("deployments/robot-nav-staging.yaml:4:74: Deployment/robot-nav-staging: spec.suspend: expected a boolean (true or false), got 'yes'"), "\(head.stderr)")
        let previous = try StewardProcess.run(["validate", "--repo", repo.path, "--rev", "HEAD~1"])
        #expect(previous.exitCode == 0, "\(previous.stderr)")
        #expect(previous.stdout.contains("at \(good.prefix(12))"))
        let bySha = try StewardProcess.run(["validate", "--repo", repo.path, "--rev", good])
        #expect(bySha.exitCode == 0)
        let missing = try StewardProcess.run(["validate", "--repo", repo.path, "--rev", "no-such-branch"])
        #expect(missing.exitCode == 1)
        #expect(missing.stderr.hasPrefix("error: revision 'no-such-branch' not found"), "\(missing.stderr)")
    }

    @Test func subPathAndSkippedSymlinks() throws {
        let repo = try TemporaryGitRepository()
        try repo.copyQuickstart(under: "fleet")
        try repo.symlink("fleet/escape.yaml", to: "../../../etc/passwd")
        try repo.write("README.md", "not a manifest")
        try repo.commit("nested")
        let result = try StewardProcess.run(["validate", "--repo", repo.path, "--path", "fleet"])
        #expect(result.exitCode == 0, "\(result.stderr)")
        #expect(result.stderr.contains("warning: skipped symlink fleet/escape.yaml"))
        let wrongPath = try StewardProcess.run(["validate", "--repo", repo.path, "--path", "nowhere"])
        #expect(wrongPath.exitCode == 1)
        #expect(wrongPath.stderr.hasPrefix("error: "))
    }

    @Test func configuredRepository() throws {
        let repo = try TemporaryGitRepository()
        try repo.copyQuickstart()
        try repo.commit("quickstart")
        let dir = try TemporaryDirectory()
        try "source: {repository: \(repo.path), branch: main, path: .}\n".write(toFile: dir.path + "/controller.yaml", atomically: true, encoding: .utf8)
        let result = try StewardProcess.run(["validate"], in: dir.path)
        #expect(result.exitCode == 0, "\(result.stderr)")
        try "source: {repository: \(repo.path), brnch: main}\n".write(toFile: dir.path + "/bad.yaml", atomically: true, encoding: .utf8)
        let bad = try StewardProcess.run(["validate", "--config", "bad.yaml"], in: dir.path)
        #expect(bad.exitCode == 1)
        let column = "source: {repository: \(repo.path), ".count + 1
        #expect(bad.stderr == "error: bad.yaml:1:\(column): source.brnch: unknown field 'brnch'\n")
    }

    @Test func usageErrorsExit64() throws {
        let both = try StewardProcess.run(["validate", "x", "--repo", "y"])
        #expect(both.exitCode == 64)
        let unknown = try StewardProcess.run(["validate", "--frobnicate"])
        #expect(unknown.exitCode == 64)
        let format = try StewardProcess.run(["validate", "x", "-o", "yaml"])
        #expect(format.exitCode == 64)
    }

}
