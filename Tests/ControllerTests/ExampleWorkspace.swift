import Foundation
import StewardTesting
import Testing

/// One of the operator-guide examples (`examples/<name>`) as its README runs it: the whole example
/// folder committed to a real git repository, `controller.yaml` made from the example's
/// `controller.yaml.example`, and a folder of its own standing in for the example's targets
/// (`/tmp/steward-examples/<name>` in the manifests, so that tests running at once never share one).
final class ExampleWorkspace {
    let name: String
    /// The controller's folder: controller.yaml, .steward, backups.
    let directory: TemporaryDirectory
    /// What the manifests call `/tmp/steward-examples/<name>`.
    let targets: TemporaryDirectory
    let repo: TemporaryGitRepository
    /// Variables every `steward` run gets (e.g. `STEWARD_DATABASE_URL`).
    var environment: [String: String] = [:]
    var path: String { directory.path }

    /// The example as committed, with `replacements` (timing knobs such as health windows) applied
    /// to its manifests first.
    init(_ name: String, replacements: [(String, String)] = []) throws {
        self.name = name
        directory = try TemporaryDirectory(prefix: "steward-example-\(name)")
        targets = try TemporaryDirectory(prefix: "steward-example-\(name)-targets")
        repo = try TemporaryGitRepository()
        let source = Self.folder(name)
        let copied = try Subprocess.run("/bin/cp", ["-R", source + "/.", repo.path])
        guard copied.status == 0 else { throw ProcessFailure(message: "cp: \(copied.stderr)") }
        for relative in FileManager.default.subpaths(atPath: repo.path) ?? [] where relative.hasSuffix(".yaml") {
            var text = try #require(repo.read(relative))
            text = text.replacingOccurrences(of: "/tmp/steward-examples/\(name)", with: targets.path)
            for (from, to) in replacements { text = text.replacingOccurrences(of: from, with: to) }
            try repo.write(relative, text)
        }
        try repo.commit("\(name) example fleet")
        let template = try String(contentsOfFile: source + "/controller.yaml.example", encoding: .utf8)
        try #require(template.contains("repository: ./repo"))
        try template.replacingOccurrences(of: "repository: ./repo", with: "repository: \(repo.path)")
            .write(toFile: path + "/controller.yaml", atomically: true, encoding: .utf8)
    }

    /// `examples/<name>` of this package.
    static func folder(_ name: String) -> String {
        StewardProcess.packageRoot.appendingPathComponent("examples/\(name)").path
    }

    @discardableResult
    func steward(_ arguments: String...) async throws -> StewardProcess.Result {
        try await StewardProcess.run(arguments, in: path, environment: environment)
    }

    /// `steward run --once`, failing the test with its output unless it exits `expecting`.
    @discardableResult
    func runOnce(expecting: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) async throws -> StewardProcess.Result {
        let result = try await steward("run", "--once", "--timeout", "3m")
        #expect(result.exitCode == expecting, "run --once exited \(result.exitCode): \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    /// `run --once`, failing the test unless it exits `expecting`: it goes on after a pass whose health
    /// window proved a version, so one run takes a version as far as the gates let it.
    @discardableResult
    func converge(expecting: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) async throws -> StewardProcess.Result {
        try await runOnce(expecting: expecting, sourceLocation: sourceLocation)
    }

    /// `steward status -o json`.
    func status() async throws -> [String: Any] {
        try json(await steward("status", "-o", "json"), "status")
    }

    /// The status row of one resource (`kind`, `name`, and the environment for per-environment kinds).
    func row(_ kind: String, _ name: String, in environment: String? = nil) async throws -> [String: Any] {
        let resources = try #require(try await status()["resources"] as? [[String: Any]])
        return try #require(resources.first {
            $0["kind"] as? String == kind && $0["name"] as? String == name && (environment == nil || $0["environment"] as? String == environment)
        }, "no status row for \(kind)/\(name) in \(environment ?? "-")")
    }

    /// `steward diff --detailed-exitcode -o json`: its exit code and document.
    func diff() async throws -> (exitCode: Int32, document: [String: Any]) {
        let result = try await steward("diff", "--detailed-exitcode", "-o", "json")
        return (result.exitCode, try json(result, "diff", allowed: [0, 2]))
    }

    /// `steward logs -o json`, one record per line.
    func events() async throws -> [[String: Any]] {
        let result = try await steward("logs", "-o", "json")
        #expect(result.exitCode == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    /// The output tails (`stdout: …\nstderr: …`) the exec driver recorded for the succeeded
    /// `action` of a Deployment in `environment` at `version`, newest first.
    func actionOutputs(_ action: String, _ deployment: String, in environment: String, version: String) async throws -> [String] {
        try await events().filter {
            $0["type"] as? String == "actionSucceeded" && $0["reason"] as? String == action && $0["resource"] as? String == "Deployment/\(deployment)"
                && $0["environment"] as? String == environment && ($0["data"] as? [String: Any])?["version"] as? String == version
        }.reversed().compactMap { ($0["data"] as? [String: Any])?["output"] as? String }
    }

    /// `steward history DEPLOYMENT -o json`'s entries.
    func history(_ deployment: String) async throws -> [[String: Any]] {
        try #require(try json(await steward("history", deployment, "-o", "json"), "history")["entries"] as? [[String: Any]])
    }

    /// `steward backup list -o json`'s schedule of that name.
    func backupSchedule(_ name: String) async throws -> [String: Any] {
        let schedules = try #require(try json(await steward("backup", "list", "-o", "json"), "backup list")["schedules"] as? [[String: Any]])
        return try #require(schedules.first { $0["name"] as? String == name }, "backup list has no \(name)")
    }

    /// A file under the targets folder, as text.
    func target(_ relative: String) -> String? {
        try? String(contentsOfFile: targets.path + "/" + relative, encoding: .utf8)
    }

    /// The JSON object of a file under the targets folder.
    func targetJSON(_ relative: String) throws -> [String: Any] {
        let text = try #require(target(relative), "\(relative) is not on the target")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// The JSON object of a file under the targets folder, nil when there is none (no issue recorded).
    func targetJSONIfPresent(_ relative: String) -> [String: Any]? {
        target(relative).flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }

    func writeTarget(_ relative: String, _ contents: String) throws {
        let file = targets.appending(relative)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try contents.write(to: file, atomically: true, encoding: .utf8)
    }

    /// Writes a secret into an environment's secret store on the target (mode 0600), as the README's operator does.
    func provisionSecret(_ environment: String, _ name: String, _ value: String) throws {
        try writeTarget("\(environment)/secrets/\(name)", value + "\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: targets.path + "/\(environment)/secrets/\(name)")
    }

    /// Sets `spec.version` of a Deployment file in the work tree (not committed).
    func setVersion(_ deployment: String, _ version: String) throws {
        let file = "deployments/\(deployment).yaml"
        let text = try #require(repo.read(file))
        let edited = text.replacingOccurrences(of: #"(?m)^  version: \S+$"#, with: "  version: \(version)", options: .regularExpression)
        try #require(edited != text || text.contains("  version: \(version)\n"), "no spec.version line in \(file)")
        try repo.write(file, edited)
    }

    func head() throws -> String { try repo.git("rev-parse", "HEAD") }

    private func json(_ result: StewardProcess.Result, _ what: String, allowed: Set<Int32> = [0]) throws -> [String: Any] {
        guard allowed.contains(result.exitCode),
              let object = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw ProcessFailure(message: "\(what) exited \(result.exitCode): \(result.stderr) \(result.stdout.prefix(500))")
        }
        return object
    }
}
