import Foundation
import Manifests

/// Reads secret references (`{env: NAME}`, `{file: PATH}`); errors name the reference, never the value.
public enum SecretResolver {
    public static func resolve(_ ref: SecretRef, baseDirectory: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        if let name = ref.env {
            guard let value = environment[name] else { throw ControllerError("environment variable \(name) is not set") }
            guard !value.isEmpty else { throw ControllerError("environment variable \(name) is empty") }
            return value
        }
        if let file = ref.file {
            let path = ControllerConfig.resolve(file, relativeTo: baseDirectory)
            guard FileManager.default.fileExists(atPath: path) else { throw ControllerError("secret file \(path) does not exist") }
            guard FileManager.default.isReadableFile(atPath: path) else { throw ControllerError("secret file \(path) is not readable") }
            guard let data = FileManager.default.contents(atPath: path) else { throw ControllerError("cannot read secret file \(path)") }
            // An empty secret would match any empty credential (an empty bearer token): refused.
            let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !value.isEmpty else { throw ControllerError("secret file \(path) is empty") }
            return value
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
