import Actions
import Foundation
import GitSource
import Manifests
import StateStore

/// Builds each environment's driver from its manifest, enforcing `drivers.local.allowedRoots`
/// and `drivers.exec.allowedCommands` (DESIGN §3).
struct DriverFactory {
    let settings: ControllerSettings
    /// Where the http driver keeps the console ids it learns (DESIGN §5).
    let store: any StateStore

    /// Drivers per placement (`ResourceKey.placement`: an environment, or `environment/target` for
    /// each of its Targets, DESIGN §10), and why a placement has none.
    struct Result {
        var drivers: [String: any Driver] = [:]
        var problems: [String: String] = [:]
        var strategies: [String: JSONValue] = [:]
        /// Exec `driver.env` secret references that could not be resolved, per environment (whose
        /// driver is then not made: its resources are blocked with the reason, nothing runs).
        var secretProblems: [String: [ExecEnvironment.Problem]] = [:]

        /// The driver `make` makes for `placement`, or why there is none (`prefix` names a Target); false when none.
        @discardableResult
        mutating func add(_ placement: String, prefix: String, _ make: () throws -> any Driver) -> Bool {
            do {
                drivers[placement] = try make()
                return true
            } catch let unresolved as UnresolvedSecrets {
                problems[placement] = prefix + "\(unresolved)"
                secretProblems[placement] = unresolved.problems
            } catch {
                problems[placement] = prefix + "\(error)"
            }
            return false
        }
    }

    /// - Parameter checkout: makes (once) the read-only checkout exec scripts run from.
    func make(_ fleet: Fleet, checkout: () throws -> String) -> Result {
        var result = Result()
        for (name, environment) in fleet.environments {
            if let strategy = environment.spec.strategy, let value = try? CanonicalJSON.value(of: strategy) { result.strategies[name] = value }
            let smokeTests = environment.spec.gates?.smokeTests ?? [], promotesFrom = environment.spec.promotesFrom
            guard result.add(name, prefix: "", { try driver(environment.spec.driver, environment: name, target: nil, smokeTests: smokeTests,
                                                           promotesFrom: promotesFrom, checkout: checkout) }) else { continue }
            // Each Target's driver: the environment's with the target's overrides, under the same allow-lists.
            for target in fleet.targetsByEnvironment[name] ?? [] {
                let spec = target.spec.driver?.applied(to: environment.spec.driver) ?? environment.spec.driver
                result.add("\(name)/\(target.metadata.name)", prefix: "Target \(target.metadata.name): ") {
                    try driver(spec, environment: name, target: target.metadata.name, smokeTests: smokeTests, promotesFrom: promotesFrom,
                               checkout: checkout)
                }
            }
        }
        return result
    }

    private func driver(_ spec: DriverSpec, environment: String, target: String?, smokeTests: [SmokeTest], promotesFrom: String?,
                        checkout: () throws -> String) throws -> any Driver {
        switch spec.type {
        case .local:
            let root = settings.resolve(spec.root ?? "")
            let allowed = (settings.config.drivers?.local?.allowedRoots ?? ["."]).map(settings.resolve)
            guard allowed.contains(where: { Self.isInside(root, $0) }) else {
                throw ControllerError("local root \(root) is outside drivers.local.allowedRoots (\(allowed.joined(separator: ", ")))")
            }
            return LocalDriver(root: root, smokeTests: smokeTests, fullProbeSeconds: settings.fullProbeSeconds, stagingWrites: true)
        case .exec:
            var command = spec.command ?? []
            guard let program = command.first else { throw ControllerError("exec driver has no command") }
            let directory: String
            if program.hasPrefix("/") {
                let allowed = settings.config.drivers?.exec?.allowedCommands ?? []
                guard allowed.contains(program) else {
                    throw ControllerError("exec command \(program) is not listed in drivers.exec.allowedCommands")
                }
                directory = try checkout()
            } else {
                directory = try checkout()
                let script = ((directory as NSString).appendingPathComponent(program) as NSString).standardizingPath
                guard Self.isInside(script, directory) else { throw ControllerError("exec command \(program) leaves the repository") }
                command[0] = script
            }
            // Resolved every pass, kept in memory only; a reference that cannot be resolved blocks the
            // environment with one line naming it (DESIGN §13), like any driver that cannot be made.
            let env = ExecEnvironment(spec.env ?? [:], baseDirectory: settings.baseDirectory)
            guard env.problems.isEmpty else { throw UnresolvedSecrets(problems: env.problems) }
            var values = env.values
            if let target { values["STEWARD_TARGET"] = target }
            return ExecDriver(command: command, workingDirectory: directory, timeoutSeconds: Double(spec.timeoutSeconds ?? 300),
                              environment: values, secrets: env.secrets, statusBatch: spec.statusBatch)
        case .http:
            guard let text = spec.url, let url = URL(string: text) else { throw ControllerError("http driver has no valid url") }
            let token = try spec.tokenFrom.map { try SecretResolver.resolve($0, baseDirectory: settings.baseDirectory) }
            return HTTPDriver(baseURL: url, token: token, environment: environment, ids: StateStoreConsoleIds(store: store),
                              smokeTests: smokeTests, promotesFrom: promotesFrom)
        }
    }

    /// Whether `path` is `folder` or lies under it (after resolving `..` and symlinks that exist).
    static func isInside(_ path: String, _ folder: String) -> Bool {
        func real(_ path: String) -> String {
            var candidate = (path as NSString).standardizingPath
            var suffix: [String] = []
            while !FileManager.default.fileExists(atPath: candidate), candidate != "/" {
                suffix.insert((candidate as NSString).lastPathComponent, at: 0)
                candidate = (candidate as NSString).deletingLastPathComponent
            }
            let resolved = (candidate as NSString).resolvingSymlinksInPath
            return suffix.reduce(resolved) { ($0 as NSString).appendingPathComponent($1) }
        }
        let child = real(path), parent = real(folder)
        return child == parent || child.hasPrefix(parent.hasSuffix("/") ? parent : parent + "/")
    }
}
