import Foundation
import Manifests
import StewardTesting
import Testing

/// The DevOps guide's own `automated-deployment.sh` against the test console: the double speaks the
/// API the guide documents, as the guide's script uses it.
@Suite struct ConsoleGuideScriptTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/guides")
    static let script = fixtures.appendingPathComponent("automated-deployment.sh")
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let guideName = "001_94e03261f8575330.txt"

    /// The DevOps guide, where the operator guides are checked out beside the package.
    static var guide: URL? {
        [URL(fileURLWithPath: "/work/shared/seeds/\(guideName)"),
         packageRoot.appendingPathComponent("../shared/seeds/\(guideName)").standardizedFileURL]
            .first { FileManager.default.fileExists(atPath: $0.path) }
    }

    /// The guide's "Automated Deployment Workflow Example" block, from `#!/bin/bash` to the closing fence.
    static func scriptBlock(in guide: Data) throws -> Data {
        let text = String(decoding: guide, as: UTF8.self)
        let opening = "### Automated Deployment Workflow Example\n\n```bash\n"
        let start = try #require(text.range(of: opening)).upperBound
        let end = try #require(text.range(of: "\n```", range: start..<text.endIndex)).lowerBound
        return Data(text[start...end].utf8)
    }

    /// An executable on `PATH`.
    static func which(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let found = path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        return try #require(found, "\(name) is not installed")
    }

    @Test func theFixtureIsTheGuidesScriptByteForByte() throws {
        let fixture = try Data(contentsOf: Self.script)
        #expect(fixture.starts(with: Data("#!/bin/bash\n# automated-deployment.sh\n".utf8)))
        #expect(String(decoding: fixture, as: UTF8.self).contains("API_BASE=\"https://console.aureus.example.com/api\""))
        if let guide = Self.guide {
            #expect(try Self.scriptBlock(in: Data(contentsOf: guide)) == fixture, "the fixture differs from the guide at \(guide.path)")
        }
    }

    @Test func theGuidesScriptRunsUnchangedAgainstTheConsole() async throws {
        let curl = try Self.which("curl")
        _ = try Self.which("jq")
        let console = try await ConsoleServer.start(token: "your-jwt-token", pollsUntilDeployed: 2)
        do {
            let directory = try TemporaryDirectory(prefix: "steward-guide-script")
            let shims = directory.path + "/bin"
            try FileManager.default.createDirectory(atPath: shims, withIntermediateDirectories: true)
            let prefix = "https://console.aureus.example.com/api"
            try write(shims + "/curl", """
                #!/bin/bash
                # The guide's requests go to the test console instead of \(prefix).
                prefix='\(prefix)'
                args=()
                for arg in "$@"; do
                  if [[ "$arg" == "$prefix"* ]]; then arg="\(console.baseURL.absoluteString)/api${arg#"$prefix"}"; fi
                  args+=("$arg")
                done
                exec \(curl) "${args[@]}"

                """)
            try write(shims + "/sleep", "#!/bin/sh\n# The script waits 10 s between polls; the test does not.\nexit 0\n")
            try write(directory.path + "/workflow-spec.json",
                      #"{"id": "my-workflow", "name": "My Workflow", "version": "1.0.0", "tasks": [{"id": "greet", "kind": "noop"}]}"#)

            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = shims + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            let result = try await Subprocess.run("/bin/bash", [Self.script.path], in: directory.path, environment: environment)

            #expect(result.status == 0, "stdout:\n\(result.stdout)\nstderr:\n\(result.stderr)")
            #expect(result.stdout.contains("Staging deployment successful"))
            #expect(result.stdout.contains("Smoke tests passed"))
            #expect(result.stdout.contains("Deployment workflow complete"))
            let version = try #require(console.versions.first)
            #expect(result.stdout.contains("Version registered: \(version.id)"))
            let deployment = try #require(console.deployments(environment: "staging").first)
            #expect(deployment.status == "deployed")
            #expect(deployment.versionId == version.id)

            // register → deploy to staging → status polls → smoke tests, in that order, with the guide's token.
            let steps = console.calls.map { call -> String in
                switch (call.method, call.path) {
                case ("POST", "/api/deployments/versions"): return "register"
                case ("POST", "/api/deployments"): return "deploy \(call.body?["environment"]?.string ?? "?")"
                case ("GET", "/api/deployments/\(deployment.id)"): return "poll"
                case ("POST", "/api/deployments/\(deployment.id)/smoke-tests"): return "smoke tests"
                default: return "\(call.method) \(call.path)"
                }
            }
            #expect(steps == ["register", "deploy staging", "poll", "poll", "smoke tests"])
            #expect(console.calls.allSatisfy { $0.header("Authorization") == "Bearer your-jwt-token" })
            #expect(console.calls.first?.body?["workflowSpec"]?["id"] == .string("my-workflow"))
        } catch {
            await console.stop()
            throw error
        }
        await console.stop()
    }

    private func write(_ path: String, _ text: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }
}
