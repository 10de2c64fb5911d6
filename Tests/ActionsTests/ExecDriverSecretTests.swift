@testable import Actions
import Foundation
import Manifests
import Reconcile
import StewardTesting
import Testing

/// The exec driver with `driver.env` secrets (DESIGN §13): resolved values reach the command and
/// never what the driver reports.
@Suite("Exec driver: secret values reach the command, never its reports")
struct ExecDriverSecretTests {
    static let secret = "exec-sec-71d2c9a4e06b35f8"

    @Test func theCommandGetsTheValueAndEveryReportIsRedacted() async throws {
        let dir = try TemporaryDirectory()
        let proof = dir.appending("proof").path
        // Prints the secret whole, JSON-escaped, split in two lines and in its JSON reply.
        let script = try ExecFixture.script(dir, #"""
        printf '%s' "$CONSOLE_TOKEN" | sha256sum | cut -d' ' -f1 > "$PROOF"
        echo "token is $CONSOLE_TOKEN"
        echo "split ${CONSOLE_TOKEN:0:10}"
        echo "${CONSOLE_TOKEN:10} end"
        echo "stderr $CONSOLE_TOKEN" >&2
        printf '{"status":"deployed","deploymentId":"%s","message":"used %s\\n%s"}\n' "$CONSOLE_TOKEN" "${CONSOLE_TOKEN:0:5}" "${CONSOLE_TOKEN:5}"
        """#)
        let driver = ExecDriver(command: [script], workingDirectory: dir.path,
                                environment: ["CONSOLE_TOKEN": Self.secret, "PROOF": proof, "REGION": "eu"], secrets: [Self.secret])
        let outcome = try await driver.execute(ExecFixture.request())
        let digest = try String(contentsOfFile: proof, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(digest == ContentHash.sha256Hex(Array(Self.secret.utf8)), "the command received the value")
        let reported = [outcome.message, outcome.targetId ?? "", outcome.output ?? "", String(decoding: outcome.data?.canonicalBytes ?? [], as: UTF8.self)]
        for text in reported {
            #expect(RedactorTests.leaks(text, Self.secret).isEmpty, "\(text)")
        }
        #expect(outcome.output?.contains("token is [redacted]") == true, "\(outcome.output ?? "")")
        #expect(outcome.output?.contains("split [redacted] end") == true, "\(outcome.output ?? "")")
        #expect(outcome.message == "used [redacted]")
        #expect(outcome.targetId == "[redacted]")
        #expect("\(driver)" == "ExecDriver(command: [\"\(script)\"], environment: [CONSOLE_TOKEN, PROOF, REGION])")
        var dumped = ""
        dump(driver, to: &dumped)
        #expect(!dumped.contains(Self.secret), "\(dumped)")
    }
}
