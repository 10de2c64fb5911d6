import Foundation
import Manifests
import Reconcile

/// The resource a command is run for: from an action, or from an applied resource for `status`.
struct ExecTarget: Sendable {
    var key: ResourceKey
    var environment: String
    var version: String?
    var commit: String
    var document: JSONValue
    var idempotencyKey: String?
    var trigger: String?
    var strategy: JSONValue?

    init(_ request: ActionRequest) {
        key = request.action.key
        environment = request.environment
        version = request.action.version
        commit = request.action.commit
        document = request.action.document
        idempotencyKey = request.idempotencyKey
        trigger = request.action.trigger
        strategy = request.strategy
    }

    init(_ applied: AppliedResource, environment: String) {
        key = applied.key
        self.environment = environment
        version = applied.version
        commit = applied.commit
        document = applied.spec
        idempotencyKey = nil
        trigger = nil
        strategy = nil
    }
}

/// What the command gets: executable, environment and stdin.
extension ExecDriver {
    /// Only `PATH` and `HOME` from the controller, then the environment's `driver.env`, then the
    /// `STEWARD_*` variables (which `driver.env` cannot override). Nothing else of the controller's.
    func childEnvironment(action: String, target: ExecTarget) -> [String: String] {
        var result: [String: String] = [:]
        for name in ["PATH", "HOME"] { result[name] = controllerEnvironment[name] }
        result.merge(environment) { $1 }
        result["STEWARD_ACTION"] = action
        result["STEWARD_RESOURCE"] = target.key.resource
        result["STEWARD_ENVIRONMENT"] = target.environment
        result["STEWARD_VERSION"] = target.version ?? ""
        result["STEWARD_IDEMPOTENCY_KEY"] = target.idempotencyKey ?? ""
        // A blue-green switch (DESIGN §10), or the status check after one was interrupted: the slot that takes traffic.
        if target.key.target == nil, let slot = target.document["spec"]?["activeSlot"]?.string { result["STEWARD_SLOT"] = slot }
        return result
    }

    /// `{action, resource, environment, version, idempotencyKey, commit, trigger, document, strategy}`
    /// as canonical JSON and a newline.
    func stdinJSON(action: String, target: ExecTarget) -> [UInt8] {
        let object: JSONValue = .object([
            "action": .string(action),
            "resource": .string(target.key.resource),
            "environment": .string(target.environment),
            "version": target.version.map(JSONValue.string) ?? .null,
            "idempotencyKey": target.idempotencyKey.map(JSONValue.string) ?? .null,
            "commit": .string(target.commit),
            "trigger": target.trigger.map(JSONValue.string) ?? .null,
            "document": target.document,
            "strategy": target.strategy ?? .null,
        ])
        return object.canonicalBytes + [0x0A]
    }

    /// The executable: an absolute path as is; a path with a `/` relative to the working
    /// directory; a bare name looked up in the command's `PATH` (as a shell would, but without one).
    func resolveExecutable() throws(DriverError) -> String {
        guard let first = command.first, !first.isEmpty else {
            throw DriverError("the exec driver has no command", transient: false)
        }
        if first.hasPrefix("/") { return first }
        if first.contains("/") {
            return URL(fileURLWithPath: first, relativeTo: URL(fileURLWithPath: workingDirectory, isDirectory: true))
                .standardizedFileURL.path
        }
        let path = environment["PATH"] ?? ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = "\(folder)/\(first)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw DriverError("command \(first) not found in PATH", transient: false)
    }
}
