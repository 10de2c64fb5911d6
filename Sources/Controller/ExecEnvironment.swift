import Foundation
import Manifests

/// An exec environment's `driver.env` with its secret references resolved (DESIGN §13), once per
/// pass: the values for the command, the secrets to redact, and what could not be resolved.
/// The values live only in memory, in the driver; Git, the store and the event log hold the
/// references (`{env: NAME}`, `{file: PATH}`) alone.
struct ExecEnvironment {
    /// A reference that could not be resolved: which variable, which reference, why (never a value).
    struct Problem: Hashable, Sendable {
        var variable: String
        var reference: SecretRef
        var reason: String

        /// `driver.env.CONSOLE_TOKEN: environment variable STEWARD_CONSOLE_TOKEN is not set`
        var line: String { "driver.env.\(variable): \(reason)" }
    }

    var values: [String: String] = [:]
    /// The resolved secret values, for the driver's redactor.
    var secrets: [String] = []
    var problems: [Problem] = []

    /// - Parameters:
    ///   - baseDirectory: the folder holding controller.yaml; relative `{file:}` paths resolve against it (DESIGN §3).
    ///   - environment: the controller's own environment, where `{env:}` references are read.
    init(_ env: [String: ValueOrSecret], baseDirectory: String,
         environment: [String: String] = ProcessInfo.processInfo.environment) {
        for (name, value) in env.sorted(by: { $0.key < $1.key }) {
            switch value {
            case .value(let text):
                values[name] = text
            case .secret(let reference):
                do {
                    let secret = try SecretResolver.resolve(reference, baseDirectory: baseDirectory, environment: environment)
                    values[name] = secret
                    secrets.append(secret)
                } catch {
                    problems.append(Problem(variable: name, reference: reference, reason: "\(error)"))
                }
            }
        }
    }
}

/// Exec `driver.env` references that could not be resolved: the environment's driver is not made.
struct UnresolvedSecrets: Error, CustomStringConvertible {
    var problems: [ExecEnvironment.Problem]

    /// Every problem in one line: `driver.env.CONSOLE_TOKEN: environment variable STEWARD_CONSOLE_TOKEN is not set`.
    var description: String { problems.map(\.line).joined(separator: "; ") }
}
