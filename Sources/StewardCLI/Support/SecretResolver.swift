import Foundation
import Manifests

/// Reads secret references (`{env: NAME}`, `{file: PATH}`); errors name the reference, never the value.
enum SecretResolver {
    static func resolve(_ ref: SecretRef, baseDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let name = ref.env {
            guard let value = environment[name], !value.isEmpty else { throw CLIError("environment variable \(name) is not set") }
            return value
        }
        if let file = ref.file {
            let path = ControllerConfig.resolve(file, relativeTo: baseDirectory)
            guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read secret file \(path)") }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        throw CLIError("a secret reference needs {env: NAME} or {file: PATH}")
    }

    static func resolve(_ value: ValueOrSecret, baseDirectory: String) throws -> String {
        switch value {
        case .value(let text): return text
        case .secret(let ref): return try resolve(ref, baseDirectory: baseDirectory)
        }
    }
}
