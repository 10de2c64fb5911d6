@testable import Controller
import Foundation
import Manifests
import StewardTesting
import Testing

/// `driver.env` resolution: plain values as written, `{env:}` from the controller's environment,
/// `{file:}` relative to controller.yaml's folder; what cannot be resolved is one line naming it.
@Suite("Exec driver.env resolution")
struct ExecEnvironmentTests {
    @Test func valuesAndReferencesResolve() throws {
        let base = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: base.path + "/secrets", withIntermediateDirectories: true)
        try "file-secret-1\n".write(toFile: base.path + "/secrets/key", atomically: true, encoding: .utf8)
        let env = ExecEnvironment(["REGION": .value("eu"), "TOKEN": .secret(SecretRef(env: "MY_TOKEN")),
                                   "KEY": .secret(SecretRef(file: "secrets/key"))],
                                  baseDirectory: base.path, environment: ["MY_TOKEN": "env-secret-1"])
        #expect(env.values == ["REGION": "eu", "TOKEN": "env-secret-1", "KEY": "file-secret-1"])
        #expect(Set(env.secrets) == ["env-secret-1", "file-secret-1"], "plain values are not secrets")
        #expect(env.problems.isEmpty)
    }

    @Test func whatCannotBeResolvedIsNamedNeverShown() throws {
        let base = try TemporaryDirectory()
        try "   \n".write(toFile: base.path + "/blank", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: base.path + "/folder", withIntermediateDirectories: true)
        let env = ExecEnvironment(["CONSOLE_TOKEN": .secret(SecretRef(env: "STEWARD_CONSOLE_TOKEN")),
                                   "EMPTY": .secret(SecretRef(env: "EMPTY_VAR")),
                                   "KEY": .secret(SecretRef(file: "missing/key")),
                                   "BLANK": .secret(SecretRef(file: "blank")),
                                   "FOLDER": .secret(SecretRef(file: "folder")),
                                   "OK": .secret(SecretRef(env: "OK_VAR"))],
                                  baseDirectory: base.path, environment: ["EMPTY_VAR": "", "OK_VAR": "fine-secret"])
        #expect(env.problems.map(\.line) == [
            "driver.env.BLANK: secret file \(base.path)/blank is empty",
            "driver.env.CONSOLE_TOKEN: environment variable STEWARD_CONSOLE_TOKEN is not set",
            "driver.env.EMPTY: environment variable EMPTY_VAR is empty",
            "driver.env.FOLDER: cannot read secret file \(base.path)/folder",
            "driver.env.KEY: secret file \(base.path)/missing/key does not exist",
        ])
        let blocked = "\(UnresolvedSecrets(problems: env.problems))"
        #expect(blocked == env.problems.map(\.line).joined(separator: "; "))
        #expect(!blocked.contains("fine-secret"))
        #expect(env.secrets == ["fine-secret"])
    }
}
