import Foundation
import Manifests

/// Reads secret references (`{env: NAME}`, `{file: PATH}`); errors name the reference, never the value.
public enum SecretResolver {
    public static func resolve(_ ref: SecretRef, baseDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let name = ref.env {
            guard let value = environment[name], !value.isEmpty else { throw ControllerError("environment variable \(name) is not set") }
            return value
        }
        if let file = ref.file {
            let path = ControllerConfig.resolve(file, relativeTo: baseDirectory)
            guard let data = FileManager.default.contents(atPath: path) else { throw ControllerError("cannot read secret file \(path)") }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        throw ControllerError("a secret reference needs {env: NAME} or {file: PATH}")
    }

    public static func resolve(_ value: ValueOrSecret, baseDirectory: String) throws -> String {
        switch value {
        case .value(let text): return text
        case .secret(let ref): return try resolve(ref, baseDirectory: baseDirectory)
        }
    }
}
