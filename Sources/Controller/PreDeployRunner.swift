import Actions
import Foundation
import Manifests
import Reconcile

/// Runs one change's pre-deploy checks in order, stopping at the first that fails (DESIGN §11).
/// Commands follow the exec rules of DESIGN §3: no shell, from the read-only checkout of the applied
/// commit (an absolute command must be in `drivers.exec.allowedCommands`), only `PATH`, `HOME`, the
/// environment's own exec `driver.env` and `STEWARD_*` variables naming the change; killed at the
/// timeout; output redacted. Endpoints are called through the environment's http driver.
struct PreDeployRunner {
    let settings: ControllerSettings
    let action: PlannedAction
    let commit: String
    let driver: (any Driver)?
    let environment: Environment?
    let checkout: () throws -> String

    struct Failure {
        var check: String
        var detail: String
    }

    func firstFailure(_ checks: [PreDeployCheck]) async -> Failure? {
        for check in checks {
            if let detail = await problem(check) { return Failure(check: check.name, detail: detail) }
        }
        return nil
    }

    /// Why the check failed, nil when it passed.
    func problem(_ check: PreDeployCheck) async -> String? {
        let timeout = Double(check.timeoutSeconds ?? PreDeployCheck.defaultTimeoutSeconds)
        if let endpoint = check.endpoint {
            guard let http = driver as? HTTPDriver else { return "endpoint checks need the http driver" }
            let expected = check.expectedStatus ?? 200
            do {
                let answer = try await http.checkEndpoint(endpoint, timeoutSeconds: timeout)
                guard answer.status != expected else { return nil }
                return "GET \(endpoint) answered \(answer.status), expected \(expected)" + (answer.status >= 400 ? ": \(answer.snippet)" : "")
            } catch {
                return "\(error)"
            }
        }
        do {
            let (executable, directory) = try resolve(check.command ?? [])
            let env = ExecEnvironment(environment?.spec.driver.type == .exec ? environment?.spec.driver.env ?? [:] : [:],
                                      baseDirectory: settings.baseDirectory)
            if let unresolved = env.problems.first { return unresolved.line }
            // The console token too: a check may read the same secret file; it never reaches output.
            let token = environment?.spec.driver.tokenFrom.flatMap { try? SecretResolver.resolve($0, baseDirectory: settings.baseDirectory) }
            let outcome = try await ProcessRunner.run(ProcessRequest(
                executable: executable, arguments: Array((check.command ?? []).dropFirst()),
                environment: BackupContext.inheritedEnvironment().merging(env.values) { $1 }.merging(variables(check)) { $1 },
                workingDirectory: directory, timeoutSeconds: timeout, secrets: env.secrets + [token].compactMap { $0 }, tailBytes: 2048))
            if outcome.succeeded { return nil }
            if outcome.timedOut { return "timed out after \(ExecDriverSeconds.text(timeout)) (killed)" }
            let how = outcome.exitCode.map { "exited with code \($0)" } ?? "killed by signal \(outcome.signal ?? 0)"
            return outcome.lastLine.map { "\($0) (\(how))" } ?? how
        } catch {
            return "\(error)"
        }
    }

    /// `STEWARD_*` variables naming the change.
    func variables(_ check: PreDeployCheck) -> [String: String] {
        ["STEWARD_ACTION": "preDeploy", "STEWARD_CHECK": check.name, "STEWARD_CHANGE": action.kind.rawValue,
         "STEWARD_RESOURCE": action.key.resource, "STEWARD_DEPLOYMENT": action.key.name, "STEWARD_ENVIRONMENT": action.environmentName,
         "STEWARD_VERSION": action.version ?? "", "STEWARD_COMMIT": commit,
         "STEWARD_BLUEPRINT": action.document["spec"]?["blueprint"]?.string ?? ""]
    }

    /// The executable and the folder it runs in: a script inside the checkout, or an allowed absolute command.
    func resolve(_ command: [String]) throws -> (String, String) {
        guard let program = command.first, !program.isEmpty else { throw ControllerError("the check has no command") }
        let directory = try checkout()
        if program.hasPrefix("/") {
            let allowed = settings.config.drivers?.exec?.allowedCommands ?? []
            guard allowed.contains(program) else { throw ControllerError("command \(program) is not listed in drivers.exec.allowedCommands") }
            return (program, directory)
        }
        let script = ((directory as NSString).appendingPathComponent(program) as NSString).standardizingPath
        guard DriverFactory.isInside(script, directory) else { throw ControllerError("command \(program) leaves the repository") }
        guard FileManager.default.isExecutableFile(atPath: script) else { throw ControllerError("\(program) is not an executable file in commit \(commit.prefix(12))") }
        return (script, directory)
    }
}

/// `2 s`, `1.5 s`.
enum ExecDriverSeconds {
    static func text(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? "\(Int(seconds)) s" : "\(seconds) s"
    }
}
