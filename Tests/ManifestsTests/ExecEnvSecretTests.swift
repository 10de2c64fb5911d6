import Foundation
@testable import Manifests
import Testing

/// An exec environment's `driver.env` values: plain strings or secret references (DESIGN §13),
/// parsed alike on both paths, hashed as the reference, refused with file:line:col when malformed.
@Suite("Exec driver.env secret references in manifests")
struct ExecEnvSecretTests {
    static func environment(_ env: String) -> String {
        """
        apiVersion: steward/v1
        kind: Environment
        metadata: {name: production}
        spec:
          driver:
            type: exec
            command: [./ops/deploy.sh]
            env:
        \(env)
        """
    }

    private func errors(_ env: String) -> [String] {
        let text = Self.environment(env)
        BothPaths.parse(text, file: "environments/production.yaml")
        return FleetValidator.validate(files: [.init(path: "environments/production.yaml", bytes: Array(text.utf8))]).errors.map(\.description)
    }

    @Test func plainValuesAndReferencesParseAlikeOnBothPaths() throws {
        let text = Self.environment("""
                  REGION: eu-west-1
                  PORT: 8080
                  CONSOLE_TOKEN: {env: STEWARD_CONSOLE_TOKEN}
                  SIGNING_KEY:
                    file: secrets/signing.key

            """)
        let outcome = BothPaths.parse(text)
        #expect(outcome.fast, "plain block YAML with references takes the fast path")
        #expect(outcome.errors.isEmpty)
        guard case .environment(let environment)? = outcome.result.resources.first?.body else {
            Issue.record("no environment: \(outcome.errors)"); return
        }
        #expect(environment.spec.driver.env == [
            "REGION": .value("eu-west-1"), "PORT": .value("8080"),
            "CONSOLE_TOKEN": .secret(SecretRef(env: "STEWARD_CONSOLE_TOKEN")),
            "SIGNING_KEY": .secret(SecretRef(file: "secrets/signing.key")),
        ])
        // What is hashed and applied is the reference, as written in Git.
        let resource = try #require(outcome.result.resources.first)
        let spec = String(decoding: resource.canonicalSpec.canonicalBytes, as: UTF8.self)
        #expect(spec.contains(#""env":{"CONSOLE_TOKEN":{"env":"STEWARD_CONSOLE_TOKEN"},"PORT":"8080","REGION":"eu-west-1","SIGNING_KEY":{"file":"secrets/signing.key"}}"#),
                "\(spec)")
        #expect(errors("      A: b\n      B: {env: B_SECRET}\n      C: {file: ./c}\n").isEmpty)
    }

    @Test func theSpecHashChangesWithTheReferenceNotWithAnyValue() {
        func hash(_ env: String) -> String? {
            BothPaths.parse(Self.environment(env)).result.resources.first?.specHash
        }
        let a = hash("      T: {env: TOKEN_A}\n")
        #expect(a != nil)
        #expect(a == hash("      T: {env: TOKEN_A}\n"))
        #expect(a != hash("      T: {env: TOKEN_B}\n"))
        #expect(a != hash("      T: {file: TOKEN_A}\n"))
        #expect(a != hash("      T: TOKEN_A\n"))
    }

    @Test func malformedReferencesAreRefusedWithFileLineColumnAndField() {
        let file = "environments/production.yaml"
        #expect(errors("      CONSOLE_TOKEN: {env: \"\"}\n")
            == ["\(file):9:28: Environment/production: spec.driver.env.CONSOLE_TOKEN.env: {env: NAME} needs the name of an environment variable"])
        #expect(errors("      KEY: {file: ''}\n")
            == ["\(file):9:19: Environment/production: spec.driver.env.KEY.file: {file: PATH} needs a path"])
        #expect(errors("      CONSOLE_TOKEN: {env: A, file: /b}\n")
            == ["\(file):9:22: Environment/production: spec.driver.env.CONSOLE_TOKEN: a secret reference names one source, {env: NAME} or {file: PATH}, not both"])
        #expect(errors("      CONSOLE_TOKEN: {}\n")
            == ["\(file):9:22: Environment/production: spec.driver.env.CONSOLE_TOKEN: a secret reference needs exactly one of {env: NAME} or {file: PATH}"])
        #expect(errors("      CONSOLE_TOKEN: {fiel: ./token}\n")
            == ["\(file):9:23: Environment/production: spec.driver.env.CONSOLE_TOKEN.fiel: unknown field 'fiel', did you mean 'file'?"])
        #expect(errors("      CONSOLE_TOKEN: {env: A, vault: b}\n")
            == ["\(file):9:31: Environment/production: spec.driver.env.CONSOLE_TOKEN.vault: unknown field 'vault'"])
        #expect(errors("      CONSOLE_TOKEN: [a, b]\n")
            == ["\(file):9:22: Environment/production: spec.driver.env.CONSOLE_TOKEN: expected a string or a secret reference {env: NAME} or {file: PATH}, got a list"])
        #expect(errors("      CONSOLE_TOKEN: {env: [A]}\n")
            == ["\(file):9:28: Environment/production: spec.driver.env.CONSOLE_TOKEN.env: expected a string, got a list"])
        #expect(errors("      STEWARD_TOKEN: {env: T}\n")
            == ["\(file):9:22: Environment/production: spec.driver.env.STEWARD_TOKEN: STEWARD_* variables are set by Steward and cannot be overridden"])
    }
}
