import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import StewardTesting
import Testing

/// `steward diff` through the binary: formats and exit codes.
@Suite("diff through the binary")
struct DiffCommandTests {
    @Test func diffCommandFormatsAndExitCodes() throws {
        let workspace = try QuickstartWorkspace()
        let (head, dir) = (workspace.head, workspace.dir)

        let markdown = try StewardProcess.run(["diff", "-o", "markdown", "--detailed-exitcode"], in: dir.path)
        #expect(markdown.exitCode == 2, "\(markdown.stderr)")
        #expect(markdown.stdout.hasPrefix("### Steward plan for commit `\(head.prefix(12))`\n"), "\(markdown.stdout)")
        #expect(markdown.stdout.contains("| Resource | Environment | Change | Fields |"))
        #expect(markdown.stdout.contains("| `Deployment/robot-nav-staging` | staging | create | new in Git, version `1.3.0` |"), "\(markdown.stdout)")

        let junit = try StewardProcess.run(["diff", "--output", "junit"], in: dir.path)
        #expect(junit.exitCode == 0, "\(junit.stderr)")
        let document = try XMLDocument(data: Data(junit.stdout.utf8), options: [])
        let suite = try #require(document.rootElement()?.elements(forName: "testsuite").first)
        let cases = suite.elements(forName: "testcase")
        #expect(!cases.isEmpty)
        #expect(suite.attribute(forName: "tests")?.stringValue == String(cases.count))
        #expect(cases.contains { $0.attribute(forName: "name")?.stringValue == "robot-nav-staging (staging)" })

        let json = try StewardProcess.run(["diff", "-o", "json"], in: dir.path)
        #expect(json.exitCode == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["commit"] as? String == head)
        #expect((object["changes"] as? [Any])?.count == cases.count - ((object["blocked"] as? [Any])?.count ?? 0))

        let usage = try StewardProcess.run(["diff", "-o", "yaml"], in: dir.path)
        #expect(usage.exitCode == 64)
    }
}
